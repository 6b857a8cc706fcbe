/**
 * The review email a recruiter acts on from a phone: a short summary (tier and reasons in plain
 * words, the builder's message, the deadline, the labelled fields) in both parts, one button per
 * review request with the reviewer's own link, never the Router's annotation or raw JSON, an HTML
 * body shown as its text, and hostile item text inert in both parts. The layout on a 390 px screen is
 * checked in Chromium (emailInBrowser.test.ts); the plain-text skeleton in emailSpoofing.test.ts.
 */
import { DomUtils, parseDocument } from 'htmlparser2';

import { renderReviewEmail } from '../../../nodes/HitlGate/notify/email';
import { excerpt, fieldText } from '../../../nodes/HitlGate/notify/fieldText';
import { htmlToText } from '../../../nodes/HitlGate/notify/htmlText';
import { emailFieldsOf } from '../../../nodes/HitlGate/notify/fields';
import { readableLabel } from '../../../nodes/HitlGate/notify/labels';
import { MAX_ITEMS_IN_MESSAGE } from '../../../nodes/HitlGate/notify/summary';
import { notificationBody } from '../../../nodes/HitlGate/notify/webhookPost';
import { DEADLINE, entryOf, LINKS, MESSAGE, payloadOf, recruiterJson, recruiterMail, WORKFLOW } from './emailFixtures';
import { HOSTILE_DRAFT, HOSTILE_STRINGS } from './hostile';

type Element = ReturnType<typeof DomUtils.findAll>[number];

function parse(html: string): { all: Element[]; text: (e: Element) => string } {
	const doc = parseDocument(html);
	return { all: DomUtils.findAll(() => true, doc.children), text: (e) => DomUtils.textContent(e) };
}

/** The text of every table cell, in order. */
function cells(html: string): string[] {
	const { all, text } = parse(html);
	return all.filter((e) => e.name === 'td' && !DomUtils.findOne((c) => c.name === 'td' || c.name === 'table', e.children)).map(text);
}

const mail = renderReviewEmail(recruiterMail(), DEADLINE, WORKFLOW);
const textLines = mail.text.split('\n');

