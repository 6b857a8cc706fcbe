/**
 * What the review page renders from a draft, parse-level (no browser): the sanitiser's allowlist
 * against each hostile construct, HTML shown as formatted text (no tag outside the source view), the
 * builder's labels, structured data as lists, Markdown rendered, times in the gate's zone with
 * relative text, fields and comment errors tied to their boxes.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';

import { looksLikeHtml, resolveFormat } from '../../../nodes/HitlGate/display/fields';
import { buildItemView, renderMarkdown, renderReviewPage, sanitizeDraftHtml } from '../../../nodes/HitlGate/page';
import { showTime } from '../../../nodes/HitlGate/page/time';
import { CANDIDATE_DRAFT, CANDIDATE_FIELDS, HOSTILE_HTML, NOW, recruiterBatchView, recruiterView } from './recruiterDraft';

function elements(html: string): Element[] {
	return DomUtils.findAll(() => true, parseDocument(html).children);
}

/** The page's visible text outside source views and edit boxes (what a reader sees rendered). */
function renderedText(html: string): string {
	const doc = parseDocument(html);
	const drop = DomUtils.findAll((e) => e.name === 'textarea' || e.name === 'style' || (e.name === 'details' && e.attribs.class === 'source'), doc.children);
	for (const e of drop) DomUtils.removeElement(e);
	return DomUtils.textContent(doc);
}

