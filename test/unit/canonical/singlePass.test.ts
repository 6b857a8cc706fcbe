/**
 * The single-pass record serialisation (issue 14) against the implementation before it, kept verbatim as
 * an oracle (./oracle/): canonicalizeSealed, normaliseInput (with and without its kept text) and
 * createRecord must give the same bytes, the same hash, the same record object (key order included) and
 * the same errors, on generated inputs — every string unit, keys sorting around "hash", nested values.
 * Also the fast paths after it (a batch's per-record CPU): bodies and records built as object literals,
 * canonicalizeAt without a path for strings and numbers, and the one-shot SHA-256.
 */
import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { canonicalize, canonicalizeAt, canonicalizeSealed } from '../../../core/canonicalJson';
import { createRecord, normaliseInput, RecordError, sha256Hex, ZERO_HASH } from '../../../core/chain';
import { REVIEW_DECISIONS, REVIEW_EVENTS } from '../../../core/records';
import * as v1 from './oracle/canonicalJsonV1';
import * as chainV1 from './oracle/chainV1';

/** Strings of every kind of UTF-16 unit: ASCII, controls, astral characters, lone surrogates (refused). */
const text = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 12 }),
	fc.string({ unit: 'grapheme', maxLength: 6 }),
	fc.constantFrom('', 'hash', 'hasg', 'hasi', 'Hash', 'h', 'itemKey', 'é', 'e\u0301', '\u2028', '"', '\\', '\u0000', '\uD83D\uDE00', '\uD800'),
);
/** JSON values with such strings as keys and values, and numbers of every kind (-0 among them). */
const json = fc.letrec((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small' },
		fc.constant(null),
		fc.boolean(),
		fc.double({ noNaN: true, noDefaultInfinity: true }),
		fc.integer(),
		text,
		fc.array(tie('value'), { maxLength: 4 }),
		fc.dictionary(text, tie('value'), { maxKeys: 5 }),
	),
})).value;
const object = fc.dictionary(text, json, { maxKeys: 8 });

/** The outcome of `fn`: its value, or the error's class, message and (RecordError) field. */
function outcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: string } {
	try {
		return { ok: true, value: fn() };
	} catch (error) {
		const e = error as Error & { field?: unknown };
		return { ok: false, error: `${e.name}: ${e.message} [${String(e.field)}]` };
	}
}

describe('canonicalizeSealed against the old canonical JSON', () => {
	it('gives canonicalize(value without name) and canonicalize({ ...value, [name]: seal(without) }), byte for byte', () => {
		fc.assert(
			fc.property(object, text, json, (value, name, sealValue) => {
				const mine = outcome(() => canonicalizeSealed(value, name, () => sealValue));
				const rest = { ...value };
				delete rest[name];
				const without = outcome(() => v1.canonicalize(rest));
				const full = outcome(() => v1.canonicalize({ ...value, [name]: sealValue }));
				if (!mine.ok) {
					// Refused exactly when the old code refuses the same content (message aside: the path differs).
					expect(without.ok && full.ok).toBe(false);
					return;
				}
				expect(without).toEqual({ ok: true, value: mine.value.without });
				expect(full).toEqual({ ok: true, value: mine.value.full });
				expect(mine.value.sealed).toBe(sealValue);
			}),
			{ numRuns: 3000 },
		);
	});

	it('passes the text without the member to seal, and places the member by UTF-16 order', () => {
		const seen: string[] = [];
		const out = canonicalizeSealed({ z: 1, a: 2, hash: 'old', hasi: 3, Hz: 4, '\uD83D\uDE00': 5, '\uFF61': 6 }, 'hash', (w) => {
			seen.push(w);
			return 'x';
		});
		expect(seen).toEqual(['{"Hz":4,"a":2,"hasi":3,"z":1,"\uD83D\uDE00":5,"\uFF61":6}']);
		expect(out.full).toBe('{"Hz":4,"a":2,"hash":"x","hasi":3,"z":1,"\uD83D\uDE00":5,"\uFF61":6}');
		expect(canonicalizeSealed({}, 'hash', () => 1).full).toBe('{"hash":1}');
		expect(canonicalizeSealed({ a: 1 }, 'hash', () => 1).full).toBe('{"a":1,"hash":1}');
		expect(canonicalizeSealed({ z: 1 }, 'hash', () => 1).full).toBe('{"hash":1,"z":1}');
	});

	it('canonicalize itself is unchanged, and canonicalizeAt only moves error paths', () => {
		fc.assert(
			fc.property(json, (value) => {
				const mine = outcome(() => canonicalize(value));
				const old = outcome(() => v1.canonicalize(value));
				expect(mine).toEqual(old);
			}),
			{ numRuns: 2000 },
		);
		expect(canonicalizeAt({ b: [1, { a: 'x' }] }, ['details'])).toBe('{"b":[1,{"a":"x"}]}');
		expect(() => canonicalizeAt({ b: ['\uD800'] }, ['details'])).toThrow('at $.details.b[0]');
	});
});

