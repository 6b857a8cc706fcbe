import fc from 'fast-check';

import { canonicalize } from '../../../core/canonicalJson';
import {
	applyEdits,
	fieldToText,
	FieldPathError,
	parseFieldPath,
	sha256Json,
	validateEditablePaths,
} from '../../../core/edits';

const draft = () => ({
	subject: 'Offer for Jane',
	body: 'Dear Jane,\nwe are happy…\n',
	amount: 52000,
	urgent: false,
	tags: ['offer', 'eu'],
	note: null,
	candidate: { name: 'Jane Roe', stage: 'interview', address: { city: 'Lyon' } },
});

/** What a browser posts for an untouched form: every field as pre-filled, line breaks as CR LF. */
function untouched(d: Record<string, unknown>, paths: string[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const p of paths) {
		let v: unknown = d;
		for (const s of p.split('.')) v = (v as Record<string, unknown> | undefined)?.[s];
		out[p] = fieldToText(v).replace(/\n/g, '\r\n');
	}
	return out;
}

describe('applyEdits', () => {
	test('only allowed fields change; the draft itself is not mutated', () => {
		const d = draft();
		const before = canonicalize(d);
		const r = applyEdits(d, ['subject', 'candidate.stage'], { subject: 'Offer for Jane Roe', 'candidate.stage': 'offer' });
		expect(r).toEqual({
			ok: true,
			final: { ...draft(), subject: 'Offer for Jane Roe', candidate: { ...draft().candidate, stage: 'offer' } },
			edits: [
				{ path: 'subject', before: 'Offer for Jane', after: 'Offer for Jane Roe' },
				{ path: 'candidate.stage', before: 'interview', after: 'offer' },
			],
		});
		expect(canonicalize(d)).toBe(before);
	});

	test('a submitted field that is not allowed is an error, not silently applied or dropped', () => {
		const r = applyEdits(draft(), ['subject'], { subject: 'x', amount: '1' });
		expect(r).toEqual({ ok: false, errors: [{ path: 'amount', message: '"amount" is not an editable field.' }] });
	});

	test('an untouched form (browser CR LF line breaks, JSON re-sent as shown) gives no edits', () => {
		const paths = ['subject', 'body', 'amount', 'urgent', 'tags', 'note', 'candidate.address'];
		const r = applyEdits(draft(), paths, untouched(draft(), paths));
		expect(r).toEqual({ ok: true, final: draft(), edits: [] });
	});

	test('reformatted JSON with the same value is not an edit', () => {
		const r = applyEdits(draft(), ['tags', 'candidate.address'], { tags: '[ "offer",\n"eu" ]', 'candidate.address': '{"city":"Lyon"}' });
		expect(r).toEqual({ ok: true, final: draft(), edits: [] });
	});

	test('allowed fields that were not submitted stay unchanged', () => {
		expect(applyEdits(draft(), ['subject', 'body'], {})).toEqual({ ok: true, final: draft(), edits: [] });
	});

	test('edited text gets LF line breaks', () => {
		const r = applyEdits(draft(), ['body'], { body: 'Hi Jane,\r\nwelcome.\r\n' });
		expect(r.ok && r.final.body).toBe('Hi Jane,\nwelcome.\n');
	});

	test('NUL differs from the form’s U+FFFD only by the round trip: unchanged', () => {
		const d = { s: 'a\u0000b' };
		expect(applyEdits(d, ['s'], { s: 'a\uFFFDb' })).toEqual({ ok: true, final: d, edits: [] });
	});

	describe('types', () => {
		test('a number stays a number', () => {
			const r = applyEdits(draft(), ['amount'], { amount: '55000' });
			expect(r).toMatchObject({ ok: true, edits: [{ path: 'amount', before: 52000, after: 55000 }] });
			expect(r.ok && typeof r.final.amount).toBe('number');
		});
		test.each([
			['amount', 'fifty thousand', /must stay a number \(it was 52000\)/],
			['amount', '"55000"', /must stay a number/],
			['amount', '1e400', /must stay a number/],
			['amount', '', /must stay a number/],
			['urgent', 'yes', /must stay true or false/],
			['tags', '{"a":1}', /must stay a JSON list/],
			['candidate.address', '["Lyon"]', /must stay a JSON object/],
			['candidate.address', 'Lyon', /must stay a JSON object/],
		])('%s ← %j is refused', (path, text, msg) => {
			const r = applyEdits(draft(), [path], { [path]: text });
			expect(r.ok).toBe(false);
			if (!r.ok) expect(r.errors[0].message).toMatch(msg);
		});
		test('booleans, lists and objects parse as JSON', () => {
			const r = applyEdits(draft(), ['urgent', 'tags', 'candidate.address'], {
				urgent: 'true',
				tags: '["offer"]',
				'candidate.address': '{"city":"Paris","zip":"75001"}',
			});
			expect(r).toMatchObject({
				ok: true,
				final: { urgent: true, tags: ['offer'], candidate: { address: { city: 'Paris', zip: '75001' } } },
			});
		});
		test('a null field takes JSON when it parses, else the text; empty keeps null', () => {
			expect(applyEdits(draft(), ['note'], { note: '42' })).toMatchObject({ ok: true, final: { note: 42 } });
			expect(applyEdits(draft(), ['note'], { note: 'call first' })).toMatchObject({ ok: true, final: { note: 'call first' } });
			expect(applyEdits(draft(), ['note'], { note: '  ' })).toEqual({ ok: true, final: draft(), edits: [] });
		});
		test('a string field stays a string even if the text looks like JSON', () => {
			expect(applyEdits(draft(), ['subject'], { subject: '123' })).toMatchObject({ ok: true, final: { subject: '123' } });
		});
		test('a missing field is created as text (before recorded as null); empty stays missing', () => {
			const r = applyEdits(draft(), ['candidate.email', 'cc'], { 'candidate.email': 'jane@example.com', cc: '' });
			expect(r).toMatchObject({ ok: true, edits: [{ path: 'candidate.email', before: null, after: 'jane@example.com' }] });
			expect(r.ok && 'cc' in r.final).toBe(false);
		});
		test('list elements by index; out of range or through a string is refused', () => {
			expect(applyEdits(draft(), ['tags.1'], { 'tags.1': 'us' })).toMatchObject({ ok: true, final: { tags: ['offer', 'us'] } });
			expect(applyEdits(draft(), ['tags.5'], { 'tags.5': 'x' }).ok).toBe(false);
			expect(applyEdits(draft(), ['subject.x'], { 'subject.x': 'x' }).ok).toBe(false);
		});
	});

	describe('prototype safety', () => {
		test.each(['__proto__', '__proto__.polluted', 'candidate.__proto__.x', 'constructor.prototype.x', 'a..b', ''])(
			'path %j is refused',
			(path) => {
				expect(() => parseFieldPath(path)).toThrow(FieldPathError);
				const r = applyEdits(draft(), [path], { [path]: 'yes' });
				expect(r.ok).toBe(false);
				expect(({} as Record<string, unknown>).polluted).toBeUndefined();
				expect(({} as Record<string, unknown>).x).toBeUndefined();
			},
		);
		test('submitted __proto__ key (not allowed) is refused', () => {
			const submitted = JSON.parse('{"__proto__":{"polluted":"yes"}}') as Record<string, string>;
			const r = applyEdits(draft(), ['subject'], submitted);
			expect(r.ok).toBe(false);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		});
		test('a draft with an own "__proto__" key (from JSON) is copied, never used as a prototype', () => {
			const d = JSON.parse('{"__proto__":{"isAdmin":true},"subject":"s"}') as Record<string, unknown>;
			const r = applyEdits(d, ['subject'], { subject: 't' });
			expect(r.ok).toBe(true);
			if (r.ok) {
				expect((r.final as { isAdmin?: unknown }).isAdmin).toBeUndefined();
				expect(canonicalize(r.final)).toBe('{"__proto__":{"isAdmin":true},"subject":"t"}');
			}
		});
		test('field names like toString read as missing, not as inherited functions', () => {
			const r = applyEdits({ a: 1 }, ['toString'], { toString: 'x' });
			expect(r).toMatchObject({ ok: true, edits: [{ path: 'toString', before: null, after: 'x' }] });
		});
	});

	test('overlapping or duplicated editable paths are refused', () => {
		expect(() => validateEditablePaths(['candidate', 'candidate.stage'])).toThrow(/overlap/);
		expect(() => validateEditablePaths(['subject', 'subject'])).toThrow(/twice/);
		expect(validateEditablePaths(['candidate.stage', 'candidates'])).toEqual(['candidate.stage', 'candidates']);
	});

	test('property: untouched submit of arbitrary string drafts never yields edits', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (d) => {
				const paths = Object.keys(d).filter((k) => !['constructor', 'prototype'].includes(k));
				const r = applyEdits(d, paths, untouched(d, paths));
				expect(r).toEqual({ ok: true, final: d, edits: [] });
			}),
			{ numRuns: 500 },
		);
	});

	test('property: only the allowed path differs between draft and final', () => {
		fc.assert(
			fc.property(fc.string(), (text) => {
				const r = applyEdits(draft(), ['candidate.stage'], { 'candidate.stage': text });
				expect(r.ok).toBe(true);
				if (!r.ok) return;
				const { candidate, ...rest } = r.final as ReturnType<typeof draft>;
				const { candidate: c0, ...rest0 } = draft();
				expect(rest).toEqual(rest0);
				expect({ ...candidate, stage: c0.stage }).toEqual(c0);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('sha256Json', () => {
	test('is the SHA-256 of canonical JSON: key order does not matter, values do', () => {
		expect(sha256Json({ b: 1, a: 'x' })).toBe(sha256Json({ a: 'x', b: 1 }));
		expect(sha256Json({ a: 'x' })).not.toBe(sha256Json({ a: 'y' }));
		// sha256('{"a":1}') computed independently with `printf '{"a":1}' | sha256sum`.
		expect(sha256Json({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
	});
});