describe('sanitiser', () => {
	const clean = sanitizeDraftHtml(HOSTILE_HTML);
	const els = elements(clean);

	test.each([
		['script', /<script/i],
		['event handlers', /\son[a-z]+\s*=/i],
		['javascript: links', /<a\s|\shref=/i],
		['forms and inputs', /<(form|input|button)/i],
		['<style>', /<style/i],
		['style attributes / CSS url()', /style=|url\(/i],
		['iframe, object, embed, video, svg', /<(iframe|object|embed|video|svg|image)/i],
		['link, meta, base', /<(link|meta|base)/i],
		['table background', /background/i],
	])('drops %s', (_what, pattern) => {
		expect(clean).not.toMatch(pattern);
	});

	test('remote images are replaced by a visible marker; inline data images stay', () => {
		expect(els.filter((e) => e.name === 'img')).toEqual([]);
		expect(clean).toContain('[image not loaded: tracker]');
		const inline = sanitizeDraftHtml('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"><img src="data:text/html;base64,PHNjcmlwdD4=">');
		expect(elements(inline).filter((e) => e.name === 'img').map((e) => e.attribs.src)).toEqual(['data:image/png;base64,iVBORw0KGgo=']);
		expect(inline).toContain('[image not loaded]');
	});

	test('links become inert text that carries their address for display', () => {
		const out = sanitizeDraftHtml('<p>See <a href="https://acme.example/privacy" target="_blank" onclick="x()">our notice</a></p>');
		expect(out).toBe('<p>See <span class="link" data-href="https://acme.example/privacy">our notice</span></p>');
	});

	test('formatting survives; headings move below the page\'s own', () => {
		expect(sanitizeDraftHtml('<h1>Hi</h1><p>a<br><strong>b</strong> <em>c</em></p><ul><li>x</li></ul>')).toBe(
			'<h3>Hi</h3><p>a<br /><strong>b</strong> <em>c</em></p><ul><li>x</li></ul>',
		);
	});

	test('Markdown is rendered, then sanitised the same way', () => {
		const md = renderMarkdown('**Why:** five *years*\n\n- one\n- two\n\n[x](javascript:alert(1)) <script>alert(1)</script> ![i](https://evil.example/i.png)');
		expect(md).toContain('<strong>Why:</strong>');
		expect(md).toContain('<em>years</em>');
		expect(md).toContain('<li>one</li>');
		expect(md).not.toMatch(/<script|<a\s|\shref=|<img/i);
		expect(md).toContain('[image not loaded: i]');
	});
});

describe('formats', () => {
	test('Auto: HTML when formatting tags are present, else plain text; non-text values are data', () => {
		expect(looksLikeHtml('<p>Dear Anna,</p>')).toBe(true);
		expect(looksLikeHtml('Line one<br/>line two')).toBe(true);
		expect(looksLikeHtml('if a < b and c > d')).toBe(false);
		expect(looksLikeHtml('<script>alert(1)</script>')).toBe(false);
		expect(resolveFormat('auto', '<p>x</p>')).toBe('html');
		expect(resolveFormat('auto', 'x')).toBe('text');
		expect(resolveFormat('text', '<p>x</p>')).toBe('text');
		expect(resolveFormat('markdown', '# x')).toBe('markdown');
		expect(resolveFormat('html', { a: 1 })).toBe('data');
		expect(resolveFormat('auto', 3)).toBe('data');
	});
});

describe('review page rendering', () => {
	const html = renderReviewPage(recruiterBatchView());
	const all = elements(html);

	test('an HTML body shows no tag outside the source view, and the source view holds it', () => {
		const text = renderedText(html);
		expect(text).toContain('Dear Anna,');
		expect(text).not.toMatch(/<\/?p>|<strong>|&lt;p&gt;/);
		const source = all.find((e) => e.name === 'details' && e.attribs.class === 'source') as Element;
		expect(DomUtils.textContent(source)).toContain('<p>Dear Anna,</p>');
		expect('open' in source.attribs).toBe(false);
		expect(html).toContain('remote images and styles are blocked');
	});

	test('the builder\'s labels are used, in the builder\'s order; internal annotations are not shown', () => {
		const labels = all.filter((e) => e.name === 'dt' && e.parent && (e.parent as Element).attribs.class === 'fields').map((e) => DomUtils.textContent(e));
		expect(labels.slice(0, CANDIDATE_FIELDS.length)).toEqual(CANDIDATE_FIELDS.map((f) => f.label));
		expect(html).not.toContain('blastRadius');
		expect(renderedText(html)).toContain('anna@mail.example'); // to[0].email of item 1
	});

	test('nested objects are key/value lists, lists are lists, never raw JSON', () => {
		const data = all.find((e) => e.name === 'dl' && e.attribs.class === 'data') as Element;
		const keys = data.children.filter((c): c is Element => (c as Element).name === 'dt').map((e) => DomUtils.textContent(e));
		expect(keys).toEqual(['name', 'stage', 'scores', 'tags']);
		const tags = DomUtils.findAll((e) => e.name === 'ol', [data]).map((e) => DomUtils.textContent(e));
		expect(tags).toEqual(['sparkpython']);
		expect(html).not.toContain('{&quot;');
	});

	test('plain text keeps its line breaks in a proportional font; Markdown is rendered', () => {
		const message = all.find((e) => e.attribs.class === 'text' && DomUtils.textContent(e).startsWith('An automated step')) as Element;
		expect(DomUtils.textContent(message)).toContain('candidate.\nPlease check');
		const preview = all.filter((e) => e.attribs.class === 'preview').map((e) => DomUtils.getInnerHTML(e));
		expect(preview.some((p) => p.includes('<strong>Why rejected:</strong>') && p.includes('<li>interview score 2/5</li>'))).toBe(true);
	});

	test('times in the gate\'s zone with relative text, and the instant kept in <time datetime>', () => {
		const times = all.filter((e) => e.name === 'time').map((e) => [e.attribs.datetime, DomUtils.textContent(e)]);
		expect(times).toEqual([
			['2026-11-25T13:30:00.000Z', 'Wed 25 Nov 2026, 14:30 CET'],
			['2026-11-25T10:00:00.000Z', 'Wed 25 Nov 2026, 11:00 CET'],
		]);
		expect(html).toContain('(in 3 hours)');
		expect(html).toContain('(30 minutes ago)');
		const ny = renderReviewPage(recruiterView({ timeZone: 'America/New_York' }));
		expect(ny).toContain('Wed 25 Nov 2026, 08:30 GMT-5');
		expect(showTime('2026-11-25T13:30:00.000Z', undefined, NOW).text).toBe('Wed 25 Nov 2026, 13:30 UTC');
		expect(showTime('not a date', 'Europe/Berlin', NOW)).toEqual({ text: 'not a date', relative: '', iso: '' });
	});

	test('fingerprint and ids folded away under technical details', () => {
		const tech = all.find((e) => e.name === 'details' && e.attribs.class === 'tech') as Element;
		const text = DomUtils.textContent(tech);
		expect(text).toContain('9f2c4e1b7a0d3c5e');
		expect(text).toContain('3f1e2d4c-5b6a-4789-9abc-def012345678');
		expect(text).toContain('Europe/Berlin');
	});

	test('the comment says when a reason is required, and its error is tied to it', () => {
		const page = elements(renderReviewPage(recruiterView({ commentError: 'Give the reason for rejecting.' })));
		const label = page.find((e) => e.name === 'label' && e.attribs.for === 'comment') as Element;
		expect(DomUtils.textContent(label)).toBe('Comment (required to reject: give the reason)');
		const comment = page.find((e) => e.name === 'textarea' && e.attribs.id === 'comment') as Element;
		expect(comment.attribs).toMatchObject({ 'aria-describedby': 'comment-error', 'aria-invalid': 'true' });
		expect(DomUtils.textContent(page.find((e) => e.attribs.id === 'comment-error') as Element)).toBe('Give the reason for rejecting.');
		const optional = renderReviewPage(recruiterView({ requireRejectReason: false }));
		expect(optional).toContain('Comment (optional)');
	});

	test('an edit error is tied to its box; HTML is edited as source under its rendered preview', () => {
		const view = recruiterView({
			items: [
				buildItemView({
					json: CANDIDATE_DRAFT,
					shown: CANDIDATE_FIELDS.map((f) => f.path),
					editable: ['subject', 'body'],
					displayFields: CANDIDATE_FIELDS,
					submitted: { body: '<p>Edited</p>' },
					errors: [{ path: 'subject', message: 'Too long.' }],
				}),
			],
		});
		const page = elements(renderReviewPage(view));
		const subject = page.find((e) => e.name === 'textarea' && e.attribs.name === 'edit.subject') as Element;
		expect(subject.attribs['aria-invalid']).toBe('true');
		const errorId = subject.attribs['aria-describedby'];
		expect(DomUtils.textContent(page.find((e) => e.attribs.id === errorId) as Element)).toBe('Too long.');
		const body = page.find((e) => e.name === 'textarea' && e.attribs.name === 'edit.body') as Element;
		// htmlparser2 leaves a textarea's character references as written.
		expect(DomUtils.textContent(body)).toBe('\n&lt;p&gt;Edited&lt;/p&gt;');
		expect(body.attribs.class).toContain('code');
		expect(DomUtils.textContent(page.find((e) => e.name === 'label' && e.attribs.for === body.attribs.id) as Element)).toBe('Email to candidate (HTML source)');
		// The preview shows what the reviewer typed, rendered.
		const previews = page.filter((e) => e.attribs.class === 'preview').map((e) => DomUtils.getInnerHTML(e));
		expect(previews).toContain('<p>Edited</p>');
	});
});