// Record bodies: valid fields most of the time, sometimes something the checks must refuse.
const isoTime = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const bodyInput = fc.record(
	{
		event: fc.oneof(fc.constantFrom(...REVIEW_EVENTS), fc.constant('bogus')),
		decision: fc.oneof(fc.constant(null), fc.constantFrom(...REVIEW_DECISIONS)),
		reviewerId: fc.oneof(fc.constant(null), text),
		itemKey: text,
		comment: fc.oneof(fc.constant(null), text),
		requestedAt: fc.oneof(fc.constant(null), isoTime),
		queueTimeMs: fc.oneof(fc.constant(null), fc.constant(-0), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.constant(Number.NaN)),
		tier: fc.constantFrom(null, 'low', 'medium', 'high'),
		tierReasons: fc.oneof(fc.constant(null), fc.array(text, { maxLength: 3 })),
		draftSha256: fc.oneof(fc.constant(null), hex64),
		edits: fc.oneof(fc.constant(null), fc.array(fc.record({ path: text, before: json, after: json }, { requiredKeys: ['path'] }), { maxLength: 2 })),
		details: fc.oneof(fc.constant(null), object),
	},
	{ requiredKeys: ['event'] },
);
const position = fc.record({
	chain: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/),
	seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
	prevHash: hex64,
	recordedAt: isoTime,
});

describe('normaliseInput and createRecord against the old implementation', () => {
	it('the same body (values and key order) and the same errors, with or without the kept text', () => {
		fc.assert(
			fc.property(bodyInput, (input) => {
				// JSON text for the key order, the objects for the values (toEqual tells -0 from 0).
				const old = outcome(() => chainV1.normaliseInput(input));
				for (const keep of [false, true]) {
					const mine = outcome(() => normaliseInput(input, keep));
					expect(mine).toEqual(old);
					if (mine.ok && old.ok) expect(JSON.stringify(mine.value)).toBe(JSON.stringify(old.value));
				}
			}),
			{ numRuns: 3000 },
		);
	});

	it('the same stored line, hash and record object (key order included) as the old createRecord', () => {
		fc.assert(
			fc.property(bodyInput, position, (input, pos) => {
				let oldBody: ReturnType<typeof chainV1.normaliseInput>;
				try {
					oldBody = chainV1.normaliseInput(input);
				} catch {
					return; // refused alike: the test above
				}
				const expected = outcome(() => chainV1.createRecord(oldBody, pos));
				for (const body of [normaliseInput(input), normaliseInput(input, true)]) {
					const got = outcome(() => createRecord(body, pos));
					if (!expected.ok) {
						expect(got).toEqual(expected);
						continue;
					}
					expect(got.ok).toBe(true);
					if (!got.ok) continue;
					expect(got.value.line).toBe(expected.value.line);
					expect(JSON.stringify(got.value.record)).toBe(JSON.stringify(expected.value.record));
					expect(got.value.record).toEqual(expected.value.record);
					expect(got.value.line).toBe(v1.canonicalize(got.value.record));
					expect(got.value.record.hash).toBe(sha256Hex(chainV1.RECORD_DOMAIN + v1.canonicalizePair(got.value.record as never, 'hash').without));
				}
			}),
			{ numRuns: 2000 },
		);
	});

	it('a kept body changed after normalisation is serialised afresh, never from its stale text', () => {
		const pos = { chain: 'main', seq: 7, prevHash: ZERO_HASH, recordedAt: '2026-12-02T12:00:00.000Z' };
		const replaced = normaliseInput({ event: 'note', comment: 'before' }, true);
		(replaced as { comment: string | null }).comment = 'after';
		expect(createRecord(replaced, pos).line).toBe(chainV1.createRecord(chainV1.normaliseInput({ event: 'note', comment: 'after' }), pos).line);
		const added = normaliseInput({ event: 'note' }, true) as unknown as Record<string, unknown>;
		added.extra = 1;
		const line = createRecord(added as never, pos).line;
		expect(line).toContain('"extra":1');
		expect(line).toBe(v1.canonicalize(createRecord(added as never, pos).record));
	});

	it('the size limit and a bad chain position fail as before', () => {
		const pos = { chain: 'main', seq: 1, prevHash: ZERO_HASH, recordedAt: '2026-12-02T12:00:00.000Z' };
		const big = { event: 'note', comment: 'x'.repeat(70_000) };
		expect(outcome(() => createRecord(normaliseInput(big, true), pos))).toEqual(outcome(() => chainV1.createRecord(chainV1.normaliseInput(big), pos)));
		expect(() => createRecord(normaliseInput(big, true), pos)).toThrow(RecordError);
		for (const bad of [{ ...pos, chain: '../x' }, { ...pos, seq: Number.NaN }, { ...pos, recordedAt: 'x\uD800' }]) {
			const mine = outcome(() => createRecord(normaliseInput({ event: 'note' }, true), bad));
			expect(mine.ok).toBe(false);
			expect(mine).toEqual(outcome(() => chainV1.createRecord(chainV1.normaliseInput({ event: 'note' }), bad)));
		}
	});
});

