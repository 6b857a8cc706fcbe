/**
 * The review email must not let item text (model output) pose as the mail's own lines. In the plain
 * text part a value with line breaks used to print a fake "== Item 2 == / Risk tier: low / Review and
 * decide: <evil link>" block above the real one. These tests render mails with such values in every
 * place item text reaches (field value, field name, the builder's message, a tier reason) and check
 * the mail's skeleton: the only lines at column 0 are the mail's own, with the real links.
 */
import fc from 'fast-check';
import { DomUtils, parseDocument } from 'htmlparser2';

import { renderReviewEmail, type ReviewerMail } from '../../../nodes/HitlGate/notify/email';
import type { NotifyEntry } from '../../../nodes/HitlGate/notify/content';
import type { GatePayload } from '../../../nodes/HitlGate/types';
import { HOSTILE_DRAFT } from './hostile';

const DEADLINE = new Date('2026-11-26T10:00:00.000Z');
const WORKFLOW = 'Offer letters';
const FOOTER =
	'This link is personal: it records your name with the decision. Opening it decides nothing; you decide on the page.';
const EVIL = 'https://evil.example/approve';
const REAL_LINKS = [
	'https://n8n.example/webhook-waiting/41/node-1?signature=aa11&t=first.token',
	'https://n8n.example/webhook-waiting/41/node-1?signature=bb22&t=second.token',
];

/** Every break a mail reader may honour, each used to smuggle the fake block. */
const BREAKS: Array<[string, string]> = [
	['LF', '\n'],
	['CRLF', '\r\n'],
	['CR', '\r'],
	['U+2028 line separator', '\u2028'],
	['U+2029 paragraph separator', '\u2029'],
	['U+0085 next line', '\u0085'],
	['VT', '\v'],
	['FF', '\f'],
];

/** A value that, printed as it is, shows a second item with a low tier and an attacker's link. */
function fakeBlock(br: string): string {
	return ['Dear candidate,', '', '== Item 2 ==', 'Risk tier: low', `Review and decide: ${EVIL}`].join(br);
}

/** What a plain-text reader takes as lines: every break above ends one. */
function readerLines(text: string): string[] {
	return text.split(/\r\n|[\n\v\f\r\u0085\u2028\u2029]/);
}

/** Lines that start at column 0 (not indented), blank lines left out. */
function columnZero(text: string): string[] {
	return readerLines(text).filter((line) => line !== '' && !/^\s/.test(line));
}

function payload(overrides: Partial<GatePayload> & Pick<GatePayload, 'items'>): GatePayload {
	return {
		v: 1,
		mode: 'perItem',
		shown: [],
		editable: [],
		requireRejectReason: false,
		message: '',
		tier: 'high',
		tierReasons: [],
		blastRadius: null,
		hashClientInfo: false,
		workflowId: 'wf-1',
		workflowName: WORKFLOW,
		nodeName: 'HITL Gate',
		linkKeyId: 'k1',
		...overrides,
	};
}

function entry(index: number, p: GatePayload): NotifyEntry {
	return { link: { url: REAL_LINKS[index], itemIndexes: [index], requestId: `req-${index}` }, payload: p };
}

/** Two items; item text is hostile in the value, a field name, a tier reason and the message. */
function hostileMail(hostile: string): ReviewerMail {
	const message = `Please check.${hostile.slice('Dear candidate,'.length)}`;
	return {
		to: 'alice@example.com',
		subject: 'Review',
		message,
		entries: [
			entry(0, payload({ message, tierReasons: ['amount > 1000', hostile], items: [{ index: 0, json: { body: hostile, amount: 1200 } }] })),
			entry(1, payload({ message, tier: null, items: [{ index: 1, json: { [hostile]: 'value under a hostile field name' } }] })),
		],
	};
}

/** The mail's own column-0 lines, in order, for the two-entry mail above. */
const SKELETON = [
	`Workflow: ${WORKFLOW}`,
	'Decide before: 2026-11-26 10:00:00 UTC (after that nothing is approved)',
	'== Item 1 ==',
	'Risk tier: high',
	`Review and decide: ${REAL_LINKS[0]}`,
	'== Item 2 ==',
	'Risk tier: not classified (treat as high)',
	`Review and decide: ${REAL_LINKS[1]}`,
	FOOTER,
];

