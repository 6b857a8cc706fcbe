/**
 * examples/candidate-outreach.json is what `npm start` imports and what the README walks a newcomer
 * through, so it is tested the way a user meets it: imported as the file is (only the SMTP
 * credential's id replaced) into the real n8n 2.41 server with the package installed as users install
 * it. Two candidates go in; the recruiter opens each review link in Chromium, waits the gate's minimum
 * time on page, approves one with an edited subject and rejects the other with a reason. The approved
 * email — with the edit — must reach that candidate through n8n's Send Email node, the rejected one
 * must reach nobody, and the Review Log nodes must have written their records.
 */

import { launchBrowser } from '../harness/browser';
import { readConnectionInfo } from '../harness/connectionInfo';
import { loadExampleWorkflow } from '../harness/exampleWorkflow';
import { defaultStoreRecords } from '../harness/defaultStore';
import { N8nClient, nodeOutput, nodeRan, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { sleep } from '../harness/net';
import { extractLinks, findMail, listMail, waitForMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
/** The reviewer and webhook path the example file itself names. */
const REVIEWER = 'recruiter@example.com';
const WEBHOOK_PATH = 'candidate-outreach';
/** The gate's default minimum time on page, plus margin. */
const MIN_TIME_ON_PAGE_MS = 4_250;

const ada = { name: `Ada ${RUN}`, email: `ada-${RUN}@example.com`, role: 'Staff Engineer', highlight: 'the Analytical Engine notes' };
const alan = { name: `Alan ${RUN}`, email: `alan-${RUN}@example.com`, role: 'Research Scientist', highlight: 'computable numbers' };
const EDITED_SUBJECT = `Ada, a Staff Engineer role at ACME (${RUN})`;

interface LogRecord {
	event: string;
	decision: string | null;
	reviewerId: string | null;
	executionId: string | null;
	itemKey: string | null;
	nodeName: string | null;
	comment: string | null;
	edits: Array<{ path: string; before: unknown; after: unknown }> | null;
	details: Record<string, unknown> | null;
}

const logRecords = (executionId: string): LogRecord[] => defaultStoreRecords<LogRecord>(info, executionId);

/** The example as a user imports it: the file unchanged except the SMTP credential's id. */
const importExample = (credentialId: string): WorkflowJson => loadExampleWorkflow('candidate-outreach.json', credentialId);

/** The recruiter's review links for this run: one per candidate, across however many mails the gate sent. */
async function reviewLinks(afterId: string | undefined): Promise<string[]> {
	for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(300)) {
		const mails = findMail(info.smtp.mailDir, { to: REVIEWER, afterId }).filter((mail) => mail.text.includes(RUN));
		const links = mails.flatMap(extractLinks).filter((link) => link.includes('/webhook-waiting/'));
		if (links.length >= 2) return [...new Set(links)];
	}
	throw new Error(`no review mail with two links for ${REVIEWER} (run ${RUN})`);
}

describe('Example 1, Candidate outreach, on a real n8n server', () => {
	let workflowId = '';
	afterAll(async () => {
		if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	});

	it('sends only the approved draft, with the recruiter\'s edit, and logs every outcome', async () => {
		await n8n.rest('GET', '/credentials');
		const smtp = await n8n.createCredential({
			name: `Local mailbox ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		workflowId = (await n8n.deployWorkflow(importExample(smtp.id))).id;

		const lastMailBefore = listMail(info.smtp.mailDir).at(-1)?.id;
		const res = await n8n.callWebhook(WEBHOOK_PATH, { body: { candidates: [ada, alan] } });
		expect(res.status).toBe(200);
		const links = await reviewLinks(lastMailBefore);
		expect(links).toHaveLength(2);
		const executionId = /\/webhook-waiting\/([^/?]+)\//.exec(links[0])![1];
		// n8n answers 409 until it has saved the run as waiting (the mails go out just before).
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);

		const browser = await launchBrowser();
		try {
			const pages = await Promise.all(links.map(async (link) => {
				const page = await browser.context.newPage();
				expect((await page.goto(link))?.status()).toBe(200);
				return page;
			}));
			const servedAt = Date.now();
			const pageFor = async (email: string) => {
				for (const page of pages) if ((await page.content()).includes(email)) return page;
				throw new Error(`no review page shows ${email}`);
			};
			const adaPage = await pageFor(ada.email);
			const alanPage = await pageFor(alan.email);
			// What the example promises the reviewer: the labelled fields, subject and body editable.
			for (const label of ['To', 'Subject', 'Email body (HTML)']) expect(await adaPage.content()).toContain(label);
			await adaPage.locator('[name="edit.subject"]').fill(EDITED_SUBJECT);
			await alanPage.locator('textarea[name="comment"]').fill('Not the right role for him');
			await sleep(Math.max(0, servedAt + MIN_TIME_ON_PAGE_MS - Date.now()));
			await Promise.all([adaPage.waitForLoadState('load'), adaPage.locator('button[value="approve"]').click()]);
			await Promise.all([alanPage.waitForLoadState('load'), alanPage.locator('button[value="reject"]').click()]);
			expect(await adaPage.locator('h1').innerText()).toBe('Decision recorded');
			expect(await alanPage.locator('h1').innerText()).toBe('Decision recorded');
		} finally {
			await browser.close();
		}

		const execution = await n8n.waitForExecutionStatus(executionId, 'success', 60_000);
		expect(nodeRan(execution, 'Log timeout')).toBe(false);
		expect(nodeRan(execution, 'Not sent (not High)')).toBe(false);
		expect(nodeOutput(execution, 'Send to candidate')).toHaveLength(1);

		// The approved draft reached its candidate, as edited; the rejected one reached nobody.
		const [sent] = await waitForMail(info.smtp.mailDir, { to: ada.email, timeoutMs: 30_000 });
		expect(sent.subject).toBe(EDITED_SUBJECT);
		expect(sent.html).toContain('Hi Ada');
		expect(sent.from).toContain('recruiting@example.com');
		expect(findMail(info.smtp.mailDir, { to: alan.email })).toEqual([]);

		// The Review Log nodes' own records, beside the gate's.
		const records = logRecords(executionId);
		const byNode = (name: string) => records.filter((record) => record.nodeName === name);
		expect(byNode('Log approval')).toEqual([
			expect.objectContaining({ event: 'decided', decision: 'approved_with_edits', reviewerId: REVIEWER, itemKey: ada.email }),
		]);
		expect(byNode('Log approval')[0].edits).toEqual([expect.objectContaining({ path: 'subject', after: EDITED_SUBJECT })]);
		expect(byNode('Log sent')).toEqual([expect.objectContaining({ event: 'note', itemKey: ada.email })]);
		expect(String(byNode('Log sent')[0].details?.note)).toContain('Sent to the candidate');
		expect(byNode('Log rejection')).toEqual([
			expect.objectContaining({ event: 'decided', decision: 'rejected', reviewerId: REVIEWER, itemKey: alan.email, comment: 'Not the right role for him' }),
		]);
		expect(byNode('Log timeout')).toEqual([]);
		// The gate's own decided records, one per candidate.
		expect(byNode('HITL Gate').filter((record) => record.event === 'decided').map((record) => record.decision).sort()).toEqual([
			'approved_with_edits',
			'rejected',
		]);
	});
});
