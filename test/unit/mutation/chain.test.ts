// Tests added from mutation testing (docs/mutation-testing.md) for core/chain.ts, the review log's record
// format: the exact hash input an auditor recomputes, the fixed set of record fields, and the strict
// checks on every field of a record (caller input and stored lines alike).
import { createHash } from 'node:crypto';

import {
	assertChainName,
	assertStorable,
	BODY_FIELDS,
	computeRecordHash,
	createRecord,
	isValidChainName,
	MAX_RECORD_BYTES,
	normaliseInput,
	parseRecordLine,
	RECORD_DOMAIN,
	RecordError,
	ZERO_HASH,
} from '../../../core/chain';
import { REVIEW_DECISIONS, REVIEW_EVENTS, type ReviewRecordBody } from '../../../core/store/types';

const POS = { chain: 'main', seq: 1, prevHash: ZERO_HASH, recordedAt: '2026-01-01T00:00:00.000Z' };
const HEX = 'ab'.repeat(32);

/** Sorted-key JSON, written independently of core/canonicalJson (enough for the values used here). */
function sortedJson(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
	const obj = value as Record<string, unknown>;
	return `{${Object.keys(obj)
		.sort()
		.map((k) => `${JSON.stringify(k)}:${sortedJson(obj[k])}`)
		.join(',')}}`;
}

function recordError(fn: () => unknown): RecordError {
	try {
		fn();
	} catch (error) {
		if (error instanceof RecordError) return error;
		throw error;
	}
	throw new Error('expected a RecordError');
}

/** A valid stored line with `change` applied to the parsed record, re-serialised with sorted keys. */
function lineWith(change: (record: Record<string, unknown>) => void): string {
	const { line } = createRecord(normaliseInput({ event: 'decided', decision: 'approved', comment: 'ok' }), POS);
	const record = JSON.parse(line) as Record<string, unknown>;
	change(record);
	return sortedJson(record);
}

describe('record format (what an auditor recomputes)', () => {
	test('constants of the format', () => {
		expect(RECORD_DOMAIN).toBe('n8n-nodes-hitl/review-record/v1\n');
		expect(ZERO_HASH).toBe('0'.repeat(64));
		expect(MAX_RECORD_BYTES).toBe(65536);
	});

	test('hash = SHA-256 of the domain prefix and the sorted-key JSON of the record without its hash', () => {
		const body = normaliseInput({ event: 'decided', decision: 'approved', reviewerId: 'ann@example.com', tierReasons: ['a', 'b'], details: { z: 1, a: [true, null] } });
		const { record, line } = createRecord(body, { ...POS, seq: 3, prevHash: HEX });
		const { hash, ...rest } = record;
		expect(hash).toBe(createHash('sha256').update(`n8n-nodes-hitl/review-record/v1\n${sortedJson(rest)}`, 'utf8').digest('hex'));
		expect(line).toBe(sortedJson(record));
		expect(rest).toMatchObject({ v: 1, chain: 'main', seq: 3, prevHash: HEX, recordedAt: POS.recordedAt });
		// The hash of a record never depends on the hash it carries.
		expect(computeRecordHash(record)).toBe(hash);
		expect(computeRecordHash({ ...record, hash: ZERO_HASH })).toBe(hash);
		expect(computeRecordHash(rest)).toBe(hash);
		const parsed = parseRecordLine(line);
		expect(parsed).toEqual({ ok: true, record, computedHash: hash });
	});

	test('a record body has exactly the documented fields, absent ones null', () => {
		const body = normaliseInput({ event: 'note' }) as unknown as Record<string, unknown>;
		const documented = [
			'event', 'decision', 'reviewerId', 'requesterId', 'requestedAt', 'viewedAt', 'decidedAt', 'queueTimeMs',
			'workflowId', 'workflowName', 'workflowVersion', 'executionId', 'nodeName', 'itemKey', 'modelName',
			'modelVersion', 'promptVersion', 'tier', 'tierReasons', 'draftSha256', 'finalSha256', 'edits', 'comment',
			'linkKeyId', 'linkNonce', 'clientIp', 'userAgent', 'details',
		];
		expect([...BODY_FIELDS]).toEqual(documented);
		expect(Object.keys(body).sort()).toEqual([...documented].sort());
		for (const field of documented) expect(body[field]).toBe(field === 'event' ? 'note' : null);
		// Stored lines carry exactly the body fields and the six chain fields.
		const { line } = createRecord(body as unknown as ReviewRecordBody, POS);
		expect(Object.keys(JSON.parse(line) as object).sort()).toEqual([...documented, 'v', 'chain', 'seq', 'recordedAt', 'prevHash', 'hash'].sort());
	});
});

