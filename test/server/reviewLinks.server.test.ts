/**
 * Review links that answer after the run ended, on the suite's real n8n 2.41 server: an active HITL
 * Review Links workflow (its own path, so the suite's other gates keep their waiting-webhook links) and a
 * gate with the same store and signing key. The gate finds it by probe and mails links to it; through it
 * the page shows and the decision resumes the run as before. Then every late link gets a page a person
 * understands — never n8n's JSON or a stack trace: decided by whom and when (also for a form fetched
 * before someone else decided, and after the execution was deleted), closed for a run that was stopped,
 * and invalid for a malformed link. A gate with the option off keeps waiting-webhook links.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { launchBrowser } from '../harness/browser';
import { readConnectionInfo } from '../harness/connectionInfo';
import { checkPage, expectReadable } from '../harness/pageChecks';
import { httpCall, N8nClient, nodeOutput, uniqueSuffix } from '../harness/n8nClient';
import { extractLinks, waitForMail, type CapturedMail } from '../harness/smtpCapture';
import { closeStores, csrfIn, fileStoreRecords, postForm } from '../harness/storeRecords';
import { createCredentials, executionOfReviewLink, gateWorkflow, reviewLinksWorkflow, type Credentials } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const LINKS_PATH = `hitl-review-${RUN}`;
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const directory = mkdtempSync(path.join(tmpdir(), 'hitl-review-links-store-'));
const NO_WAIT = { minSecondsOnPageLow: 0, minSecondsOnPageMedium: 0, minSecondsOnPageHigh: 0 };
const BROWSER = 'Mozilla/5.0 (iPhone; ReviewLinksTest)';

afterAll(async () => {
	await closeStores();
	rmSync(directory, { recursive: true, force: true });
});

const records = (executionId: string) => fileStoreRecords(directory, executionId);

const open = (link: string) => httpCall(link, { method: 'GET', headers: { 'user-agent': BROWSER } });
const post = (link: string, fields: Record<string, string>) => postForm(link, fields, { 'user-agent': BROWSER });

/** A page a person understands: HTML with our title, no JSON error, no stack trace, no server path. */
function expectPage(answer: { status: number; text: string; headers?: unknown }, status: number, title: string): void {
	expect(answer.status).toBe(status);
	expect(answer.text).toMatch(/^<!doctype html>/i);
	expect(answer.text).toContain(title);
	expect(answer.text).not.toMatch(/stacktrace|"code":|waiting-webhooks|\.ts:\d+/i);
}