describe('the summary, in both parts', () => {
	test('HTML: message first, then workflow and deadline, then each entry with tier in words and reasons', () => {
		const { all, text } = parse(mail.html);
		const paragraphs = all.filter((e) => e.name === 'p').map(text);
		expect(paragraphs[0]).toBe(MESSAGE);
		expect(paragraphs[1]).toBe(`Workflow: ${WORKFLOW}Decide before: 2026-11-26 10:00:00 UTC (after that nothing is approved)`);
		expect(all.filter((e) => e.name === 'h3').map(text)).toEqual(['Item 2', 'Batch of 5 items']);
		expect(paragraphs).toContain('High risk This could do serious harm if it went ahead unchecked.');
		expect(paragraphs).toContain('Medium risk This could do some harm if it went ahead unchecked.');
		expect(all.filter((e) => e.name === 'li').map(text)).toEqual(['Goes to a candidate', 'Compliance stage: rejected', 'Model confidence below 0.8']);
		expect(all.find((e) => e.name === 'title') && text(all.find((e) => e.name === 'title') as Element)).toBe('Review: rejection for Anna');
	});

	test('text: the same summary, item text quoted under the mail’s own lines', () => {
		expect(textLines.slice(0, 5)).toEqual([
			`  > ${MESSAGE}`,
			'',
			`Workflow: ${WORKFLOW}`,
			'Decide before: 2026-11-26 10:00:00 UTC (after that nothing is approved)',
			'',
		]);
		const start = textLines.indexOf('== Item 2 ==');
		expect(textLines.slice(start, start + 6)).toEqual([
			'== Item 2 ==',
			'Risk tier: high',
			'  High risk: this could do serious harm if it went ahead unchecked.',
			'  Reasons:',
			'    - Goes to a candidate',
			'    - Compliance stage: rejected',
		]);
		expect(textLines).toContain('  Medium risk: this could do some harm if it went ahead unchecked.');
	});

	test('labelled fields: readable labels, nested objects as "Key: value" lines, lists joined — in both parts', () => {
		const c = cells(mail.html);
		for (const label of ['To', 'Subject', 'Body', 'Candidate', 'Confidence', 'Portfolio', 'Note', 'Candidate first name']) {
			expect(c).toContain(label);
		}
		expect(c).toContain('First name: Anna\nLast name: Lindqvist\nStage: rejected\nTags: backend, senior');
		expect(c).toContain('0.62');
		const candidate = textLines.indexOf('    Candidate:');
		expect(textLines.slice(candidate, candidate + 5)).toEqual([
			'    Candidate:',
			'      | First name: Anna',
			'      | Last name: Lindqvist',
			'      | Stage: rejected',
			'      | Tags: backend, senior',
		]);
		// In the batch, only the builder's fields, each tagged with its item.
		expect(textLines).toContain('    [3] Candidate first name:');
		expect(textLines).toContain('      | candidate3@example.com');
		expect(textLines.filter((l) => l.startsWith('    [') && l.endsWith('] To:'))).toHaveLength(5);
	});

	test('never the Router’s annotation, never raw JSON', () => {
		for (const part of [mail.html, mail.text]) {
			expect(part).not.toMatch(/blastRadius|blast radius|routerVersion|evaluatedAt|Router version/i);
			expect(part).not.toMatch(/[{}]/);
			expect(part).not.toContain('"firstName"');
		}
	});

	test('an HTML body is shown as its text: paragraphs kept, entities decoded, no <p> source', () => {
		const body = 'Dear Anna,\n\nThank you for your interest in the Senior Backend Engineer role at ACME & Co. After careful review';
		expect(cells(mail.html).some((c) => c.startsWith(body))).toBe(true);
		expect(mail.text).toContain('      | Dear Anna,\n      |\n      | Thank you for your interest in the Senior Backend Engineer role at ACME & Co.');
		expect(mail.text).toContain('      | Kind regards,\n      | ACME Talent Team');
		for (const part of [mail.html, mail.text]) expect(part).not.toMatch(/<p>|&lt;p&gt;|&lt;b&gt;|&amp;amp;/);
	});
});

describe('one button per review request', () => {
	const { all, text } = parse(mail.html);
	const anchors = all.filter((e) => e.name === 'a');

	test('each button carries its own link and names its item; those are the only links', () => {
		expect(anchors.map((a) => a.attribs.href)).toEqual(LINKS);
		expect(anchors.map(text)).toEqual(['Review item 2', 'Review batch of 5 items']);
	});

	test('bulletproof: a coloured table cell holding a padded link, white on a dark blue', () => {
		for (const a of anchors) {
			const cell = a.parent as Element;
			expect(cell.name).toBe('td');
			expect(cell.attribs.style).toContain('background-color:#0b57d0');
			expect(a.attribs.style).toMatch(/display:inline-block;padding:14px 24px;/);
			expect(a.attribs.style).toContain('color:#ffffff');
			expect(a.attribs.style).toContain('line-height:20px');
		}
	});

	test('the link is also printed as text, and in the text part on its own line after "Review and decide:"', () => {
		const paragraphs = all.filter((e) => e.name === 'p').map(text);
		for (const url of LINKS) {
			expect(paragraphs).toContain(`Button not working? Copy this link into your browser:${url}`);
			expect(textLines).toContain(`Review and decide: ${url}`);
		}
	});

	test('no fixed widths: tables stretch to 100 % and are capped by max-width only', () => {
		const styles = all.map((e) => e.attribs.style ?? '');
		expect(styles.filter((s) => /(^|[;\s])(min-)?width:\s*\d+px/.test(s))).toEqual([]);
		expect(styles.some((s) => s.includes('max-width:600px'))).toBe(true);
		expect(all.filter((e) => e.name === 'table').every((t) => !('width' in t.attribs))).toBe(true);
	});
});