describe('the batch fast paths (object literals, path-free canonicalizeAt, one-shot SHA-256)', () => {
	const pos = { chain: 'main', seq: 42, prevHash: 'ab'.repeat(32), recordedAt: '2026-12-02T12:00:00.000Z' };
	// Every body field set, each to a value no other field has: a value under the wrong key shows.
	const everyField = {
		event: 'decided', decision: 'approved', reviewerId: 'rev', requesterId: 'req', requestedAt: '2026-01-01T00:00:01Z',
		viewedAt: '2026-01-01T00:00:02Z', decidedAt: '2026-01-01T00:00:03Z', queueTimeMs: 1234, workflowId: 'wf-id',
		workflowName: 'wf-name', workflowVersion: 'wf-v', executionId: 'exec', nodeName: 'node', itemKey: 'item',
		modelName: 'model', modelVersion: 'model-v', promptVersion: 'prompt-v', tier: 'high', tierReasons: ['r1', 'r2'],
		draftSha256: '1'.repeat(64), finalSha256: '2'.repeat(64), edits: [{ path: 'p', before: 'b', after: 'a' }],
		comment: 'comment é \uD83D\uDE00', linkKeyId: 'lk', linkNonce: 'ln', clientIp: '10.0.0.1', userAgent: 'ua',
		details: { nested: { x: [1, 2] } },
	};

	it('a body with every field set: the same body, line, hash and record (key order included) as the old code', () => {
		const oldBody = chainV1.normaliseInput(everyField);
		const expected = chainV1.createRecord(oldBody, pos);
		for (const keep of [false, true]) {
			const body = normaliseInput(everyField, keep);
			expect(JSON.stringify(body)).toBe(JSON.stringify(oldBody));
			const got = createRecord(body, pos);
			expect(got.line).toBe(expected.line);
			expect(Object.keys(got.record)).toEqual(Object.keys(expected.record));
			expect(JSON.stringify(got.record)).toBe(JSON.stringify(expected.record));
			expect(got.record).toEqual(expected.record);
		}
	});

	it('a kept body whose keys were reordered is serialised afresh: the same line, the record in its key order', () => {
		const body = normaliseInput(everyField, true) as unknown as Record<string, unknown>;
		const comment = body.comment;
		delete body.comment;
		body.comment = comment; // same value, now the last key
		const oldBody = { ...chainV1.normaliseInput(everyField) } as Record<string, unknown>;
		delete oldBody.comment;
		oldBody.comment = comment;
		const expected = chainV1.createRecord(oldBody as never, pos);
		const got = createRecord(body as never, pos);
		expect(got.line).toBe(expected.line);
		expect(Object.keys(got.record)).toEqual(Object.keys(expected.record));
		expect(Object.keys(got.record).indexOf('comment')).toBe(Object.keys(got.record).indexOf('v') - 1);
	});

	it('canonicalizeAt gives the old canonical JSON, and errors at the path it is given', () => {
		fc.assert(
			fc.property(json, (value) => {
				const mine = outcome(() => canonicalizeAt(value, ['details']));
				const old = outcome(() => v1.canonicalize(value));
				expect(mine.ok).toBe(old.ok);
				if (mine.ok && old.ok) expect(mine.value).toBe(old.value);
				else if (!mine.ok) expect(mine.error).toContain('at $.details');
			}),
			{ numRuns: 2000 },
		);
		for (const bad of ['x\uD800', Number.NaN, Number.POSITIVE_INFINITY]) expect(() => canonicalizeAt(bad, ['comment'])).toThrow('at $.comment');
		expect(canonicalizeAt(-0, ['queueTimeMs'])).toBe('0');
	});

	it('sha256Hex is SHA-256 of the UTF-8 text, as createHash gives it', () => {
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (t) => {
				expect(sha256Hex(t)).toBe(createHash('sha256').update(t, 'utf8').digest('hex'));
			}),
			{ numRuns: 500 },
		);
	});
});
