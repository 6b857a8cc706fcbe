/**
 * Checks a server test runs on a page of the gate as Chromium shows it, at the sizes the issue names
 * (390×844, a phone; 1280×800, a laptop): nothing wider than the screen, the decision reachable from
 * the first screen where the page has one, axe-core's WCAG 2.2 A/AA rules with no serious or critical
 * violation, the text a person reads free of JSON and stack traces, and a full-page screenshot under
 * reports/screenshots named after the page and the width.
 *
 * Pages reached by a POST (a decision's answer, a preview) cannot be loaded twice, so every check runs
 * on the page as it is: the two sizes by resizing it, and axe injected into it. axe is evaluated
 * through the DevTools protocol (`page.evaluate`), which the page's script-free CSP does not govern,
 * so the page keeps its real CSP while it is checked.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'reports', 'screenshots');

export interface Viewport {
	width: number;
	height: number;
}

export const PHONE: Viewport = { width: 390, height: 844 };
export const LAPTOP: Viewport = { width: 1280, height: 800 };
/** Phone first: a page reached by a POST is loaded at the phone size, then resized. */
export const VIEWPORTS: readonly Viewport[] = [PHONE, LAPTOP];

/** The tags axe runs: WCAG 2.0–2.2, levels A and AA. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let axeSource: string | null = null;

/** `reports/screenshots/server-pages-<name>-<width>.png` (the folder is created). */
export function screenshotPath(name: string, viewport: Viewport): string {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	return path.join(SCREENSHOT_DIR, `server-pages-${name}-${viewport.width}.png`);
}

export interface ViewportReport {
	viewport: Viewport;
	/** The document's scroll width: more than `innerWidth` means a horizontal scroll bar. */
	scrollWidth: number;
	innerWidth: number;
	/** Approve (or the batch's Submit decisions) within the first screen, or the bar that jumps to it. */
	decisionReachable: boolean;
	screenshot: string;
}

export interface PageReport {
	/** The page's first heading. */
	title: string;
	/** What a person reads (`innerText` of the body). */
	text: string;
	/** axe's serious and critical violations at the phone size, as `rule: targets`. */
	axe: string[];
	/** Traces of machine output in the text: JSON, a stack trace, a source path. */
	technical: string[];
	viewports: ViewportReport[];
}

async function measure(page: Page, viewport: Viewport): Promise<Omit<ViewportReport, 'viewport' | 'screenshot'>> {
	const m = (await page.evaluate(`(() => {
		const decision = document.querySelector('button[value="approve"], button[value="selected"]');
		const jump = document.querySelector('a[href="#decision"]');
		return {
			scrollWidth: document.scrollingElement.scrollWidth,
			innerWidth: window.innerWidth,
			decisionTop: decision ? decision.getBoundingClientRect().top : null,
			jumpBottom: jump ? jump.getBoundingClientRect().bottom : null,
		};
	})()`)) as { scrollWidth: number; innerWidth: number; decisionTop: number | null; jumpBottom: number | null };
	const reachable = (m.decisionTop !== null && m.decisionTop < viewport.height) || (m.jumpBottom !== null && m.jumpBottom <= viewport.height);
	return { scrollWidth: m.scrollWidth, innerWidth: m.innerWidth, decisionReachable: reachable };
}

/** axe-core's serious and critical WCAG A/AA violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
	axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
	if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
	return (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } })
		.then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
}

/** Signs that a page shows machine output instead of words: JSON, a stack trace, a source file path. */
export function technicalTraces(text: string): string[] {
	const signs: Array<[string, RegExp]> = [
		['JSON object', /\{\s*"[^"]+"\s*:/],
		['stack trace', /\bstack ?trace\b|^\s*at \S+ \(.*:\d+:\d+\)/im],
		['error class', /\b[A-Z][A-Za-z]*Error:/],
		['source path', /\b[\w./-]+\.(?:ts|js):\d+/],
	];
	return signs.filter(([, re]) => re.test(text)).map(([name]) => name);
}

/**
 * Checks the page as it is at each size (phone first; resized, never reloaded), saves a full-page
 * screenshot per size, and runs axe once at the phone size. The caller asserts on the report.
 */
export async function checkPage(page: Page, name: string): Promise<PageReport> {
	const viewports: ViewportReport[] = [];
	let axe: string[] = [];
	for (const viewport of VIEWPORTS) {
		await page.setViewportSize(viewport);
		// The decision bar is judged from the top of the page, as a person landing on it sees it.
		await page.evaluate('window.scrollTo(0, 0)');
		const measured = await measure(page, viewport);
		const screenshot = screenshotPath(name, viewport);
		await page.screenshot({ path: screenshot, fullPage: true });
		viewports.push({ viewport, ...measured, screenshot });
		if (viewport === PHONE) axe = await seriousAxeViolations(page);
	}
	const text = await page.locator('body').innerText();
	const title = (await page.locator('h1').first().innerText()).trim();
	return { title, text, axe, technical: technicalTraces(text), viewports };
}

/** What every checked page must satisfy; `decision`: a review page, whose decision must be reachable at once. */
export function expectReadable(report: PageReport, title: string | RegExp, options: { decision?: boolean } = {}): void {
	if (typeof title === 'string') expect(report.title).toBe(title);
	else expect(report.title).toMatch(title);
	for (const v of report.viewports) {
		expect({ width: v.viewport.width, scrollWidth: v.scrollWidth }).toEqual({ width: v.viewport.width, scrollWidth: v.innerWidth });
		if (options.decision) expect({ width: v.viewport.width, reachable: v.decisionReachable }).toEqual({ width: v.viewport.width, reachable: true });
	}
	expect(report.axe).toEqual([]);
	expect(report.technical).toEqual([]);
}
