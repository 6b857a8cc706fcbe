/**
 * examples/weekly-report.json (example 5, the admins' weekly numbers) on the real n8n 2.41 server:
 * Review Log Report over the server's embedded default store → n8n's Send Email with the key numbers in
 * the subject and body and report.html attached. The example is imported as the file is, except two
 * things a test cannot wait for: the SMTP credential's id, and the Monday-08:00 Schedule Trigger, which is
 * swapped for a Webhook node of the same name (the nodes after it are unchanged). The mail's figures must
 * be the Report node's own JSON, and the attachment the HTML report.
 */

import { readConnectionInfo } from '../harness/connectionInfo';
import { loadExampleWorkflow } from '../harness/exampleWorkflow';
import { N8nClient, nodeOutput, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { listMail, waitForMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const TRIGGER = 'Every Monday at 08:00';

function importExample(credentialId: string, webhookPath: string): WorkflowJson {
	const workflow = loadExampleWorkflow('weekly-report.json', credentialId);
	const trigger = workflow.nodes.find((node) => node.name === TRIGGER);
	if (!trigger) throw new Error(`the example has no node "${TRIGGER}"`);
	expect(trigger.type).toBe('n8n-nodes-base.scheduleTrigger');
	Object.assign(trigger, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		webhookId: `weekly-${RUN}`,
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
	});
	return workflow;
}

/** The base64 body of the MIME part whose headers name `filename`, decoded. */
function attachment(raw: string, filename: string): { contentType: string; text: string } {
	const parts = raw.split(/\r?\n--[^\r\n]+/);
	const part = parts.find((p) => p.includes(`filename=${filename}`) || p.includes(`filename="${filename}"`));
	if (!part) throw new Error(`no attachment ${filename} in the mail`);
	const [head, ...body] = part.split(/\r?\n\r?\n/);
	return { contentType: /Content-Type:\s*([^;\r\n]+)/i.exec(head)?.[1] ?? '', text: Buffer.from(body.join('').replace(/\s+/g, ''), 'base64').toString('utf8') };
}

describe('Example 5, weekly report, on a real n8n server', () => {
	let workflowId = '';
	afterAll(async () => {
		if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	});

	it('mails the admins the Report node\'s figures with report.html attached', async () => {
		const smtp = await n8n.createCredential({
			name: `Local mailbox weekly ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		const hook = `weekly-report-${RUN}`;
		workflowId = (await n8n.deployWorkflow(importExample(smtp.id, hook))).id;
		const before = listMail(info.smtp.mailDir).at(-1)?.id;
		expect((await n8n.callWebhook(hook, { body: {} })).status).toBe(200);

		const [execution] = await n8n.waitForExecutions(workflowId, { statuses: ['success', 'error', 'crashed'], timeoutMs: 60_000 });
		expect({ status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ status: 'success', error: undefined });
		const [report] = nodeOutput(execution, 'Weekly report');
		const figures = report.json as { title: string; verification: { ok: boolean }; totals: { requests: number; pending: number; approved: number } };
		expect(figures.title).toBe('Weekly review report');
		expect(typeof figures.totals.requests).toBe('number');

		const [mail] = await waitForMail(info.smtp.mailDir, { to: 'admin@example.com', afterId: before, timeoutMs: 30_000 });
		const status = figures.verification.ok ? 'Review log verified' : 'REVIEW LOG BROKEN';
		expect(mail.subject).toContain(`${status}`);
		expect(mail.subject).toContain(`: ${figures.totals.requests} requests, ${figures.totals.pending} pending (week to `);
		expect(mail.text).toContain(`Requests: ${figures.totals.requests}`);
		expect(mail.text).toContain(`Approved: ${figures.totals.approved}`);
		const html = attachment(mail.raw, 'report.html');
		expect(html.contentType).toBe('text/html');
		expect(html.text).toContain('<title>Weekly review report');
		expect(html.text).toContain('<svg');
		expect(html.text).not.toMatch(/<script/i);
	}, 120_000);
});