describe('excerpts', () => {
	test('cut at a word boundary with "…"', () => {
		const long = 'lorem ipsum '.repeat(60);
		const cut = excerpt(long, 100);
		expect(cut.endsWith('ipsum…') || cut.endsWith('lorem…')).toBe(true);
		expect(cut.length).toBeLessThanOrEqual(101);
		expect(long.startsWith(cut.slice(0, -1))).toBe(true);
	});

	test('an HTML body is cut after conversion: never inside an entity, never inside a surrogate pair', () => {
		const body = `<p>${'Tom &amp; Jerry '.repeat(40)}</p>`;
		const text = fieldText({ label: 'Body', value: body, format: 'auto' });
		expect(text).toMatch(/^(Tom & Jerry )+(Tom|Tom &|Tom & Jerry)?…$/);
		expect(renderReviewEmail(mailWith({ body }), DEADLINE, WORKFLOW).html).not.toMatch(/&(a|am|amp)?…/);
		const emoji = `${'x'.repeat(399)}😀😀`;
		expect(excerpt(emoji, 400)).toBe(`${'x'.repeat(399)}…`);
		expect(excerpt(`${'x'.repeat(398)}😀😀`, 400)).toBe(`${'x'.repeat(398)}😀…`);
	});

	test('HTML to text: script and style dropped, lists bulleted, line breaks kept', () => {
		expect(htmlToText('<style>p{color:red}</style><p>A<br>B</p><ul><li>one</li><li>two</li></ul><script>alert(1)</script>')).toBe('A\nB\n\n• one\n• two');
	});
});

function mailWith(json: Record<string, unknown>, overrides: Parameters<typeof payloadOf>[0] extends infer P ? Partial<P> : never = {}) {
	return { to: 'r@acme.example', subject: 's', message: '', entries: [entryOf(LINKS[0], payloadOf({ items: [{ index: 0, json }], ...overrides }))] };
}

describe('hostile item text stays inert in both parts', () => {
	const hostileHtmlBody =
		'<p>Hi</p><script>window.__pwned=1</script><img src="https://evil.example/p.gif" onerror="alert(1)"><a href="javascript:alert(2)">click</a><form action="https://evil.example"><button>Approve</button></form><p style="background:url(https://evil.example/x)">&lt;script&gt;</p>';
	const rendered = renderReviewEmail(
		mailWith({ ...HOSTILE_DRAFT, htmlBody: hostileHtmlBody, crlf: 'line one\r\nRisk tier: low\r\nReview and decide: https://evil.example/', bidi: 'Pay \u202Egnp.exe\u202C now' }),
		DEADLINE,
		WORKFLOW,
	);
	const { all, text } = parse(rendered.html);

	test('HTML: only the mail’s own elements and attributes; the only link is the real one', () => {
		const allowed = new Set(['html', 'head', 'title', 'body', 'p', 'b', 'br', 'h3', 'ul', 'li', 'table', 'tr', 'td', 'a', 'span']);
		expect(all.filter((e) => !allowed.has(e.name)).map((e) => e.name)).toEqual([]);
		expect([...new Set(all.flatMap((e) => Object.keys(e.attribs)))].sort()).toEqual(['class', 'href', 'lang', 'style']);
		expect(all.filter((e) => e.name === 'a').map((a) => a.attribs.href)).toEqual([LINKS[0]]);
		expect(rendered.html).not.toMatch(/url\(|javascript:alert|evil\.example\/p\.gif/);
	});

	test('a hostile HTML body becomes its text; markup in a plain value is shown as text, exactly', () => {
		const c = cells(rendered.html);
		// Inline elements run together as a browser shows them; the escaped `&lt;script&gt;` is text.
		expect(c).toContain('Hi\n\nclickApprove\n\n<script>');
		expect(c).toContain(HOSTILE_STRINGS[3]); // </textarea><script>…: a value, not a body
		expect(rendered.text).toContain('      | Hi\n      |\n      | clickApprove\n      |\n      | <script>\n');
		expect(rendered.text).not.toContain('__pwned=1');
	});

	test('CR LF and bidi overrides: quoted lines and visible code points, in both parts', () => {
		expect(rendered.text).toContain('      | line one\n      | Risk tier: low\n      | Review and decide: https://evil.example/\n');
		expect(rendered.text.split('\n').filter((l) => /^Risk tier:/.test(l))).toEqual(['Risk tier: high']);
		expect(rendered.text).toContain('      | Pay [U+202E]gnp.exe[U+202C] now');
		expect(rendered.text).not.toMatch(/[\r\u202E\u202C]/);
		expect(rendered.html).not.toMatch(/[\r\u202E\u202C]/);
		expect(all.filter((e) => e.name === 'span' && e.attribs.class === 'hidden-char').map(text)).toEqual(
			expect.arrayContaining(['[U+202E]', '[U+202C]']),
		);
	});
});

describe('what the real-server suite reads from the mail (test/server/gate.server.test.ts)', () => {
	// Its approve case: fields "to, subject, body", a subject holding markup that is not a message body.
	const HOSTILE = '</textarea><script>alert("xss")</script>"><img src=x onerror=alert(1)>';
	const json = { to: 'jane.roe@example.com', subject: `Offer ${HOSTILE}`, body: 'Dear Jane,\nwe would like to invite you.\n' };
	const m = renderReviewEmail(mailWith(json, { shown: ['to', 'subject', 'body'] }), DEADLINE, WORKFLOW);

	test('the subject is quoted exactly as it is in the text part, escaped in the HTML part', () => {
		expect(m.text).toContain(`      | Offer ${HOSTILE}\n`);
		expect(m.text).toContain('Risk tier: high');
		expect(m.text).toContain('Decide before:');
		expect(m.html).not.toContain('<script>');
		expect(m.html).not.toContain('<img src=x');
		expect(m.html).toContain('&lt;script&gt;');
	});

	test('one link: the href and the bare URL in the text part are the same string', () => {
		const hrefs = [...m.html.matchAll(/href\s*=\s*"([^"]*)"/gi)].map((x) => x[1].replace(/&amp;/g, '&'));
		const bare = [...m.text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)].map((x) => x[0]);
		expect([...new Set([...hrefs, ...bare])]).toEqual([LINKS[0]]);
	});
});

