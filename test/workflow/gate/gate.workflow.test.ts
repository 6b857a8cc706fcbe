/**
 * HITL Gate in n8n's real engine (WorkflowExecute, built node, real expressions): the first half —
 * requests, links, mail to a loopback SMTP capture, the wait — and then the gate's webhook() driven
 * directly with the link from the mail. The webhook context here is a small stand-in for n8n's
 * (request, response, query, body, credentials); the store is the real JSON Lines store in a temp
 * folder. The real-server suite (test/server/gate.server.test.ts) covers the same paths end to end
 * through n8n's own HTTP server; this file adds the cases that need exact timing (the gate's own
 * expiry path) and the error paths of execute().
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { sleep } from '../../harness/net';
import {
	callWebhook as callGateWebhook,
	csrfOf,
	executionIdOf,
	GATE,
	gateLinks,
	KEY,
	outputsOf,
	recordsOf,
	runGate,
	titleOf,
	useGateEnv,
	type Answer,
} from './gateHarness';
import type { WorkflowRunResult } from '../harness';

const env = useGateEnv('hitl-gate-wf');
const run = (items: Array<IDataObject | INodeExecutionData>, params: IDataObject = {}) => runGate(env, items, params);
const records = (executionId: string) => recordsOf(env, executionId);
const callWebhook = (result: WorkflowRunResult, link: string, method: 'GET' | 'POST', body: IDataObject = {}): Promise<Answer> =>
	callGateWebhook(env, result, link, method, body);

describe('HITL Gate in the n8n engine', () => {
	test('puts the run to wait until the deadline, releases nothing, mails each reviewer once with a link per item, records the requests', async () => {
		const started = Date.now();
		const { result, mails } = await run([
			{ reviewers: 'Ann@Example.com; ben@example.com', subject: 'One' },
			{ reviewers: 'ann@example.com, ben@example.com', subject: 'Two' },
		]);
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('waiting');
		const waitTill = new Date(result.run.waitTill as Date).getTime();
		expect(waitTill - started).toBeGreaterThan(3_590_000);
		expect(waitTill - started).toBeLessThan(3_610_000);
		expect(result.outputs(GATE)).toEqual([[], [], []]);
		for (const n of ['Timed Out', 'Approved', 'Rejected']) expect(result.ran(n)).toBe(false);
		expect(mails.map((m) => m.to[0]).sort()).toEqual(['ann@example.com', 'ben@example.com']);
		for (const mail of mails) {
			expect(mail.subject).toBe('Review One');
			expect(gateLinks(mail)).toHaveLength(2);
			expect(mail.text).toContain('not classified (treat as high)');
		}
		const executionId = /\/webhook-waiting\/([^/]+)\//.exec(gateLinks(mails[0])[0])![1];
		const recs = await records(executionId);
		expect(recs.map((r) => r.event)).toEqual(['requested', 'requested', 'requested', 'requested']);
		const request = await env.store.getReviewRequest(recs[0].itemKey as string);
		expect(request).toMatchObject({ status: 'pending', reviewers: ['ann@example.com', 'ben@example.com'] });
		expect(await env.store.listReviewRequests(request!.groupId)).toHaveLength(2);
	});

	test('a reviewer entry that is not an email fails the node naming the item; nothing is sent or stored', async () => {
		const { result, mails } = await run([
			{ reviewers: 'ok@example.com', subject: 'fine' },
			{ reviewers: 'ok@example.com, <script>@', subject: 'bad' },
		]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Invalid reviewer email');
		expect((result.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
		expect(result.ran('Approved')).toBe(false);
		expect(mails).toHaveLength(0);
	});

	test('a reviewer expression that yields nobody fails closed', async () => {
		const { result, mails } = await run([{ reviewers: '', subject: 'x' }]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('No reviewer');
		expect(mails).toHaveLength(0);
	});

	test('a signing secret shorter than 32 characters is refused with what to do', async () => {
		const saved = env.credentials.hitlSigningApi;
		env.credentials.hitlSigningApi = { kid: 'short', secret: 'too-short' };
		try {
			const { result, mails } = await run([{ reviewers: 'a@example.com', subject: 'x' }]);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/at least 32 characters/);
			expect(mails).toHaveLength(0);
		} finally {
			env.credentials.hitlSigningApi = saved;
		}
	});

	test('an SMTP server that refuses fails the node; the stored requests are expired so their links cannot decide', async () => {
		const saved = env.credentials.hitlSmtpApi;
		// A port nothing listens on: the connection is refused.
		env.credentials.hitlSmtpApi = { ...saved, port: 1 };
		try {
			const { result, mails } = await run([{ reviewers: 'smtp-fail@example.com', subject: 'x' }]);
			expect(result.status).toBe('error');
			// n8n words connection errors itself ("The service refused the connection…"); the description says what to do.
			expect(result.error?.message).toMatch(/Could not send the review email|refused the connection/);
			expect((result.error as unknown as { description: string }).description).toContain('Check the SMTP credential');
			expect(result.ran('Approved')).toBe(false);
			expect(mails).toHaveLength(0);
			const requested = (await env.store.query({ event: 'requested', reviewerId: 'smtp-fail@example.com' }, { limit: 10 })).records;
			expect(requested).toHaveLength(1);
			expect(await env.store.getReviewRequest(requested[0].itemKey as string)).toMatchObject({ status: 'expired' });
			const expired = (await env.store.query({ event: 'expired', itemKey: requested[0].itemKey as string }, { limit: 10 })).records;
			expect(expired).toHaveLength(1);
			expect(expired[0].details).toMatchObject({ reason: 'notification_failed' });
		} finally {
			env.credentials.hitlSmtpApi = saved;
		}
	});

	test('the optional chat webhook receives one JSON POST with every reviewer\'s links, tier and reasons', async () => {
		const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
		const server = createServer((req, res) => {
			let body = '';
			req.on('data', (c: Buffer) => (body += c.toString('utf8')));
			req.on('end', () => {
				received.push({ headers: req.headers, body });
				res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
			const { result, mails } = await run(
				[{ reviewers: 'ann@example.com, ben@example.com', subject: 'chat', blastRadius: { tier: 'medium', reasons: [{ label: 'SMS' }] } }],
				{ notificationWebhookUrl: url },
			);
			expect(result.status).toBe('waiting');
			expect(received).toHaveLength(1);
			expect(String(received[0].headers['content-type'])).toContain('application/json');
			const body = JSON.parse(received[0].body) as { text: string; reviews: Array<Record<string, unknown>> };
			expect(body.reviews.map((r) => r.reviewer)).toEqual(['ann@example.com', 'ben@example.com']);
			// No Router ran in this workflow: the item's own `blastRadius` is not trusted (riskProvenance.ts).
			expect(body.reviews[0]).toMatchObject({ tier: 'high', itemIndexes: [0] });
			expect(String((body.reviews[0].reasons as string[])[0])).toMatch(/^Unverified/);
			// The same personal links as in the mails.
			const mailed = mails.flatMap(gateLinks).sort();
			expect(body.reviews.map((r) => r.url).sort()).toEqual(mailed);
			for (const link of mailed) expect(body.text).toContain(link);
		} finally {
			server.close();
		}
	});

	test('a chat webhook that fails fails the node; nothing leaves the gate', async () => {
		const { result } = await run([{ reviewers: 'ann@example.com', subject: 'x' }], { notificationWebhookUrl: 'http://127.0.0.1:1/hook' });
		expect(result.status).toBe('error');
		expect((result.error as unknown as { description: string }).description).toContain('notification webhook URL');
		expect(result.ran('Approved')).toBe(false);
	});

	test('GET shows the page and decides nothing; POST approves with an edit and resumes through Approved', async () => {
		const { result, mails } = await run([{ reviewers: 'ann@example.com', subject: 'Draft subject', body: 'x' }]);
		const link = gateLinks(mails[0])[0];
		const view = await callWebhook(result, link, 'GET');
		expect(view.status).toBe(200);
		expect(view.result).toEqual({ noWebhookResponse: true });
		expect(view.headers['content-security-policy']).toContain("default-src 'none'");
		const again = await callWebhook(result, link, 'GET');
		expect(again.status).toBe(200);
		const executionId = /\/webhook-waiting\/([^/]+)\//.exec(link)![1];
		expect((await records(executionId)).map((r) => r.event)).toEqual(['requested', 'viewed']);
		const decided = await callWebhook(result, link, 'POST', { csrf: csrfOf(view.body), decision: 'approve', comment: '', 'edit.subject': 'Better subject' });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [timedOut, approved, rejected] = outputsOf(decided);
		expect(timedOut).toEqual([]);
		expect(rejected).toEqual([]);
		expect(approved).toHaveLength(1);
		expect(approved[0].json).toMatchObject({ subject: 'Better subject', body: 'x' });
		expect(approved[0].json.hitl).toMatchObject({
			decision: 'approved_with_edits',
			reviewer: 'ann@example.com',
			edits: [{ path: 'subject', before: 'Draft subject', after: 'Better subject' }],
			linkKeyId: KEY.kid,
		});
		expect(decided.customData).toEqual({ hitl_decision: 'approved_with_edits', hitl_reviewer: 'ann@example.com', hitl_tier: 'unclassified' });
		// The link again: already decided, no second resume.
		const late = await callWebhook(result, link, 'POST', { csrf: csrfOf(view.body), decision: 'reject', comment: 'no' });
		expect(titleOf(late.body)).toBe('Already decided');
		expect(late.result.workflowData).toBeUndefined();
	});

	test('binary data (an attachment) leaves through Approved as it came in', async () => {
		const data = Buffer.from('%PDF-1.4 offer letter').toString('base64');
		const { result, mails } = await run([
			{ json: { reviewers: 'ann@example.com', subject: 'with attachment' }, binary: { letter: { data, mimeType: 'application/pdf', fileName: 'offer.pdf' } } },
		]);
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(result, link, 'GET')).body);
		const ok = await callWebhook(result, link, 'POST', { csrf, decision: 'approve', comment: '' });
		const [approved] = outputsOf(ok)[1];
		expect(approved.binary?.letter).toMatchObject({ data, mimeType: 'application/pdf', fileName: 'offer.pdf' });
	});

	test('an edit that breaks the field type is refused on the page and nothing is decided', async () => {
		const { result, mails } = await run([{ reviewers: 'ann@example.com', subject: 'S', amount: 5 }], { editableFields: 'amount' });
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(result, link, 'GET')).body);
		const bad = await callWebhook(result, link, 'POST', { csrf, decision: 'approve', comment: '', 'edit.amount': 'five' });
		expect(bad.status).toBe(400);
		expect(bad.body).toContain('must stay a number');
		expect(bad.result.workflowData).toBeUndefined();
		const ok = await callWebhook(result, link, 'POST', { csrf, decision: 'approve', comment: '', 'edit.amount': '7' });
		expect(outputsOf(ok)[1][0].json.amount).toBe(7);
	});

	test('after the deadline: GET answers 410 and changes nothing; POST expires the undecided item and resumes: it leaves through Timed Out, never Approved, the item decided in time through its decision', async () => {
		const { result, mails } = await run(
			[
				{ reviewers: 'ann@example.com', subject: 'late 1' },
				{ reviewers: 'ann@example.com', subject: 'late 2' },
			],
			{ deadlineAmount: 2, deadlineUnit: 'seconds' },
		);
		const [first, second] = gateLinks(mails[0]);
		const csrf = csrfOf((await callWebhook(result, first, 'GET')).body);
		// Item 1 approved in time; item 2 never decided.
		const inTime = await callWebhook(result, first, 'POST', { csrf, decision: 'approve', comment: '' });
		expect(titleOf(inTime.body)).toBe('Decision recorded');
		expect(inTime.result.workflowData).toBeUndefined();
		await sleep(2_200);
		const view = await callWebhook(result, second, 'GET');
		expect(view.status).toBe(410);
		expect(view.result.workflowData).toBeUndefined();
		const executionId = /\/webhook-waiting\/([^/]+)\//.exec(second)![1];
		expect((await records(executionId)).filter((r) => r.event === 'expired')).toHaveLength(0);
		// Even a well-formed approval after the deadline only ends the wait.
		const post = await callWebhook(result, second, 'POST', { csrf: 'irrelevant', decision: 'approve', comment: '' });
		expect(post.status).toBe(410);
		const [timedOut, approved, rejected] = outputsOf(post);
		expect(rejected).toEqual([]);
		// Each item by its own terminal record: the late approval decided nothing; the in-time one stands.
		expect(approved.map((i) => i.json.subject)).toEqual(['late 1']);
		expect(approved[0].json.hitl).toMatchObject({ decision: 'approved', reviewer: 'ann@example.com' });
		expect(timedOut.map((i) => i.json.subject)).toEqual(['late 2']);
		expect(timedOut[0].json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null, rejectedOnTimeout: false });
		expect(timedOut.map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
		expect(post.customData).toMatchObject({ hitl_decision: 'mixed: approved, timed_out', hitl_reviewer: 'ann@example.com' });
		expect((await records(executionId)).filter((r) => r.event === 'expired')).toHaveLength(1);
		// A second late POST does not resume again.
		const again = await callWebhook(result, second, 'POST', {});
		expect(again.status).toBe(410);
		expect(again.result.workflowData).toBeUndefined();
	});

	test('batch mode: one link per reviewer, one page with every item; Reject all needs a reason, then records one decision per item', async () => {
		const { result, mails } = await run(
			[
				{ reviewers: 'ann@example.com, ben@example.com', subject: 'b1' },
				{ reviewers: 'ann@example.com, ben@example.com', subject: 'b2' },
				{ reviewers: 'ann@example.com, ben@example.com', subject: 'b3' },
			],
			{ reviewMode: 'batch', reviewers: 'ann@example.com, ben@example.com' },
		);
		expect(mails).toHaveLength(2);
		for (const mail of mails) expect(gateLinks(mail)).toHaveLength(1);
		const link = gateLinks(mails.find((m) => m.to[0] === 'ben@example.com')!)[0];
		const page = await callWebhook(result, link, 'GET');
		for (const s of ['b1', 'b2', 'b3']) expect(page.body).toContain(s);
		for (const i of [0, 1, 2]) expect(page.body).toContain(`name="decision.${i}" value="approve"`);
		const noReason = await callWebhook(result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'reject_all', comment: '' });
		expect(noReason.status).toBe(400);
		expect(noReason.result.workflowData).toBeUndefined();
		const rejected = await callWebhook(result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'reject_all', comment: 'Not this week' });
		expect(titleOf(rejected.body)).toBe('Decision recorded');
		const [timedOut, approved, rej] = outputsOf(rejected);
		expect(timedOut).toEqual([]);
		expect(approved).toEqual([]);
		expect(rej.map((i) => i.json.subject)).toEqual(['b1', 'b2', 'b3']);
		expect(rej.map((i) => (i.json.hitl as IDataObject).reviewer)).toEqual(['ben@example.com', 'ben@example.com', 'ben@example.com']);
		expect(rej.map((i) => (i.json.hitl as IDataObject).comment)).toEqual(['Not this week', 'Not this week', 'Not this week']);
		expect(new Set(rej.map((i) => (i.json.hitl as IDataObject).requestId)).size).toBe(3);
		expect(rej.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const decided = (await records(executionIdOf(link))).filter((r) => r.event === 'decided');
		expect(decided).toHaveLength(3);
	});
});
