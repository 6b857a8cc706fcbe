/**
 * The review page and the message pages as a recruiter meets them, in headless Chromium (Debian's,
 * via playwright-core), served with the gate's real headers (CSP on) from pure render functions:
 *
 * - at 390×844 (a phone), 320 px wide (200 % zoom of a small laptop) and 1280×800, nothing scrolls
 *   sideways and the way to the decision is on the first screen;
 * - an HTML body reads as formatted text, not as `<p>` source;
 * - hostile HTML is inert: no script runs, no request leaves the page, no form but ours;
 * - axe-core finds no serious or critical WCAG 2.2 A/AA violation.
 *
 * The batch page (a choice per item) gets the same checks, plus: every choice and button is a 44 px
 * target, each item's radio group is a fieldset with a legend, and a tap on a label chooses.
 *
 * Screenshots go to reports/screenshots/ (test artifacts) and the README images to docs/images/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { parseBatchForm, renderBatchPage, renderMessagePage, renderReviewPage, securityHeaders, standardMessage, type StandardMessage } from '../../../nodes/HitlGate/page';
import { hostileHtmlView, recruiterBatchPageView, recruiterBatchView, recruiterView } from './recruiterDraft';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ORIGIN = 'http://gate.test';
const URL_ = `${ORIGIN}/webhook-waiting/41/node-1?signature=abc123&t=payload.sig`;
const ROOT = path.resolve(__dirname, '../../..');
const SHOTS = path.join(ROOT, 'reports/screenshots');
const DOC_IMAGES = path.join(ROOT, 'docs/images');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PHONE = { width: 390, height: 844 };
const ZOOMED = { width: 320, height: 640 };
const DESKTOP = { width: 1280, height: 800 };

jest.setTimeout(90_000);

let browser: Browser;

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

interface Opened {
	context: BrowserContext;
	page: Page;
	/** Every request the page made after its own document (should stay empty). */
	requests: string[];
	console: string[];
}

/** Serves `html` at the link URL with the gate's headers; any other request is recorded and aborted. */
async function open(html: string, viewport: { width: number; height: number }, options: { bypassCSP?: boolean; scale?: number } = {}): Promise<Opened> {
	const context = await browser.newContext({ viewport, deviceScaleFactor: options.scale ?? 1, bypassCSP: options.bypassCSP ?? false });
	const requests: string[] = [];
	await context.route('**/*', async (route) => {
		const req = route.request();
		if (req.url() === URL_ && req.method() === 'GET') {
			await route.fulfill({ status: 200, headers: securityHeaders(), body: html });
			return;
		}
		await route.abort();
	});
	const page = await context.newPage();
	const opened: Opened = { context, page, requests, console: [] };
	page.on('request', (r) => {
		if (r.url() !== URL_) requests.push(`${r.method()} ${r.url()}`);
	});
	page.on('console', (m) => opened.console.push(m.text()));
	await page.goto(URL_);
	await page.waitForLoadState('load');
	return opened;
}

/** Browser-side code as strings: this project compiles without the DOM library. */
const LAYOUT = `(() => {
	const el = document.scrollingElement;
	const rect = (sel) => { const e = document.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, height: r.height, width: r.width }; };
	return {
		scrollWidth: el.scrollWidth,
		innerWidth: window.innerWidth,
		approve: rect('button[value="approve"]'),
		reject: rect('button[value="reject"]'),
		jump: rect('.decide-bar a'),
		risk: rect('#risk-h'),
		title: rect('h1'),
	};
})()`;

interface Rect { top: number; bottom: number; height: number; width: number }
interface Layout { scrollWidth: number; innerWidth: number; approve: Rect | null; reject: Rect | null; jump: Rect | null; risk: Rect | null; title: Rect | null }

