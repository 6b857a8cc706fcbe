/**
 * The minimum time on page in n8n's real engine: a decision POST that comes sooner after its page was
 * served than the request's minimum is not taken (the page asks to confirm, with a fresh clock and what
 * was typed), is logged as `decision_too_fast`, and leaves the request pending; a person who takes the
 * normal time decides at the first click. Real waits, nothing backdated: the served time is signed into
 * the page's CSRF token, and the test posts that token after sleeping.
 */
import { createHmac } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { sleep } from '../../harness/net';
import {
	callWebhook,
	csrfOf,
	executionIdOf,
	gateLinks,
	KEY,
	outputsOf,
	recordsOf,
	runGate,
	TIME_ON_PAGE_DEFAULTS,
	titleOf,
	useGateEnv,
	type Answer,
} from './gateHarness';

const env = useGateEnv('hitl-time-on-page-wf');
const CONFIRM = 'Please confirm your decision';

/** The served time (ms) a page's CSRF token carries, from its documented format `v2.<ms>.<mac>`. */
function servedAtOf(page: Answer): number {
	const m = /^v2\.(\d+)\.[A-Za-z0-9_-]{43}$/.exec(csrfOf(page.body));
	if (!m) throw new Error(`not a v2 CSRF token: ${csrfOf(page.body)}`);
	return Number(m[1]);
}

/** Sleeps until `ms` after `from` (never backdates: the served time stays what the gate signed). */
async function waitUntil(from: number, ms: number): Promise<void> {
	await sleep(Math.max(0, from + ms - Date.now()));
}

async function start(params: IDataObject) {
	const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'Draft subject', body: 'x' }], params);
	expect(result.status).toBe('waiting');
	const link = gateLinks(mails[0])[0];
	const executionId = executionIdOf(link);
	const requested = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')!;
	return { result, link, executionId, requestId: requested.itemKey as string, requested };
}

