/**
 * The admin report as an admin opens it, in headless Chromium (Debian's, via playwright-core), like
 * the review page tests in test/unit/gate/: at 1280×800 and 390×844 nothing scrolls sideways (wide
 * tables scroll inside their own region), the page makes no request and runs no script, a hostile
 * reviewer id shows as text, and axe-core finds no serious or critical WCAG 2.2 A/AA violation.
 *
 * Screenshots go to .test-tmp/report/ (artifacts) and the README image to docs/images/report-desktop.png.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { computeMetrics } from '../../../core/metrics';
import { renderReport } from '../../../core/report';
import type { ReviewRecord } from '../../../core/store/types';
import { rec } from './records';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const URL_ = 'http://report.test/report.html';
const ROOT = path.resolve(__dirname, '../../..');
const SHOTS = path.join(ROOT, '.test-tmp/report');
const DOC_IMAGES = path.join(ROOT, 'docs/images');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const EVIL = '<script>window.__pwned=1</script>@a.test';

jest.setTimeout(90_000);

/** Six weeks of a plausible team's log, deterministic (a small LCG, not Math.random). */
function sampleLog(): ReviewRecord[] {
	const reviewers = ['alice@example.com', 'bob@example.com', EVIL, 'carol.with-a-rather-long-address@hiring-team.example.com'];
	const tiers = ['high', 'medium', 'low'] as const;
	let seed = 7;
	const rnd = (): number => {
		seed = (seed * 1103515245 + 12345) % 2147483648;
		return seed / 2147483648;
	};
	const out: ReviewRecord[] = [];
	let seq = 0;
	const start = Date.UTC(2026, 9, 19, 8); // Monday 2026-10-19
	for (let k = 0; k < 60; k++) {
		const reviewer = reviewers[Math.floor(rnd() * reviewers.length)];
		const tier = tiers[Math.floor(rnd() * 3)];
		const requested = start + Math.floor(k * 0.7) * 86400000 + Math.floor(rnd() * 8) * 3600000;
		const exec = `e${k}`;
		const key = `k${k}`;
		out.push(rec(++seq, { event: 'requested', reviewerId: reviewer, tier, executionId: exec, itemKey: key, requestedAt: new Date(requested).toISOString(), details: { expiresAt: new Date(requested + 2 * 86400000).toISOString() } }));
		const roll = rnd();
		const queue = Math.floor((5 + rnd() * 240) * 60000);
		const decidedAt = new Date(requested + queue).toISOString();
		if (roll < 0.08) {
			out.push(rec(++seq, { event: 'expired', tier, executionId: exec, itemKey: key, recordedAt: new Date(requested + 2 * 86400000).toISOString() }));
		} else if (roll < 0.95) {
			const decision = roll < 0.6 ? 'approved' : roll < 0.8 ? 'approved_with_edits' : 'rejected';
			const viewedAt = new Date(requested + queue - (rnd() < 0.1 ? 3000 : 120000)).toISOString();
			out.push(rec(++seq, { event: 'decided', decision, reviewerId: reviewer, tier, executionId: exec, itemKey: key, viewedAt, decidedAt, queueTimeMs: queue }));
		}
		if (k % 9 === 0) out.push(rec(++seq, { event: 'sampled', tier: 'low', itemKey: `s${k}`, recordedAt: new Date(requested).toISOString() }));
	}
	out.push(rec(++seq, { event: 'decision_too_fast', reviewerId: 'bob@example.com', tier: 'high', recordedAt: '2026-11-03T10:00:00Z' }));
	out.push(rec(++seq, { event: 'self_approval_refused', reviewerId: 'alice@example.com', tier: 'medium', recordedAt: '2026-11-04T10:00:00Z' }));
	return out;
}

async function reportHtml(): Promise<string> {
	const log = sampleLog();
	const rows = await computeMetrics(log, { period: 'week', fastThresholdSeconds: 10, asOf: '2026-12-01T00:00:00Z', dimensions: ['period', 'reviewer', 'tier'] });
	return renderReport({
		title: 'Hiring review — weekly report',
		chain: 'hiring',
		periodUnit: 'week',
		from: '2026-10-19T00:00:00Z',
		to: '2026-11-30T23:59:59Z',
		generatedAt: '2026-12-01T07:00:00.000Z',
		fastThresholdSeconds: 10,
		rows,
		deadlines: { deadlineTriggersLive: 1, deadlineTriggerLastSeenAt: '2026-12-01T06:59:30.000Z', overdueUnattended: 2, overdueReminders: 1, overdueEscalations: 1, overdueDeadlines: 0, oldestOverdueDueAt: '2026-11-30T09:00:00.000Z' },
		verification: { ok: true, recordsChecked: log.length, headSeq: log.length, headHash: '3f5a9c0e'.repeat(8), firstBad: null, checkpoint: null, verifiedAt: '2026-12-01T07:00:00.000Z' },
	}).html;
}

