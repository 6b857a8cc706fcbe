/**
 * Quorum approval through the built HITL Gate in n8n's engine, on both stores: each vote is its own
 * MAC'd record; the request ends once — with one `decided` record naming every approver — when N
 * approvals are in, when a rejection vetoes (quorum) or when N can no longer be reached (majority);
 * concurrent last votes resume the run once; a vote record without the gate's MAC counts for nothing.
 * Sequential sign-off: the listed order, one mail at a time, out-of-turn votes refused.
 */
import type { IDataObject } from 'n8n-workflow';

import { LINK_TOKEN_PARAM, signLinkToken, type LinkClaims } from '../../../core/links';
import { listMail } from '../../harness/smtpCapture';
import { callWebhook, csrfOf, executionIdOf, gateLinks, KEY, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type Answer, type GateEnv } from './gateHarness';
import type { WorkflowRunResult } from '../harness';

const THREE = 'ann@example.com, bob@example.com, cat@example.com';

describe.each(['file', 'postgres'] as const)('HITL Gate quorum on the %s store', (backend) => {
	const env: GateEnv = useGateEnv('hitl-quorum', backend);

	/** Each reviewer's link to the run's single item, by reviewer. */
	async function start(policy: 'quorum' | 'majority', required = 2): Promise<{ result: WorkflowRunResult; links: Record<string, string>; executionId: string }> {
		const { result, mails } = await runGate(env, [{ reviewers: THREE, subject: 'Bonus 5,000 EUR' }], { approvalPolicy: policy, requiredApprovals: required });
		expect(result.status).toBe('waiting');
		const links: Record<string, string> = {};
		for (const m of mails) links[m.to[0].split('@')[0]] = gateLinks(m)[0];
		return { result, links, executionId: executionIdOf(links.ann) };
	}

	async function vote(result: WorkflowRunResult, link: string, decision: 'approve' | 'reject', extra: IDataObject = {}): Promise<Answer> {
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		return await callWebhook(env, result, link, 'POST', { csrf, decision, comment: decision === 'reject' ? 'too much' : '', ...extra });
	}

	test('2 of 3: the first approval is a vote, a second vote by the same person is not counted, the second approver ends it naming both', async () => {
		const { result, links, executionId } = await start('quorum');
		const first = await vote(result, links.ann, 'approve');
		expect(titleOf(first.body)).toBe('Vote recorded');
		expect(first.body).toContain('It needs 2 approvals; 1 so far');
		expect(first.result.workflowData).toBeUndefined();
		const again = await vote(result, links.ann, 'approve');
		expect(titleOf(again.body)).toBe('You already voted');
		expect(again.result.workflowData).toBeUndefined();
		const second = await vote(result, links.bob, 'approve');
		expect(titleOf(second.body)).toBe('Decision recorded');
		const [timedOut, approved, rejected] = outputsOf(second);
		expect([timedOut.length, rejected.length]).toEqual([0, 0]);
		expect(approved[0].json.hitl).toMatchObject({ decision: 'approved', reviewer: 'bob@example.com', quorum: { approvers: ['ann@example.com', 'bob@example.com'], rejectedBy: [] } });
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'vote').map((r) => [r.reviewerId, r.decision])).toEqual([
			['ann@example.com', 'approved'],
			['bob@example.com', 'approved'],
		]);
		const decided = records.filter((r) => r.event === 'decided');
		expect(decided).toHaveLength(1);
		expect(decided[0].details?.quorum).toEqual({ approvers: ['ann@example.com', 'bob@example.com'], rejectedBy: [], votes: 2 });
		// A third reviewer after the end changes nothing.
		const late = await vote(result, links.cat, 'approve').catch(() => null);
		expect(late?.result.workflowData).toBeUndefined();
	});

	test('three approvals at the same moment: one decided record, one resume', async () => {
		const { result, links, executionId } = await start('quorum');
		const pages = await Promise.all(['ann', 'bob', 'cat'].map(async (who) => csrfOf((await callWebhook(env, result, links[who], 'GET')).body)));
		const answers = await Promise.all(['ann', 'bob', 'cat'].map((who, i) => callWebhook(env, result, links[who], 'POST', { csrf: pages[i], decision: 'approve', comment: '' })));
		expect(answers.filter((a) => a.result.workflowData !== undefined)).toHaveLength(1);
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(1);
		expect(records.filter((r) => r.event === 'vote').length).toBeGreaterThanOrEqual(2);
	});

	test('quorum: one rejection vetoes, with the reason; majority: rejected only once the quorum cannot be reached', async () => {
		const veto = await start('quorum');
		expect(titleOf((await vote(veto.result, veto.links.ann, 'approve')).body)).toBe('Vote recorded');
		const rejected = await vote(veto.result, veto.links.bob, 'reject');
		const [, approvedOut, rejectedOut] = outputsOf(rejected);
		expect(approvedOut).toEqual([]);
		expect(rejectedOut[0].json.hitl).toMatchObject({ decision: 'rejected', comment: 'bob@example.com: too much' });

		const majority = await start('majority');
		const one = await vote(majority.result, majority.links.bob, 'reject');
		expect(titleOf(one.body)).toBe('Vote recorded');
		expect(one.result.workflowData).toBeUndefined();
		const two = await vote(majority.result, majority.links.cat, 'reject');
		const [, a, r] = outputsOf(two);
		expect(a).toEqual([]);
		expect(r[0].json.hitl).toMatchObject({ decision: 'rejected', quorum: { approvers: [], rejectedBy: ['bob@example.com', 'cat@example.com'] } });
	});

	test('a vote record without the gate\'s MAC (written by someone who can write the store) counts for nothing', async () => {
		const { result, links, executionId } = await start('quorum');
		const requested = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')!;
		await env.store.append({ event: 'vote', decision: 'approved', reviewerId: 'ann@example.com', itemKey: requested.itemKey, executionId, decidedAt: new Date().toISOString(), details: { voteMac: { keyId: 'wf-1', mac: 'forged' } } });
		const bob = await vote(result, links.bob, 'approve');
		expect(titleOf(bob.body)).toBe('Vote recorded');
		expect(bob.body).toContain('1 so far');
		expect(bob.result.workflowData).toBeUndefined();
	});

	test('edits are not taken under a quorum; a run that cannot reach its quorum fails before anything is sent', async () => {
		const { result, links } = await start('quorum');
		const edited = await vote(result, links.ann, 'approve', { 'edit.subject': 'Bonus 50,000 EUR' });
		expect(edited.status).toBe(400);
		expect(edited.body).toContain('approves the item as shown');
		const short = await runGate(env, [{ reviewers: 'ann@example.com, bob@example.com', subject: 'x' }], { approvalPolicy: 'quorum', requiredApprovals: 3 });
		expect(short.result.status).toBe('error');
		expect((short.result.error as unknown as { message: string }).message).toBe('This item has 2 reviewer(s) but needs 3 approvals');
		expect(short.mails).toEqual([]);
		const batch = await runGate(env, [{ reviewers: THREE, subject: 'x' }], { approvalPolicy: 'quorum', reviewMode: 'batch' });
		expect((batch.result.error as unknown as { message: string }).message).toBe('A quorum needs one request per item');
	});
});