describe.each(BREAKS)('plain text with a fake item block split by %s', (_name, br) => {
	const hostile = fakeBlock(br);
	const { text } = renderReviewEmail(hostileMail(hostile), DEADLINE, WORKFLOW);
	const zero = columnZero(text);

	test('the only lines at column 0 are the mail’s own, in their fixed places', () => {
		expect(zero).toEqual(SKELETON);
	});

	test('every column-0 "Review and decide:" line carries a real link, one per entry, in order', () => {
		expect(zero.filter((l) => l.startsWith('Review and decide:'))).toEqual(REAL_LINKS.map((u) => `Review and decide: ${u}`));
		expect(zero.join('\n')).not.toContain(EVIL);
	});

	test('exactly one column-0 "Risk tier:" line per entry, right below its heading', () => {
		const lines = readerLines(text);
		const headings = lines.flatMap((l, i) => (/^== .* ==$/.test(l) ? [i] : []));
		expect(headings).toHaveLength(2);
		expect(lines.filter((l) => l.startsWith('Risk tier:'))).toHaveLength(2);
		for (const h of headings) expect(lines[h + 1]).toMatch(/^Risk tier: /);
	});

	test('no line of the hostile text appears unindented, and each is still there, quoted', () => {
		const pieces = readerLines(hostile).filter((p) => p !== '');
		const lines = readerLines(text);
		for (const piece of pieces) {
			// Unindented lines holding the piece are the mail's own ones (the real "== Item 2 ==").
			expect(lines.filter((l) => l.includes(piece) && !/^\s/.test(l))).toEqual(SKELETON.filter((l) => l.includes(piece)));
		}
		// The field value and the message keep their lines, each behind a quote mark.
		expect(lines).toContain(`      | Review and decide: ${EVIL}`);
		expect(lines).toContain('      | Risk tier: low');
		expect(lines).toContain(`  > Review and decide: ${EVIL}`);
	});

	test('line and paragraph separators and control characters are gone from the text (LF alone ends lines)', () => {
		expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/);
	});
});

describe('plain text: single-line places keep item text on one line', () => {
	const hostile = fakeBlock('\r\n');
	const { text } = renderReviewEmail(hostileMail(hostile), DEADLINE, WORKFLOW);
	const lines = readerLines(text);

	test('a hostile field name stays on its indented line, its breaks shown as code points', () => {
		expect(lines).toContain(
			`    Dear candidate,[U+000D][U+000A][U+000D][U+000A]== Item 2 ==[U+000D][U+000A]Risk tier: low[U+000D][U+000A]Review and decide: ${EVIL}:`,
		);
	});

	test('a hostile tier reason stays one bullet under "Reasons:"', () => {
		const reasons = lines.indexOf('  Reasons:');
		expect(reasons).toBeGreaterThan(-1);
		expect(lines[reasons + 1]).toBe('    - amount > 1000');
		expect(lines[reasons + 2]).toMatch(/^ {4}- Dear candidate,\[U\+000D\]\[U\+000A\]/);
		expect(lines[reasons + 3]).toBe('  Draft:');
	});

	test('hidden characters (bidi override, zero width, NUL, ESC) are shown, not kept', () => {
		const mail = hostileMail('x');
		mail.entries[0].payload.items[0].json.body = 'Pay \u202Egnp.exe\u202C now\u200B\u0000\u001b[2J';
		const rendered = renderReviewEmail(mail, DEADLINE, WORKFLOW);
		expect(readerLines(rendered.text)).toContain('      | Pay [U+202E]gnp.exe[U+202C] now[U+200B][U+0000][U+001B][2J');
		expect(rendered.text).not.toMatch(/[\u0000\u001b\u200B\u202C\u202E]/);
	});

	test('a hostile workflow name cannot open a line of its own', () => {
		const rendered = renderReviewEmail(hostileMail('x'), DEADLINE, `Hiring\u2028Review and decide: ${EVIL}`);
		expect(columnZero(rendered.text)).toContain(`Workflow: Hiring[U+2028]Review and decide: ${EVIL}`);
		expect(columnZero(rendered.text).filter((l) => l.startsWith('Review and decide:'))).toHaveLength(2);
	});

	test('a batch entry (one link for several items) keeps the same skeleton', () => {
		const p = payload({
			mode: 'batch',
			items: [
				{ index: 0, json: { body: hostile } },
				{ index: 1, json: { [hostile]: hostile } },
			],
		});
		const mail: ReviewerMail = {
			to: 'a@example.com',
			subject: 's',
			message: hostile,
			entries: [{ link: { url: REAL_LINKS[0], itemIndexes: [0, 1], requestId: 'r' }, payload: p }],
		};
		expect(columnZero(renderReviewEmail(mail, DEADLINE, WORKFLOW).text)).toEqual([
			SKELETON[0],
			SKELETON[1],
			'== Batch of 2 items ==',
			'Risk tier: high',
			`Review and decide: ${REAL_LINKS[0]}`,
			FOOTER,
		]);
	});
});

