/**
 * examples/bonus-payment.json (example 3) on the real n8n 2.41 server, imported as the file is (only
 * the SMTP credential's id set). A 2,500 EUR bonus requested by the finance lead is High (Money Amount
 * preset) and needs two of three approvals, each with a one-time code from a second email; the finance
 * lead, its requester, is never asked. A 300 EUR bonus goes to the Medium output and is not paid here.
 * Over HTTP, as a reviewer's browser would: a decision without a code and one with a wrong code decide
 * nothing; "Email me a code" mails one; the CFO's vote with it is recorded, the HR director's reaches
 * the quorum, the run pays once and the payment log names both approvers.
 */

import type { ReviewRecord } from '../../core/store/types';
import { readConnectionInfo } from '../harness/connectionInfo';
import { loadExampleWorkflow } from '../harness/exampleWorkflow';
import { defaultStoreRecords } from '../harness/defaultStore';
import { httpCall } from '../harness/http';
import { N8nClient, nodeOutput, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { pollUntil, sleep } from '../harness/net';
import { extractLinks, findMail, listMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const FINANCE_LEAD = 'finance-lead@example.com';
const CFO = 'cfo@example.com';
const HR = 'hr-director@example.com';
/** The gate's default minimum time on page, plus margin. */
const MIN_TIME_ON_PAGE_MS = 4_250;

const maya = { employee: `Maya ${RUN}`, email: `maya-${RUN}@example.com`, amount: 2500, currency: 'EUR', reason: 'Closed three senior hires', requestedBy: FINANCE_LEAD };
const ola = { employee: `Ola ${RUN}`, email: `ola-${RUN}@example.com`, amount: 300, currency: 'EUR', reason: 'Referral', requestedBy: FINANCE_LEAD };

const importExample = (credentialId: string): WorkflowJson => loadExampleWorkflow('bonus-payment.json', credentialId);

const csrfOf = (html: string): string => (/name="csrf" value="([^"]+)"/.exec(html) as RegExpExecArray)[1];
const titleOf = (html: string): string => /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';
const post = async (link: string, fields: Record<string, string>) =>
	await httpCall(link, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

/** This run's review link in the mail to `to`. */
async function reviewLink(to: string, afterId: string | undefined): Promise<string> {
	return await pollUntil(
		async () => {
			const mail = findMail(info.smtp.mailDir, { to, afterId }).find((m) => m.text.includes(maya.employee));
			return mail && extractLinks(mail).find((l) => l.includes('/webhook-waiting/'));
		},
		{ timeoutMs: 60_000, describe: () => `no bonus review mail to ${to} for run ${RUN}` },
	);
}

/** The code in the newest code mail to `to` received after `afterId`. */
async function codeFor(to: string, afterId: string | undefined): Promise<string> {
	return await pollUntil(
		async () => {
			const mail = findMail(info.smtp.mailDir, { to, afterId }).reverse().find((m) => /Your code: \d{6}/.test(m.text));
			return mail ? (/Your code: (\d{6})/.exec(mail.text) as RegExpExecArray)[1] : undefined;
		},
		{ timeoutMs: 30_000, describe: () => `no one-time code mail to ${to}` },
	);
}

/** Asks for a code on the page, then decides with it; returns the answer page's title. */
/** n8n answers 409 while the run is not waiting (before it is saved as waiting, and while it finishes a webhook call). */
const waiting = async (link: string) => await n8n.waitForExecutionStatus((/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1], 'waiting', 30_000);

async function approveWithCode(link: string, reviewer: string): Promise<string> {
	await waiting(link);
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	expect(page.text).toContain('Email me a code');
	const before = listMail(info.smtp.mailDir).at(-1)?.id;
	await waiting(link);
	const asked = await post(link, { csrf: csrfOf(page.text), comment: '', sendCode: '1' });
	expect(asked.status).toBe(200);
	const code = await codeFor(reviewer, before);
	await sleep(MIN_TIME_ON_PAGE_MS);
	await waiting(link);
	const answer = await post(link, { csrf: csrfOf(asked.text), decision: 'approve', comment: '', otp: code });
	return titleOf(answer.text);
}

describe('Example 3, bonus payment, on a real n8n server', () => {
	let workflowId = '';
	afterAll(async () => {
		if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	});

	it('two approvals, each with a one-time code; the requester is never asked; the bonus is paid once, naming both approvers', async () => {
		const smtp = await n8n.createCredential({
			name: `Local mailbox bonus ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		workflowId = (await n8n.deployWorkflow(importExample(smtp.id))).id;
		const before = listMail(info.smtp.mailDir).at(-1)?.id;
		expect((await n8n.callWebhook('bonus-payment', { body: { bonuses: [maya, ola] } })).status).toBe(200);
		const [state] = await n8n.waitForExecutions(workflowId, { timeoutMs: 30_000 });
		expect({ status: state.status, error: state.data?.resultData?.error?.message }).toEqual({ status: 'waiting', error: undefined });
		const executionId = state.id;

		const cfoLink = await reviewLink(CFO, before);
		const hrLink = await reviewLink(HR, before);
		expect(findMail(info.smtp.mailDir, { to: FINANCE_LEAD, afterId: before }).filter((m) => m.text.includes(maya.employee))).toEqual([]);

		// No code, or a wrong one: nothing is decided.
		await waiting(cfoLink);
		const page = await httpCall(cfoLink, { method: 'GET' });
		expect(page.status).toBe(200);
		await sleep(MIN_TIME_ON_PAGE_MS);
		await waiting(cfoLink);
		const noCode = await post(cfoLink, { csrf: csrfOf(page.text), decision: 'approve', comment: '' });
		expect(noCode.text).toContain('name="otp"');
		expect(titleOf(noCode.text)).not.toBe('Vote recorded');
		await waiting(cfoLink);
		const wrong = await post(cfoLink, { csrf: csrfOf(page.text), decision: 'approve', comment: '', otp: '000000' });
		expect(wrong.text).toContain('name="otp"');
		expect(titleOf(wrong.text)).not.toBe('Vote recorded');

		expect(await approveWithCode(cfoLink, CFO)).toBe('Vote recorded');
		expect(['Decision recorded', 'Vote recorded']).toContain(await approveWithCode(hrLink, HR));

		const execution = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 60_000);
		const failure = execution.data?.resultData?.error as { message?: string; description?: string; node?: { name?: string } } | undefined;
		expect({ status: execution.status, error: failure && `${failure.node?.name}: ${failure.message} ${failure.description ?? ''}` }).toEqual({ status: 'success', error: undefined });
		expect(nodeOutput(execution, 'Pay bonus (stand-in)').map((i) => i.json.employee)).toEqual([maya.employee]);
		expect(nodeOutput(execution, 'Smaller bonuses (not in this example)').map((i) => i.json.employee)).toEqual([ola.employee]);

		const records = defaultStoreRecords<ReviewRecord>(info, executionId);
		const gate = records.filter((r) => r.nodeName === 'Finance approval (2 of 3, one-time code)');
		expect(gate.filter((r) => r.event === 'requested').map((r) => r.reviewerId).sort()).toEqual([CFO, HR].sort());
		expect(gate.filter((r) => r.event === 'otp_sent').map((r) => r.reviewerId).sort()).toEqual([CFO, HR].sort());
		expect(gate.filter((r) => r.event === 'otp_failed').length).toBeGreaterThanOrEqual(1);
		const decided = gate.filter((r) => r.event === 'decided');
		expect(decided).toHaveLength(1);
		expect(decided[0]).toMatchObject({ decision: 'approved', requesterId: FINANCE_LEAD });
		expect((decided[0].details?.quorum as { approvers: string[] }).approvers.sort()).toEqual([CFO, HR].sort());
		const paid = records.filter((r) => r.nodeName === 'Log payment');
		expect(paid).toHaveLength(1);
		expect(String(paid[0].details?.note)).toContain(`paid to ${maya.employee}, approved by`);
		expect(String(paid[0].details?.note)).toContain(CFO);
		expect(String(paid[0].details?.note)).toContain(HR);
	}, 240_000);
});