describe.each(['file', 'postgres'] as const)('HITL Gate sequential sign-off on the %s store', (backend) => {
	const env: GateEnv = useGateEnv('hitl-sequential', backend);
	const ORDER = 'ann@example.com, bob@example.com, cat@example.com';

	async function approve(result: WorkflowRunResult, link: string): Promise<Answer> {
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		return await callWebhook(env, result, link, 'POST', { csrf, decision: 'approve', comment: '' });
	}

	test('only the first reviewer is mailed; each next one only after the previous approved; the last approval ends it naming all three in order', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: ORDER, subject: 'Offer letter' }], { approvalPolicy: 'sequential' });
		expect(mails.map((m) => m.to[0])).toEqual(['ann@example.com']);
		const annLink = gateLinks(mails[0])[0];
		const executionId = executionIdOf(annLink);
		expect((await callWebhook(env, result, annLink, 'GET')).body).toContain('Signed off in order: ann@example.com → bob@example.com → cat@example.com');
		const before = listMail(env.smtp.mailDir).length;
		const ann = await approve(result, annLink);
		expect(titleOf(ann.body)).toBe('Vote recorded');
		const afterAnn = listMail(env.smtp.mailDir).slice(before);
		expect(afterAnn.map((m) => m.to[0])).toEqual(['bob@example.com']);
		const bobLink = gateLinks(afterAnn[0])[0];
		const bob = await approve(result, bobLink);
		expect(titleOf(bob.body)).toBe('Vote recorded');
		const catMail = listMail(env.smtp.mailDir).slice(before + 1);
		expect(catMail.map((m) => m.to[0])).toEqual(['cat@example.com']);
		const cat = await approve(result, gateLinks(catMail[0])[0]);
		expect(titleOf(cat.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(cat);
		expect(approved[0].json.hitl).toMatchObject({ decision: 'approved', reviewer: 'cat@example.com', quorum: { approvers: ['ann@example.com', 'bob@example.com', 'cat@example.com'] } });
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'requested').map((r) => [r.reviewerId, r.details?.sequentialTurn ?? 1])).toEqual([
			['ann@example.com', 1],
			['bob@example.com', 2],
			['cat@example.com', 3],
		]);
	});

	test('out of turn nothing is recorded; a rejection ends it and nobody later is asked', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: ORDER, subject: 'Stage change' }], { approvalPolicy: 'sequential' });
		const annLink = gateLinks(mails[0])[0];
		const executionId = executionIdOf(annLink);
		// Cat's link (what the run would mail her in turn, signed with the gate's key) used before her turn.
		const catLink = annLink.replace(/([?&]t=)[^&]+/, (_m, p: string) => `${p}${catToken(annLink)}`);
		const early = await callWebhook(env, result, catLink, 'POST', { csrf: csrfOf((await callWebhook(env, result, catLink, 'GET')).body), decision: 'approve', comment: '' });
		expect(early.status).toBe(409);
		expect(titleOf(early.body)).toBe('Not your turn yet');
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'vote')).toEqual([]);
		const before = listMail(env.smtp.mailDir).length;
		const csrf = csrfOf((await callWebhook(env, result, annLink, 'GET')).body);
		const rejected = await callWebhook(env, result, annLink, 'POST', { csrf, decision: 'reject', comment: 'wrong stage' });
		const [, approved, rejectedOut] = outputsOf(rejected);
		expect(approved).toEqual([]);
		expect(rejectedOut[0].json.hitl).toMatchObject({ decision: 'rejected', comment: 'ann@example.com: wrong stage' });
		expect(listMail(env.smtp.mailDir).length).toBe(before);
	});

	test('not in batch mode, not with escalation backups: the node says what to change', async () => {
		const batch = await runGate(env, [{ reviewers: ORDER, subject: 'x' }], { approvalPolicy: 'sequential', reviewMode: 'batch' });
		expect((batch.result.error as unknown as { message: string }).message).toBe('Sequential sign-off needs one request per item');
		const escalated = await runGate(env, [{ reviewers: ORDER, subject: 'x' }], { approvalPolicy: 'sequential', escalation: { levels: [{ afterAmount: 1, afterUnit: 'hours', reviewers: 'dan@example.com' }] } });
		expect((escalated.result.error as unknown as { message: string }).message).toBe('Sequential sign-off cannot add escalation backups');
	});
});

/** The token cat's link would carry: ann's claims with cat as the reviewer, signed with the workflow tests' gate key. */
function catToken(annLink: string): string {
	const token = new URL(annLink).searchParams.get(LINK_TOKEN_PARAM) as string;
	const claims = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as LinkClaims;
	return signLinkToken({ ...claims, rev: 'cat@example.com', nonce: 'catsOwnNonce0123456789ab' }, { keyId: KEY.kid, secret: KEY.secret });
}
