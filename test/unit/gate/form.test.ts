import { parse as querystringParse } from 'node:querystring';

import fc from 'fast-check';

import { MAX_COMMENT_LENGTH, parseDecisionForm } from '../../../nodes/HitlGate/page';

const enc = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();

describe('parseDecisionForm', () => {
	const pairs: Array<[string, string]> = [
		['csrf', 'tok_123'],
		['decision', 'approve'],
		['comment', 'Looks good\r\nthanks & bye'],
		['edit.subject', 'New subject <b>'],
		['edit.candidate.stage', 'offer'],
	];
	const expected = {
		csrf: 'tok_123',
		decision: 'approve',
		comment: 'Looks good\r\nthanks & bye',
		edits: { subject: 'New subject <b>', 'candidate.stage': 'offer' },
	};

	test('raw urlencoded string, Buffer and n8n’s parsed object give the same form', () => {
		const body = enc(pairs);
		expect(parseDecisionForm(body)).toEqual({ ok: true, form: expected });
		expect(parseDecisionForm(Buffer.from(body))).toEqual({ ok: true, form: expected });
		// n8n parses application/x-www-form-urlencoded with node:querystring (null-prototype object).
		expect(parseDecisionForm(querystringParse(body))).toEqual({ ok: true, form: expected });
	});

	test('+ means space and percent-escapes decode (as browsers send them)', () => {
		const r = parseDecisionForm('csrf=a&decision=reject&comment=too+risky%21+%E2%9C%8B');
		expect(r).toMatchObject({ ok: true, form: { decision: 'reject', comment: 'too risky! ✋' } });
	});

	test('a duplicated field is refused, in every body form', () => {
		for (const dup of ['decision', 'csrf', 'comment', 'edit.subject']) {
			const body = `${enc(pairs)}&${encodeURIComponent(dup)}=x`;
			expect(parseDecisionForm(body)).toMatchObject({ ok: false, reason: 'duplicate_field', field: dup });
			expect(parseDecisionForm(querystringParse(body))).toMatchObject({ ok: false, reason: 'duplicate_field', field: dup });
		}
	});

	test('unknown fields and non-text values are refused', () => {
		expect(parseDecisionForm(`${enc(pairs)}&approved=true`)).toMatchObject({ ok: false, reason: 'unknown_field', field: 'approved' });
		expect(parseDecisionForm(`${enc(pairs)}&edit.=x`)).toMatchObject({ ok: false, reason: 'unknown_field', field: 'edit.' });
		expect(parseDecisionForm({ csrf: 'a', decision: { $ne: 1 } })).toMatchObject({ ok: false, reason: 'not_text', field: 'decision' });
		expect(parseDecisionForm({ csrf: 1 })).toMatchObject({ ok: false, reason: 'not_text' });
		expect(parseDecisionForm([1, 2])).toMatchObject({ ok: false, reason: 'malformed' });
		expect(parseDecisionForm(42)).toMatchObject({ ok: false, reason: 'malformed' });
	});

	test('missing fields: empty csrf (fails the CSRF check later), null decision, empty comment', () => {
		expect(parseDecisionForm(undefined)).toEqual({ ok: true, form: { csrf: '', decision: null, comment: '', edits: {} } });
		expect(parseDecisionForm('')).toEqual({ ok: true, form: { csrf: '', decision: null, comment: '', edits: {} } });
		expect(parseDecisionForm({})).toEqual({ ok: true, form: { csrf: '', decision: null, comment: '', edits: {} } });
	});

	test('a decision other than approve/reject reads as none', () => {
		for (const d of ['', 'APPROVE', 'approved', 'true', 'approve ']) {
			expect(parseDecisionForm(enc([['decision', d]]))).toMatchObject({ ok: true, form: { decision: null } });
		}
	});

	test('oversized comment or body is refused', () => {
		expect(parseDecisionForm(enc([['comment', 'x'.repeat(MAX_COMMENT_LENGTH + 1)]]))).toMatchObject({ ok: false, reason: 'too_large' });
		expect(parseDecisionForm('x='.concat('y'.repeat(2_000_001)))).toMatchObject({ ok: false, reason: 'too_large' });
	});

	test('edit.__proto__ does not touch any prototype', () => {
		const r = parseDecisionForm('edit.__proto__=polluted&edit.constructor=x');
		expect(r.ok).toBe(true);
		if (r.ok) {
			expect(Object.keys(r.form.edits)).toEqual(['__proto__', 'constructor']);
			expect(Object.getPrototypeOf(r.form.edits)).toBeNull();
		}
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	test('property: any set of distinct edit fields round-trips through urlencoding', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string({ unit: 'grapheme' })), (edits) => {
				const body = enc(Object.entries(edits).map(([k, v]) => [`edit.${k}`, v]));
				const r = parseDecisionForm(body);
				expect(r.ok).toBe(true);
				if (r.ok) expect({ ...r.form.edits }).toEqual({ ...edits });
			}),
			{ numRuns: 300 },
		);
	});
});