async function axeSeriousViolations(html: string, viewport: { width: number; height: number }): Promise<string[]> {
	// axe is injected as a script: only in a context that bypasses the page's (script-free) CSP.
	const o = await open(html, viewport, { bypassCSP: true });
	await o.page.addScriptTag({ content: AXE_SOURCE });
	const result = (await o.page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
		.then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
			.map((v) => v.id + ': ' + v.help + ' → ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
	await o.context.close();
	return result;
}

async function shoot(o: Opened, name: string, fullPage: boolean, alsoDocs?: string): Promise<void> {
	await o.page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
	if (alsoDocs) await o.page.screenshot({ path: path.join(DOC_IMAGES, alsoDocs), fullPage });
}

const PAGES: Array<[string, () => string]> = [
	['review-single', () => renderReviewPage(recruiterView())],
	['review-batch', () => renderReviewPage(recruiterBatchView())],
	['review-error', () => renderReviewPage(recruiterView({ error: 'Please give a reason for rejecting: it is recorded with your decision.', commentError: 'Give the reason for rejecting.' }))],
	['review-hostile', () => renderReviewPage(hostileHtmlView())],
];

describe('review page on a phone and a desktop', () => {
	test.each([
		['mobile', PHONE, 2],
		['zoom200', ZOOMED, 1],
		['desktop', DESKTOP, 1],
	] as const)('%s: no horizontal overflow; title, risk and the way to the decision on the first screen', async (name, viewport, scale) => {
		for (const [pageName, render] of PAGES) {
			const o = await open(render(), viewport, { scale });
			const layout = (await o.page.evaluate(LAYOUT)) as Layout;
			expect({ page: pageName, scrollWidth: layout.scrollWidth }).toEqual({ page: pageName, scrollWidth: layout.innerWidth });
			expect(layout.title?.top).toBeGreaterThanOrEqual(0);
			expect(layout.risk?.bottom).toBeLessThanOrEqual(viewport.height);
			// The decision itself, or the bar that jumps to it, is visible without scrolling.
			const approveVisible = layout.approve !== null && layout.approve.bottom <= viewport.height;
			const jumpVisible = layout.jump !== null && layout.jump.top >= 0 && layout.jump.bottom <= viewport.height;
			expect(approveVisible || jumpVisible).toBe(true);
			// Big targets (WCAG 2.5.8 asks 24 px; the brief asks 44 px).
			expect(layout.approve?.height).toBeGreaterThanOrEqual(44);
			expect(layout.reject?.height).toBeGreaterThanOrEqual(44);
			expect(layout.jump?.height).toBeGreaterThanOrEqual(44);
			expect(o.requests).toEqual([]);
			expect(o.console.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
			const docs = pageName === 'review-single' && name !== 'zoom200' ? `review-page-${name}.png` : undefined;
			await shoot(o, `${pageName}-${name}`, false, docs);
			await shoot(o, `${pageName}-${name}-full`, true);
			await o.context.close();
		}
	});

	test('the jump bar leads to the decision, and the Approve button is then on screen', async () => {
		const o = await open(renderReviewPage(recruiterView()), PHONE);
		await o.page.click('.decide-bar a');
		await o.page.waitForTimeout(100);
		const layout = (await o.page.evaluate(LAYOUT)) as Layout;
		expect(layout.approve?.top).toBeGreaterThanOrEqual(0);
		expect(layout.approve?.bottom).toBeLessThanOrEqual(PHONE.height);
		expect(o.page.url()).toBe(`${URL_}#decision`);
		expect(o.requests).toEqual([]);
		await o.context.close();
	});

	test.each([
		['read-only (batch)', recruiterBatchView],
		['editable (single: preview above the source box)', recruiterView],
	])('%s: the HTML body reads as formatted text, no tag visible outside the source view; link address shown, not followable', async (_name, view) => {
		const o = await open(renderReviewPage(view()), PHONE);
		const seen = (await o.page.evaluate(`(() => {
			const preview = document.querySelector('.preview');
			const outsideSource = [...document.querySelectorAll('form > *')].map((e) => {
				const clone = e.cloneNode(true);
				clone.querySelectorAll('details.source, textarea').forEach((d) => d.remove());
				return clone.innerText;
			}).join('\\n');
			const link = preview.querySelector('.link');
			return {
				previewText: preview.innerText,
				paragraphs: preview.querySelectorAll('p').length,
				outsideSource,
				linkAfter: getComputedStyle(link, '::after').content,
				anchors: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
				source: [...document.querySelectorAll('details.source, textarea[name="edit.body"]')].map((d) => [d.open ?? null, (d.querySelector('pre') ?? d).textContent]),
				font: getComputedStyle(document.querySelector('.text')).fontFamily,
			};
		})()`)) as Record<string, string | number | boolean | string[]>;
		expect(seen.previewText).toContain('Dear Anna,');
		expect(seen.paragraphs).toBe(5);
		expect(seen.outsideSource).not.toMatch(/<\/?p>|<strong>|<br>/);
		expect(seen.linkAfter).toBe('" <https://acme.example/privacy>"');
		expect(seen.anchors).toEqual(['#decision']);
		// The source is there, folded away (read-only) or in the edit box: never open by default.
		const source = seen.source as unknown as Array<[boolean | null, string]>;
		const body = source.find(([, text]) => text.includes('<p>Dear Anna,</p>'));
		expect(body).toBeDefined();
		expect(body?.[0]).not.toBe(true);
		expect(String(seen.font)).not.toMatch(/mono/i);
		await o.context.close();
	});

	test('hostile HTML is inert with scripts on and the CSP bypassed: nothing runs, loads or posts', async () => {
		for (const bypassCSP of [false, true]) {
			const o = await open(renderReviewPage(hostileHtmlView()), PHONE, { bypassCSP });
			await o.page.waitForTimeout(300);
			const state = await o.page.evaluate(`({
				pwned: window.__pwned ?? null,
				scripts: document.scripts.length,
				handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
				styleAttrs: document.querySelectorAll('[style]').length,
				styles: document.querySelectorAll('style').length,
				remote: [...document.querySelectorAll('[src],[href],[background],[poster],[data],[action]')].map((e) => e.outerHTML.slice(0, 80)).filter((h) => !h.startsWith('<a href="#decision"')),
				frames: document.querySelectorAll('iframe, object, embed, video, svg, link, base, meta[http-equiv]').length,
				forms: document.forms.length,
				blocked: document.querySelectorAll('.preview .blocked').length,
			})`);
			expect(state).toEqual({ pwned: null, scripts: 0, handlers: [], styleAttrs: 0, styles: 1, remote: [], frames: 0, forms: 1, blocked: 9 });
			expect(o.requests).toEqual([]);
			// The decision buttons are still there and visible: the draft's CSS did not hide them.
			expect(await o.page.isVisible('button[value="approve"]')).toBe(true);
			await o.context.close();
		}
	});
});

const BATCH_LAYOUT = `(() => {
	const el = document.scrollingElement;
	const rect = (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, height: r.height, width: r.width }; };
	return {
		scrollWidth: el.scrollWidth,
		innerWidth: window.innerWidth,
		title: rect(document.querySelector('h1')),
		risk: rect(document.querySelector('#risk-h')),
		jump: rect(document.querySelector('.decide-bar a')),
		targets: [...document.querySelectorAll('label.option, .decision button:not([hidden])')].map((e) => ({ text: e.textContent.trim(), height: rect(e).height })),
		radios: [...document.querySelectorAll('input[type=radio]')].map((r) => { const f = r.closest('fieldset'); return f && f.querySelector(':scope > legend') ? f.querySelector(':scope > legend').textContent : null; }),
	};
})()`;

const BATCH_PAGES: Array<[string, () => string]> = [
	['review-batch-items', () => renderBatchPage(recruiterBatchPageView())],
	// Nothing refused yet and Approve all offered (no High item). axe measures target overlap at the
	// current scroll position: a text box that happens to sit just under the sticky decision bar is
	// reported as a small target, on any page of this layout — see the report to the lead.
	['review-batch-items-clean', () => renderBatchPage(recruiterBatchPageView({ approveAllOffered: true, approveAllNote: undefined, items: recruiterBatchPageView().items.map((i) => ({ ...i, error: undefined, choice: null })) }))],
];

describe('batch page (a decision per item) on a phone and a desktop', () => {
	test.each([
		['mobile', PHONE, 2],
		['zoom200', ZOOMED, 1],
		['desktop', DESKTOP, 1],
	] as const)('%s: no horizontal overflow; the way to the decisions on the first screen; every choice a 44 px target in a fieldset with a legend', async (name, viewport, scale) => {
		for (const [pageName, render] of BATCH_PAGES) {
			const o = await open(render(), viewport, { scale });
			const layout = (await o.page.evaluate(BATCH_LAYOUT)) as { scrollWidth: number; innerWidth: number; title: Rect; risk: Rect; jump: Rect; targets: Array<{ text: string; height: number }>; radios: Array<string | null> };
			expect({ page: pageName, scrollWidth: layout.scrollWidth }).toEqual({ page: pageName, scrollWidth: layout.innerWidth });
			expect(layout.title.top).toBeGreaterThanOrEqual(0);
			expect(layout.risk.bottom).toBeLessThanOrEqual(viewport.height);
			expect(layout.jump.top).toBeGreaterThanOrEqual(0);
			expect(layout.jump.bottom).toBeLessThanOrEqual(viewport.height);
			expect(layout.jump.height).toBeGreaterThanOrEqual(44);
			expect(layout.targets.length).toBeGreaterThanOrEqual(9 + 2);
			expect(layout.targets.filter((t) => t.height < 44)).toEqual([]);
			expect(layout.radios).toHaveLength(9);
			expect(layout.radios).toEqual(['Your decision on item 2', 'Your decision on item 2', 'Your decision on item 2', 'Your decision on item 3', 'Your decision on item 3', 'Your decision on item 3', 'Your decision on item 4', 'Your decision on item 4', 'Your decision on item 4']);
			expect(o.requests).toEqual([]);
			expect(o.console.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
			await shoot(o, `${pageName}-${name}`, false);
			await shoot(o, `${pageName}-${name}-full`, true);
			// The README's image: an item's choices and reason box, mid-screen.
			await o.page.evaluate(`document.querySelector('fieldset.choice').scrollIntoView({ block: 'center' })`);
			const docs = pageName === 'review-batch-items' && name === 'mobile' ? 'review-page-batch-mobile.png' : undefined;
			await shoot(o, `${pageName}-${name}-item`, false, docs);
			await o.context.close();
		}
	});

	test('a tap on a choice\'s label selects it, one choice per item; Enter on a choice decides nothing', async () => {
		const o = await open(renderBatchPage(recruiterBatchPageView()), PHONE);
		const posts: Array<string | null> = [];
		o.page.on('request', (r) => {
			if (r.method() === 'POST') posts.push(r.postData());
		});
		await o.page.click('label.option-approve >> nth=0');
		await o.page.click('label.option-reject >> nth=1');
		const checked = await o.page.evaluate(`[...document.querySelectorAll('input[type=radio]:checked')].map((r) => r.name + '=' + r.value)`);
		expect(checked).toEqual(['decision.1=approve', 'decision.2=reject', 'decision.3=reject']);
		// Enter in a text box sends nothing (the disabled default button); Enter on a radio button makes
		// Chromium click the first enabled submit button — the page's no-op, whose empty bulk decides nothing.
		await o.page.focus('#comment-1');
		await o.page.keyboard.press('Enter');
		await o.page.waitForTimeout(200);
		expect(posts).toEqual([]);
		await o.page.focus('input[name="decision.1"][value="approve"]');
		await o.page.keyboard.press('Enter');
		await o.page.waitForTimeout(300);
		expect(o.requests).toEqual([]);
		expect(posts.map((body) => new URLSearchParams(body ?? '').get('bulk'))).toEqual(['']);
		const parsed = parseBatchForm(posts[0]);
		expect(parsed).toMatchObject({ ok: true, form: { bulk: null } });
		await o.context.close();
	});
});

describe('axe-core: no serious or critical WCAG 2.2 AA violation', () => {
	test.each(PAGES)('%s', async (_name, render) => {
		expect(await axeSeriousViolations(render(), PHONE)).toEqual([]);
	});

	test.each(BATCH_PAGES)('%s', async (_name, render) => {
		expect(await axeSeriousViolations(render(), PHONE)).toEqual([]);
	});

	const messages: StandardMessage[] = [
		{ kind: 'recorded', decision: 'approve' },
		{ kind: 'batch_recorded', approved: 2, rejected: 1 },
		{ kind: 'batch_done' },
		{ kind: 'already', reviewer: 'ben@acme.example', at: '2026-11-25T10:31:07.000Z' },
		{ kind: 'invalid' },
		{ kind: 'expired' },
		{ kind: 'csrf' },
		{ kind: 'error' },
	];
	test.each(messages.map((m) => [m.kind, m] as const))('message page %s (and no overflow at 320 px)', async (kind, m) => {
		const html = renderMessagePage(standardMessage(m));
		expect(await axeSeriousViolations(html, PHONE)).toEqual([]);
		const o = await open(html, ZOOMED);
		const layout = (await o.page.evaluate(LAYOUT)) as Layout;
		expect(layout.scrollWidth).toBe(layout.innerWidth);
		await shoot(o, `message-${kind}-mobile`, false);
		await o.context.close();
	});
});
