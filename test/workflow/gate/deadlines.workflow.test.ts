/**
 * The deadline mechanism end to end through the built HITL Gate in n8n's engine, on both stores: the
 * gate schedules its run's reminders, escalation level and deadline; the deadline worker's real tick
 * (core/deadline/worker.ts) claims them and POSTs signed orders, delivered here to the gate's webhook();
 * the gate mails the people concerned their personal links, records each step, and at the deadline
 * routes every item by its own outcome — decided items through their decision, undecided ones through
 * Timed Out (or Rejected with "reject on timeout"), never Approved.
 */
import type { IDataObject } from 'n8n-workflow';

import { deriveDeadlineActionKey, runDeadlineTick, signDeadlineOrder, type DeadlineOrder, type HttpAnswer } from '../../../core/deadline';
import { instanceEncryptionKey } from '../../../nodes/shared/instanceKey';
import { sleep } from '../../harness/net';
import { listMail } from '../../harness/smtpCapture';
import { loadFixture, runWorkflow, type WorkflowRunResult } from '../harness';
import { callWebhook, csrfOf, gateFixture, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type Answer, type GateEnv } from './gateHarness';

const ITEMS = [
	{ reviewers: 'ann@example.com', subject: 'approve me', backup: 'bob@example.com' },
	{ reviewers: 'ann@example.com', subject: 'reject me', backup: 'bob@example.com' },
	{ reviewers: 'ann@example.com', subject: 'nobody decides', backup: 'bob@example.com' },
];

function plan(deadlineSeconds: number, extra: IDataObject = {}): IDataObject {
	return {
		deadlineType: 'duration',
		deadlineAmount: deadlineSeconds,
		deadlineUnit: 'seconds',
		remindEveryAmount: 1,
		remindEveryUnit: 'seconds',
		maxReminders: 1,
		escalation: { levels: [{ afterAmount: 1, afterUnit: 'seconds', reviewers: '={{ $json.backup }}' }] },
		...extra,
	};
}