describe('HITL Review Links on a real n8n server', () => {
	let credentials: Credentials;
	let hook = '';
	const base = `${info.n8n.baseUrl.replace(/\/+$/, '')}/webhook/${LINKS_PATH}`;

	beforeAll(async () => {
		credentials = await createCredentials(n8n, info, { backend: 'file', directory }, `links-${RUN}`);
		hook = `review-links-${RUN}`;
		await n8n.deployWorkflow(reviewLinksWorkflow(`links-${RUN}`, credentials, LINKS_PATH));
		await n8n.waitForWebhook(LINKS_PATH, 'GET');
		await n8n.deployWorkflow(
			gateWorkflow(`links-${RUN}`, hook, credentials, { deadlineAmount: 600, remindEveryAmount: 0, escalation: {}, options: { ...NO_WAIT, hashClientInfo: false, reviewLinksPath: LINKS_PATH } }),
		);
	});

	async function start(tag: string): Promise<{ ann: string; bob: string; executionId: string }> {
		const reviewers = [who(`${tag}ann`), who(`${tag}bob`)];
		const res = await n8n.callWebhook(hook, { body: { items: [{ reviewers: reviewers.join(', '), subject: `links ${tag} ${RUN}` }] } });
		expect(res.status).toBe(200);
		const linkOf = (mail: CapturedMail) => extractLinks(mail).filter((l) => l.includes(`/webhook/${LINKS_PATH}?t=`))[0];
		const ann = linkOf((await waitForMail(info.smtp.mailDir, { to: reviewers[0], timeoutMs: 30_000 }))[0]);
		const bob = linkOf((await waitForMail(info.smtp.mailDir, { to: reviewers[1], timeoutMs: 30_000 }))[0]);
		expect(ann).toMatch(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?t=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
		const executionId = executionOfReviewLink(ann);
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		return { ann, bob, executionId };
	}

	test('the mailed links point at Review Links; through it the page shows, the decision resumes the run, and late links say who decided', async () => {
		const { ann, bob, executionId } = await start('a');
		const bobPage = await open(bob);
		expectPage(bobPage, 200, 'Approve');
		const annPage = await open(ann);
		expectPage(annPage, 200, 'Approve');
		// The gate logged the reviewer's browser, not the relay's (the relay's MAC'd header).
		const viewed = (await records(executionId)).filter((r) => r.event === 'viewed');
		expect(viewed.map((r) => r.userAgent)).toEqual([BROWSER, BROWSER]);

		const decided = await post(ann, { csrf: csrfIn(annPage.text), decision: 'approve', comment: 'fine' });
		expectPage(decided, 200, 'Decision recorded');
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000);
		expect(detail.status).toBe('success');
		expect(nodeOutput(detail, 'Approved')).toHaveLength(1);

		// Bob opens his link after the run finished: n8n would answer 409 JSON; the page says who decided.
		const late = await open(bob);
		expectPage(late, 200, 'Already decided');
		expect(late.text).toContain(`approved by ${who('aann')}`);
		// Bob's form, fetched while the run waited, posted now: the same page, nothing recorded for him.
		const latePost = await post(bob, { csrf: csrfIn(bobPage.text), decision: 'reject', comment: 'no' });
		expectPage(latePost, 200, 'Already decided');
		const log = await records(executionId);
		expect(log.filter((r) => r.event === 'decided').map((r) => r.reviewerId)).toEqual([who('aann')]);

		// The execution is deleted (as pruning does): the links still answer from the log.
		await n8n.rest('POST', '/executions/delete', { ids: [executionId] });
		const afterDelete = await open(ann);
		expectPage(afterDelete, 200, 'Already decided');
		expect(afterDelete.text).toContain(`approved by ${who('aann')}`);
	});

	test('a run stopped while waiting: its links say the review is closed, and nothing can be decided', async () => {
		const { ann, executionId } = await start('s');
		const page = await open(ann);
		expectPage(page, 200, 'Approve');
		await n8n.rest('POST', `/executions/${executionId}/stop`, {});
		await n8n.waitForExecutionStatus(executionId, ['canceled', 'error', 'crashed', 'success'], 30_000);
		const closed = await open(ann);
		expectPage(closed, 410, 'Review closed');
		const tried = await post(ann, { csrf: csrfIn(page.text), decision: 'approve', comment: '' });
		expectPage(tried, 410, 'Review closed');
		expect((await records(executionId)).filter((r) => r.event === 'decided')).toEqual([]);
	});

	test('malformed, altered and token-less links get the invalid-link page; a probe gets the signed answer', async () => {
		expectPage(await open(`${base}?t=not.a-token`), 401, 'Invalid link');
		expectPage(await open(base), 401, 'Invalid link');
		const { ann } = await start('m');
		const token = new URL(ann).searchParams.get('t') as string;
		const altered = `${base}?t=${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
		expectPage(await open(altered), 401, 'Invalid link');
		const probe = await httpCall(`${base}?hitlProbe=${'n'.repeat(32)}`, { method: 'GET' });
		expect(probe.status).toBe(200);
		const answer = JSON.parse(probe.text) as Record<string, unknown>;
		expect(answer).toMatchObject({ service: 'n8n-nodes-hitl/review-links', v: 1, keyId: `deadlines-links-${RUN}` });
		// Which store it serves is only inside the MAC: a stranger learns no folder, host or user.
		expect(probe.text).not.toContain(directory);
	});

	test('a request altered in the store is neither relayed nor shown: its URL cannot point the relay elsewhere', async () => {
		const { ann, executionId } = await start('t');
		// A server the altered request points at: the relay must never call it.
		let calls = 0;
		const trap = createServer((_req, res) => {
			calls += 1;
			res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>Approve</p>');
		});
		await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
		try {
			const port = (trap.address() as { port: number }).port;
			const folder = readdirSync(directory).find((f) => f.endsWith('.requests')) as string;
			const file = readdirSync(path.join(directory, folder))
				.filter((f) => f.startsWith('g-'))
				.map((f) => path.join(directory, folder, f))
				.find((f) => readFileSync(f, 'utf8').includes(`"executionId":"${executionId}"`)) as string;
			const group = JSON.parse(readFileSync(file, 'utf8')) as { requests: Array<{ payload: { notify: { resumeUrl: string } } }> };
			for (const r of group.requests) r.payload.notify.resumeUrl = `http://127.0.0.1:${port}/webhook-waiting/${executionId}?signature=x`;
			writeFileSync(file, JSON.stringify(group));
			const answer = await open(ann);
			expectPage(answer, 500, 'integrity check');
			expect(calls).toBe(0);
		} finally {
			trap.close();
		}
	});

	test('in Chromium at 390 and 1280 px, the late pages are readable: no overflow, axe clean, no machine output', async () => {
		const decided = await start('c');
		const annPage = await open(decided.ann);
		await post(decided.ann, { csrf: csrfIn(annPage.text), decision: 'reject', comment: 'tone' });
		await n8n.waitForExecutionStatus(decided.executionId, ['success', 'error', 'crashed'], 30_000);
		const stopped = await start('d');
		await n8n.rest('POST', `/executions/${stopped.executionId}/stop`, {});
		await n8n.waitForExecutionStatus(stopped.executionId, ['canceled', 'error', 'crashed', 'success'], 30_000);
		const browser = await launchBrowser();
		try {
			const late = await browser.context.newPage();
			expect((await late.goto(decided.bob))?.status()).toBe(200);
			const already = await checkPage(late, 'review-links-already-decided');
			expectReadable(already, 'Already decided');
			expect(already.text).toContain(`rejected by ${who('cann')}`);
			const closedPage = await browser.context.newPage();
			expect((await closedPage.goto(stopped.ann))?.status()).toBe(410);
			const closed = await checkPage(closedPage, 'review-links-run-ended');
			expectReadable(closed, 'Review closed');
			expect(closed.text).toContain('Nothing was approved');
		} finally {
			await browser.close();
		}
	});

	test('a gate with Review Links off keeps linking to its waiting webhook', async () => {
		const offHook = `review-links-off-${RUN}`;
		await n8n.deployWorkflow(gateWorkflow(`links-${RUN}`, offHook, credentials, { deadlineAmount: 600, remindEveryAmount: 0, escalation: {}, options: { ...NO_WAIT, reviewLinks: 'off', reviewLinksPath: LINKS_PATH } }));
		const reviewer = who('offann');
		await n8n.callWebhook(offHook, { body: { items: [{ reviewers: reviewer, subject: `off ${RUN}` }] } });
		const links = extractLinks((await waitForMail(info.smtp.mailDir, { to: reviewer, timeoutMs: 30_000 }))[0]);
		expect(links.some((l) => l.includes('/webhook-waiting/'))).toBe(true);
		expect(links.some((l) => l.includes(LINKS_PATH))).toBe(false);
	});
});