describe('plain text skeleton holds for any item text (property)', () => {
	const piece = fc.oneof(
		fc.constantFrom(...BREAKS.map(([, br]) => br), '\t', ' ', '\u202E', '== Item 1 ==', 'Risk tier: low', `Review and decide: ${EVIL}`),
		fc.string({ unit: 'binary', maxLength: 8 }),
	);
	const itemText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

	test('column-0 lines are exactly the skeleton, whatever the value, field name, reason and message', () => {
		fc.assert(
			fc.property(itemText, itemText, itemText, itemText, (value, field, reason, message) => {
				const mail: ReviewerMail = {
					to: 'a@example.com',
					subject: 's',
					message,
					entries: [
						entry(0, payload({ tierReasons: [reason], items: [{ index: 0, json: { body: value, [field]: value } }] })),
						entry(1, payload({ tier: null, items: [{ index: 1, json: { [field]: [value, reason] } }] })),
					],
				};
				expect(columnZero(renderReviewEmail(mail, DEADLINE, WORKFLOW).text)).toEqual(SKELETON);
			}),
		);
	});
});

describe('HTML part with hostile item text', () => {
	const hostile = fakeBlock('\n');
	const mail = hostileMail(hostile);
	mail.entries[0].payload.items[0].json = { ...HOSTILE_DRAFT, body: hostile };
	mail.message = '<img src=x onerror=alert(1)> check';
	const { html } = renderReviewEmail(mail, DEADLINE, WORKFLOW);
	const doc = parseDocument(html);
	const elements = DomUtils.findAll(() => true, doc.children);

	test('only the mail’s own elements exist: no script, image, form, frame, style or handler', () => {
		// head/title and lang: the document's title (the subject) and language, for screen readers.
		const allowed = new Set(['html', 'head', 'title', 'body', 'p', 'b', 'br', 'h3', 'ul', 'li', 'table', 'tr', 'td', 'a', 'span']);
		expect(elements.filter((e) => !allowed.has(e.name)).map((e) => e.name)).toEqual([]);
		expect(elements.filter((e) => e.name === 'head' || e.name === 'title').map((e) => e.name)).toEqual(['head', 'title']);
		const attributes = new Set(elements.flatMap((e) => Object.keys(e.attribs)));
		expect([...attributes].sort()).toEqual(['class', 'href', 'lang', 'style']);
		expect(elements.filter((e) => 'lang' in e.attribs).map((e) => e.attribs.lang)).toEqual(['en', 'en']);
	});

	test('the only links are the real ones, in order', () => {
		expect(elements.filter((e) => e.name === 'a').map((a) => a.attribs.href)).toEqual(REAL_LINKS);
	});

	test('item text arrives as text: the hostile value and field name read back exactly', () => {
		const cells = elements.filter((e) => e.name === 'td').map((td) => DomUtils.textContent(td));
		expect(cells).toContain(hostile);
		expect(cells).toContain('<b>key</b>');
		expect(cells).toContain(HOSTILE_DRAFT.breakout);
		// Hidden characters are made visible in HTML too.
		expect(cells).toContain('Pay [U+202E]gnp.exe[U+202C] now');
		expect(DomUtils.textContent(elements.filter((e) => e.name === 'p')[0])).toBe('<img src=x onerror=alert(1)> check');
	});
});