describe('HITL Gate: a click that comes too fast does not decide', () => {
	test('a POST 1 s after the page was served re-renders asking to confirm (comment and edits kept), logs decision_too_fast and decides nothing; a second fast POST from the confirmation page decides nothing either', async () => {
		const { result, link, executionId, requestId, requested } = await start(TIME_ON_PAGE_DEFAULTS);
		// Not classified counts as High; the node's default minimum is 4 s.
		expect(requested.details).toMatchObject({ minSecondsOnPage: 4 });
		const page = await callWebhook(env, result, link, 'GET');
		expect(page.body).not.toContain(CONFIRM);
		const served = servedAtOf(page);
		await waitUntil(served, 1_000);
		const fast = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: 'Looks right', 'edit.subject': 'Edited subject' });
		expect(fast.status).toBe(200);
		expect(fast.body).toContain(CONFIRM);
		expect(titleOf(fast.body)).not.toBe('Decision recorded');
		expect(fast.result.workflowData).toBeUndefined();
		// What the reviewer typed is still there; the buttons are there to confirm with.
		expect(fast.body).toContain('Looks right');
		expect(fast.body).toContain('Edited subject');
		expect(fast.body).toContain('value="approve"');
		// A fresh token, with a fresh served time: the clock starts again on the confirmation page.
		const confirmServed = servedAtOf(fast);
		expect(csrfOf(fast.body)).not.toBe(csrfOf(page.body));
		expect(confirmServed).toBeGreaterThanOrEqual(served + 1_000);

		let records = await recordsOf(env, executionId);
		const tooFast = records.filter((r) => r.event === 'decision_too_fast');
		expect(tooFast).toHaveLength(1);
		expect(tooFast[0]).toMatchObject({ reviewerId: 'ann@example.com', itemKey: requestId, decision: null, executionId });
		const details = tooFast[0].details as IDataObject;
		expect(details).toMatchObject({ requestId, attempted: 'approve', minSecondsOnPage: 4, servedAt: new Date(served).toISOString() });
		expect(details.elapsedMs as number).toBeGreaterThanOrEqual(1_000);
		expect(details.elapsedMs as number).toBeLessThan(4_000);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		expect(await env.store.getReviewRequest(requestId)).toMatchObject({ status: 'pending', outcome: null });

		// A sandbox that waits on the confirmation page and clicks again within 2 s: nothing either.
		await waitUntil(confirmServed, 1_500);
		const again = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(fast.body), decision: 'approve', comment: 'Looks right', 'edit.subject': 'Edited subject' });
		expect(again.body).toContain(CONFIRM);
		expect(again.result.workflowData).toBeUndefined();
		records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decision_too_fast')).toHaveLength(2);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		expect(await env.store.getReviewRequest(requestId)).toMatchObject({ status: 'pending' });

		// The person reads the notice and confirms after the minimum: decided, with the edit.
		await waitUntil(servedAtOf(again), 4_000);
		const confirmed = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(again.body), decision: 'approve', comment: 'Looks right', 'edit.subject': 'Edited subject' });
		expect(titleOf(confirmed.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(confirmed);
		expect(approved[0].json).toMatchObject({ subject: 'Edited subject', hitl: { decision: 'approved_with_edits', reviewer: 'ann@example.com', comment: 'Looks right' } });
	}, 30_000);

	test('a person who takes the minimum time decides at the first click; nothing is logged as too fast', async () => {
		const { result, link, executionId, requested } = await start({ requireTimeOnPageForHigh: true, options: { minSecondsOnPageHigh: 2 } });
		expect(requested.details).toMatchObject({ minSecondsOnPage: 2 });
		const page = await callWebhook(env, result, link, 'GET');
		await waitUntil(servedAtOf(page), 2_000);
		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'reject', comment: 'Wrong person' });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		expect(outputsOf(decided)[2]).toHaveLength(1);
		const records = await recordsOf(env, executionId);
		expect(records.map((r) => r.event)).toEqual(['requested', 'viewed', 'decided']);
		// The decided record says when the page it came from was served, and how long it was open.
		const decidedRecord = records[2];
		expect(decidedRecord.viewedAt).toBe(new Date(servedAtOf(page)).toISOString());
		const seconds = decidedRecord.details?.secondsOnPage as number;
		expect(seconds).toBeGreaterThanOrEqual(2);
		expect(seconds).toBeLessThan(10);
		expect(seconds).toBeCloseTo((Date.parse(decidedRecord.decidedAt as string) - servedAtOf(page)) / 1000, 1);
	});

	test('High with "Require Time on Page for High Risk" off decides at once, and the requested record shows minimum 0', async () => {
		const { result, link, executionId, requested } = await start({ requireTimeOnPageForHigh: false, options: {} });
		expect(requested.details).toMatchObject({ minSecondsOnPage: 0 });
		const page = await callWebhook(env, result, link, 'GET');
		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '' });
		expect(Date.now() - servedAtOf(page)).toBeLessThan(4_000);
		expect(titleOf(decided.body)).toBe('Decision recorded');
		expect(outputsOf(decided)[1]).toHaveLength(1);
		expect((await recordsOf(env, executionId)).map((r) => r.event)).toEqual(['requested', 'viewed', 'decided']);
	});

	test('a page rendered before the upgrade (an old v1 token without a served time) asks to confirm instead of deciding', async () => {
		const { result, link, executionId, requestId } = await start(TIME_ON_PAGE_DEFAULTS);
		const claims = JSON.parse(Buffer.from(new URL(link).searchParams.get('t')!.split('.')[0], 'base64url').toString('utf8')) as { nonce: string };
		const v1 = createHmac('sha256', KEY.secret).update(`n8n-nodes-hitl/csrf/v1\n${KEY.kid}\n${claims.nonce}\n${requestId}`, 'utf8').digest('base64url');
		const answer = await callWebhook(env, result, link, 'POST', { csrf: v1, decision: 'approve', comment: '' });
		expect(answer.body).toContain(CONFIRM);
		expect(servedAtOf(answer)).toBeGreaterThan(Date.now() - 5_000);
		const records = await recordsOf(env, executionId);
		expect(records.find((r) => r.event === 'decision_too_fast')?.details).toMatchObject({ servedAt: null, elapsedMs: 0 });
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
	});

	test('a CSRF token whose served time lies in the future is refused (403) and decides nothing', async () => {
		const { result, link, executionId, requestId } = await start(TIME_ON_PAGE_DEFAULTS);
		const claims = JSON.parse(Buffer.from(new URL(link).searchParams.get('t')!.split('.')[0], 'base64url').toString('utf8')) as { nonce: string };
		const future = Date.now() + 60_000;
		const mac = createHmac('sha256', KEY.secret).update(`n8n-nodes-hitl/csrf/v2\n${KEY.kid}\n${claims.nonce}\n${requestId}\n${future}`, 'utf8').digest('base64url');
		const answer = await callWebhook(env, result, link, 'POST', { csrf: `v2.${future}.${mac}`, decision: 'approve', comment: '' });
		expect(answer.status).toBe(403);
		expect(answer.result.workflowData).toBeUndefined();
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided' || r.event === 'decision_too_fast')).toHaveLength(0);
	});

	test('the minimum is what was signed: a store writer who sets it to 0 gets an integrity refusal, not a decision', async () => {
		const { result, link, executionId, requestId } = await start(TIME_ON_PAGE_DEFAULTS);
		const page = await callWebhook(env, result, link, 'GET');
		await env.editStoredRequest(requestId, (r) => ({ ...r, payload: { ...r.payload, minSecondsOnPage: 0 } }));
		const answer = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '' });
		expect(titleOf(answer.body)).not.toBe('Decision recorded');
		expect(answer.result.workflowData).toBeUndefined();
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		expect(records.filter((r) => r.event === 'tamper_suspected')).toHaveLength(1);
	});

	test('a bad minimum fails the node with what to do; High at 0 while required is refused', async () => {
		const bad = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'x' }], { requireTimeOnPageForHigh: true, options: { minSecondsOnPageHigh: 0 } });
		expect(bad.result.status).toBe('error');
		expect(bad.result.error?.message).toContain('High-risk items need a minimum time on page');
		expect(bad.mails).toHaveLength(0);
	});
});
