/**
 * "Require One-Time Code" on the suite's real n8n 2.41 server, with the real SMTP capture: the code
 * arrives in a second mail; the right code decides and the run resumes once; a wrong code is refused
 * and recorded; an expired code (validity 5 s, real wait) is refused; a spent code cannot decide again,
 * not even posted twice at the same moment; five wrong codes lock the link, even for the right code.
 * Every case is checked in the review log's chain (`otp_sent`, `otp_failed`, `otp_accepted`,
 * `decided` naming its acceptance). Review log on its own file store; links used only once n8n says
 * the run is waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { readConnectionInfo } from '../harness/connectionInfo';
import { httpCall, N8nClient, nodeOutput, uniqueSuffix } from '../harness/n8nClient';
import { extractLinks, waitForMail, type CapturedMail } from '../harness/smtpCapture';
import { sleep } from '../harness/net';
import { closeStores, csrfIn, fileStoreRecords, postForm } from '../harness/storeRecords';
import { createCredentials, gateWorkflow } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const directory = mkdtempSync(path.join(tmpdir(), 'hitl-otp-store-'));
const CODE_SUBJECT = 'Your one-time code for the review';

afterAll(async () => {
	await closeStores();
	rmSync(directory, { recursive: true, force: true });
});

const gateLink = (mail: CapturedMail): string => extractLinks(mail).filter((l) => l.includes('/webhook-waiting/'))[0];
const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];
const codeIn = (mail: CapturedMail): string => (/Your code: ([0-9]{6})/.exec(mail.text) as RegExpExecArray)[1];
const wrong = (code: string, step = 1): string => String((Number(code) + step) % 1_000_000).padStart(6, '0');

const otpEvents = async (executionId: string) => (await fileStoreRecords(directory, executionId)).filter((r) => r.event.startsWith('otp_') || r.event === 'decided');
const post = (link: string, fields: Record<string, string>) => postForm(link, fields);

describe('one-time code on a real n8n server', () => {
	let hook = '';
	beforeAll(async () => {
		const credentials = await createCredentials(n8n, info, { backend: 'file', directory }, `otp-${RUN}`);
		hook = `otp-${RUN}`;
		await n8n.deployWorkflow(
			gateWorkflow(`otp-${RUN}`, hook, credentials, {
				deadlineAmount: 600,
				remindEveryAmount: 0,
				escalation: {},
				requireOneTimeCode: 'always',
				// Read once per run: each test's run says how long its codes are valid.
				oneTimeCodeValiditySeconds: '={{ $json.validity }}',
			}),
		);
	});

	/** Starts a run for one reviewer and waits until n8n has it waiting (a link used earlier gets n8n's 409). */
	async function start(tag: string, validity = 600): Promise<{ reviewer: string; link: string; executionId: string }> {
		const reviewer = who(tag);
		const res = await n8n.callWebhook(hook, { body: { items: [{ reviewers: reviewer, subject: `bonus ${tag} ${RUN}`, validity }] } });
		expect(res.status).toBe(200);
		const link = gateLink((await waitForMail(info.smtp.mailDir, { to: reviewer, subjectContains: 'Review', timeoutMs: 30_000 }))[0]);
		const executionId = executionIdOf(link);
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		return { reviewer, link, executionId };
	}

	/** Opens the page, presses "Email me a code", reads the code from the second mail: the page to post from and the code. */
	async function askCode(link: string, reviewer: string): Promise<{ csrf: string; code: string }> {
		const page = await httpCall(link, { method: 'GET' });
		expect(page.status).toBe(200);
		expect(page.text).toContain('Email me a code');
		const sent = await post(link, { csrf: csrfIn(page.text), sendCode: '1', comment: '' });
		expect(sent.status).toBe(200);
		expect(sent.text).toContain(`We emailed a code to ${reviewer}`);
		const [mail] = await waitForMail(info.smtp.mailDir, { to: reviewer, subjectContains: CODE_SUBJECT, timeoutMs: 30_000 });
		// The code mail carries nothing to click.
		expect(mail.text + (mail.html ?? '')).not.toMatch(/https?:\/\//);
		return { csrf: csrfIn(sent.text), code: codeIn(mail) };
	}

	const approve = (link: string, csrf: string, otp: string) => post(link, { csrf, decision: 'approve', comment: '', otp });

	test('the right code decides: one resume, the item through Approved; the decided record names its otp_accepted record', async () => {
		const { reviewer, link, executionId } = await start('right');
		const { csrf, code } = await askCode(link, reviewer);
		const decided = await approve(link, csrf, code);
		expect(decided.status).toBe(200);
		expect(decided.text).toContain('Decision recorded');
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000);
		expect(detail.status).toBe('success');
		expect(nodeOutput(detail, 'Approved')).toHaveLength(1);
		const log = await otpEvents(executionId);
		expect(log.map((r) => r.event)).toEqual(['otp_sent', 'otp_accepted', 'decided']);
		const [sent, accepted, record] = log;
		expect(JSON.stringify(sent)).not.toContain(code);
		expect(accepted.details).toMatchObject({ codeMac: sent.details?.codeMac, sentSeq: sent.seq });
		expect(record.details).toMatchObject({ oneTimeCode: true, oneTimeCodeAcceptedSeq: accepted.seq });
		expect(record.reviewerId).toBe(reviewer);
	});

	test('a wrong code is refused and recorded (otp_failed "wrong"); the run keeps waiting; the right code then decides', async () => {
		const { reviewer, link, executionId } = await start('wrong');
		const { csrf, code } = await askCode(link, reviewer);
		const bad = await approve(link, csrf, wrong(code));
		expect(bad.status).toBe(400);
		expect(bad.text).toContain('That code is not right. 4 more tries before this link is locked. Nothing was decided.');
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');
		expect((await otpEvents(executionId)).map((r) => [r.event, r.details?.reason ?? null])).toEqual([['otp_sent', null], ['otp_failed', 'wrong']]);
		const good = await approve(link, csrfIn(bad.text), code);
		expect(good.text).toContain('Decision recorded');
		expect((await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000)).status).toBe('success');
		const log = await otpEvents(executionId);
		expect(log.map((r) => r.event)).toEqual(['otp_sent', 'otp_failed', 'otp_accepted', 'decided']);
		expect(log[1].details).toMatchObject({ reason: 'wrong', failures: 1 });
		expect(log[3].details).toMatchObject({ oneTimeCode: true, oneTimeCodeAcceptedSeq: log[2].seq });
	});

	test('an expired code is refused (validity 5 s, real wait) and recorded; nothing is decided', async () => {
		const { reviewer, link, executionId } = await start('expired', 5);
		const { csrf, code } = await askCode(link, reviewer);
		const sent = (await otpEvents(executionId)).find((r) => r.event === 'otp_sent')!;
		const expiresAt = Date.parse(String(sent.details?.expiresAt));
		expect(expiresAt - Date.parse(String(sent.details?.issuedAt))).toBe(5_000);
		await sleep(Math.max(0, expiresAt - Date.now()) + 500);
		const late = await approve(link, csrf, code);
		expect(late.status).toBe(400);
		expect(late.text).toContain('That code has expired.');
		expect(late.text).not.toContain('Decision recorded');
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');
		expect((await otpEvents(executionId)).map((r) => [r.event, r.details?.reason ?? null])).toEqual([['otp_sent', null], ['otp_failed', 'expired']]);
	}, 60_000);

	test('a used code cannot decide again: posted twice at the same moment, one decision and one resume; posted again later, nothing changes', async () => {
		const { reviewer, link, executionId } = await start('reuse');
		const { csrf, code } = await askCode(link, reviewer);
		const both = await Promise.all([approve(link, csrf, code), approve(link, csrf, code)]);
		expect(both.filter((a) => a.text.includes('Decision recorded'))).toHaveLength(1);
		const loser = both.find((a) => !a.text.includes('Decision recorded'))!;
		// Refused as a spent code, or it found the request decided (or n8n already resuming the run).
		expect(loser.status === 409 || /That code was already used|Already decided/.test(loser.text)).toBe(true);
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000);
		expect(nodeOutput(detail, 'Approved')).toHaveLength(1);
		const again = await approve(link, csrf, code);
		expect(again.text).not.toContain('Decision recorded');
		const log = await otpEvents(executionId);
		expect(log.filter((r) => r.event === 'decided')).toHaveLength(1);
		// At most one acceptance of the code stands: any other was overturned by an otp_failed naming it.
		const overturned = log.filter((r) => r.event === 'otp_failed').map((r) => r.details?.acceptedSeq);
		const standing = log.filter((r) => r.event === 'otp_accepted' && !overturned.includes(r.seq));
		expect(standing).toHaveLength(1);
		expect(log.find((r) => r.event === 'decided')?.details).toMatchObject({ oneTimeCodeAcceptedSeq: standing[0].seq });
		for (const r of log.filter((x) => x.event === 'otp_failed')) expect(r.details?.reason).toBe('used');
	});

	test('five wrong codes lock the link: the right code is then refused, the page offers no decision, no code is sent', async () => {
		const { reviewer, link, executionId } = await start('brute');
		const { csrf, code } = await askCode(link, reviewer);
		let token = csrf;
		const statuses: number[] = [];
		for (let i = 1; i <= 5; i++) {
			const answer = await approve(link, token, wrong(code, i));
			statuses.push(answer.status);
			token = csrfIn(answer.text);
		}
		expect(statuses).toEqual([400, 400, 400, 400, 403]);
		const right = await approve(link, token, code);
		expect(right.status).toBe(403);
		expect(right.text).toContain('Too many wrong codes (5): this link can no longer decide. Ask the workflow owner');
		expect(right.text).not.toContain('Decision recorded');
		const page = await httpCall(link, { method: 'GET' });
		expect(page.text).toContain('Too many wrong codes');
		expect(page.text).not.toContain('value="approve"');
		const send = await post(link, { csrf: csrfIn(page.text), sendCode: '1', comment: '' });
		expect(send.status).toBe(403);
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');
		const log = await otpEvents(executionId);
		expect(log.filter((r) => r.event === 'otp_sent')).toHaveLength(1);
		expect(log.filter((r) => r.event === 'otp_failed').map((r) => r.details?.reason)).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'locked']);
		expect(log.filter((r) => r.event === 'otp_accepted' || r.event === 'decided')).toEqual([]);
	});
});
