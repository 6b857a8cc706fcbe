/**
 * The review page in a real browser (Debian's Chromium via playwright-core; no browser download).
 * Proves what parse-level checks cannot: with scripts ON and the CSP switched OFF, nothing from a
 * hostile draft runs; the form posts back to the link's own URL; an untouched form yields no edits
 * (browsers send CR LF and drop a textarea's first newline); Enter does not submit; and with the CSP
 * on, the hashed inline style applies without any violation.
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';

import { applyEdits } from '../../../core/edits';
import { parseDecisionForm, renderMessagePage, renderReviewPage, securityHeaders, standardMessage } from '../../../nodes/HitlGate/page';
import { HOSTILE_DRAFT, HOSTILE_EDITABLE, hostileView } from './hostile';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const URL_ = 'http://gate.test/webhook-waiting/41/node-1?signature=abc123&t=payload.sig';

jest.setTimeout(60_000);

let browser: Browser;

beforeAll(async () => {
	// Fail, never skip: a missing browser must not look like a passing suite.
	if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
	});
});

afterAll(async () => {
	await browser?.close();
});

interface Served {
	context: BrowserContext;
	posts: Request[];
	dialogs: string[];
	console: string[];
}

async function serve(bypassCSP: boolean): Promise<Served> {
	const context = await browser.newContext({ bypassCSP, javaScriptEnabled: true });
	const posts: Request[] = [];
	// Nothing may leave the page for another origin: every such request aborts and fails the test below.
	await context.route('**/*', async (route) => {
		const req = route.request();
		if (!req.url().startsWith('http://gate.test/')) {
			posts.push(req);
			await route.abort();
			return;
		}
		if (req.method() === 'POST') {
			posts.push(req);
			await route.fulfill({ status: 200, headers: securityHeaders(), body: renderMessagePage(standardMessage({ kind: 'recorded', decision: 'approve' })) });
			return;
		}
		await route.fulfill({ status: 200, headers: securityHeaders(), body: renderReviewPage(hostileView()) });
	});
	const served: Served = { context, posts, dialogs: [], console: [] };
	context.on('page', (p) => {
		p.on('dialog', (d) => {
			served.dialogs.push(d.message());
			void d.dismiss();
		});
		p.on('console', (m) => served.console.push(m.text()));
	});
	return served;
}

describe('review page in Chromium', () => {
	test('scripts on, CSP off: nothing from the hostile draft executes or loads', async () => {
		const s = await serve(true);
		const page = await s.context.newPage();
		await page.goto(URL_);
		await page.waitForTimeout(300);
		// Browser-side code as a string: this project compiles without the DOM library.
		const state = await page.evaluate(`({
			pwned: window.__pwned ?? null,
			scripts: document.scripts.length,
			handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
			dangerous: document.querySelectorAll('a:not([href="#decision"]), img, svg, iframe, base, link, object, embed, meta[http-equiv]').length,
			forms: document.forms.length,
			location: location.href,
		})`);
		expect(state).toEqual({ pwned: null, scripts: 0, handlers: [], dangerous: 0, forms: 1, location: URL_ });
		expect(s.dialogs).toEqual([]);
		expect(s.posts).toEqual([]);
		await s.context.close();
	});

	test('textareas hold the exact draft values; an untouched Approve posts to the link URL and yields no edits', async () => {
		const s = await serve(true);
		const page = await s.context.newPage();
		await page.goto(URL_);
		const values = (await page.evaluate(
			`[...document.querySelectorAll('textarea[name^="edit."]')].map((e) => [e.name, e.value])`,
		)) as Array<[string, string]>;
		for (const [name, value] of values) {
			let v: unknown = HOSTILE_DRAFT;
			for (const seg of name.slice(5).split('.')) v = (v as Record<string, unknown>)[seg];
			expect(value).toBe(typeof v === 'string' ? v.replace(/\u0000/g, '\uFFFD') : JSON.stringify(v, null, 2));
		}
		await page.click('button[value="approve"]');
		await page.waitForLoadState();
		expect(s.posts).toHaveLength(1);
		const post = s.posts[0];
		expect(post.url()).toBe(URL_); // n8n's signature and our t come along
		const parsed = parseDecisionForm(post.postData() ?? '');
		expect(parsed).toMatchObject({ ok: true, form: { csrf: 'csrf-token-value_123', decision: 'approve', comment: '' } });
		if (!parsed.ok) return;
		expect(Object.keys(parsed.form.edits).sort()).toEqual([...HOSTILE_EDITABLE].sort());
		expect(applyEdits(HOSTILE_DRAFT, HOSTILE_EDITABLE, parsed.form.edits)).toEqual({ ok: true, final: HOSTILE_DRAFT, edits: [] });
		await s.context.close();
	});

	test('an edited field and a reason: exactly that edit is recorded; Enter in a text box never submits', async () => {
		const s = await serve(true);
		const page = await s.context.newPage();
		await page.goto(URL_);
		await page.fill('textarea[name="edit.subject"]', 'Offer for Jane Roe');
		await page.fill('textarea[name="edit.amount"]', '1500');
		await page.focus('textarea[name="comment"]');
		await page.keyboard.type('Amount was wrong.');
		await page.keyboard.press('Enter');
		await page.waitForTimeout(200);
		expect(s.posts).toHaveLength(0);
		await page.click('button[value="reject"]');
		await page.waitForLoadState();
		expect(s.posts).toHaveLength(1);
		const parsed = parseDecisionForm(s.posts[0].postData() ?? '');
		expect(parsed).toMatchObject({ ok: true, form: { decision: 'reject', comment: 'Amount was wrong.\r\n' } });
		if (!parsed.ok) return;
		expect(applyEdits(HOSTILE_DRAFT, HOSTILE_EDITABLE, parsed.form.edits)).toEqual({
			ok: true,
			final: { ...HOSTILE_DRAFT, subject: 'Offer for Jane Roe', amount: 1500 },
			edits: [
				{ path: 'subject', before: HOSTILE_DRAFT.subject, after: 'Offer for Jane Roe' },
				{ path: 'amount', before: 1200, after: 1500 },
			],
		});
		await s.context.close();
	});

	test('CSP on: the hashed inline style applies and the browser reports no violation', async () => {
		const s = await serve(false);
		const page = await s.context.newPage();
		await page.goto(URL_);
		const approveBg = await page.evaluate(`getComputedStyle(document.querySelector('button[value="approve"]')).backgroundColor`);
		expect(approveBg).toBe('rgb(26, 127, 55)'); // #1a7f37 from the style sheet
		expect(s.console.filter((m) => /Content Security Policy/i.test(m))).toEqual([]);
		await s.context.close();
	});
});
