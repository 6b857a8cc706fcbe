/**
 * The review email's HTML part as a phone shows it, in headless Chromium (Debian's, via
 * playwright-core): at 390 px (a phone) and 320 px (a small phone, or 200 % zoom) nothing scrolls
 * sideways — long links and unbroken words wrap — every button is at least 44 px tall with at least
 * 4.5:1 contrast, the mail loads nothing from the network, and axe-core finds no serious or critical
 * violation. Scripts are off, as in every mail client. The README's docs/images/review-email-mobile.png
 * is the common case (one item per request) at 390 px; all screenshots also go to reports/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { renderReviewEmail, type ReviewerMail } from '../../../nodes/HitlGate/notify/email';
import { DEADLINE, recruiterMail, WORKFLOW } from './emailFixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const URL_ = 'http://mail.test/review-email.html';
const ROOT = path.resolve(__dirname, '../../..');
const SHOTS = path.join(ROOT, 'reports/screenshots');
const DOC_IMAGES = path.join(ROOT, 'docs/images');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

jest.setTimeout(90_000);

let browser: Browser;
/** Two entries: item 2 alone (HTML body, nested record, long link, unbroken word) and a batch of five. */
const html = renderReviewEmail(recruiterMail(), DEADLINE, WORKFLOW).html;
/** Item 2 alone, as most reviewers get it (one request per item). */
const single: ReviewerMail = { ...recruiterMail(), entries: recruiterMail().entries.slice(0, 1) };
const singleHtml = renderReviewEmail(single, DEADLINE, WORKFLOW).html;

beforeAll(async () => {
	// Fail, never skip: a missing browser must not look like a passing suite.
	if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	mkdirSync(SHOTS, { recursive: true });
	mkdirSync(DOC_IMAGES, { recursive: true });
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
	});
});

afterAll(async () => {
	await browser?.close();
});

/** Opens the mail at `width`; every request other than the mail itself is recorded and aborted. */
async function openMail(
	width: number,
	options: { scripts?: boolean; body?: string } = {},
): Promise<{ page: Page; requests: string[]; close: () => Promise<void> }> {
	const context = await browser.newContext({ viewport: { width, height: 844 }, deviceScaleFactor: 2, javaScriptEnabled: options.scripts ?? false });
	const requests: string[] = [];
	await context.route('**/*', async (route) => {
		if (route.request().url() === URL_) {
			await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: options.body ?? html });
			return;
		}
		requests.push(route.request().url());
		await route.abort();
	});
	const page = await context.newPage();
	await page.goto(URL_);
	await page.waitForLoadState('load');
	return { page, requests, close: async () => await context.close() };
}

/** Browser-side code as a string: this project compiles without the DOM library. */
const MEASURE = `(() => {
	const el = document.scrollingElement;
	const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.tagName + ': ' + (e.textContent || '').slice(0, 40));
	const buttons = [...document.querySelectorAll('a')].map((a) => {
		const r = a.getBoundingClientRect();
		const s = getComputedStyle(a);
		return { text: a.textContent, height: r.height, width: r.width, color: s.color, background: s.backgroundColor, cell: getComputedStyle(a.parentElement).backgroundColor };
	});
	return { scrollWidth: el.scrollWidth, innerWidth: window.innerWidth, wide, buttons };
})()`;

interface Measured {
	scrollWidth: number;
	innerWidth: number;
	wide: string[];
	buttons: Array<{ text: string; height: number; width: number; color: string; background: string; cell: string }>;
}

/** WCAG 2.x contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
	const luminance = (rgb: string): number => {
		const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
			const c = Number(v) / 255;
			return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
		});
		return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
	};
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (hi + 0.05) / (lo + 0.05);
}

describe('review email in Chromium', () => {
	test.each([
		['mobile', 390],
		['small', 320],
	] as const)('%s (%i px): no horizontal overflow; buttons ≥ 44 px tall with ≥ 4.5:1 contrast; nothing loaded', async (name, width) => {
		const o = await openMail(width);
		const m = (await o.page.evaluate(MEASURE)) as Measured;
		expect(m.innerWidth).toBe(width);
		expect(m.wide).toEqual([]);
		expect(m.scrollWidth).toBeLessThanOrEqual(m.innerWidth);
		expect(m.buttons.map((b) => b.text)).toEqual(['Review item 2', 'Review batch of 5 items']);
		for (const b of m.buttons) {
			expect(b.height).toBeGreaterThanOrEqual(44);
			expect(b.width).toBeGreaterThanOrEqual(44);
			expect(b.background).toBe(b.cell);
			expect(contrast(b.color, b.background)).toBeGreaterThanOrEqual(4.5);
		}
		expect(o.requests).toEqual([]);
		await o.page.screenshot({ path: path.join(SHOTS, `review-email-${name}.png`), fullPage: true });
		await o.close();
	});

	test('the README image: one item at 390 px, no overflow', async () => {
		const o = await openMail(390, { body: singleHtml });
		const m = (await o.page.evaluate(MEASURE)) as Measured;
		expect(m.scrollWidth).toBeLessThanOrEqual(m.innerWidth);
		expect(m.buttons.map((b) => b.text)).toEqual(['Review item 2']);
		await o.page.screenshot({ path: path.join(DOC_IMAGES, 'review-email-mobile.png'), fullPage: true });
		await o.page.screenshot({ path: path.join(SHOTS, 'review-email-single-mobile.png'), fullPage: true });
		await o.close();
	});

	test('the check can fail: a fixed 600 px table overflows a 390 px screen', async () => {
		const o = await openMail(390, { body: html.replace('max-width:600px', 'width:600px;min-width:600px') });
		const m = (await o.page.evaluate(MEASURE)) as Measured;
		expect(m.scrollWidth).toBeGreaterThan(m.innerWidth);
		expect(m.wide.length).toBeGreaterThan(0);
		await o.close();
	});

	test('the summary starts on the first screen: the first item’s title and tier within 844 px', async () => {
		const o = await openMail(390);
		const first = (await o.page.evaluate(`(() => ({
			heading: document.querySelector('h3').getBoundingClientRect().bottom,
			tier: document.querySelector('h3 + p').getBoundingClientRect().bottom,
		}))()`)) as { heading: number; tier: number };
		expect(first.heading).toBeLessThan(844);
		expect(first.tier).toBeLessThan(844);
		await o.close();
	});

	test('axe-core: no serious or critical WCAG 2.2 A/AA violation', async () => {
		// axe needs scripts; the mail itself has none to run.
		const o = await openMail(390, { scripts: true });
		await o.page.addScriptTag({ content: AXE_SOURCE });
		const violations = (await o.page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
			.then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => v.id + ': ' + v.help + ' → ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
		expect(violations).toEqual([]);
		await o.close();
	});
});
