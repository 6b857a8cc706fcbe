/**
 * Batch review in n8n's engine, through the built gate: one page per reviewer for the whole run, but
 * every item its own review request, its own MAC'd `decided` record and its own output. Partial
 * decisions leave the rest open (the run waits); "Approve all" is refused while High-risk items wait,
 * unless the builder allowed it (and the requested records say so); a second reviewer sees only what
 * is left; a forged stored state on one item holds only what the log says it holds.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { verifyDecisionMac } from '../../../core/links';
import { REQUEST_BINDING_KEY, type ReviewRecord, type ReviewRequest } from '../../../core/store/types';
import { loadFixture, runWorkflow } from '../harness';
import { callWebhook, csrfOf, executionIdOf, GATE, gateLinks, KEY, outputsOf, recordsOf, runGate, TIME_ON_PAGE_OFF, titleOf, useGateEnv, type GateEnv } from './gateHarness';
import { listMail } from '../../harness/smtpCapture';

const env: GateEnv = useGateEnv('hitl-batch');
const BATCH = { reviewMode: 'batch', reviewers: 'ann@example.com, ben@example.com' };
const ITEMS = [
	{ reviewers: 'x@example.com', subject: 'Offer for Anna' },
	{ reviewers: 'x@example.com', subject: 'Rejection for Ben' },
	{ reviewers: 'x@example.com', subject: 'Reminder for Chiara' },
];

const linkFor = (mails: Awaited<ReturnType<typeof runGate>>['mails'], to: string): string => gateLinks(mails.find((m) => m.to[0] === to)!)[0];
const binding = (r: ReviewRecord) => r.details?.[REQUEST_BINDING_KEY] as { id: string; groupId: string; keyId: string; mac: string };
const offered = (html: string): number[] => [...html.matchAll(/name="decision\.(\d+)" value="approve"/g)].map((m) => Number(m[1]));

async function requestsOf(executionId: string): Promise<ReviewRequest[]> {
	const ids = [...new Set((await recordsOf(env, executionId)).filter((r) => r.event === 'requested').map((r) => r.itemKey as string))];
	const requests = (await Promise.all(ids.map((id) => env.store.getReviewRequest(id)))) as ReviewRequest[];
	return requests.sort((a, b) => a.itemIndex - b.itemIndex);
}

describe('HITL Gate batch review: a decision per item', () => {
	test('approve item 1 with an edit, reject item 2 with a reason, leave item 3: two records, the run waits; item 3 approved later resumes, each item through its own output', async () => {
		const { result, mails } = await runGate(env, ITEMS, BATCH);
		const link = linkFor(mails, 'ann@example.com');
		const executionId = executionIdOf(link);
		const requests = await requestsOf(executionId);
		expect(requests.map((r) => r.itemIndex)).toEqual([0, 1, 2]);
		expect(new Set(requests.map((r) => r.groupId)).size).toBe(1);

		const page = await callWebhook(env, result, link, 'GET');
		expect(page.status).toBe(200);
		expect(offered(page.body)).toEqual([0, 1, 2]);
		expect(page.body).toContain('name="edit.0.subject"');
		const first = await callWebhook(env, result, link, 'POST', {
			csrf: csrfOf(page.body),
			bulk: 'selected',
			comment: '',
			'decision.0': 'approve',
			'edit.0.subject': 'Offer for Anna (signed)',
			'decision.1': 'reject',
			'comment.1': 'Wrong candidate',
			'decision.2': 'undecided',
		});
		expect(first.status).toBe(200);
		expect(first.result.workflowData).toBeUndefined();
		expect(first.body).toContain('Recorded: item 1 approved, item 2 rejected.');
		expect(offered(first.body)).toEqual([2]);

		const decided = (await recordsOf(env, executionId)).filter((r) => r.event === 'decided');
		expect(decided.map((r) => [r.itemKey, r.decision, r.comment])).toEqual([
			[requests[0].id, 'approved_with_edits', null],
			[requests[1].id, 'rejected', 'Wrong candidate'],
		]);
		for (const [i, record] of decided.entries()) {
			const b = binding(record);
			expect(b).toMatchObject({ id: requests[i].id, groupId: requests[i].groupId, keyId: KEY.kid });
			const facts = { requestId: requests[i].id, groupId: requests[i].groupId, executionId, nodeId: requests[i].nodeId, event: 'decided' as const, decision: record.decision, reviewerId: record.reviewerId, decidedAt: record.decidedAt, comment: record.comment, draftSha256: requests[i].draftSha256, finalSha256: record.finalSha256 };
			expect(verifyDecisionMac(facts, b.keyId, b.mac, [{ keyId: KEY.kid, secret: KEY.secret }])).toBe(true);
		}
		expect(await env.store.terminalRecord(requests[2].id)).toBeNull();

		const last = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(first.body), bulk: 'selected', 'decision.2': 'approve' });
		expect(titleOf(last.body)).toBe('Decision recorded');
		const [timedOut, approved, rejected] = outputsOf(last);
		expect(timedOut).toEqual([]);
		expect(approved.map((i) => i.json.subject)).toEqual(['Offer for Anna (signed)', 'Reminder for Chiara']);
		expect(approved.map((i) => (i.json.hitl as IDataObject).decision)).toEqual(['approved_with_edits', 'approved']);
		expect((approved[0].json.hitl as IDataObject).edits).toEqual([{ path: 'subject', before: 'Offer for Anna', after: 'Offer for Anna (signed)' }]);
		expect(rejected.map((i) => [i.json.subject, (i.json.hitl as IDataObject).comment])).toEqual([['Rejection for Ben', 'Wrong candidate']]);
		expect(last.customData.hitl_decision).toBe('mixed: approved, approved_with_edits, rejected');
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'decided')).toHaveLength(3);
	});

	test('a rejected item without a reason, and a submit with nothing chosen, are refused; nothing is decided', async () => {
		const { result, mails } = await runGate(env, ITEMS.slice(0, 2), BATCH);
		const link = linkFor(mails, 'ann@example.com');
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const noReason = await callWebhook(env, result, link, 'POST', { csrf, bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'reject', 'comment.1': '  ' });
		expect(noReason.status).toBe(400);
		expect(noReason.body).toMatch(/<textarea id="comment-1" name="comment\.1"[^>]*aria-describedby="item1-error" aria-invalid="true"/);
		expect(noReason.body).toContain('Give a reason for rejecting item 2');
		const nothing = await callWebhook(env, result, link, 'POST', { csrf, bulk: 'selected', 'decision.0': 'undecided' });
		expect(nothing.status).toBe(400);
		const foreign = await callWebhook(env, result, link, 'POST', { csrf, bulk: 'selected', 'decision.7': 'approve' });
		expect(foreign.status).toBe(400);
		expect(foreign.body).toContain('not part of this batch');
		const events = (await recordsOf(env, executionIdOf(link))).map((r) => r.event);
		expect(events).not.toContain('decided');
	});

	test('Approve all is refused for a High (unclassified) batch by default: the page says why and nothing is decided; per-item approval works', async () => {
		const { result, mails } = await runGate(env, ITEMS.slice(0, 2), BATCH);
		const link = linkFor(mails, 'ann@example.com');
		const page = await callWebhook(env, result, link, 'GET');
		expect(page.body).not.toContain('value="approve_all"');
		expect(page.body).toContain('Approve all is not available');
		const requested = (await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'requested');
		expect(requested.map((r) => r.details?.allowApproveAllHigh)).toEqual([false, false, false, false]);
		const refused = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'approve_all' });
		expect(refused.status).toBe(400);
		expect(refused.body).toContain('Approve all is not available: Items 1 and 2 are High risk or not classified.');
		expect(refused.body).toContain('Nothing was decided');
		expect(refused.result.workflowData).toBeUndefined();
		expect((await recordsOf(env, executionIdOf(link))).map((r) => r.event)).not.toContain('decided');
		const each = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'approve' });
		expect(outputsOf(each)[1].map((i) => i.json.subject)).toEqual(['Offer for Anna', 'Rejection for Ben']);
	});

	test('with "Allow Approve All for High Risk" on, the requested records say so and Approve all decides every item', async () => {
		const { result, mails } = await runGate(env, ITEMS, { ...BATCH, allowApproveAllHigh: true });
		const link = linkFor(mails, 'ben@example.com');
		const requested = (await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'requested');
		expect(requested).toHaveLength(6);
		expect(requested.every((r) => r.details?.allowApproveAllHigh === true && r.details?.batchLink === true)).toBe(true);
		// Each record names the link's items as ranges, not a list that grows with the run.
		expect(requested.map((r) => [r.details?.linkItems, r.details?.linkItemCount])).toEqual(Array.from({ length: 6 }, () => ['0-2', 3]));
		const page = await callWebhook(env, result, link, 'GET');
		expect(page.body).toContain('value="approve_all"');
		const all = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'approve_all' });
		expect(titleOf(all.body)).toBe('Decision recorded');
		expect(outputsOf(all)[1].map((i) => (i.json.hitl as IDataObject).reviewer)).toEqual(['ben@example.com', 'ben@example.com', 'ben@example.com']);
		expect((await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'decided')).toHaveLength(3);
	});

	test('Approve all on a Low batch (Router-verified) decides every item, each with its own record', async () => {
		const wf = loadFixture('../gate/fixtures/risk-router-gate.json');
		const gate = wf.nodes.find((n) => n.name === GATE)!;
		Object.assign(gate.parameters, TIME_ON_PAGE_OFF, { reviewMode: 'batch', subject: 'Review batch' });
		// The Router's Low output (3) feeds the gate.
		wf.connections['Blast Radius Router'] = { main: [[], [], [], [{ node: GATE, type: 'main', index: 0 }]] };
		const before = listMail(env.smtp.mailDir).length;
		const result = await runWorkflow({ workflow: wf, items: [{ kind: 'note', subject: 'n1' }, { kind: 'note', subject: 'n2' }], credentials: env.credentials as never });
		expect(result.status).toBe('waiting');
		const link = gateLinks(listMail(env.smtp.mailDir).slice(before)[0])[0];
		const requested = (await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'requested');
		expect(requested.map((r) => r.tier)).toEqual(['low', 'low']);
		const page = await callWebhook(env, result, link, 'GET', {}, gate as INode);
		expect(page.body).toContain('value="approve_all"');
		const all = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'approve_all' }, gate as INode);
		expect(outputsOf(all)[1].map((i) => i.json.subject)).toEqual(['n1', 'n2']);
		const decided = (await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'decided');
		expect(new Set(decided.map((r) => r.itemKey)).size).toBe(2);
	});

	test('a second reviewer opening the link after partial decisions sees only what is left, and who decided the rest', async () => {
		const { result, mails } = await runGate(env, ITEMS, BATCH);
		const ann = linkFor(mails, 'ann@example.com');
		const ben = linkFor(mails, 'ben@example.com');
		const annPage = await callWebhook(env, result, ann, 'GET');
		const benStale = await callWebhook(env, result, ben, 'GET');
		await callWebhook(env, result, ann, 'POST', { csrf: csrfOf(annPage.body), bulk: 'selected', 'decision.1': 'reject', 'comment.1': 'no' });
		const benPage = await callWebhook(env, result, ben, 'GET');
		expect(offered(benPage.body)).toEqual([0, 2]);
		expect(benPage.body).toContain('Item 2: rejected by ann@example.com');
		// Ben's older page still names item 2: his choice for it is not recorded, Ann's decision stands.
		const late = await callWebhook(env, result, ben, 'POST', { csrf: csrfOf(benStale.body), bulk: 'approve_all' });
		expect(late.status).toBe(400);
		const selected = await callWebhook(env, result, ben, 'POST', { csrf: csrfOf(benStale.body), bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'approve', 'decision.2': 'approve' });
		const [, approved, rejected] = outputsOf(selected);
		expect(approved.map((i) => i.json.subject)).toEqual(['Offer for Anna', 'Reminder for Chiara']);
		expect(rejected.map((i) => (i.json.hitl as IDataObject).reviewer)).toEqual(['ann@example.com']);
		const done = await callWebhook(env, result, ann, 'GET');
		expect(titleOf(done.body)).toBe('Already decided');
	});

	test('one item forged "decided" in the store stays open on the page (tamper_suspected logged); it leaves as the reviewer decided it, never as forged', async () => {
		const { result, mails } = await runGate(env, ITEMS.slice(0, 2), BATCH);
		const link = linkFor(mails, 'ann@example.com');
		const executionId = executionIdOf(link);
		const [, target] = await requestsOf(executionId);
		await env.editStoredRequest(target.id, (r) => ({
			...r,
			status: 'decided',
			outcome: { decision: 'approved', reviewerId: 'mallory@evil.example', decidedAt: new Date().toISOString(), comment: null, edits: [], finalJson: { subject: 'pay mallory' } },
		}));
		const page = await callWebhook(env, result, link, 'GET');
		expect(offered(page.body)).toEqual([0, 1]);
		const tamper = (await recordsOf(env, executionId)).filter((r) => r.event === 'tamper_suspected');
		expect(tamper.some((r) => r.itemKey === target.id && String(r.details?.reason).includes('no record ending it'))).toBe(true);
		const first = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'selected', 'decision.0': 'approve' });
		expect(first.result.workflowData).toBeUndefined();
		const last = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'selected', 'decision.1': 'reject', 'comment.1': 'not this one' });
		const [, approved, rejected] = outputsOf(last);
		expect(approved.map((i) => i.json.subject)).toEqual(['Offer for Anna']);
		expect(rejected.map((i) => i.json.subject)).toEqual(['Rejection for Ben']);
	});

	test('a group changed in the store (one request\'s draft hash) refuses the whole page; nothing is decided', async () => {
		const { result, mails } = await runGate(env, ITEMS.slice(0, 2), BATCH);
		const link = linkFor(mails, 'ann@example.com');
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const [, target] = await requestsOf(executionIdOf(link));
		await env.editStoredRequest(target.id, (r) => ({ ...r, draftSha256: 'ab'.repeat(32) }));
		for (const method of ['GET', 'POST'] as const) {
			const answer = await callWebhook(env, result, link, method, { csrf, bulk: 'selected', 'decision.0': 'approve' });
			expect(answer.status).toBe(500);
			expect(answer.body).toContain('integrity check');
		}
		expect((await recordsOf(env, executionIdOf(link))).map((r) => r.event)).not.toContain('decided');
	});
});

describe('HITL Gate: a run of hundreds of items', () => {
	test('300 items per item: one mail per reviewer listing every item (the first 25 with their fields, the rest by name and link), base64-encoded (large), every link intact; 2 items stay quoted-printable', async () => {
		const items = Array.from({ length: 300 }, (_, i) => ({ subject: `Offer ${i}`, body: `<p>Dear Candidate ${i}, thank you for applying — we would like to talk.</p>` }));
		const { mails } = await runGate(env, items, { reviewers: 'ann@example.com, ben@example.com', reviewMode: 'perItem' });
		expect(mails.map((m) => m.to[0]).sort()).toEqual(['ann@example.com', 'ben@example.com']);
		for (const mail of mails) {
			expect(new Set(gateLinks(mail)).size).toBe(300);
			expect(mail.text).toContain('Offer 24');
			expect(mail.text).not.toContain('Offer 25');
			expect(mail.text).toContain('The next 275 items are listed by name only');
			expect(mail.text).toContain('== Item 300 ==');
			expect(mail.raw).toMatch(/Content-Transfer-Encoding: base64/i);
			expect(mail.raw).not.toMatch(/Content-Transfer-Encoding: quoted-printable/i);
		}
		const small = await runGate(env, items.slice(0, 2), { reviewers: 'ann@example.com', reviewMode: 'perItem' });
		expect(small.mails[0].raw).toMatch(/Content-Transfer-Encoding: quoted-printable/i);
	}, 60_000);

	test('1,005 items in one batch: the page records one view per item however often it is opened, and Approve all decides every item once (more than one store call of 1,000)', async () => {
		const items = Array.from({ length: 1005 }, (_, i) => ({ reviewers: 'x@example.com', subject: `Note ${i}` }));
		const { result, mails } = await runGate(env, items, { reviewMode: 'batch', reviewers: 'ann@example.com', allowApproveAllHigh: true, ...TIME_ON_PAGE_OFF });
		const link = gateLinks(mails[0])[0];
		const executionId = executionIdOf(link);
		await callWebhook(env, result, link, 'GET');
		// The second view finds the first's 1,005 records over two query pages: nothing new is written.
		const page = await callWebhook(env, result, link, 'GET');
		const views = await eventsOf(executionId, 'viewed');
		expect(views).toHaveLength(1005);
		expect(new Set(views.map((r) => r.itemKey)).size).toBe(1005);
		const all = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'approve_all' });
		expect(titleOf(all.body)).toBe('Decision recorded');
		const [timedOut, approved, rejected] = outputsOf(all);
		expect([timedOut.length, approved.length, rejected.length]).toEqual([0, 1005, 0]);
		expect(approved.map((i) => i.json.subject)).toEqual(items.map((i) => i.subject));
		const decided = await eventsOf(executionId, 'decided');
		expect(decided).toHaveLength(1005);
		expect(new Set(decided.map((r) => r.itemKey)).size).toBe(1005);
		// Contiguous in the chain: one store step per 1,000 items, not one per item.
		const seqs = decided.map((r) => r.seq).sort((a, b) => a - b);
		expect(seqs[999] - seqs[0]).toBe(999);
	}, 120_000);
});

/** Every record of `event` in the execution (all pages), oldest first. */
async function eventsOf(executionId: string, event: ReviewRecord['event']): Promise<ReviewRecord[]> {
	const out: ReviewRecord[] = [];
	let cursor: string | undefined;
	do {
		const page = await env.store.query({ executionId, event }, { limit: 1000, cursor });
		out.push(...page.records);
		cursor = page.nextCursor ?? undefined;
	} while (cursor !== undefined);
	return out.reverse();
}
