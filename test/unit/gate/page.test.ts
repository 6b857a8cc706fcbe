import { createHash } from 'node:crypto';

import fc from 'fast-check';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';

import { escapeHtml, escapeHtmlVisible, hiddenCharacters } from '../../../core/html';
import {
	CONTENT_SECURITY_POLICY,
	renderMessagePage,
	renderReviewPage,
	securityHeaders,
	standardMessage,
	type StandardMessage,
} from '../../../nodes/HitlGate/page';
import { PAGE_CSS } from '../../../nodes/HitlGate/page/styles';
import { HOSTILE_DRAFT, HOSTILE_EDITABLE, HOSTILE_STRINGS, hostileView } from './hostile';

/** Decodes exactly the references our escaper emits (anything else stays visible and fails a comparison). */
function decode(s: string): string {
	return s
		.replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&amp;/g, '&');
}

const ALLOWED_TAGS = new Set([
	'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'h1', 'h2', 'section', 'p', 'strong', 'span',
	'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'pre', 'form', 'input', 'button', 'label', 'textarea', 'div',
	'nav', 'a', 'details', 'summary', 'time',
]);
const ALLOWED_ATTRS = new Set([
	'lang', 'charset', 'name', 'content', 'class', 'role', 'aria-label', 'aria-hidden', 'method', 'accept-charset',
	'autocomplete', 'type', 'value', 'disabled', 'hidden', 'tabindex', 'for', 'id', 'dir', 'spellcheck',
	'aria-labelledby', 'aria-describedby', 'aria-invalid', 'datetime', 'data-href', 'href',
]);

function elements(html: string): Element[] {
	return DomUtils.findAll(() => true, parseDocument(html).children);
}