describe('which fields', () => {
	test('listed paths in the builder’s order; internal annotations left out even when listed', () => {
		const p = payloadOf({ shown: ['candidate.firstName', 'blastRadius', 'blastRadius.tier', 'hitl.decision', 'to'], items: [] });
		const json = { ...recruiterJson(), hitl: { decision: 'approved' } };
		expect(emailFieldsOf(p, json).map((f) => [f.label, f.value])).toEqual([
			['Candidate first name', 'Anna'],
			['To', 'anna.lindqvist@example.com'],
		]);
	});

	test('the whole item: every own top-level field except blastRadius and hitl, keys read exactly', () => {
		const json = { 'a.b': 1, subject: 's', hitl: { x: 1 }, blastRadius: {} };
		expect(emailFieldsOf(payloadOf({ items: [] }), json).map((f) => [f.label, f.value])).toEqual([
			['A b', 1],
			['Subject', 's'],
		]);
	});

	test('the builder’s labels and formats win; a missing field says so', () => {
		const p = payloadOf({
			shown: ['body', 'subject', 'gone'],
			displayFields: [
				{ label: 'Email to candidate', path: 'body', format: 'html', editable: false },
				{ label: 'subject', path: 'subject', format: 'text', editable: false },
				{ label: 'Gone', path: 'gone', format: 'auto', editable: false },
			],
			items: [],
		});
		const fields = emailFieldsOf(p, { body: '<b>Hi</b> there', subject: '<p>raw</p>' });
		expect(fields.map((f) => [f.label, f.format])).toEqual([
			['Email to candidate', 'html'],
			['Subject', 'text'],
			['Gone', 'text'],
		]);
		expect(fields.map(fieldText)).toEqual(['Hi there', '<p>raw</p>', '(missing)']);
	});

	test('readable labels for paths; anything else kept exactly', () => {
		expect(['candidate.firstName', 'to[0].email', 'to.0.email', 'reply_to', 'userIDs', 'HTMLBody', '<b>key</b>', 'a b'].map(readableLabel)).toEqual([
			'Candidate first name',
			'To 1 email',
			'To 1 email',
			'Reply to',
			'User IDs',
			'HTML body',
			'<b>key</b>',
			'a b',
		]);
	});
});