describe('normaliseInput: every field is checked', () => {
	const refused = (input: Record<string, unknown>, message: string | RegExp, field: string | null) => {
		const error = recordError(() => normaliseInput({ event: 'note', ...input }));
		expect(error.message).toMatch(message);
		expect(error.field).toBe(field);
	};

	test('only a plain JSON object', () => {
		class Input {
			event = 'note';
		}
		for (const input of [null, undefined, 'note', 42, [], [{ event: 'note' }], new Input(), new Date(0)]) {
			const error = recordError(() => normaliseInput(input));
			expect(error.message).toBe('A review record must be a JSON object');
			expect(error.field).toBeNull();
		}
		expect(normaliseInput(Object.assign(Object.create(null), { event: 'note' }))).toMatchObject({ event: 'note' });
	});

	test('unknown fields are refused by name (a typo must not drop data)', () => {
		const error = recordError(() => normaliseInput({ event: 'note', comentt: 'x', extra: 1 }));
		expect(error.name).toBe('RecordError');
		expect(error.message).toBe(`Unknown record field(s): "comentt", "extra". Allowed: ${BODY_FIELDS.join(', ')}`);
		expect(error.field).toBe('comentt');
	});

	test('event is required and one of the events; decision one of the decisions or null', () => {
		refused({ event: null }, /^event is required$/, 'event');
		refused({ event: undefined }, /^event is required$/, 'event');
		refused({ event: 'deleted' }, `event must be one of ${REVIEW_EVENTS.join(', ')}`, 'event');
		for (const event of REVIEW_EVENTS) expect(normaliseInput({ event }).event).toBe(event);
		for (const decision of REVIEW_DECISIONS) expect(normaliseInput({ event: 'decided', decision }).decision).toBe(decision);
		refused({ decision: 'maybe' }, `decision must be one of ${REVIEW_DECISIONS.join(', ')} or null`, 'decision');
	});

	test('text fields take text only', () => {
		const textFields = [
			'reviewerId', 'requesterId', 'workflowId', 'workflowName', 'workflowVersion', 'executionId', 'nodeName',
			'itemKey', 'modelName', 'modelVersion', 'promptVersion', 'comment', 'linkKeyId', 'linkNonce', 'clientIp', 'userAgent',
		];
		for (const field of textFields) {
			expect((normaliseInput({ event: 'note', [field]: 'some text' }) as unknown as Record<string, unknown>)[field]).toBe('some text');
			refused({ [field]: 42 }, `${field} must be a string or null`, field);
			refused({ [field]: ['x'] }, `${field} must be a string or null`, field);
		}
	});

	test('date-time fields take ISO-8601 date-times with a zone only', () => {
		for (const field of ['requestedAt', 'viewedAt', 'decidedAt']) {
			for (const ok of ['2026-01-01T00:00:00Z', '2026-01-01T10:20:30.5Z', '2026-01-01T10:20:30.123456789+02:00', '2026-01-01T10:20:30-05:30']) {
				expect((normaliseInput({ event: 'note', [field]: ok }) as unknown as Record<string, unknown>)[field]).toBe(ok);
			}
			for (const bad of [
				'2026-01-01',
				'2026-01-01T00:00:00',
				'2026-01-01 00:00:00Z',
				'2026-01-01T00:00:00.Z',
				'2026-01-01T00:00:00.1234567890Z',
				'2026-01-01T00:00:00+0200',
				'2026-01-01T00:00Z',
				'x2026-01-01T00:00:00Z',
				'2026-01-01T00:00:00Zx',
				'2026-01-01T00:00:00Z\n',
				'12026-01-01T00:00:00Z',
				'2026-1-01T00:00:00Z',
				'2026-01-01T0:00:00Z',
				'2026-13-45T99:99:99Z',
				'２０２６-01-01T00:00:00Z',
				1767225600000,
			]) {
				refused({ [field]: bad }, `${field} must be an ISO-8601 date-time or null`, field);
			}
		}
	});

	test('queueTimeMs is a non-negative finite number', () => {
		for (const ok of [0, 1, 1.5, 86_400_000]) expect(normaliseInput({ event: 'note', queueTimeMs: ok }).queueTimeMs).toBe(ok);
		for (const bad of [-1, -0.001, Infinity, NaN, '5']) refused({ queueTimeMs: bad }, /^queueTimeMs must be a non-negative number or null$/, 'queueTimeMs');
	});

	test('tier and tier reasons', () => {
		for (const tier of ['low', 'medium', 'high']) expect(normaliseInput({ event: 'note', tier }).tier).toBe(tier);
		refused({ tier: 'urgent' }, /^tier must be low, medium, high or null$/, 'tier');
		expect(normaliseInput({ event: 'note', tierReasons: [] }).tierReasons).toEqual([]);
		expect(normaliseInput({ event: 'note', tierReasons: ['a', 'b'] }).tierReasons).toEqual(['a', 'b']);
		for (const bad of [['a', 1], [1, 'a'], 'a', { 0: 'a' }]) refused({ tierReasons: bad }, /^tierReasons must be a list of strings or null$/, 'tierReasons');
	});

	test('draft and final SHA-256 are 64 lower-case hex digits', () => {
		for (const field of ['draftSha256', 'finalSha256']) {
			expect((normaliseInput({ event: 'note', [field]: HEX }) as unknown as Record<string, unknown>)[field]).toBe(HEX);
			for (const bad of [HEX.toUpperCase(), HEX.slice(1), `${HEX}a`, `x${HEX.slice(1)}`, `${HEX.slice(1)}g`, ` ${HEX}`, 42]) {
				refused({ [field]: bad }, `${field} must be 64 lower-case hex characters (SHA-256) or null`, field);
			}
		}
	});

	test('a hash or time that only looks right as text (a one-element list) is refused in caller input too', () => {
		// A regex test and Date.parse coerce a list to its text, so the type check is what refuses these
		// (a Stryker survivor: `typeof value === 'string'` → true let them into the body as lists).
		for (const field of ['draftSha256', 'finalSha256']) {
			refused({ [field]: [HEX] }, `${field} must be 64 lower-case hex characters (SHA-256) or null`, field);
		}
		for (const field of ['requestedAt', 'viewedAt', 'decidedAt']) {
			refused({ [field]: ['2026-01-01T00:00:00Z'] }, `${field} must be an ISO-8601 date-time or null`, field);
		}
	});

	test('edits: a list of objects with a string path; before/after default to null', () => {
		expect(normaliseInput({ event: 'note', edits: [] }).edits).toEqual([]);
		expect(normaliseInput({ event: 'note', edits: [{ path: 'body', before: 'a' }, { path: 'x', after: 2 }] }).edits).toEqual([
			{ path: 'body', before: 'a', after: null },
			{ path: 'x', before: null, after: 2 },
		]);
		expect(normaliseInput({ event: 'note', edits: [Object.assign(Object.create(null), { path: 'p', before: 1, after: 2 })] }).edits).toEqual([
			{ path: 'p', before: 1, after: 2 },
		]);
		refused({ edits: 'body' }, /^edits must be a list of \{path, before, after\} or null$/, 'edits');
		refused({ edits: { path: 'x' } }, /^edits must be a list of/, 'edits');
		for (const bad of [['body'], [null], [{ before: 1 }], [{ path: 5 }], [[]], [{ path: 'ok' }, { path: null }]]) {
			refused({ edits: bad }, /^each edit must be an object with a string path$/, 'edits');
		}
	});

	test('details is a plain object; values that are not JSON are refused with their path', () => {
		expect(normaliseInput({ event: 'note', details: { a: 1 } }).details).toEqual({ a: 1 });
		expect(normaliseInput({ event: 'note', details: Object.create(null) }).details).toEqual({});
		class Details {
			a = 1;
		}
		for (const bad of [[], 'x', 1, new Details(), new Date(0)]) refused({ details: bad }, /^details must be an object or null$/, 'details');
		refused({ details: { amount: undefined } }, /^Record: Value of type undefined is not JSON at \$\.details\.amount$/, 'details.amount');
		refused({ details: { 'a b': [1, () => 1] } }, /at \$\.details\["a b"\]\[1\]$/, 'details["a b"][1]');
		refused({ comment: 'x\uD800' }, /^Record: String contains a lone UTF-16 surrogate \(not valid Unicode\) at \$\.comment$/, 'comment');
	});

	test('the body is a deep copy of the input', () => {
		const details = { nested: { n: 1 } };
		const tierReasons = ['a'];
		const body = normaliseInput({ event: 'note', details, tierReasons });
		details.nested.n = 2;
		tierReasons.push('b');
		expect(body.details).toEqual({ nested: { n: 1 } });
		expect(body.tierReasons).toEqual(['a']);
	});
});