describe('review page with hostile drafts (parse-level)', () => {
	const html = renderReviewPage(hostileView());
	const all = elements(html);

	test('only expected elements and attributes exist: no script, handler, link, frame, base or refresh', () => {
		expect(all.filter((e) => !ALLOWED_TAGS.has(e.name)).map((e) => e.name)).toEqual([]);
		const attrs = all.flatMap((e) => Object.keys(e.attribs).map((a) => `${e.name}[${a}]`));
		expect(attrs.filter((a) => !ALLOWED_ATTRS.has(a.slice(a.indexOf('[') + 1, -1)))).toEqual([]);
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/<meta[^>]*http-equiv/i);
		expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
		expect(all.filter((e) => e.name === 'form')).toHaveLength(1);
		// The one link is the jump to the decision on this page; a draft's links are inert text.
		expect(all.filter((e) => 'href' in e.attribs).map((e) => `${e.name}:${e.attribs.href}`)).toEqual(['a:#decision']);
		expect(all.filter((e) => e.name === 'style')).toHaveLength(1);
		expect(all.filter((e) => e.name === 'meta').map((m) => m.attribs.name ?? 'charset')).toEqual([
			'charset',
			'viewport',
			'robots',
			'referrer',
		]);
	});

	test('each editable textarea holds exactly the draft value (after the parser-eaten newline)', () => {
		const areas = all.filter((e) => e.name === 'textarea' && e.attribs.name.startsWith('edit.'));
		// In the item's field order, editable paths that are not top-level fields after them.
		expect(areas.map((a) => a.attribs.name).sort()).toEqual(HOSTILE_EDITABLE.map((p) => `edit.${p}`).sort());
		for (const a of areas) {
			const path = a.attribs.name.slice('edit.'.length);
			let expected: unknown = HOSTILE_DRAFT;
			for (const s of path.split('.')) expected = (expected as Record<string, unknown>)[s];
			const text = decode(DomUtils.textContent(a));
			expect(text.startsWith('\n')).toBe(true);
			const value = text.slice(1);
			expect(value).toBe(typeof expected === 'string' ? expected.replace(/\u0000/g, '\uFFFD') : JSON.stringify(expected, null, 2));
		}
	});

	test('read-only values show the text, hidden characters made visible', () => {
		const texts = all.filter((e) => e.attribs.class === 'text').map((p) => decode(DomUtils.textContent(p)));
		expect(texts).toContain('Pay [U+202E]gnp.exe[U+202C] now');
		expect(texts).toContain('NUL[U+0000]byte');
		expect(texts).toContain(HOSTILE_STRINGS[5]); // javascript: URL is only text, never an href
		// Text inside structured data stays text, markup and all.
		expect(texts).toContain('<a href="javascript:window.__pwned=6">click</a>');
		const labels = all.filter((e) => e.name === 'dt').map((d) => decode(DomUtils.textContent(d)));
		expect(labels).toContain('<b>key</b>');
	});

	test('no hostile string appears unescaped in the raw HTML', () => {
		for (const s of HOSTILE_STRINGS.filter((x) => /[<>"']/.test(x))) expect(html).not.toContain(s);
		expect(html).not.toContain('\u0000');
	});

	test('the form: csrf hidden field, two decision buttons, a disabled default button first, Preview changes last, no action', () => {
		const form = all.find((e) => e.name === 'form') as Element;
		expect(form.attribs).toEqual({ method: 'post', 'accept-charset': 'utf-8', autocomplete: 'off' });
		const buttons = DomUtils.findAll((e) => e.name === 'button', [form]);
		expect(buttons.map((b) => [b.attribs.name, b.attribs.value, 'disabled' in b.attribs])).toEqual([
			['decision', '', true],
			['decision', 'approve', false],
			['decision', 'reject', false],
			// The hostile view has editable fields: the button that re-renders with the edits, never decides.
			['preview', '1', false],
		]);
		const csrf = DomUtils.findAll((e) => e.name === 'input', [form]);
		expect(csrf.map((i) => i.attribs)).toEqual([{ type: 'hidden', name: 'csrf', value: 'csrf-token-value_123' }]);
		expect(html).toContain('required to reject');
	});

	test('the decisions a link allows decide which buttons exist', () => {
		const onlyReject = elements(renderReviewPage(hostileView({ decisions: ['reject'] })));
		expect(onlyReject.filter((e) => e.name === 'button' && e.attribs.name === 'decision' && !('disabled' in e.attribs)).map((b) => b.attribs.value)).toEqual(['reject']);
	});

	test('the inline style is exactly the sheet the CSP hash allows; no style attributes', () => {
		const style = all.find((e) => e.name === 'style') as Element;
		const css = DomUtils.textContent(style);
		expect(css).toBe(PAGE_CSS);
		const hash = createHash('sha256').update(css, 'utf8').digest('base64');
		expect(CONTENT_SECURITY_POLICY).toContain(`'sha256-${hash}'`);
		expect(all.some((e) => 'style' in e.attribs)).toBe(false);
	});

	test('error, field error and pre-filled comment are escaped', () => {
		const page = renderReviewPage(
			hostileView({ error: '<b>Please</b> give a reason', comment: '</textarea><script>x</script>' }),
		);
		expect(page).toContain('&lt;b&gt;Please&lt;/b&gt; give a reason');
		expect(page).not.toMatch(/<script/i);
		const comment = elements(page).find((e) => e.name === 'textarea' && e.attribs.name === 'comment') as Element;
		expect(decode(DomUtils.textContent(comment))).toBe('\n</textarea><script>x</script>');
	});

	test('unclassified items say to treat them as high risk; tier class names cannot be injected', () => {
		expect(renderReviewPage(hostileView({ tier: null }))).toContain('treat as high risk');
		const bad = renderReviewPage(hostileView({ tier: '"><script>' as never }));
		expect(bad).not.toMatch(/<script/i);
		expect(bad).toMatch(/not classified/i);
	});

	test('property: arbitrary draft strings never add elements or attributes to the page', () => {
		const baseline = elements(
			renderReviewPage(hostileView({ items: [{ fields: [{ mode: 'read', label: 'x', value: 'x' }, { mode: 'edit', name: 'x', label: 'x', text: 'x', kind: 'text' }] }] })),
		);
		// Hidden characters add marker spans and a warning paragraph tied to the box, long text a class: all ours, so ignored.
		const ours = (e: Element) => (e.name === 'span' && e.attribs.class === 'hidden-char') || (e.name === 'p' && e.attribs.class === 'warn');
		const shape = (els: Element[]) =>
			els
				.filter((e) => !ours(e))
				.map((e) => `${e.name}:${Object.keys(e.attribs).filter((a) => a !== 'class' && a !== 'aria-describedby').join(',')}`)
				.join(' ');
		fc.assert(
			fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (a, b) => {
				const page = renderReviewPage(
					hostileView({ items: [{ fields: [{ mode: 'read', label: a, value: b }, { mode: 'edit', name: a, label: b, text: a + b, kind: 'text' }] }] }),
				);
				expect(shape(elements(page))).toBe(shape(baseline));
			}),
			{ numRuns: 300 },
		);
	});
});

describe('headers', () => {
	test('every required header is set with the contract values', () => {
		const h = securityHeaders();
		expect(h['Content-Security-Policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/);
		expect(h).toMatchObject({
			'Content-Type': 'text/html; charset=utf-8',
			'Referrer-Policy': 'no-referrer',
			'Cache-Control': 'no-store',
			'X-Robots-Tag': 'noindex, nofollow',
			'X-Content-Type-Options': 'nosniff',
			'X-Frame-Options': 'DENY',
		});
		expect(h['Content-Security-Policy']).not.toMatch(/https?:|unsafe-inline|unsafe-eval|\*/);
	});
});

describe('message pages', () => {
	const cases: Array<[StandardMessage, number, RegExp]> = [
		[{ kind: 'recorded', decision: 'approve' }, 200, /You approved this item/],
		[{ kind: 'recorded', decision: 'reject' }, 200, /You rejected this item/],
		[{ kind: 'already', reviewer: 'bob@example.com', at: '2026-11-25T10:31:07.000Z' }, 200, /already decided by bob@example.com at 2026-11-25 10:31 UTC/],
		[{ kind: 'invalid' }, 401, /not valid/],
		[{ kind: 'expired' }, 410, /passed/],
		[{ kind: 'forbidden' }, 403, /does not belong to a reviewer/],
		[{ kind: 'csrf' }, 403, /not sent from the review page/],
		[{ kind: 'error' }, 500, /could not be processed/],
	];
	test.each(cases)('%j → %i', (m, status, text) => {
		const input = standardMessage(m);
		expect(input.status).toBe(status);
		const html = renderMessagePage(input);
		expect(html).toMatch(text);
		expect(html).not.toMatch(/<script|http-equiv/i);
		expect(elements(html).some((e) => e.name === 'form' || e.name === 'a')).toBe(false);
	});
	test('reviewer names and details are escaped', () => {
		const html = renderMessagePage(standardMessage({ kind: 'already', reviewer: '<img src=x onerror=alert(1)>', at: 'soon' }));
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(html).not.toContain('<img');
	});
});

describe('escaping helpers', () => {
	test('escapeHtml escapes the six characters, replaces NUL and lone surrogates', () => {
		expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
		expect(escapeHtml('a\u0000b')).toBe('a\uFFFDb');
		expect(escapeHtml('x\uD800y')).toBe('x\uFFFDy');
		expect(escapeHtml('emoji 😀 ok')).toBe('emoji 😀 ok');
	});
	test('property: escaped text never contains markup-significant characters and decodes back', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme' }), (s) => {
				const e = escapeHtml(s);
				expect(e).not.toMatch(/[<>"'`\u0000]/);
				expect(decode(e)).toBe(s);
			}),
		);
	});
	test('hidden characters are listed and shown', () => {
		expect(hiddenCharacters('a\u202Eb\u200Bc\r\nd')).toEqual(['U+202E', 'U+200B']);
		expect(hiddenCharacters('tag \u{E0041}')).toEqual(['U+E0041']);
		expect(hiddenCharacters('plain\ttext\n')).toEqual([]);
		expect(escapeHtmlVisible('<x>\u202E')).toBe('&lt;x&gt;<span class="hidden-char">[U+202E]</span>');
	});
});