describe.each(['file', 'postgres'] as const)('HITL Gate deadlines on the %s store', (backend) => {
	const env: GateEnv = useGateEnv('hitl-deadlines', backend);
	const key = () => deriveDeadlineActionKey(instanceEncryptionKey() as string);

	/** One worker tick whose orders reach the gate's webhook in this process; the gate's answers are kept. */
	async function tick(result: WorkflowRunResult, answers: Answer[] = []): Promise<Answer[]> {
		await runDeadlineTick(env.store, {
			worker: 'test-worker',
			intervalMs: 1000,
			key: key(),
			post: async (url, order): Promise<HttpAnswer> => {
				const answer = await callWebhook(env, result, url, 'POST', order as unknown as IDataObject);
				answers.push(answer);
				if (answer.status >= 500) throw new Error(`the gate failed: ${answer.body}`);
				return { status: answer.status, body: answer.body };
			},
		});
		return answers;
	}

	test('reminder to the reviewer who has not decided, backup added with a working link, then each item leaves by its own outcome', async () => {
		const { result, mails } = await runGate(env, ITEMS, plan(4));
		expect(result.status).toBe('waiting');
		const links = gateLinks(mails[0]);
		expect(links).toHaveLength(3);
		// Before the escalation nobody else is asked; the page says when to decide by.
		const annPage = await callWebhook(env, result, links[2], 'GET');
		expect(annPage.body).toContain('Decide by');
		expect(annPage.body).not.toContain('Also asked');
		const executionId = executionIdOf(links[0]);
		// Item 1 approved, item 2 rejected in time; item 3 left open.
		const approve = await callWebhook(env, result, links[0], 'POST', { csrf: csrfOf((await callWebhook(env, result, links[0], 'GET')).body), decision: 'approve', comment: '' });
		expect(titleOf(approve.body)).toBe('Decision recorded');
		const reject = await callWebhook(env, result, links[1], 'POST', { csrf: csrfOf((await callWebhook(env, result, links[1], 'GET')).body), decision: 'reject', comment: 'no' });
		expect(titleOf(reject.body)).toBe('Decision recorded');

		// Nothing is due yet: the worker posts nothing.
		expect(await tick(result)).toEqual([]);
		await sleep(1_200);
		const before = listMail(env.smtp.mailDir).length;
		const stepAnswers = await tick(result);
		expect(stepAnswers.map((a) => a.status)).toEqual([200, 200]);
		expect(stepAnswers.every((a) => a.result.workflowData === undefined)).toBe(true);
		const stepMails = listMail(env.smtp.mailDir).slice(before);
		// The reminder goes to ann with her existing link for the open item only; bob gets his own link for it.
		const reminder = stepMails.find((m) => m.to.includes('ann@example.com'));
		const escalation = stepMails.find((m) => m.to.includes('bob@example.com'));
		expect(stepMails).toHaveLength(2);
		expect(reminder?.subject).toBe('Reminder: Review nobody decides');
		expect(gateLinks(reminder!)).toEqual([links[2]]);
		expect(escalation?.subject).toBe('Escalated: Review nobody decides');
		const bobLink = gateLinks(escalation!)[0];
		expect(bobLink).not.toBe(links[2]);
		const bobPage = await callWebhook(env, result, bobLink, 'GET');
		expect(bobPage.status).toBe(200);
		expect(bobPage.body).toContain('nobody decides');
		// Each of them sees who else was asked, on the page and in the mail.
		expect(bobPage.body).toContain('Also asked: ann@example.com');
		expect(escalation!.text).toContain('Also asked: ann@example.com');
		expect((await callWebhook(env, result, links[2], 'GET')).body).toContain('Also asked: bob@example.com');
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'reminded').map((r) => r.reviewerId)).toEqual(['ann@example.com']);
		const escalated = records.filter((r) => r.event === 'escalated');
		expect(escalated.map((r) => r.reviewerId)).toEqual(['bob@example.com']);
		expect(escalated[0].details).toMatchObject({ level: 1, alsoAsked: ['ann@example.com'] });

		// A second tick before the deadline: both steps are done, nothing is mailed again.
		const again = listMail(env.smtp.mailDir).length;
		expect(await tick(result)).toEqual([]);
		expect(listMail(env.smtp.mailDir).length).toBe(again);

		await sleep(3_000);
		const deadline = await tick(result);
		expect(deadline).toHaveLength(1);
		expect(deadline[0].status).toBe(200);
		const [timedOut, approved, rejected] = outputsOf(deadline[0]);
		expect(approved.map((i) => i.json.subject)).toEqual(['approve me']);
		expect(rejected.map((i) => i.json.subject)).toEqual(['reject me']);
		expect(timedOut.map((i) => i.json.subject)).toEqual(['nobody decides']);
		expect(timedOut[0].json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null, rejectedOnTimeout: false });
		expect((approved[0].json.hitl as IDataObject).decision).toBe('approved');
		expect((rejected[0].json.hitl as IDataObject).decision).toBe('rejected');
		const final = await recordsOf(env, executionId);
		const expired = final.filter((r) => r.event === 'expired');
		expect(expired).toHaveLength(1);
		expect(expired[0].details).toMatchObject({ reason: 'deadline_passed', actedBy: 'deadline_worker' });
		// Everything scheduled for the run has ended; a later tick posts nothing.
		const events = await env.store.listDeadlineEvents(String(final[0].details?.groupId ?? ''));
		expect(events.length).toBe(3);
		expect(events.every((e) => e.status !== 'scheduled')).toBe(true);
		expect(await tick(result)).toEqual([]);
	}, 60_000);

	test('reject on timeout: the undecided item leaves through Rejected as timed_out; nothing through Approved', async () => {
		// A trigger beat just now: the gate leaves the deadline to it and keeps n8n's timer 15 minutes later as a fallback.
		await env.store.recordDeadlineWorker({ worker: 'live-test-worker', seenAt: new Date().toISOString(), intervalMs: 1000 });
		const { result } = await runGate(env, [ITEMS[2]], { deadlineAmount: 1, deadlineUnit: 'seconds', rejectOnTimeout: true });
		const fallbackInMs = new Date(result.run.waitTill as Date).getTime() - Date.now();
		expect(fallbackInMs).toBeGreaterThan(14 * 60_000);
		expect(fallbackInMs).toBeLessThan(15 * 60_000 + 2_000);
		expect(JSON.stringify(result.run.data.resultData.runData['HITL Gate']?.[0]?.hints ?? [])).not.toContain('No active HITL Deadlines trigger');
		await sleep(1_100);
		const answers = await tick(result);
		expect(answers).toHaveLength(1);
		const [timedOut, approved, rejected] = outputsOf(answers[0]);
		expect(approved).toEqual([]);
		expect(timedOut).toEqual([]);
		expect(rejected.map((i) => i.json.hitl)).toMatchObject([{ decision: 'timed_out', rejectedOnTimeout: true, reviewer: null }]);
	}, 30_000);

	test('orders the gate must refuse: a wrong MAC, another key, an order for a step not yet due', async () => {
		const { result, mails } = await runGate(env, [ITEMS[2]], plan(30, { remindEveryAmount: 20, escalation: {} }));
		const link = gateLinks(mails[0])[0];
		const executionId = executionIdOf(link);
		const groupId = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')?.details?.groupId as string;
		const events = await env.store.listDeadlineEvents(groupId);
		expect(events.map((e) => e.kind).sort()).toEqual(['deadline', 'remind']);
		const remind = events.find((e) => e.kind === 'remind')!;
		const order: DeadlineOrder = {
			v: 1, eventId: remind.id, groupId, kind: 'remind', step: 1, executionId, nodeId: remind.nodeId, claimToken: 'not-a-claim', worker: 'forger', issuedAtMs: Date.now(),
		};
		const target = remind.target;
		const signed = signDeadlineOrder(order, key());
		const badMac = await callWebhook(env, result, target, 'POST', { ...signed, mac: `${signed.mac.slice(0, -2)}AA` } as unknown as IDataObject);
		expect(badMac.status).toBe(403);
		const otherKey = await callWebhook(env, result, target, 'POST', signDeadlineOrder(order, deriveDeadlineActionKey('another-instance-key-0123456789')) as unknown as IDataObject);
		expect(otherKey.status).toBe(403);
		// Genuinely signed, but the reminder is due in 20 s: refused as too early, nothing mailed or recorded.
		const before = listMail(env.smtp.mailDir).length;
		const early = await callWebhook(env, result, target, 'POST', signed as unknown as IDataObject);
		expect(early.status).toBe(425);
		expect(listMail(env.smtp.mailDir).length).toBe(before);
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'reminded')).toEqual([]);
		// An early deadline order is refused the same way, and nothing leaves.
		const deadlineEvent = events.find((e) => e.kind === 'deadline')!;
		const early2 = await callWebhook(env, result, target, 'POST', signDeadlineOrder({ ...order, eventId: deadlineEvent.id, kind: 'deadline', step: 0 }, key()) as unknown as IDataObject);
		expect(early2.status).toBe(425);
		expect(early2.result.workflowData).toBeUndefined();
		expect((await env.store.listDeadlineEvents(groupId)).every((e) => e.status === 'scheduled')).toBe(true);
	}, 30_000);

	test('without a live trigger: the gate warns on its output and keeps n8n\'s timer; Review Log Metrics reports the overdue steps nobody acts on', async () => {
		// A fresh chain: no trigger has ever beaten in it.
		const chain = `nobody${Date.now()}`;
		const credentials = { ...env.credentials, hitlStoreApi: { ...env.credentials.hitlStoreApi, chain } };
		const gate = gateFixture({ deadlineAmount: 1, deadlineUnit: 'seconds', remindEveryAmount: 0 });
		const result = await runWorkflow({ workflow: gate, items: [ITEMS[2]], credentials: credentials as never });
		expect(result.status).toBe('waiting');
		const hints = JSON.stringify(result.run.data.resultData.runData['HITL Gate']?.[0]?.hints ?? []);
		expect(hints).toContain('No active HITL Deadlines trigger uses this review store');
		// n8n's own timer is the deadline then: the run waits until the deadline itself, not 15 minutes more.
		expect(Math.abs(new Date(result.run.waitTill as Date).getTime() - Date.now())).toBeLessThan(5_000);
		await sleep(1_200);
		const metricsWorkflow = loadFixture('reviewlog/metrics.json');
		const logNode = metricsWorkflow.nodes.find((n) => n.name === 'Review Log')!;
		logNode.parameters = { ...logNode.parameters, dimensions: ['deadlines'] };
		const metrics = await runWorkflow({ workflow: metricsWorkflow, items: [{}], credentials: credentials as never });
		expect(metrics.status).toBe('success');
		const rows = metrics.json('Review Log');
		const status = rows.find((r) => r.dimension === 'deadlines');
		expect(status).toMatchObject({ chain, key: 'now', deadlineTriggersLive: 0, overdueUnattended: 1, overdueDeadlines: 1, overdueReminders: 0 });
		expect(status?.overdueExecutions).toHaveLength(1);
		// Query lists the same step, with its run.
		const queryWorkflow = loadFixture('reviewlog/query.json');
		const queryNode = queryWorkflow.nodes.find((n) => n.name === 'Review Log')!;
		queryNode.parameters = { ...queryNode.parameters, filters: {}, queryOutput: 'overdue' };
		const query = await runWorkflow({ workflow: queryWorkflow, items: [{}], credentials: credentials as never });
		expect(query.status).toBe('success');
		expect(query.json('Review Log')).toMatchObject([{ chain, overdue: true, kind: 'deadline', step: 0, executionId: (status?.overdueExecutions as string[])[0], attempts: 0 }]);
	}, 30_000);

	test('a reminder the mail server refuses: its record is in the chain before the mail is tried, and a note names the failed delivery', async () => {
		const { result, mails } = await runGate(env, [ITEMS[2]], plan(30, { escalation: {} }));
		const executionId = executionIdOf(gateLinks(mails[0])[0]);
		await sleep(1_200);
		const smtp = env.credentials.hitlSmtpApi as IDataObject;
		const before = listMail(env.smtp.mailDir).length;
		// Nothing listens on port 9: the mail server cannot be reached.
		env.credentials.hitlSmtpApi = { ...smtp, port: 9 };
		let answers: Answer[];
		try {
			answers = await tick(result);
		} finally {
			env.credentials.hitlSmtpApi = smtp;
		}
		expect(answers.map((a) => a.status)).toEqual([200]);
		expect(JSON.parse(answers[0].body)).toMatchObject({ acted: 'remind', delivery: expect.stringMatching(/\S/) });
		expect(listMail(env.smtp.mailDir).length).toBe(before);
		const records = await recordsOf(env, executionId);
		const reminded = records.findIndex((r) => r.event === 'reminded');
		const note = records.findIndex((r) => r.event === 'note');
		expect(reminded).toBeGreaterThan(-1);
		expect(note).toBeGreaterThan(reminded);
		expect(records[reminded].details?.deliveryFailed).toBeUndefined();
		expect(records[note]).toMatchObject({ reviewerId: 'ann@example.com', linkNonce: records[reminded].linkNonce, itemKey: records[reminded].itemKey });
		expect(records[note].details).toMatchObject({ announcedBy: 'reminded', deliveryFailed: expect.stringMatching(/\S/) });
	}, 30_000);

	test('no deadline: links last, no deadline event; the run ends when the item is decided and its reminders are cancelled', async () => {
		const { result, mails } = await runGate(env, [ITEMS[0]], { deadlineType: 'none', remindEveryAmount: 1, remindEveryUnit: 'hours', maxReminders: 2 });
		const link = gateLinks(mails[0])[0];
		expect(mails[0].text).toContain('No deadline: the review stays open until it is decided');
		expect((await callWebhook(env, result, link, 'GET')).body).toContain('No deadline: this review stays open until it is decided');
		const executionId = executionIdOf(link);
		const requested = (await recordsOf(env, executionId)).find((r) => r.event === 'requested');
		expect(requested?.details?.expiresAt).toBe('3000-01-01T00:00:00.000Z');
		const groupId = requested?.details?.groupId as string;
		expect((await env.store.listDeadlineEvents(groupId)).map((e) => `${e.kind}#${e.step}`)).toEqual(['remind#1', 'remind#2']);
		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf((await callWebhook(env, result, link, 'GET')).body), decision: 'approve', comment: '' });
		const [, approved] = outputsOf(decided);
		expect(approved).toHaveLength(1);
		expect((await env.store.listDeadlineEvents(groupId)).map((e) => [e.status, e.result])).toEqual([['cancelled', 'group_ended'], ['cancelled', 'group_ended']]);
	}, 30_000);
});
