/**
 * Every page a reviewer can meet through a real emailed link, served by a real n8n 2.41 server and
 * shown in Chromium at 390×844 and 1280×800: the batch page, the batch page after "Preview changes",
 * the single review page after "Preview changes", and the message pages — decision recorded (single and
 * batch), already decided by someone else, link expired, invalid link, and a form that did not come
 * from the link's page. For each: nothing overflows horizontally, axe-core finds no serious or critical
 * WCAG violation, the text is words a person understands (no JSON, no stack trace), and full-page
 * screenshots are kept under reports/screenshots (test/harness/pageChecks.ts). Review pages also keep
 * the decision reachable from the first screen.
 *
 * One server, four runs: a batch of three items, two items reviewed one by one by two reviewers, and a
 * run whose five-second deadline passes (a second one only if n8n released the first by itself before
 * its link was used: n8n's wait poll just ran then, so the next is a minute away). Every link is used
 * only once n8n holds its run as waiting (n8n answers 409 otherwise).
 */
import { randomUUID } from 'node:crypto';

import type { Page } from 'playwright-core';

import { launchBrowser, type LaunchedBrowser } from '../harness/browser';
import { readConnectionInfo } from '../harness/connectionInfo';
import { defaultStoreRecords } from '../harness/defaultStore';
import { N8nClient, nodeOutput, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { sleep } from '../harness/net';
import { checkPage, expectReadable, PHONE } from '../harness/pageChecks';
import { extractLinks, waitForMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
/** The gate's default minimum time on page, plus margin. */
const MIN_TIME_ON_PAGE_MS = 4_250;
const who = (name: string): string => `${name}-${RUN}@hitl.test`;

const BODY = (name: string) => `<p>Dear ${name},</p><p>Thank you for your time. <strong>We will not move forward.</strong></p>`;
const draft = (name: string) => ({ candidate: name, subject: `Your application, ${name}`, body: BODY(name) });

/** Webhook → Split Out (body.items) → HITL Gate → Timed Out / Approved / Rejected. */
function gateWorkflow(slug: string, gate: Record<string, unknown>, smtp: { id: string; name: string }): WorkflowJson {
	const id = () => randomUUID();
	return {
		name: `Pages ${slug} ${RUN}`,
		nodes: [
			{ id: id(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: `pages-${slug}-${RUN}`, responseMode: 'onReceived', options: {} } },
			{ id: id(), name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items', options: {} } },
			{
				id: id(),
				name: 'HITL Gate',
				type: 'n8n-nodes-hitl.hitlGate',
				typeVersion: 1.1,
				position: [400, 0],
				parameters: {
					fromEmail: 'gate@hitl.test',
					displayFields: {
						field: [
							{ label: 'Candidate', path: 'candidate' },
							{ label: 'Subject', path: 'subject', editable: true },
							{ label: 'Email to the candidate', path: 'body', format: 'html', editable: true },
						],
					},
					...gate,
				},
				credentials: { smtp: { id: smtp.id, name: smtp.name } },
			},
			{ id: id(), name: 'Timed Out', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [650, -150], parameters: {} },
			{ id: id(), name: 'Approved', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [650, 0], parameters: {} },
			{ id: id(), name: 'Rejected', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [650, 150], parameters: {} },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'HITL Gate', type: 'main', index: 0 }]] },
			'HITL Gate': { main: [[{ node: 'Timed Out', type: 'main', index: 0 }], [{ node: 'Approved', type: 'main', index: 0 }], [{ node: 'Rejected', type: 'main', index: 0 }]] },
		},
		settings: {},
	} as unknown as WorkflowJson;
}

const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];

/**
 * Starts a run of `slug` and returns each reviewer's review links (in item order), once n8n holds the run
 * as waiting — or, with `mayEnd` (a run whose deadline is seconds away), once n8n already ended it: its
 * wait poll may release such a run before it is seen waiting (`waiting: false`; the caller starts another).
 */
/**
 * Starts a run of the `slug` workflow and reads each reviewer's links from their mail — the first one
 * after `afterMailId` (a second run of the same workflow mails the same reviewers again).
 */
async function startRun(
	slug: string,
	items: object[],
	reviewers: string[],
	mayEnd = false,
	afterMailId?: string,
): Promise<{ executionId: string; links: Map<string, string[]>; waiting: boolean; lastMailId: string }> {
	expect((await n8n.callWebhook(`pages-${slug}-${RUN}`, { body: { items } })).status).toBe(200);
	const links = new Map<string, string[]>();
	let lastMailId = afterMailId ?? '';
	for (const reviewer of reviewers) {
		const [mail] = await waitForMail(info.smtp.mailDir, { to: reviewer, afterId: afterMailId, timeoutMs: 60_000 });
		links.set(reviewer, extractLinks(mail).filter((l) => l.includes('/webhook-waiting/')));
		if (mail.id > lastMailId) lastMailId = mail.id;
	}
	const executionId = executionIdOf(links.get(reviewers[0])![0]);
	const { status } = await n8n.waitForExecutionStatus(executionId, mayEnd ? ['waiting', 'success'] : 'waiting', 30_000);
	return { executionId, links, waiting: status === 'waiting', lastMailId };
}

