/**
 * The batch page keeps every guard of the single page, through the built gate in n8n's engine: a
 * decision POST sooner than the minimum time on page only asks to confirm (logged per item as
 * `decision_too_fast`), a POST without this link's CSRF token is refused, a GET never decides, and the
 * deadline sends the whole run through Timed Out — an item decided before it keeps that decision as
 * `hitl.earlierDecision`, as the README's timeout section promises.
 */
import type { IDataObject } from 'n8n-workflow';

import { sleep } from '../../harness/net';
import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, TIME_ON_PAGE_DEFAULTS, titleOf, useGateEnv, type Answer } from './gateHarness';

const env = useGateEnv('hitl-batch-guards');
const BATCH = { reviewMode: 'batch', reviewers: 'ann@example.com' };
const ITEMS = [
	{ reviewers: 'x@example.com', subject: 'first' },
	{ reviewers: 'x@example.com', subject: 'second' },
];

function servedAtOf(page: Answer): number {
	const m = /^v2\.(\d+)\.[A-Za-z0-9_-]{43}$/.exec(csrfOf(page.body));
	if (!m) throw new Error(`not a v2 CSRF token: ${csrfOf(page.body)}`);
	return Number(m[1]);
}

describe('HITL Gate batch page: the single page\'s guards', () => {
	test('too fast: the page asks to confirm (choices kept), one decision_too_fast per chosen item, nothing decided; after the minimum the same choice decides', async () => {
		const { result, mails } = await runGate(env, ITEMS, { ...BATCH, ...TIME_ON_PAGE_DEFAULTS });
		const link = gateLinks(mails[0])[0];
		const executionId = executionIdOf(link);
		const page = await callWebhook(env, result, link, 'GET');
		const choice = { bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'reject', 'comment.1': 'not now' };
		const fast = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), ...choice });
		expect(fast.status).toBe(200);
		expect(fast.body).toContain('Please confirm your decision');
		expect(fast.body).toContain('name="decision.0" value="approve" checked');
		expect(fast.body).toContain('name="decision.1" value="reject" checked');
		expect(fast.body).toContain('not now</textarea>');
		expect(fast.result.workflowData).toBeUndefined();
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		const tooFast = records.filter((r) => r.event === 'decision_too_fast');
		expect(tooFast.map((r) => r.details?.attempted)).toEqual(['approve', 'reject']);
		expect(new Set(tooFast.map((r) => r.itemKey)).size).toBe(2);
		await sleep(Math.max(0, servedAtOf(fast) + 4_100 - Date.now()));
		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(fast.body), ...choice });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [, approved, rejected] = outputsOf(decided);
		expect(approved.map((i) => i.json.subject)).toEqual(['first']);
		expect(rejected.map((i) => i.json.subject)).toEqual(['second']);
	}, 20_000);

	test('GET decides nothing; a POST without the page\'s CSRF token, or with a single-item form, is refused', async () => {
		const { result, mails } = await runGate(env, ITEMS, BATCH);
		const link = gateLinks(mails[0])[0];
		for (let i = 0; i < 3; i++) expect((await callWebhook(env, result, link, 'GET')).result.workflowData).toBeUndefined();
		const noCsrf = await callWebhook(env, result, link, 'POST', { bulk: 'approve_all' });
		expect(noCsrf.status).toBe(403);
		const page = await callWebhook(env, result, link, 'GET');
		const singleForm = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '' });
		expect(singleForm.status).toBe(400);
		expect(singleForm.body).toContain('is not part of the review page');
		const events = (await recordsOf(env, executionIdOf(link))).map((r) => r.event);
		expect(events).not.toContain('decided');
		expect(events.filter((e) => e === 'viewed')).toHaveLength(2);
	});

	test('the deadline passes with item 1 decided: a POST ends the run; item 1 leaves through Approved, item 2 through Timed Out with an expired record', async () => {
		const { result, mails } = await runGate(env, ITEMS, { ...BATCH, deadlineAmount: 2, deadlineUnit: 'seconds' });
		const link = gateLinks(mails[0])[0];
		const executionId = executionIdOf(link);
		const page = await callWebhook(env, result, link, 'GET');
		const first = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'selected', 'decision.0': 'approve' });
		expect(first.result.workflowData).toBeUndefined();
		await sleep(2_200);
		const late = await callWebhook(env, result, link, 'GET');
		expect(late.status).toBe(410);
		expect(late.result.workflowData).toBeUndefined();
		const post = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), bulk: 'selected', 'decision.1': 'approve' });
		expect(post.status).toBe(410);
		const [timedOut, approved, rejected] = outputsOf(post);
		expect(rejected).toEqual([]);
		// Each item by its own record: the decision made in time stands, only the undecided item times out.
		expect(approved.map((i) => i.json.subject)).toEqual(['first']);
		expect((approved[0].json.hitl as IDataObject).decision).toBe('approved');
		expect(timedOut.map((i) => i.json.subject)).toEqual(['second']);
		expect((timedOut[0].json.hitl as IDataObject).decision).toBe('timed_out');
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(1);
		expect(records.filter((r) => r.event === 'expired')).toHaveLength(1);
	});
});