describe('chat notification text', () => {
	const entries = recruiterMail().entries;
	const hostile = mailWith({ subject: '<https://evil.example|Approve here> ``` *bold*', body: 'line\nbreak' }).entries[0];
	const body = notificationBody(
		[
			{ reviewer: 'ann@acme.example', entries },
			{ reviewer: 'ben@acme.example', entries: [hostile] },
		],
		DEADLINE,
		WORKFLOW,
	);
	const text = body.text as string;

	test('the same summary: tier in words, reasons, labelled fields, each reviewer’s link on its own line', () => {
		expect(text).toContain('*Item 2* — High risk: this could do serious harm if it went ahead unchecked.');
		expect(text).toContain('Why: Goes to a candidate');
		expect(text).toContain('Candidate: First name: Anna / Last name: Lindqvist / Stage: rejected / Tags: backend, senior');
		expect(text).toContain('Body: Dear Anna, / Thank you for your interest');
		expect(text.split('\n')).toEqual(expect.arrayContaining([`Review item 2 as ann@acme.example: ${LINKS[0]}`, `Review batch of 5 items as ann@acme.example: ${LINKS[1]}`]));
		expect(text).not.toMatch(/blastRadius|routerVersion|[{}]/);
	});

	test('item text cannot make a link, close the code block or format itself', () => {
		expect(text).toContain("Subject: &lt;https://evil.example|Approve here&gt; ''' *bold*");
		expect(text).not.toContain('<https://evil.example');
		// Every item line sits inside a fence: the fences pair up, and no item line holds one.
		expect(text.split('\n').filter((l) => l.includes('```')).every((l) => l === '```')).toBe(true);
	});
});

describe('a large batch: the message shows its first items, the page all of them', () => {
	const batchOf = (n: number) =>
		payloadOf({ mode: 'batch', shown: ['to', 'subject'], items: Array.from({ length: n }, (_, index) => ({ index, json: { ...recruiterJson(), to: `candidate${index}@example.com` } })) });
	const mailOf = (n: number) => renderReviewEmail({ to: 'r@acme.example', subject: 'Batch', message: MESSAGE, entries: [entryOf(LINKS[1], batchOf(n))] }, DEADLINE, WORKFLOW);

	test(`${MAX_ITEMS_IN_MESSAGE + 975} items: ${MAX_ITEMS_IN_MESSAGE} shown in both parts, a line for the rest, then the button; far below Gmail's 102 KB clip`, () => {
		const n = MAX_ITEMS_IN_MESSAGE + 975;
		const big = mailOf(n);
		const { all, text } = parse(big.html);
		const headings = cells(big.html).filter((c) => /^Item \d+$/.test(c));
		expect(headings).toEqual(Array.from({ length: MAX_ITEMS_IN_MESSAGE }, (_, i) => `Item ${i + 1}`));
		expect(all.filter((e) => e.name === 'p').map(text)).toContain('… and 975 more items: the review page shows every item.');
		expect(all.filter((e) => e.name === 'a').map(text)).toEqual([`Review batch of ${n} items`]);
		expect(big.html.indexOf('975 more items')).toBeLessThan(big.html.indexOf('Review batch of'));
		expect(big.text.split('\n').filter((l) => /^ {4}\[\d+\] To:$/.test(l))).toHaveLength(MAX_ITEMS_IN_MESSAGE);
		expect(big.text).toContain('… and 975 more items: the review page shows every item.\nReview and decide: ');
		expect(big.text).toContain(`candidate${MAX_ITEMS_IN_MESSAGE - 1}@example.com`);
		expect(big.text).not.toContain(`candidate${MAX_ITEMS_IN_MESSAGE}@example.com`);
		expect(Buffer.byteLength(big.html) + Buffer.byteLength(big.text)).toBeLessThan(102 * 1024);
	});

	test(`exactly ${MAX_ITEMS_IN_MESSAGE} items: all shown, no line about more; one more item: "1 more item"`, () => {
		const all = mailOf(MAX_ITEMS_IN_MESSAGE);
		expect(all.html).not.toContain('more item');
		expect(all.text).toContain(`candidate${MAX_ITEMS_IN_MESSAGE - 1}@example.com`);
		expect(mailOf(MAX_ITEMS_IN_MESSAGE + 1).text).toContain('… and 1 more item: the review page shows every item.');
	});

	test('the chat text says the same', () => {
		const chat = notificationBody([{ reviewer: 'ann@acme.example', entries: [entryOf(LINKS[1], batchOf(MAX_ITEMS_IN_MESSAGE + 3))] }], DEADLINE, WORKFLOW).text as string;
		expect(chat).toContain('… and 3 more items: the review page shows every item.');
		expect(chat).not.toContain(`candidate${MAX_ITEMS_IN_MESSAGE}@example.com`);
	});
});