/** Clicks a submit button and waits for the page the server answers with. */
async function submit(page: Page, selector: string): Promise<void> {
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).click()]);
}

/** Stays the minimum time on the page, as a reader does, then presses the decision button. */
async function decideAfterReading(page: Page, selector: string): Promise<void> {
	await sleep(MIN_TIME_ON_PAGE_MS);
	await submit(page, selector);
}

/** A message page: checked at both sizes, with its title and the sentence a person needs. */
async function expectMessage(page: Page, name: string, title: string, says: string): Promise<void> {
	const report = await checkPage(page, name);
	expectReadable(report, title);
	expect(report.text).toContain(says);
	await page.close();
}

describe('Review and message pages from real links on a real n8n server, in Chromium', () => {
	const workflows: string[] = [];
	let browser: LaunchedBrowser;
	let smtp: { id: string; name: string };
	const started = Date.now();

	beforeAll(async () => {
		smtp = await n8n.createCredential({
			name: `SMTP pages ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		for (const [slug, gate] of [
			['batch', { reviewers: who('batch'), reviewMode: 'batch', deadlineAmount: 1, deadlineUnit: 'hours' }],
			['single', { reviewers: `${who('ann')}, ${who('ben')}`, deadlineAmount: 1, deadlineUnit: 'hours' }],
			['expire', { reviewers: who('late'), deadlineAmount: 5, deadlineUnit: 'seconds' }],
		] as const) {
			workflows.push((await n8n.deployWorkflow(gateWorkflow(slug, gate, smtp))).id);
		}
		browser = await launchBrowser();
	}, 120_000);

	afterAll(async () => {
		await browser?.close();
		for (const id of workflows) await n8n.deactivateWorkflow(id).catch(() => undefined);
		process.stderr.write(`[pages] ${Math.round((Date.now() - started) / 1000)} s, set-up included\n`);
	});

	async function open(link: string): Promise<Page> {
		const page = await browser.context.newPage();
		await page.setViewportSize(PHONE);
		const response = await page.goto(link);
		expect(response?.status()).toBe(200);
		return page;
	}

	it('the batch page, the batch page after Preview changes (nothing decided, everything kept) and the batch\'s "Decision recorded"', async () => {
		const reviewer = who('batch');
		const { executionId, links } = await startRun('batch', [draft('Anna'), draft('Ben'), draft('Chiara')], [reviewer]);
		const link = links.get(reviewer)![0];

		const page = await open(link);
		const batch = await checkPage(page, 'batch');
		expectReadable(batch, /^Review/, { decision: true });
		expect(batch.text).toContain('Item 3');
		expect(await page.locator('.preview strong', { hasText: 'We will not move forward.' }).count()).toBe(3);

		// The reviewer edits item 1, approves it, rejects item 2 with a reason, then previews.
		await page.setViewportSize(PHONE);
		await page.locator('textarea[name="edit.0.subject"]').fill('Your application with us, Anna');
		await page.locator('input[name="decision.0"][value="approve"]').check();
		await page.locator('input[name="decision.1"][value="reject"]').check();
		await page.locator('textarea[name="comment.1"]').fill('Wrong template for Ben');
		await submit(page, 'button[name="preview"]');
		const preview = await checkPage(page, 'batch-preview');
		expectReadable(preview, /^Review/, { decision: true });
		expect(preview.text).toContain('Your changes to item 1 — nothing is decided yet');
		expect(preview.text).toContain('Nothing was decided');
		expect(await page.locator('.changes ins', { hasText: 'with us' }).count()).toBe(1);
		expect(await page.locator('.changes del', { hasText: 'Anna' }).count()).toBe(0);
		expect(await page.locator('input[name="decision.0"][value="approve"]').isChecked()).toBe(true);
		expect(await page.locator('input[name="decision.1"][value="reject"]').isChecked()).toBe(true);
		expect(await page.locator('textarea[name="comment.1"]').inputValue()).toBe('Wrong template for Ben');
		expect(await page.locator('textarea[name="edit.0.subject"]').inputValue()).toBe('Your application with us, Anna');
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');
		expect(defaultStoreRecords<{ event: string }>(info, executionId).filter((r) => r.event === 'decided')).toEqual([]);

		// Then decides what was previewed (the page counts as served when first opened), and the last item.
		await decideAfterReading(page, 'button[value="selected"]');
		expect(await page.locator('[role="status"]').innerText()).toContain('Recorded: item 1 approved, item 2 rejected.');
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		await page.locator('input[name="decision.2"][value="approve"]').check();
		await decideAfterReading(page, 'button[value="selected"]');
		// The last submit's own count; the earlier decisions were recorded by the submit before it.
		await expectMessage(page, 'message-batch-recorded', 'Decision recorded', 'You approved 1 item. Your decisions have been recorded; every item of this batch is now decided.');

		const execution = await n8n.waitForExecutionStatus(executionId, 'success', 60_000);
		expect(nodeOutput(execution, 'Approved').map((i) => i.json.subject)).toEqual(['Your application with us, Anna', 'Your application, Chiara']);
		expect(nodeOutput(execution, 'Rejected').map((i) => i.json.candidate)).toEqual(['Ben']);
	}, 180_000);

	it('one by one: "Decision recorded", "Already decided" for the other reviewer, the single page after Preview changes, a form not from the page, an altered link', async () => {
		const [ann, ben] = [who('ann'), who('ben')];
		const { executionId, links } = await startRun('single', [draft('Dana'), draft('Emil')], [ann, ben]);
		const [annFirst, annSecond] = links.get(ann)!;
		const [benFirst] = links.get(ben)!;

		// Ann approves item 1.
		const page = await open(annFirst);
		expect(await page.locator('body').innerText()).toContain('Dana');
		await decideAfterReading(page, 'button[value="approve"]');
		await expectMessage(page, 'message-recorded', 'Decision recorded', 'You approved this item.');

		// Ben's link to the same item, once n8n holds the run (item 2 still waits) again.
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		await expectMessage(await open(benFirst), 'message-already-decided', 'Already decided', `already decided by ${ann}`);

		// Ann edits item 2 and previews: the page comes back with her changes; nothing is decided.
		const second = await open(annSecond);
		await second.locator('textarea[name="edit.subject"]').fill('Your application with us, Emil');
		await second.locator('textarea[name="comment"]').fill('Softer subject');
		await submit(second, 'button[name="preview"]');
		const preview = await checkPage(second, 'single-preview');
		expectReadable(preview, /^Review/, { decision: true });
		expect(preview.text).toContain('Your changes — nothing is decided yet');
		expect(await second.locator('.changes ins', { hasText: 'with us' }).count()).toBe(1);
		expect(await second.locator('textarea[name="comment"]').inputValue()).toBe('Softer subject');
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');

		// A decision whose form token is not the page's: refused with a page that says what to do.
		await second.locator('input[name="csrf"]').evaluate((input) => ((input as unknown as { value: string }).value = 'v2.0.forged'));
		await submit(second, 'button[value="approve"]');
		await expectMessage(second, 'message-stale-form', 'Form expired or not from the review page', 'Open the link from your email again');

		// The same link with its gate token altered (n8n's own signature intact).
		const altered = new URL(annSecond);
		const token = altered.searchParams.get('t')!;
		altered.searchParams.set('t', `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`);
		const invalid = await browser.context.newPage();
		await invalid.setViewportSize(PHONE);
		expect((await invalid.goto(altered.toString()))?.status()).toBe(401);
		await expectMessage(invalid, 'message-invalid-link', 'Invalid link', 'This review link is not valid.');

		const records = defaultStoreRecords<{ event: string; reviewerId: string }>(info, executionId).filter((r) => r.event === 'decided');
		expect(records.map((r) => r.reviewerId)).toEqual([ann]);
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');
	}, 180_000);

	it('"Link expired": a link used after its deadline, while n8n still holds the run', async () => {
		const reviewer = who('late');
		let page: Page | null = null;
		// n8n's wait tracker polls every 60 s and releases a run at its deadline when a poll fell between
		// the run's start and its deadline (about 6 s of every 60). Up to three runs: after a run released
		// that way, the poll has just run and the next one is about a minute away — unless a loaded machine
		// stretched the attempt; each lost attempt is named in the failure.
		const lost: string[] = [];
		// Each run mails the same reviewer: each attempt reads the mail after the last one it read.
		let lastMailId: string | undefined;
		for (let attempt = 0; attempt < 3 && page === null; attempt++) {
			const run = await startRun('expire', [draft('Farah')], [reviewer], true, lastMailId);
			const { executionId, links, waiting } = run;
			lastMailId = run.lastMailId;
			if (!waiting) {
				lost.push(`run ${executionId} ended before it was seen waiting`);
				continue;
			}
			const requested = defaultStoreRecords<{ event: string; details: { expiresAt: string } }>(info, executionId).find((r) => r.event === 'requested');
			await sleep(Math.max(0, Date.parse(requested!.details.expiresAt) + 500 - Date.now()));
			const status = (await n8n.getExecution(executionId)).status;
			if (status !== 'waiting') {
				lost.push(`run ${executionId} was ${status} when its link was due`);
				continue;
			}
			const candidate = await browser.context.newPage();
			await candidate.setViewportSize(PHONE);
			const response = await candidate.goto(links.get(reviewer)![0]);
			if (response?.status() === 409) {
				lost.push(`run ${executionId} answered 409 (n8n was resuming it)`);
				await candidate.close();
				continue;
			}
			expect(response?.status()).toBe(410);
			page = candidate;
		}
		if (page === null) throw new Error(`n8n released every run before its link was used: ${lost.join('; ')}`);
		await expectMessage(page, 'message-expired', 'Link expired', 'Nothing was approved.');
	}, 200_000);

});