describe('chain names', () => {
	test('1-64 of letters, digits, _ . -, starting with a letter or digit', () => {
		for (const ok of ['a', 'Z', '0', 'main', 'a-b_c.d', 'x'.repeat(64), '9lives']) {
			expect(isValidChainName(ok)).toBe(true);
			expect(() => assertChainName(ok)).not.toThrow();
		}
		for (const bad of ['', 'x'.repeat(65), '-a', '_a', '.a', 'a b', 'a/b', 'a\n', '\na', 'é', 42, null]) {
			expect(isValidChainName(bad)).toBe(false);
			const error = recordError(() => assertChainName(bad));
			expect(error.field).toBe('chain');
			expect(error.message).toBe(
				`Chain name ${JSON.stringify(bad)} is invalid: use 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
			);
		}
	});

	test('createRecord refuses an invalid chain name', () => {
		expect(recordError(() => createRecord(normaliseInput({ event: 'note' }), { ...POS, chain: '../etc' })).field).toBe('chain');
	});
});

describe('record size limit', () => {
	/** A record whose stored line is exactly `bytes` long (ASCII comment padding). */
	function recordOfSize(bytes: number) {
		const base = createRecord(normaliseInput({ event: 'note', comment: '' }), POS).line.length;
		return () => createRecord(normaliseInput({ event: 'note', comment: 'c'.repeat(bytes - base) }), POS);
	}

	test('a line of exactly 64 KiB is stored and read back; one byte more is refused', () => {
		const { line } = recordOfSize(MAX_RECORD_BYTES)();
		expect(Buffer.byteLength(line)).toBe(MAX_RECORD_BYTES);
		expect(parseRecordLine(line)).toMatchObject({ ok: true });
		const error = recordError(recordOfSize(MAX_RECORD_BYTES + 1));
		expect(error.message).toBe(
			`Record is ${MAX_RECORD_BYTES + 1} bytes as canonical JSON; the limit is ${MAX_RECORD_BYTES} bytes. Shorten the comment, details or edits (store large drafts elsewhere and log their SHA-256).`,
		);
		expect(parseRecordLine(`${line} `)).toEqual({ ok: false, message: `line longer than ${MAX_RECORD_BYTES} bytes` });
	});

	test('assertStorable checks the size at the longest position: the largest seq and the longest time', () => {
		// Fits at seq 1 with a short time, not at the worst position assertStorable assumes (a Stryker
		// survivor: an empty recordedAt there let a record pass the check and then fail its append).
		const worst = { chain: 'main', seq: Number.MAX_SAFE_INTEGER, prevHash: ZERO_HASH, recordedAt: '9999-12-31T23:59:59.999Z' };
		const base = createRecord(normaliseInput({ event: 'note', comment: '' }), worst).line.length;
		const atLimit = normaliseInput({ event: 'note', comment: 'c'.repeat(MAX_RECORD_BYTES - base) });
		expect(() => assertStorable(atLimit, 'main')).not.toThrow();
		const oneOver = normaliseInput({ event: 'note', comment: 'c'.repeat(MAX_RECORD_BYTES - base + 1) });
		expect(() => createRecord(oneOver, { ...POS, recordedAt: '2026-01-01T00:00:00Z' })).not.toThrow();
		expect(recordError(() => assertStorable(oneOver, 'main')).message).toMatch(/^Record is 65537 bytes as canonical JSON; the limit is 65536 bytes\./);
	});

	test('the limit counts UTF-8 bytes, not characters', () => {
		const base = createRecord(normaliseInput({ event: 'note', comment: '' }), POS).line.length;
		const chars = Math.floor((MAX_RECORD_BYTES - base) / 2) + 1; // two bytes each: just over the limit
		expect(() => createRecord(normaliseInput({ event: 'note', comment: 'é'.repeat(chars) }), POS)).toThrow(RecordError);
	});
});

describe('parseRecordLine: every stored field is checked', () => {
	const refused = (line: string, message: string | RegExp) => {
		const result = parseRecordLine(line);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.message).toMatch(message);
	};

	test('JSON objects only', () => {
		refused('{"v":1', /^not valid JSON \(/);
		refused('', /^not valid JSON \(/);
		for (const line of ['[]', 'null', '1', '"x"']) refused(line, /^not a JSON object$/);
	});

	test('exactly the record fields', () => {
		refused(lineWith((r) => (r.extra = 1)), /^unexpected field "extra"$/);
		refused(`{"__proto__":1,${lineWith(() => undefined).slice(1)}`, /^unexpected field "__proto__"$/);
		for (const field of ['v', 'chain', 'seq', 'recordedAt', 'prevHash', 'hash', 'event', 'comment', 'details']) {
			refused(lineWith((r) => delete r[field]), `missing field ${field}`);
		}
	});

	test('a time or hash that only looks right as text (a one-element list) is refused', () => {
		// A regex test coerces a list to its text, so the type check is what refuses these.
		refused(lineWith((r) => (r.recordedAt = [r.recordedAt])), /^recordedAt must be an ISO-8601 date-time$/);
		refused(lineWith((r) => (r.prevHash = [r.prevHash])), /^invalid prevHash$/);
		refused(lineWith((r) => (r.hash = [r.hash])), /^invalid hash$/);
	});

	test('chain fields', () => {
		refused(lineWith((r) => (r.v = 2)), /^unsupported record version 2$/);
		refused(lineWith((r) => (r.v = '1')), /^unsupported record version "1"$/);
		refused(lineWith((r) => (r.chain = 'a b')), /^invalid chain name$/);
		for (const seq of [0, -1, 1.5, '1', 2 ** 53, null]) refused(lineWith((r) => (r.seq = seq)), /^seq must be a positive integer$/);
		for (const recordedAt of ['2026-01-01', 'yesterday', 'x2026-01-01T00:00:00Z', '2026-01-01T00:00:00Zx', '2026-01-01T00:00:00Z\n', 5, null]) {
			refused(lineWith((r) => (r.recordedAt = recordedAt)), /^recordedAt must be an ISO-8601 date-time$/);
		}
		for (const bad of [HEX.toUpperCase(), HEX.slice(1), `${HEX}0`, '', null]) {
			refused(lineWith((r) => (r.prevHash = bad)), /^invalid prevHash$/);
			refused(lineWith((r) => (r.hash = bad)), /^invalid hash$/);
		}
	});

	test('body fields get the same checks as caller input', () => {
		refused(lineWith((r) => (r.tier = 'urgent')), /^tier must be low, medium, high or null$/);
		refused(lineWith((r) => (r.event = null)), /^event is required$/);
		refused(lineWith((r) => (r.comment = 5)), /^comment must be a string or null$/);
		refused(lineWith((r) => (r.edits = [{ path: 'a', before: null, after: null, extra: 1 }])), /^an edit has only path, before/);
		refused(lineWith((r) => (r.edits = [{ path: 'a', before: null, after: null, constructor: 1 }])), /^an edit has only path, before/);
		const ok = parseRecordLine(lineWith((r) => (r.edits = [{ path: 'a', before: 1, after: 2 }])));
		expect(ok.ok).toBe(true);
	});

	test('only the canonical spelling is accepted', () => {
		const { line } = createRecord(normaliseInput({ event: 'note', comment: 'é' }), POS);
		refused(line.replace('{', '{ '), /^line is not in canonical JSON form$/);
		refused(line.replace('é', '\\u00e9'), /^line is not in canonical JSON form$/);
		const record = JSON.parse(line) as Record<string, unknown>;
		const reordered = `{${Object.keys(record)
			.sort()
			.reverse()
			.map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`)
			.join(',')}}`;
		refused(reordered, /^line is not in canonical JSON form$/);
		refused(line.replace('"comment":"é"', '"comment":"\\ud800"'), /lone UTF-16 surrogate/);
	});

	test('the computed hash follows the content, so an edited line no longer matches its hash', () => {
		const edited = parseRecordLine(lineWith((r) => (r.comment = 'changed')));
		expect(edited.ok).toBe(true);
		if (edited.ok) expect(edited.computedHash).not.toBe(edited.record.hash);
	});
});

describe('edits logged by SHA-256 (values too large to log in full)', () => {
	test('beforeSha256 / afterSha256 are kept when given, must be 64 lower-case hex, and are absent otherwise', () => {
		const body = normaliseInput({ event: 'decided', edits: [{ path: 'body', before: 'a', after: null, afterSha256: HEX }] });
		expect(body.edits).toEqual([{ path: 'body', before: 'a', after: null, afterSha256: HEX }]);
		const withBefore = normaliseInput({ event: 'decided', edits: [{ path: 'body', before: null, after: 'b', beforeSha256: HEX }] });
		expect(withBefore.edits).toEqual([{ path: 'body', before: null, after: 'b', beforeSha256: HEX }]);
		const plain = normaliseInput({ event: 'decided', edits: [{ path: 'body', before: 'a', after: 'b' }] });
		expect(Object.keys(plain.edits?.[0] ?? {}).sort()).toEqual(['after', 'before', 'path']);
		for (const digest of ['beforeSha256', 'afterSha256']) {
			for (const bad of [HEX.toUpperCase(), HEX.slice(2), [HEX], 5, null]) {
				const error = recordError(() => normaliseInput({ event: 'decided', edits: [{ path: 'body', before: null, after: null, [digest]: bad }] }));
				expect(error.message).toBe(`an edit's ${digest} must be 64 lower-case hex characters`);
				expect(error.field).toBe('edits');
			}
		}
		expect(recordError(() => normaliseInput({ event: 'decided', edits: [{ path: 'body', before: 1, after: 2, other: 3 }] })).message).toBe(
			'an edit has only path, before, after, beforeSha256 and afterSha256',
		);
	});

	test('a digest given as undefined is no digest: the edit is taken without it (JSON has no undefined)', () => {
		const body = normaliseInput({ event: 'decided', edits: [{ path: 'body', before: 'a', after: 'b', beforeSha256: undefined, afterSha256: undefined }] });
		expect(body.edits).toEqual([{ path: 'body', before: 'a', after: 'b' }]);
		expect(Object.keys(body.edits?.[0] ?? {}).sort()).toEqual(['after', 'before', 'path']);
		const one = normaliseInput({ event: 'decided', edits: [{ path: 'body', before: null, after: 'b', beforeSha256: HEX, afterSha256: undefined }] });
		expect(one.edits).toEqual([{ path: 'body', before: null, after: 'b', beforeSha256: HEX }]);
	});

	test('a body built by hand with an own "__proto__" member keeps it as a member in the record and the line, never as its prototype', () => {
		// Not a body normaliseInput makes (it has the fixed fields only): createRecord's copy of any other body.
		const body = JSON.parse('{"event":"note","__proto__":{"polluted":true}}') as ReviewRecordBody;
		const { record, line } = createRecord(body, POS);
		expect(Object.keys(record)).toContain('__proto__');
		expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
		expect((record as unknown as Record<string, unknown>).polluted).toBeUndefined();
		expect(line).toContain('"__proto__":{"polluted":true}');
	});

	test('assertStorable throws exactly what an append would, and nothing for a record that fits', () => {
		expect(() => assertStorable(normaliseInput({ event: 'note', comment: 'fits' }), 'main')).not.toThrow();
		const tooLarge = normaliseInput({ event: 'note', comment: 'x'.repeat(MAX_RECORD_BYTES) });
		expect(() => assertStorable(tooLarge, 'main')).toThrow(RecordError);
		expect(() => assertStorable(normaliseInput({ event: 'note' }), '../etc')).toThrow(RecordError);
	});
});
