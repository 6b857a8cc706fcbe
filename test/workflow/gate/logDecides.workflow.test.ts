/**
 * "The log decides", end to end through the built HITL Gate in n8n's engine: each finding of the
 * security review as a test. A decision exists only as a MAC'd terminal record in the chain; forged
 * working state, forged content and forged records never let an item leave through Approved; a
 * decision too large to record changes nothing; concurrent decisions on one request give one record
 * and one resume.
 */
import type { IDataObject } from 'n8n-workflow';

import { createRecord, normaliseInput } from '../../../core/chain';
import { sha256Json } from '../../../core/edits';
import { REQUEST_BINDING_KEY, type ReviewRequest } from '../../../core/store/types';
import { sleep } from '../../harness/net';
import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type GateEnv } from './gateHarness';

describe.each(['file', 'postgres'] as const)('HITL Gate on the %s store: the log decides', (backend) => {
	const env: GateEnv = useGateEnv('hitl-log-decides', backend);
	const editStoredRequest = (id: string, change: (r: ReviewRequest) => ReviewRequest): Promise<void> => env.editStoredRequest(id, change);

	async function requestIds(executionId: string): Promise<string[]> {
		const ids = (await recordsOf(env, executionId)).filter((r) => r.event === 'requested').map((r) => r.itemKey as string);
		return [...new Set(ids)];
	}

	const forgedApproval = (r: ReviewRequest): ReviewRequest => ({
		...r,
		status: 'decided',
		outcome: { decision: 'approved', reviewerId: 'mallory@evil.example', decidedAt: new Date().toISOString(), comment: null, edits: [], finalJson: { subject: 'pay mallory' } },
	});

	test('a 200,000-character edit is approved: the record logs it by SHA-256 and fits; the full text leaves through Approved', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'S', body: 'short draft' }], { editableFields: 'body' });
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const long = 'Dear Anna, '.repeat(18_182).slice(0, 200_000);
		const decided = await callWebhook(env, result, link, 'POST', { csrf, decision: 'approve', comment: '', 'edit.body': long });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(decided);
		expect(approved[0].json.body).toBe(long);
		const record = (await recordsOf(env, executionIdOf(link))).find((r) => r.event === 'decided');
		expect(record?.edits).toEqual([{ path: 'body', before: 'short draft', after: null, afterSha256: sha256Json(long) }]);
		const { hitl, ...released } = approved[0].json;
		expect(record?.finalSha256).toBe(sha256Json(released));
		expect((hitl as IDataObject).finalSha256).toBe(record?.finalSha256);
	});

	test('a decision too large to record is refused on the page; nothing is decided; the reviewer can retry', async () => {
		const fields = Array.from({ length: 40 }, (_, i) => `f${i}`);
		const draft: IDataObject = { reviewers: 'ann@example.com', subject: 'many' };
		for (const f of fields) draft[f] = '';
		const { result, mails } = await runGate(env, [draft], { editableFields: fields.join(',') });
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const big: IDataObject = { csrf, decision: 'approve', comment: '' };
		for (const f of fields) big[`edit.${f}`] = 'x'.repeat(2000);
		const refused = await callWebhook(env, result, link, 'POST', big);
		expect(refused.status).toBe(400);
		expect(refused.body).toContain('cannot be recorded');
		expect(refused.body).toContain('Nothing was decided');
		expect(refused.result.workflowData).toBeUndefined();
		const [id] = await requestIds(executionIdOf(link));
		expect(await env.store.terminalRecord(id)).toBeNull();
		expect(await env.store.getReviewRequest(id)).toMatchObject({ status: 'pending' });
		// Another reviewer (or the same one, retrying) still decides normally.
		const retry = await callWebhook(env, result, link, 'POST', { csrf, decision: 'approve', comment: '', 'edit.f0': 'short' });
		expect(titleOf(retry.body)).toBe('Decision recorded');
		expect(outputsOf(retry)[1][0].json.f0).toBe('short');
	});

	test('a request forged "decided" in the store (any reviewer, any content) never leaves through Approved; tamper_suspected is logged', async () => {
		const { result, mails } = await runGate(env, [
			{ reviewers: 'ann@example.com', subject: 'genuine' },
			{ reviewers: 'ann@example.com', subject: 'forged' },
		]);
		const [first, second] = gateLinks(mails[0]);
		const executionId = executionIdOf(first);
		const ids = await requestIds(executionId);
		const forgedId = (await Promise.all(ids.map((id) => env.store.getReviewRequest(id)))).find((r) => r?.itemIndex === 1)!.id;
		await editStoredRequest(forgedId, forgedApproval);

		const csrf = csrfOf((await callWebhook(env, result, first, 'GET')).body);
		const genuine = await callWebhook(env, result, first, 'POST', { csrf, decision: 'approve', comment: '' });
		expect(titleOf(genuine.body)).toBe('Decision recorded');
		// The forged item has no record in the chain: the run is held, nothing is released.
		expect(genuine.result.workflowData).toBeUndefined();
		const tamper = (await recordsOf(env, executionId)).filter((r) => r.event === 'tamper_suspected');
		expect(tamper.length).toBeGreaterThanOrEqual(1);
		expect(tamper[0]).toMatchObject({ itemKey: forgedId, details: { reason: expect.stringContaining('no record ending it') } });

		// The forged state decides nothing: the real reviewer's decision on that item is what counts.
		const page = await callWebhook(env, result, second, 'GET');
		expect(page.status).toBe(200);
		const rejected = await callWebhook(env, result, second, 'POST', { csrf: csrfOf(page.body), decision: 'reject', comment: 'not this one' });
		const [timedOut, approved, rej] = outputsOf(rejected);
		expect(timedOut).toEqual([]);
		expect(approved.map((i) => i.json.subject)).toEqual(['genuine']);
		expect(rej.map((i) => i.json.subject)).toEqual(['forged']);
		expect((rej[0].json.hitl as IDataObject).reviewer).toBe('ann@example.com');
		const decided = (await recordsOf(env, executionId)).filter((r) => r.event === 'decided');
		expect(decided.map((r) => r.reviewerId)).toEqual(['ann@example.com', 'ann@example.com']);
	});

	test('stored content changed after the link was issued: the page refuses, tamper_suspected is logged, nothing is decided', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'Original offer', amount: 100 }]);
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const [id] = await requestIds(executionIdOf(link));
		await editStoredRequest(id, (r) => {
			const payload = r.payload as { items: Array<{ json: IDataObject }> };
			payload.items[0].json.amount = 100_000;
			return r;
		});
		for (const method of ['GET', 'POST'] as const) {
			const answer = await callWebhook(env, result, link, method, { csrf, decision: 'approve', comment: '' });
			expect(answer.status).toBe(500);
			expect(answer.body).toContain('integrity check');
			expect(answer.result.workflowData).toBeUndefined();
		}
		expect(await env.store.terminalRecord(id)).toBeNull();
		const events = (await recordsOf(env, executionIdOf(link))).map((r) => r.event);
		expect(events).not.toContain('decided');
		expect(events.filter((e) => e === 'tamper_suspected')).toHaveLength(2);
	});

	test('a hash-valid "decided" record appended to the log without the gate\'s MAC never releases the item', async () => {
		const { result, mails } = await runGate(env, [
			{ reviewers: 'ann@example.com', subject: 'real' },
			{ reviewers: 'ann@example.com', subject: 'target' },
		]);
		const [first] = gateLinks(mails[0]);
		const executionId = executionIdOf(first);
		const target = (await Promise.all((await requestIds(executionId)).map((id) => env.store.getReviewRequest(id)))).find((r) => r?.itemIndex === 1)!;
		// What a store writer without the signing key can do: a well-formed, correctly chained record.
		const head = await env.store.head();
		const { record: forged, line } = createRecord(
			normaliseInput({
				event: 'decided',
				decision: 'approved',
				reviewerId: 'ann@example.com',
				executionId,
				itemKey: target.id,
				draftSha256: target.draftSha256,
				finalSha256: target.draftSha256,
				decidedAt: new Date().toISOString(),
				details: { [REQUEST_BINDING_KEY]: { id: target.id, groupId: target.groupId, nodeId: target.nodeId, keyId: 'wf-1', mac: 'A'.repeat(43) } },
			}),
			{ chain: 'default', seq: head.seq + 1, prevHash: head.hash, recordedAt: new Date().toISOString() },
		);
		await env.appendRawRecord(forged, line);
		expect(await env.store.verify()).toMatchObject({ ok: true });

		const csrf = csrfOf((await callWebhook(env, result, first, 'GET')).body);
		const decided = await callWebhook(env, result, first, 'POST', { csrf, decision: 'approve', comment: '' });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		expect(decided.result.workflowData).toBeUndefined();
		const tamper = (await recordsOf(env, executionId)).filter((r) => r.event === 'tamper_suspected');
		expect(tamper.some((r) => String(r.details?.reason).includes('valid MAC'))).toBe(true);
	});

	test('after the deadline, a POST of the link of a request forged "decided" ends the run through Timed Out, never Approved', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'late' }], { deadlineAmount: 2, deadlineUnit: 'seconds' });
		const link = gateLinks(mails[0])[0];
		const [id] = await requestIds(executionIdOf(link));
		await editStoredRequest(id, forgedApproval);
		await sleep(2_200);
		const post = await callWebhook(env, result, link, 'POST', { csrf: 'x', decision: 'approve', comment: '' });
		expect(post.status).toBe(410);
		const [timedOut, approved, rejected] = outputsOf(post);
		expect(approved).toEqual([]);
		expect(rejected).toEqual([]);
		expect(timedOut.map((i) => i.json.subject)).toEqual(['late']);
		expect((await env.store.terminalRecord(id))?.event).toBe('expired');
	});

	test('12 concurrent decisions on one request (two reviewers, approve and reject): one recorded, one resume, one record', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com, ben@example.com', subject: 'race' }]);
		const links = mails.map((m) => gateLinks(m)[0]);
		const pages = await Promise.all(links.map((l) => callWebhook(env, result, l, 'GET')));
		const answers = await Promise.all(
			Array.from({ length: 12 }, (_, i) =>
				callWebhook(env, result, links[i % 2], 'POST', { csrf: csrfOf(pages[i % 2].body), decision: i % 3 ? 'approve' : 'reject', comment: 'race' }),
			),
		);
		expect(answers.filter((a) => titleOf(a.body) === 'Decision recorded')).toHaveLength(1);
		expect(answers.filter((a) => titleOf(a.body) === 'Already decided')).toHaveLength(11);
		expect(answers.filter((a) => a.result.workflowData !== undefined)).toHaveLength(1);
		const decided = (await recordsOf(env, executionIdOf(links[0]))).filter((r) => r.event === 'decided');
		expect(decided).toHaveLength(1);
	});

	test('batch mode takes edits of editable fields and refuses any other, as single mode does; nothing is decided on a refusal', async () => {
		const { result, mails } = await runGate(
			env,
			[
				{ reviewers: 'ann@example.com', subject: 'b1', amount: 1 },
				{ reviewers: 'ann@example.com', subject: 'b2', amount: 2 },
			],
			{ reviewMode: 'batch', reviewers: 'ann@example.com', editableFields: 'subject' },
		);
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const refused = await callWebhook(env, result, link, 'POST', { csrf, bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'approve', 'edit.0.subject': 'changed', 'edit.1.amount': '2000' });
		expect(refused.status).toBe(400);
		expect(refused.body).toContain('not an editable field');
		expect(refused.body).toContain('Nothing was decided');
		for (const id of await requestIds(executionIdOf(link))) expect(await env.store.terminalRecord(id)).toBeNull();
		const ok = await callWebhook(env, result, link, 'POST', { csrf, bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'approve', 'edit.0.subject': 'changed' });
		const [, approved] = outputsOf(ok);
		expect(approved.map((i) => i.json.subject)).toEqual(['changed', 'b2']);
		expect(approved.map((i) => (i.json.hitl as IDataObject).decision)).toEqual(['approved_with_edits', 'approved']);
	});
});
