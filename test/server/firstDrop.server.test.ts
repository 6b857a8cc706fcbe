/**
 * "First approval in a minute" on a real n8n 2.41 server, with the package installed the way users
 * install it. The test creates only what a new user would: **n8n's own SMTP credential** (type `smtp`,
 * the one n8n's Send Email node uses). The gate is a fresh node (version 1.1) with Reviewers, From
 * Email and a labelled field — no HITL Signing Key credential (the gate derives its key from n8n's
 * encryption key), no review store credential (the default log under n8n's user folder).
 *
 * A reviewer opens the emailed link in Chromium at 390×844 and 1280×800: the page served by the real
 * server renders the HTML body as formatted text, nothing overflows, Approve is reachable from the
 * first screen (the decision bar), axe-core finds no serious or critical violation, and screenshots are
 * kept under reports/screenshots. Then the reviewer approves and the run leaves through Approved, with
 * the decision in the log under the derived key's id.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { chromium, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH, launchBrowser } from '../harness/browser';
import { readConnectionInfo } from '../harness/connectionInfo';
import { N8nClient, nodeOutput, nodeRan, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { sleep } from '../harness/net';
import { extractLinks, waitForMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const SHOTS = path.join(__dirname, '..', '..', 'reports', 'screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const REVIEWER = `recruiter-${RUN}@hitl.test`;
/** The gate's default minimum time on page, plus margin. */
const MIN_TIME_ON_PAGE_MS = 4_250;

function firstDropWorkflow(smtp: { id: string; name: string }): WorkflowJson {
	const ids = Array.from({ length: 4 }, () => randomUUID());
	return {
		name: `First drop ${RUN}`,
		nodes: [
			{ id: ids[0], name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: `first-drop-${RUN}`, responseMode: 'onReceived', options: {} } },
			{
				id: ids[1],
				name: 'HITL Gate',
				type: 'n8n-nodes-hitl.hitlGate',
				typeVersion: 1.1,
				position: [240, 0],
				// Only what a builder types after dropping the node: who reviews, who the mail is from, what to show.
				parameters: {
					reviewers: REVIEWER,
					fromEmail: 'gate@hitl.test',
					displayFields: { field: [{ label: 'Email to the candidate', path: 'body.body', format: 'html' }, { label: 'Subject', path: 'body.subject' }] },
				},
				credentials: { smtp: { id: smtp.id, name: smtp.name } },
			},
			{ id: ids[2], name: 'Approved', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [480, 0], parameters: {} },
			{ id: ids[3], name: 'Timed Out', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [480, 200], parameters: {} },
		],
		connections: {
			Webhook: { main: [[{ node: 'HITL Gate', type: 'main', index: 0 }]] },
			'HITL Gate': { main: [[{ node: 'Timed Out', type: 'main', index: 0 }], [{ node: 'Approved', type: 'main', index: 0 }], []] },
		},
		settings: {},
	} as unknown as WorkflowJson;
}

interface Layout {
	scrollWidth: number;
	innerWidth: number;
	approveTop: number | null;
	jumpBottom: number | null;
	visibleTags: string[];
}

async function layoutOf(page: Page): Promise<Layout> {
	return (await page.evaluate(`(() => {
		const approve = document.querySelector('button[value="approve"]');
		const jump = document.querySelector('a[href="#decision"]');
		const preview = document.querySelector('.preview');
		return {
			scrollWidth: document.scrollingElement.scrollWidth,
			innerWidth: window.innerWidth,
			approveTop: approve ? approve.getBoundingClientRect().top : null,
			jumpBottom: jump ? jump.getBoundingClientRect().bottom : null,
			visibleTags: preview ? (preview.innerText.match(/<\\/?p>/g) || []) : ['no preview on the page'],
		};
	})()`)) as Layout;
}