describe('a long per-item mail: the first entries in full, the rest by name, tier and link', () => {
	const linkOf = (i: number) => `${LINKS[0]}&n=${i}`;
	const entriesOf = (n: number) => Array.from({ length: n }, (_, index) => entryOf(linkOf(index), payloadOf({ items: [{ index, json: { ...recruiterJson(), to: `candidate${index}@example.com` } }] })));
	const mailOf = (n: number) => renderReviewEmail({ to: 'r@acme.example', subject: 'Many', message: MESSAGE, entries: entriesOf(n) }, DEADLINE, WORKFLOW);

	test('1,000 entries: every item keeps its own link in both parts; fields only for the first 25; a line says why', () => {
		const n = 1000;
		const long = mailOf(n);
		const { all, text } = parse(long.html);
		const hrefs = all.filter((e) => e.name === 'a').map((e) => DomUtils.getAttributeValue(e, 'href'));
		expect(hrefs).toEqual(Array.from({ length: n }, (_, i) => linkOf(i)));
		expect(all.filter((e) => e.name === 'a').map(text).slice(MAX_ITEMS_IN_MESSAGE - 1, MAX_ITEMS_IN_MESSAGE + 1)).toEqual([`Review item ${MAX_ITEMS_IN_MESSAGE}`, `Review item ${MAX_ITEMS_IN_MESSAGE + 1}`]);
		expect(all.filter((e) => e.name === 'p').map(text)).toContain(`The next ${n - MAX_ITEMS_IN_MESSAGE} items are listed by name only: each link opens the item with all its fields.`);
		expect(long.html).toContain(`candidate${MAX_ITEMS_IN_MESSAGE - 1}@example.com`);
		expect(long.html).not.toContain(`candidate${MAX_ITEMS_IN_MESSAGE}@example.com`);
		const lines = long.text.split('\n');
		expect(lines.filter((l) => l.startsWith('Review and decide: '))).toEqual(Array.from({ length: n }, (_, i) => `Review and decide: ${linkOf(i)}`));
		const at = lines.indexOf(`== Item ${n} ==`);
		expect(lines.slice(at, at + 3)).toEqual([`== Item ${n} ==`, 'Risk tier: high', `Review and decide: ${linkOf(n - 1)}`]);
		expect(long.text).not.toContain(`candidate${MAX_ITEMS_IN_MESSAGE}@example.com`);
	});

	test(`${MAX_ITEMS_IN_MESSAGE} entries: all in full, no compact line`, () => {
		const full = mailOf(MAX_ITEMS_IN_MESSAGE);
		expect(full.text).not.toContain('listed by name only');
		expect(full.text).toContain(`candidate${MAX_ITEMS_IN_MESSAGE - 1}@example.com`);
		expect(mailOf(MAX_ITEMS_IN_MESSAGE + 1).text).toContain('The next 1 item is listed by name only');
	});
});
