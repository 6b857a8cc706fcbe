/**
 * "Require One-Time Code" through the built HITL Gate in n8n's engine, on both stores: a GET shows the
 * code box and never sends a code; "Email me a code" (a POST) sends one in a second email; a decision
 * needs the latest code, within its validity, once; wrong, expired, replaced, reused and missing codes
 * decide nothing and are recorded (`otp_failed`); after five wrong codes even the right one is refused.
 * Real waits and the real code path: nothing is backdated or read from the store but the mail's code.
 */
import type { IDataObject } from 'n8n-workflow';

import { sleep } from '../../harness/net';
import { listMail, type CapturedMail } from '../../harness/smtpCapture';
import type { WorkflowRunResult } from '../harness';
import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type Answer, type GateEnv } from './gateHarness';

const ALWAYS: IDataObject = { requireOneTimeCode: 'always' };
const ANN = 'ann@example.com';
const isCodeMail = (m: CapturedMail) => m.subject === 'Your one-time code for the review';
const codeOf = (m: CapturedMail) => /Your code: ([0-9]{6})/.exec(m.text)![1];
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe.each(['file', 'postgres'] as const)('HITL Gate one-time code on the %s store', (backend) => {
	const env: GateEnv = useGateEnv('hitl-otp', backend);

	async function start(params: IDataObject = ALWAYS, items: IDataObject[] = [{ reviewers: ANN, subject: 'Pay 5,000 EUR' }]) {
		const { result, mails } = await runGate(env, items, params);
		expect(result.status).toBe('waiting');
		const links = gateLinks(mails[0]);
		const executionId = executionIdOf(links[0]);
		const requested = (await recordsOf(env, executionId)).filter((r) => r.event === 'requested');
		return { result, link: links[0], links, executionId, requestIds: requested.map((r) => r.itemKey as string) };
	}

	/** Presses "Email me a code" on `page` (with what the reviewer typed) and reads the code from the new mail. */
	async function askCode(result: WorkflowRunResult, link: string, page: Answer, typed: IDataObject = {}): Promise<{ answer: Answer; code: string; mail: CapturedMail }> {
		const before = listMail(env.smtp.mailDir).length;
		const answer = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), sendCode: '1', comment: '', ...typed });
		expect(answer.status).toBe(200);
		const mails = listMail(env.smtp.mailDir).slice(before).filter(isCodeMail);
		expect(mails).toHaveLength(1);
		return { answer, code: codeOf(mails[0]), mail: mails[0] };
	}

	const decide = async (result: WorkflowRunResult, link: string, page: Answer, otp: string | undefined, extra: IDataObject = {}) =>
		await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '', ...(otp === undefined ? {} : { otp }), ...extra });

	async function nothingDecided(executionId: string, requestId: string): Promise<void> {
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		expect(await env.store.getReviewRequest(requestId)).toMatchObject({ status: 'pending', outcome: null });
	}

	test('GET shows the code box and never sends a code; a decision POST without a code decides nothing and keeps what was typed', async () => {
		const { result, link, executionId, requestIds } = await start();
		expect((await recordsOf(env, executionId)).find((r) => r.event === 'requested')?.details).toMatchObject({ oneTimeCode: true });
		const mailsBefore = listMail(env.smtp.mailDir).length;
		const page = await callWebhook(env, result, link, 'GET');
		await callWebhook(env, result, link, 'GET');
		expect(page.status).toBe(200);
		expect(page.body).toContain('inputmode="numeric"');
		expect(page.body).toContain('autocomplete="one-time-code"');
		expect(page.body).toContain('name="sendCode" value="1">Email me a code</button>');
		expect(page.body).not.toMatch(/<script/i);
		expect(listMail(env.smtp.mailDir).length).toBe(mailsBefore);
		expect((await recordsOf(env, executionId)).filter((r) => r.event.startsWith('otp_'))).toHaveLength(0);

		const none = await decide(result, link, page, undefined, { comment: 'Checked the IBAN', 'edit.subject': 'Pay 4,000 EUR' });
		expect(none.status).toBe(400);
		expect(none.result.workflowData).toBeUndefined();
		expect(titleOf(none.body)).not.toBe('Decision recorded');
		expect(none.body).toMatch(/<input class="otp" id="otp"[^>]*aria-describedby="otp-help otp-error" aria-invalid="true">/);
		expect(none.body).toContain('<p class="warn" id="otp-error" role="alert">Enter the 6-digit code');
		expect(none.body).toContain('Checked the IBAN');
		expect(none.body).toContain('Pay 4,000 EUR');
		// An empty code is not an attempt: nothing is spent or counted.
		expect((await recordsOf(env, executionId)).filter((r) => r.event.startsWith('otp_'))).toHaveLength(0);
		await nothingDecided(executionId, requestIds[0]);
		expect(listMail(env.smtp.mailDir).length).toBe(mailsBefore);
	});

	test('the right code decides and resumes; the record says oneTimeCode; the code mail has no link; the store keeps only a keyed hash', async () => {
		const { result, link, executionId } = await start();
		const page = await callWebhook(env, result, link, 'GET');
		const { answer, code, mail } = await askCode(result, link, page, { comment: 'Checked the IBAN', 'edit.subject': 'Pay 4,000 EUR' });
		expect(mail.to).toEqual([ANN]);
		expect(mail.text + mail.html).not.toMatch(/https?:\/\//);
		expect(answer.body).toContain(`We emailed a code to ${ANN}`);
		expect(answer.body).toContain('aria-describedby="otp-help otp-notice"');
		// What the reviewer typed survives pressing the button.
		expect(answer.body).toContain('Checked the IBAN');
		expect(answer.body).toContain('Pay 4,000 EUR');
		expect(answer.result.workflowData).toBeUndefined();
		const sent = (await recordsOf(env, executionId)).filter((r) => r.event === 'otp_sent');
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ reviewerId: ANN, decision: null });
		expect(typeof sent[0].details?.codeMac).toBe('string');
		expect(JSON.stringify(sent[0])).not.toContain(code);

		const decided = await decide(result, link, answer, ` ${code.slice(0, 3)} ${code.slice(3)} `, { comment: 'Checked the IBAN', 'edit.subject': 'Pay 4,000 EUR' });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(decided);
		expect(approved[0].json).toMatchObject({ subject: 'Pay 4,000 EUR', hitl: { decision: 'approved_with_edits', reviewer: ANN } });
		const records = await recordsOf(env, executionId);
		const accepted = records.filter((r) => r.event === 'otp_accepted');
		expect(accepted).toHaveLength(1);
		const record = records.find((r) => r.event === 'decided')!;
		expect(record.details).toMatchObject({ oneTimeCode: true, oneTimeCodeAcceptedSeq: accepted[0].seq });
		expect(records.filter((r) => r.event === 'otp_failed')).toHaveLength(0);
	});

	test('a wrong code decides nothing, is recorded as otp_failed and says so under the field; the right one then decides', async () => {
		const { result, link, executionId, requestIds } = await start();
		const { answer, code } = await askCode(result, link, await callWebhook(env, result, link, 'GET'));
		const bad = await decide(result, link, answer, wrong(code), { comment: 'ok' });
		expect(bad.status).toBe(400);
		expect(bad.result.workflowData).toBeUndefined();
		expect(bad.body).toContain('That code is not right. 4 more tries before this link is locked. Nothing was decided.');
		expect(bad.body).toContain('aria-invalid="true"');
		expect(bad.body).toContain('>\nok</textarea>');
		const failed = (await recordsOf(env, executionId)).filter((r) => r.event === 'otp_failed');
		expect(failed).toHaveLength(1);
		expect(failed[0]).toMatchObject({ reviewerId: ANN, itemKey: requestIds[0] });
		expect(failed[0].details).toMatchObject({ reason: 'wrong', failures: 1 });
		await nothingDecided(executionId, requestIds[0]);
		// Not six digits: no attempt, no record.
		const short = await decide(result, link, bad, code.slice(1));
		expect(short.body).toContain('A code has 6 digits.');
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'otp_failed')).toHaveLength(1);

		const good = await decide(result, link, bad, code);
		expect(titleOf(good.body)).toBe('Decision recorded');
		expect(outputsOf(good)[1]).toHaveLength(1);
	});

	test('an expired code decides nothing (validity 5 s, real wait) and is recorded', async () => {
		const { result, link, executionId, requestIds } = await start({ ...ALWAYS, oneTimeCodeValiditySeconds: 5 });
		const { answer, code } = await askCode(result, link, await callWebhook(env, result, link, 'GET'));
		const expiresAt = Date.parse(String((await recordsOf(env, executionId)).find((r) => r.event === 'otp_sent')?.details?.expiresAt));
		expect(expiresAt - Date.now()).toBeLessThanOrEqual(5_000);
		await sleep(Math.max(0, expiresAt - Date.now()) + 300);
		const late = await decide(result, link, answer, code);
		expect(late.status).toBe(400);
		expect(late.body).toContain('That code has expired.');
		expect(late.result.workflowData).toBeUndefined();
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'otp_failed').map((r) => r.details?.reason)).toEqual(['expired']);
		await nothingDecided(executionId, requestIds[0]);
		// A new code is refused within the minute after the last one (and no mail goes out).
		const before = listMail(env.smtp.mailDir).length;
		const again = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(late.body), sendCode: '1', comment: '' });
		expect(again.status).toBe(429);
		expect(again.body).toContain('A code was sent less than a minute ago');
		expect(listMail(env.smtp.mailDir).length).toBe(before);
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'otp_sent')).toHaveLength(1);
	}, 30_000);

	test("a code works for its own request only: another request's code is refused; a spent code cannot be used again", async () => {
		const { result, links, executionId, requestIds } = await start(ALWAYS, [
			{ reviewers: ANN, subject: 'first' },
			{ reviewers: ANN, subject: 'second' },
		]);
		expect(links).toHaveLength(2);
		const [a, b] = links;
		const codeA = await askCode(result, a, await callWebhook(env, result, a, 'GET'));
		const codeB = await askCode(result, b, await callWebhook(env, result, b, 'GET'));
		const decidedA = await decide(result, a, codeA.answer, codeA.code);
		expect(titleOf(decidedA.body)).toBe('Decision recorded');
		// The run waits for the second request.
		expect(decidedA.result.workflowData).toBeUndefined();
		if (codeA.code !== codeB.code) {
			const reused = await decide(result, b, codeB.answer, codeA.code);
			expect(reused.status).toBe(400);
			expect(reused.body).toContain('That code is not right.');
			expect(reused.result.workflowData).toBeUndefined();
			expect((await recordsOf(env, executionId)).filter((r) => r.event === 'decided' && r.itemKey === requestIds[1])).toHaveLength(0);
			expect(await env.store.getReviewRequest(requestIds[1])).toMatchObject({ status: 'pending', outcome: null });
		}
		const failed = (await recordsOf(env, executionId)).filter((r) => r.event === 'otp_failed');
		expect(failed.every((r) => r.itemKey === requestIds[1])).toBe(true);
		// B with its own code decides, and the run resumes with both items.
		const decidedB = await decide(result, b, codeB.answer, codeB.code);
		expect(titleOf(decidedB.body)).toBe('Decision recorded');
		expect(outputsOf(decidedB)[1]).toHaveLength(2);
		const decided = (await recordsOf(env, executionId)).filter((r) => r.event === 'decided');
		expect(decided.map((r) => r.details?.oneTimeCode)).toEqual([true, true]);
	});

	test('the same code posted twice at once: exactly one decision; the other is refused', async () => {
		const { result, link, executionId } = await start(ALWAYS, [
			{ reviewers: ANN, subject: 'once' },
		]);
		const { answer, code } = await askCode(result, link, await callWebhook(env, result, link, 'GET'));
		const both = await Promise.all([decide(result, link, answer, code), decide(result, link, answer, code)]);
		const recorded = both.filter((x) => titleOf(x.body) === 'Decision recorded');
		expect(recorded).toHaveLength(1);
		expect(both.filter((x) => x.result.workflowData !== undefined)).toHaveLength(1);
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(1);
		// The chain never holds two acceptances of one code that both stand: a second one is overturned by
		// an otp_failed record naming it (or was never written, when the loser read the first one in time).
		const overturned = records.filter((r) => r.event === 'otp_failed').map((r) => r.details?.acceptedSeq);
		expect(records.filter((r) => r.event === 'otp_accepted' && !overturned.includes(r.seq))).toHaveLength(1);
		// Whichever lost: its acceptance did not stand ("used"), or it found the request decided.
		const lost = both.find((x) => titleOf(x.body) !== 'Decision recorded')!;
		expect(lost.body).toMatch(/That code was already used|Already decided/);
	});

	test('brute force: after 5 wrong codes even the right one is refused; the page says to ask the workflow owner and offers no decision', async () => {
		const { result, link, executionId, requestIds } = await start();
		const { answer, code } = await askCode(result, link, await callWebhook(env, result, link, 'GET'));
		let last = answer;
		const statuses: number[] = [];
		for (let i = 0; i < 5; i++) {
			last = await decide(result, link, last, String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
			statuses.push(last.status);
		}
		expect(statuses).toEqual([400, 400, 400, 400, 403]);
		expect(last.body).toContain('Ask the workflow owner');
		const sixth = await decide(result, link, answer, code);
		expect(sixth.status).toBe(403);
		expect(titleOf(sixth.body)).not.toBe('Decision recorded');
		expect(sixth.body).toContain('Too many wrong codes (5): this link can no longer decide. Ask the workflow owner');
		expect(sixth.result.workflowData).toBeUndefined();
		const failed = (await recordsOf(env, executionId)).filter((r) => r.event === 'otp_failed');
		expect(failed.map((r) => r.details?.reason)).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'locked']);
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'otp_accepted')).toHaveLength(0);
		await nothingDecided(executionId, requestIds[0]);
		// The page itself: no decision buttons, no code box, no send button.
		const page = await callWebhook(env, result, link, 'GET');
		expect(page.body).toContain('Too many wrong codes');
		expect(page.body).not.toContain('value="approve"');
		expect(page.body).not.toContain('name="sendCode"');
		const before = listMail(env.smtp.mailDir).length;
		const send = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), sendCode: '1', comment: '' });
		expect(send.status).toBe(403);
		expect(listMail(env.smtp.mailDir).length).toBe(before);
	});

	test('under a quorum each vote needs its own code; the vote records and the final decided record say oneTimeCode', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com, bob@example.com', subject: 'Bonus' }], { ...ALWAYS, approvalPolicy: 'quorum', requiredApprovals: 2 });
		const links = Object.fromEntries(mails.map((m) => [m.to[0], gateLinks(m)[0]]));
		const executionId = executionIdOf(links[ANN]);
		const annPage = await callWebhook(env, result, links[ANN], 'GET');
		const noCode = await decide(result, links[ANN], annPage, undefined);
		expect(noCode.status).toBe(400);
		expect((await recordsOf(env, executionId)).filter((r) => r.event === 'vote')).toHaveLength(0);
		const ann = await askCode(result, links[ANN], annPage);
		expect(titleOf((await decide(result, links[ANN], ann.answer, ann.code)).body)).toBe('Vote recorded');
		const bobPage = await callWebhook(env, result, links['bob@example.com'], 'GET');
		const bob = await askCode(result, links['bob@example.com'], bobPage);
		// Ann's code is not Bob's.
		if (ann.code !== bob.code) expect((await decide(result, links['bob@example.com'], bob.answer, ann.code)).status).toBe(400);
		const last = await decide(result, links['bob@example.com'], bob.answer, bob.code);
		expect(titleOf(last.body)).toBe('Decision recorded');
		expect(outputsOf(last)[1]).toHaveLength(1);
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'vote').map((r) => r.details?.oneTimeCode)).toEqual([true, true]);
		expect(records.find((r) => r.event === 'decided')?.details).toMatchObject({ oneTimeCode: true });
	});

	test('"For High Tier Only" asks unclassified items for a code (unknown risk counts as High); "Off" shows no box and decides without one', async () => {
		const high = await start({ requireOneTimeCode: 'high' });
		const page = await callWebhook(env, high.result, high.link, 'GET');
		expect(page.body).toContain('autocomplete="one-time-code"');
		const refused = await decide(high.result, high.link, page, undefined);
		expect(refused.status).toBe(400);
		const off = await start({ requireOneTimeCode: 'off' });
		const offPage = await callWebhook(env, off.result, off.link, 'GET');
		expect(offPage.body).not.toContain('one-time-code');
		expect((await recordsOf(env, off.executionId)).find((r) => r.event === 'requested')?.details?.oneTimeCode).toBeUndefined();
		const decided = await decide(off.result, off.link, offPage, undefined);
		expect(titleOf(decided.body)).toBe('Decision recorded');
		expect((await recordsOf(env, off.executionId)).find((r) => r.event === 'decided')?.details?.oneTimeCode).toBeUndefined();
	});
});

describe('HITL Gate one-time code: combinations refused when the gate runs', () => {
	const env: GateEnv = useGateEnv('hitl-otp-guards');

	test('batch mode with a one-time code fails the node with what to change, before anything is sent', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: ANN, subject: 'x' }], { ...ALWAYS, reviewMode: 'batch' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('A one-time code needs one request per item');
		expect(mails).toHaveLength(0);
	});

	test('a gate that sends no email cannot send codes: refused', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: ANN, subject: 'x' }], { ...ALWAYS, notifyByEmail: false, notificationWebhookUrl: 'https://hooks.example.com/x' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('A one-time code is sent by email');
		expect(mails).toHaveLength(0);
	});

	test('a validity outside 5..600 seconds is refused', async () => {
		const { result } = await runGate(env, [{ reviewers: ANN, subject: 'x' }], { ...ALWAYS, oneTimeCodeValiditySeconds: 3600 });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Invalid code validity: 3600');
	});
});
