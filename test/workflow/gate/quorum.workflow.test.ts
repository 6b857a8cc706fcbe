/**
 * Quorum approval through the built HITL Gate in n8n's engine, on both stores: each vote is its own
 * MAC'd record; the request ends once — with one `decided` record naming every approver — when N
 * approvals are in, when a rejection vetoes (quorum) or when N can no longer be reached (majority);
 * concurrent last votes resume the run once; a vote record without the gate's MAC counts for nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type Answer, type GateEnv } from './gateHarness';
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