async function seriousAxeViolations(page: Page): Promise<string[]> {
	return (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
		.then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
}

describe('First drop on a real n8n server: n8n\'s SMTP credential and a reviewer are enough', () => {
	let workflowId = '';
	afterAll(async () => {
		if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	});

	it('a new gate with only n8n\'s SMTP credential emails a working link; the page reads well at 390 and 1280 px; the approval goes through', async () => {
		await n8n.rest('GET', '/credentials');
		const smtp = await n8n.createCredential({
			name: `SMTP ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		const deployed = await n8n.deployWorkflow(firstDropWorkflow(smtp));
		workflowId = deployed.id;
		const body = '<p>Dear Anna,</p><p>Thank you for your time. <strong>We will not move forward.</strong></p>';
		const res = await n8n.callWebhook(`first-drop-${RUN}`, { body: { subject: 'Your application', body } });
		expect(res.status).toBe(200);
		const [mail] = await waitForMail(info.smtp.mailDir, { to: REVIEWER, timeoutMs: 60_000 });
		expect(mail.text).toContain('Email to the candidate');
		const link = extractLinks(mail).find((l) => l.includes('/webhook-waiting/'));
		if (!link) throw new Error(`no review link in the mail: ${mail.text.slice(0, 500)}`);
		const executionId = /\/webhook-waiting\/([^/?]+)\//.exec(link)![1];

		mkdirSync(SHOTS, { recursive: true });
		const browser = await launchBrowser();
		try {
			for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
				const page = await browser.context.newPage();
				await page.setViewportSize(viewport);
				const response = await page.goto(link);
				expect(response?.status()).toBe(200);
				const layout = await layoutOf(page);
				// Nothing wider than the screen; the HTML body as formatted text, not as source.
				expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
				expect(layout.visibleTags).toEqual([]);
				expect(await page.locator('strong', { hasText: 'We will not move forward.' }).count()).toBeGreaterThan(0);
				// The decision is reachable from the first screen: the button itself or the bar that jumps to it.
				const reachable = (layout.approveTop !== null && layout.approveTop < viewport.height) || (layout.jumpBottom !== null && layout.jumpBottom <= viewport.height);
				expect(reachable).toBe(true);
				await page.screenshot({ path: path.join(SHOTS, `server-first-drop-${viewport.width}.png`), fullPage: true });
				await page.close();
			}
			// axe-core on the page as the real server serves it (injected past the page's script-free CSP).
			const axeBrowser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
			try {
				const axePage = await (await axeBrowser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } })).newPage();
				await axePage.goto(link);
				await axePage.addScriptTag({ content: AXE_SOURCE });
				expect(await seriousAxeViolations(axePage)).toEqual([]);
			} finally {
				await axeBrowser.close();
			}

			// The reviewer reads, then approves: the first click decides.
			const page = await browser.context.newPage();
			await page.setViewportSize({ width: 390, height: 844 });
			await page.goto(link);
			await sleep(MIN_TIME_ON_PAGE_MS);
			await Promise.all([page.waitForLoadState('load'), page.locator('button[value="approve"]').click()]);
			await page.waitForSelector('h1');
			expect(await page.locator('h1').innerText()).toBe('Decision recorded');
			await page.screenshot({ path: path.join(SHOTS, 'server-first-drop-recorded-390.png'), fullPage: true });
		} finally {
			await browser.close();
		}

		const execution = await n8n.waitForExecutionStatus(executionId, 'success', 60_000);
		expect(nodeRan(execution, 'Approved')).toBe(true);
		expect(nodeRan(execution, 'Timed Out')).toBe(false);
		const [out] = nodeOutput(execution, 'Approved');
		expect(out.json.hitl).toMatchObject({ decision: 'approved', reviewer: REVIEWER });
		const keyId = String((out.json.hitl as Record<string, unknown>).linkKeyId);
		// The key derived from n8n's encryption key (no signing credential exists in this test).
		expect(keyId).toMatch(/^n8n-[0-9a-f]{12}$/);
		const logFile = path.join(info.n8n.userFolder, '.n8n', 'hitl', 'default.jsonl');
		expect(existsSync(logFile)).toBe(true);
		const decided = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
			.filter((r) => r.executionId === executionId && r.event === 'decided');
		expect(decided).toHaveLength(1);
		expect(decided[0]).toMatchObject({ reviewerId: REVIEWER, linkKeyId: keyId });
	});
});