let browser: Browser;
let html: string;

beforeAll(async () => {
	// Fail, never skip: a missing browser must not look like a passing suite.
	if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	mkdirSync(SHOTS, { recursive: true });
	mkdirSync(DOC_IMAGES, { recursive: true });
	html = await reportHtml();
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
	});
});

afterAll(async () => {
	await browser?.close();
});

interface Opened {
	context: BrowserContext;
	page: Page;
	/** Every request the page made after its own document (should stay empty). */
	requests: string[];
}

/** Serves the report as a file would open; any other request is recorded and aborted. */
async function open(viewport: { width: number; height: number }, bypassCSP = false): Promise<Opened> {
	const context = await browser.newContext({ viewport, bypassCSP });
	const requests: string[] = [];
	await context.route('**/*', async (route) => {
		if (route.request().url() === URL_) {
			await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
			return;
		}
		await route.abort();
	});
	const page = await context.newPage();
	page.on('request', (r) => {
		if (r.url() !== URL_) requests.push(`${r.method()} ${r.url()}`);
	});
	await page.goto(URL_);
	await page.waitForLoadState('load');
	return { context, page, requests };
}

const LAYOUT = `(() => ({
	scrollWidth: document.scrollingElement.scrollWidth,
	innerWidth: window.innerWidth,
	scripts: document.scripts.length,
	pwned: window.__pwned === 1,
	svgs: [...document.querySelectorAll('svg[role="img"]')].map((s) => ({ label: s.getAttribute('aria-labelledby'), width: s.getBoundingClientRect().width })),
	wideTables: [...document.querySelectorAll('.table-wrap')].map((w) => w.scrollWidth > w.clientWidth),
	status: document.querySelector('.status h2').textContent,
	text: document.body.innerText,
}))()`;

interface Layout {
	scrollWidth: number;
	innerWidth: number;
	scripts: number;
	pwned: boolean;
	svgs: Array<{ label: string; width: number }>;
	wideTables: boolean[];
	status: string;
	text: string;
}

describe('admin report in Chromium', () => {
	test.each([
		['desktop', DESKTOP],
		['mobile', PHONE],
	] as const)('%s: no horizontal overflow, no request, no script; the hostile id is text', async (name, viewport) => {
		const o = await open(viewport);
		const layout = (await o.page.evaluate(LAYOUT)) as Layout;
		expect(layout.scrollWidth).toBe(layout.innerWidth);
		expect(o.requests).toEqual([]);
		expect(layout.scripts).toBe(0);
		expect(layout.pwned).toBe(false);
		expect(layout.status).toBe('Chain verification: ok');
		expect(layout.text).toContain(EVIL);
		expect(layout.svgs).toHaveLength(3);
		for (const svg of layout.svgs) expect(svg.width).toBeLessThanOrEqual(viewport.width);
		if (name === 'mobile') expect(layout.wideTables.some(Boolean)).toBe(true); // they scroll in their region
		await o.page.screenshot({ path: path.join(SHOTS, `report-${name}.png`), fullPage: true });
		if (name === 'desktop') await o.page.screenshot({ path: path.join(DOC_IMAGES, 'report-desktop.png'), fullPage: true });
		await o.context.close();
	});

	test.each([
		['desktop', DESKTOP],
		['mobile', PHONE],
	] as const)('%s: axe-core finds no serious or critical WCAG 2.2 A/AA violation', async (_name, viewport) => {
		// axe is injected as a script: only in a context that bypasses the report's (script-free) CSP.
		const o = await open(viewport, true);
		await o.page.addScriptTag({ content: AXE_SOURCE });
		const violations = (await o.page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
			.then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => v.id + ': ' + v.help + ' → ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
		expect(violations).toEqual([]);
		await o.context.close();
	});
});
