/**
 * Records of the review log and their hash chain.
 *
 * A record's `hash` is SHA-256 (hex) over `RECORD_DOMAIN` followed by the RFC 8785 canonical JSON of
 * the record without `hash`. The domain prefix keeps these hashes from ever colliding with hashes
 * of other objects built from the same canonical JSON (checkpoints, link tokens, drafts).
 * A stored line is exactly `canonicalize(record)`; verifiers reject lines that are not canonical, so
 * an export is byte-for-byte what was hashed.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';

import { canonicalizeAt, CanonicalJsonError, canonicalizePair, canonicalizeSealed } from './canonicalJson';
import { isTier } from './tiers';
import {
	REVIEW_DECISIONS,
	REVIEW_EVENTS,
	type ReviewRecord,
	type ReviewRecordBody,
} from './records';

export const RECORD_DOMAIN = 'n8n-nodes-hitl/review-record/v1\n';
export const ZERO_HASH = '0'.repeat(64);
/** Largest accepted record: its canonical JSON line (without the newline) in UTF-8 bytes. */
export const MAX_RECORD_BYTES = 64 * 1024;

export const BODY_FIELDS = [
	'event',
	'decision',
	'reviewerId',
	'requesterId',
	'requestedAt',
	'viewedAt',
	'decidedAt',
	'queueTimeMs',
	'workflowId',
	'workflowName',
	'workflowVersion',
	'executionId',
	'nodeName',
	'itemKey',
	'modelName',
	'modelVersion',
	'promptVersion',
	'tier',
	'tierReasons',
	'draftSha256',
	'finalSha256',
	'edits',
	'comment',
	'linkKeyId',
	'linkNonce',
	'clientIp',
	'userAgent',
	'details',
] as const satisfies ReadonlyArray<keyof ReviewRecordBody>;

/**
 * Keys of one edit. A value too large to log in full is recorded as null with the SHA-256 of its
 * canonical JSON in `beforeSha256` / `afterSha256`; the full content is kept beside the chain.
 */
const EDIT_KEYS: ReadonlySet<string> = new Set(['path', 'before', 'after', 'beforeSha256', 'afterSha256']);

const CHAIN_FIELDS = ['v', 'chain', 'seq', 'recordedAt', 'prevHash', 'hash'] as const;
const RECORD_FIELDS: ReadonlySet<string> = new Set<string>([...BODY_FIELDS, ...CHAIN_FIELDS]);
const BODY_FIELD_SET: ReadonlySet<string> = new Set<string>(BODY_FIELDS);

const STRING_FIELDS = [
	'reviewerId',
	'requesterId',
	'workflowId',
	'workflowName',
	'workflowVersion',
	'executionId',
	'nodeName',
	'itemKey',
	'modelName',
	'modelVersion',
	'promptVersion',
	'comment',
	'linkKeyId',
	'linkNonce',
	'clientIp',
	'userAgent',
] as const;
const TIME_FIELDS = ['requestedAt', 'viewedAt', 'decidedAt'] as const;

const HEX64 = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const CHAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A record that cannot be stored or read, with the field at fault. */
export class RecordError extends Error {
	constructor(
		message: string,
		readonly field: string | null = null,
	) {
		super(message);
		this.name = 'RecordError';
	}
}

export function isValidChainName(chain: unknown): chain is string {
	return typeof chain === 'string' && CHAIN_NAME.test(chain);
}

export function assertChainName(chain: unknown): asserts chain is string {
	if (!isValidChainName(chain)) {
		throw new RecordError(
			`Chain name ${JSON.stringify(chain)} is invalid: use 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
			'chain',
		);
	}
}

function own(obj: object, key: string): unknown {
	return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

/** Checks one body field; returns an error message or null. `value` is never undefined here. */
function checkField(field: string, value: unknown): string | null {
	if (value === null) return field === 'event' ? 'event is required' : null;
	switch (field) {
		case 'event':
			return (REVIEW_EVENTS as readonly unknown[]).includes(value)
				? null
				: `event must be one of ${REVIEW_EVENTS.join(', ')}`;
		case 'decision':
			return (REVIEW_DECISIONS as readonly unknown[]).includes(value)
				? null
				: `decision must be one of ${REVIEW_DECISIONS.join(', ')} or null`;
		case 'queueTimeMs':
			return typeof value === 'number' && Number.isFinite(value) && value >= 0
				? null
				: 'queueTimeMs must be a non-negative number or null';
		case 'tier':
			return isTier(value) ? null : 'tier must be low, medium, high or null';
		case 'tierReasons':
			return Array.isArray(value) && value.every((r) => typeof r === 'string')
				? null
				: 'tierReasons must be a list of strings or null';
		case 'draftSha256':
		case 'finalSha256':
			return typeof value === 'string' && HEX64.test(value)
				? null
				: `${field} must be 64 lower-case hex characters (SHA-256) or null`;
		case 'edits':
			if (!Array.isArray(value)) return 'edits must be a list of {path, before, after} or null';
			for (const edit of value) {
				if (!isPlainObject(edit) || typeof own(edit, 'path') !== 'string') {
					return 'each edit must be an object with a string path';
				}
				if (Object.keys(edit).some((k) => !EDIT_KEYS.has(k))) {
					return 'an edit has only path, before, after, beforeSha256 and afterSha256';
				}
				for (const digest of ['beforeSha256', 'afterSha256']) {
					const v = own(edit, digest);
					if (v !== undefined && (typeof v !== 'string' || !HEX64.test(v))) return `an edit's ${digest} must be 64 lower-case hex characters`;
				}
			}
			return null;
		case 'details':
			return isPlainObject(value) ? null : 'details must be an object or null';
		default:
			if ((TIME_FIELDS as readonly string[]).includes(field)) {
				return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))
					? null
					: `${field} must be an ISO-8601 date-time or null`;
			}
			if ((STRING_FIELDS as readonly string[]).includes(field)) {
				return typeof value === 'string' ? null : `${field} must be a string or null`;
			}
			return `unknown field ${field}`;
	}
}

/**
 * Canonical JSON text of the value of body field `field`, throwing a {@link RecordError} that names the
 * field. Its JSON.parse is the value's deep copy: no shared references, no prototypes, no getters (and
 * -0 becomes 0, as in the stored line).
 */
function fieldText(value: unknown, field: string): string {
	if (value === null) return 'null';
	try {
		return canonicalizeAt(value, [field]);
	} catch (error) {
		if (error instanceof CanonicalJsonError) {
			throw new RecordError(`Record: ${error.message}`, error.path.replace(/^\$\.?/, '') || null);
		}
		throw error;
	}
}

/** Body fields in canonical (sorted) order: a normalised body's own keys are in this order. */
const SORTED_BODY_FIELDS: readonly string[] = [...BODY_FIELDS].sort();
/** For each of SORTED_BODY_FIELDS, its index in BODY_FIELDS (normaliseInput checks in one order, copies in the other). */
const SORTED_FROM_BODY: readonly number[] = SORTED_BODY_FIELDS.map((f) => (BODY_FIELDS as readonly string[]).indexOf(f));

/*
 * A body and a record as ONE object literal each, from the body's values in SORTED_BODY_FIELDS order.
 * Why: 28 members added one by one (`obj[field] = v`) turn an object into a slow dictionary (V8 allows
 * only a dozen or so members added by keyed stores): building them so was ~22 µs of a 1,000-record
 * batch's 50-75 µs per record (profiled), and their size a good part of its garbage collection; a
 * literal has fast in-object members (measured 0.05 µs). Keys must stay in SORTED_BODY_FIELDS order, each with its own
 * value: checked when this module loads (assertLiteralOrder) and by test/unit/canonical/singlePass.test.ts.
 */
function bodyFromValues(v: readonly unknown[]): Record<string, unknown> {
	return {
		clientIp: v[0], comment: v[1], decidedAt: v[2], decision: v[3], details: v[4], draftSha256: v[5], edits: v[6],
		event: v[7], executionId: v[8], finalSha256: v[9], itemKey: v[10], linkKeyId: v[11], linkNonce: v[12],
		modelName: v[13], modelVersion: v[14], nodeName: v[15], promptVersion: v[16], queueTimeMs: v[17],
		requestedAt: v[18], requesterId: v[19], reviewerId: v[20], tier: v[21], tierReasons: v[22], userAgent: v[23],
		viewedAt: v[24], workflowId: v[25], workflowName: v[26], workflowVersion: v[27],
	};
}

/** What `{ ...body, v: 1, chain, seq, recordedAt, prevHash, hash }` gives for a body with these values (see bodyFromValues). */
function recordFromValues(v: readonly unknown[], pos: ChainPosition, hash: string): Record<string, unknown> {
	return {
		clientIp: v[0], comment: v[1], decidedAt: v[2], decision: v[3], details: v[4], draftSha256: v[5], edits: v[6],
		event: v[7], executionId: v[8], finalSha256: v[9], itemKey: v[10], linkKeyId: v[11], linkNonce: v[12],
		modelName: v[13], modelVersion: v[14], nodeName: v[15], promptVersion: v[16], queueTimeMs: v[17],
		requestedAt: v[18], requesterId: v[19], reviewerId: v[20], tier: v[21], tierReasons: v[22], userAgent: v[23],
		viewedAt: v[24], workflowId: v[25], workflowName: v[26], workflowVersion: v[27],
		v: 1, chain: pos.chain, seq: pos.seq, recordedAt: pos.recordedAt, prevHash: pos.prevHash, hash,
	};
}

/** Fails loudly at load if a literal above lost the order or the mapping of SORTED_BODY_FIELDS. */
function assertLiteralOrder(): void {
	const pos: ChainPosition = { chain: 'chain', seq: 0, prevHash: 'prevHash', recordedAt: 'recordedAt' };
	const body = Object.entries(bodyFromValues(SORTED_BODY_FIELDS));
	const record = Object.entries(recordFromValues(SORTED_BODY_FIELDS, pos, 'hash'));
	const want = [...SORTED_BODY_FIELDS.map((f) => [f, f]), ['v', 1], ['chain', 'chain'], ['seq', 0], ['recordedAt', 'recordedAt'], ['prevHash', 'prevHash'], ['hash', 'hash']];
	if (JSON.stringify(body) !== JSON.stringify(want.slice(0, SORTED_BODY_FIELDS.length)) || JSON.stringify(record) !== JSON.stringify(want)) {
		throw new Error('chain.ts: bodyFromValues / recordFromValues do not match SORTED_BODY_FIELDS');
	}
}
assertLiteralOrder();

/**
 * A copy of `from`'s own enumerable string-keyed members, like `{ ...from }` (an own "__proto__" stays
 * a data member). Not the spread itself: V8 takes a slow path when members are then added to a spread
 * copy of a JSON.parse'd object (measured ~25 µs for a record, against ~1 µs for this loop).
 */
function copyMembers(from: object): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(from)) {
		const value = (from as Record<string, unknown>)[key];
		if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
		else out[key] = value;
	}
	return out;
}

/**
 * What normaliseInput knew of a body it made for a store (`keepText`): each field's value and canonical
 * text, in SORTED_BODY_FIELDS order. createRecord then serialises only the chain fields.
 */
interface BodyText {
	values: unknown[];
	texts: string[];
}
/**
 * Where a body keeps its BodyText: a non-enumerable symbol member (invisible to Object.keys, JSON and
 * canonical JSON, and not copied into the record). Not a WeakMap: thousands of weak entries made each
 * young-generation garbage collection of a large batch several times slower (measured).
 */
const KEPT_TEXT = Symbol('n8n-nodes-hitl.keptText');

/**
 * Turns caller input into a complete record body: every field present (absent → null), values
 * checked, unknown fields refused (a typo must not silently drop data). Strings are kept exactly as
 * given (no Unicode normalisation): the hash covers what the caller supplied, so NFC and NFD forms
 * of the same text are different records.
 *
 * `keepText` (for the stores, whose bodies nobody else holds): remember the body's canonical text, so
 * that createRecord does not serialise it again. Such a body must not be changed afterwards; a member
 * replaced or added is noticed (createRecord then serialises the body afresh), a change deep inside
 * `details` or `edits` is not.
 */
export function normaliseInput(input: unknown, keepText = false): ReviewRecordBody {
	if (!isPlainObject(input)) throw new RecordError('A review record must be a JSON object');
	const unknown = Object.keys(input).filter((k) => !BODY_FIELD_SET.has(k));
	if (unknown.length > 0) {
		throw new RecordError(
			`Unknown record field(s): ${unknown.map((k) => JSON.stringify(k)).join(', ')}. Allowed: ${BODY_FIELDS.join(', ')}`,
			unknown[0],
		);
	}
	// Indexed by BODY_FIELDS position (an array, not a Map: one allocation instead of 28 entries).
	const checked: unknown[] = new Array<unknown>(BODY_FIELDS.length);
	for (let i = 0; i < BODY_FIELDS.length; i++) {
		const field = BODY_FIELDS[i];
		let value = own(input, field);
		if (value === undefined) value = null;
		if (field === 'edits' && Array.isArray(value)) {
			value = value.map((e: unknown) => {
				if (!isPlainObject(e)) return e;
				const edit: Record<string, unknown> = { ...e, path: own(e, 'path'), before: own(e, 'before') ?? null, after: own(e, 'after') ?? null };
				for (const digest of ['beforeSha256', 'afterSha256']) if (own(e, digest) === undefined) delete edit[digest];
				return edit;
			});
		}
		const problem = checkField(field, value);
		if (problem) throw new RecordError(problem, field);
		checked[i] = value;
	}
	// Copied field by field in canonical order, each through its canonical text: the same object (keys
	// in that order) and the same errors as a copy of the whole body through its canonical text.
	const values: unknown[] = new Array<unknown>(SORTED_BODY_FIELDS.length);
	const texts: string[] = new Array<string>(SORTED_BODY_FIELDS.length);
	for (let i = 0; i < SORTED_BODY_FIELDS.length; i++) {
		const given = checked[SORTED_FROM_BODY[i]];
		const text = fieldText(given, SORTED_BODY_FIELDS[i]);
		// A string or a finite number is its own copy (only -0 reads back as 0); objects and arrays are parsed.
		values[i] = given === null || typeof given !== 'object' ? (given === 0 ? 0 : given) : (JSON.parse(text) as unknown);
		texts[i] = text;
	}
	const body = bodyFromValues(values);
	if (keepText) Object.defineProperty(body, KEPT_TEXT, { value: { values, texts } satisfies BodyText, writable: true });
	return body as unknown as ReviewRecordBody;
}

/**
 * crypto.hash (Node 20.12+; the package needs 20.15) hashes in one call without a Hash object: about
 * half of createHash/update/digest's ~2 µs for a record (measured). The same digest either way.
 */
const hasOneShotHash = typeof oneShotHash === 'function';

export function sha256Hex(text: string): string {
	if (hasOneShotHash) return oneShotHash('sha256', text, 'hex');
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hash of a record: SHA-256 over the domain prefix and the canonical JSON of the record without `hash`. */
export function computeRecordHash(record: Omit<ReviewRecord, 'hash'> | ReviewRecord): string {
	return sha256Hex(RECORD_DOMAIN + canonicalizePair(record as unknown as Record<string, unknown>, 'hash').without);
}

export interface ChainPosition {
	chain: string;
	seq: number;
	prevHash: string;
	recordedAt: string;
}

/**
 * Fields of a record other than `hash`, in canonical order, with their `,"name":` lead, their index in
 * SORTED_BODY_FIELDS (`body`) or CHAIN_FIELDS (`chain`), -1 for neither.
 */
const RECORD_ORDER = [...BODY_FIELDS, ...CHAIN_FIELDS.filter((f) => f !== 'hash')]
	.sort()
	.map((name, i) => ({
		name,
		/** `"name":`, after the comma that separates it from the field before (one concatenation less a field). */
		lead: `${i > 0 ? ',' : ''}${JSON.stringify(name)}:`,
		/** The lead with `null`: most body fields of a record are null, and then cost one concatenation, not two. */
		leadNull: `${i > 0 ? ',' : ''}${JSON.stringify(name)}:null`,
		body: SORTED_BODY_FIELDS.indexOf(name),
		chain: (CHAIN_FIELDS as readonly string[]).indexOf(name),
	}));
/** Where `"hash":…` goes among them: before the first field that sorts after "hash". */
const HASH_AT = RECORD_ORDER.findIndex((f) => f.name > 'hash');

/**
 * A body's kept text (normaliseInput's `keepText`), or null when it has none or was changed since
 * (then the caller serialises it): exactly SORTED_BODY_FIELDS, in that order, with the kept values.
 */
function keptTextOf(body: ReviewRecordBody): BodyText | null {
	const fields = body as unknown as Record<string | symbol, unknown>;
	const kept = fields[KEPT_TEXT] as BodyText | undefined;
	if (!kept) return null;
	// Used once (a store chains each body once): dropped now, it leaves less for the garbage collector.
	fields[KEPT_TEXT] = undefined;
	const keys = Object.keys(fields);
	if (keys.length !== SORTED_BODY_FIELDS.length) return null;
	// The key order too: the record is then built by recordFromValues, whose keys are in this order.
	for (let i = 0; i < SORTED_BODY_FIELDS.length; i++) {
		if (keys[i] !== SORTED_BODY_FIELDS[i] || fields[SORTED_BODY_FIELDS[i]] !== kept.values[i]) return null;
	}
	return kept;
}

/**
 * RECORD_DOMAIN followed by the canonical JSON of the record without `hash`, from the kept text and the
 * chain fields, with the offset where `"hash":…` goes. One string: hashing flattens it once, and the
 * stored line is two slices of it around the hash (no second copy of the members).
 */
function hashInput(kept: BodyText, pos: ChainPosition): { text: string; cut: number } {
	// Indexed as CHAIN_FIELDS (v, chain, seq, recordedAt, prevHash: RECORD_ORDER's `chain`); the
	// same calls, in the same order, as before: the same errors for a bad position.
	const chainText = [
		'1',
		canonicalizeAt(pos.chain, ['chain']),
		canonicalizeAt(pos.seq, ['seq']),
		canonicalizeAt(pos.recordedAt, ['recordedAt']),
		canonicalizeAt(pos.prevHash, ['prevHash']),
	];
	let text = `${RECORD_DOMAIN}{`;
	let cut = -1;
	for (let i = 0; i < RECORD_ORDER.length; i++) {
		const f = RECORD_ORDER[i];
		// After the comma of the field's lead (HASH_AT > 0: "chain" and others sort before "hash").
		if (i === HASH_AT) cut = text.length + 1;
		const value = f.body >= 0 ? kept.texts[f.body] : chainText[f.chain];
		if (value === 'null') text += f.leadNull;
		else {
			text += f.lead;
			text += value;
		}
	}
	return { text: `${text}}`, cut };
}

/** Builds the next record and its stored line; refuses records over {@link MAX_RECORD_BYTES}. */
export function createRecord(body: ReviewRecordBody, pos: ChainPosition): { record: ReviewRecord; line: string } {
	assertChainName(pos.chain);
	// The record is serialised once: the hashed text (without `hash`) and the stored line (with it) come
	// from one pass, the same bytes as canonicalize(record); a body normalised for a store is not
	// serialised again at all.
	let line: string;
	let fields: Record<string, unknown>;
	const kept = keptTextOf(body);
	if (kept) {
		const input = hashInput(kept, pos);
		const hash = sha256Hex(input.text);
		line = `${input.text.slice(RECORD_DOMAIN.length, input.cut)}"hash":"${hash}",${input.text.slice(input.cut)}`;
		// The same object as the copy below: keptTextOf checked the keys, their order and the values.
		fields = recordFromValues(kept.values, pos, hash);
	} else {
		// What `{ ...body, v: 1, chain, seq, recordedAt, prevHash, hash }` gives, built without the spread (copyMembers).
		fields = copyMembers(body);
		fields.v = 1;
		fields.chain = pos.chain;
		fields.seq = pos.seq;
		fields.recordedAt = pos.recordedAt;
		fields.prevHash = pos.prevHash;
		fields.hash = ZERO_HASH;
		const sealed = canonicalizeSealed(fields, 'hash', (without) => sha256Hex(RECORD_DOMAIN + without));
		line = sealed.full;
		fields.hash = sealed.sealed;
	}
	const record = fields as unknown as ReviewRecord;
	const bytes = Buffer.byteLength(line, 'utf8');
	if (bytes > MAX_RECORD_BYTES) {
		throw new RecordError(
			`Record is ${bytes} bytes as canonical JSON; the limit is ${MAX_RECORD_BYTES} bytes. Shorten the comment, details or edits (store large drafts elsewhere and log their SHA-256).`,
		);
	}
	return { record, line };
}

/**
 * Throws the {@link RecordError} that appending `body` to `chain` would throw (types, canonical JSON,
 * size), without writing anything: callers check before they change state. The largest possible seq
 * and the longest time keep the size check conservative.
 */
export function assertStorable(body: ReviewRecordBody, chain: string): void {
	createRecord(body, { chain, seq: Number.MAX_SAFE_INTEGER, prevHash: ZERO_HASH, recordedAt: '9999-12-31T23:59:59.999Z' });
}

export type ParsedLine =
	| { ok: true; record: ReviewRecord; /** The hash the record's content gives (compare with `record.hash`). */ computedHash: string }
	| { ok: false; message: string };

/**
 * Parses and checks one stored line: valid JSON, canonical form, every field present with the right
 * type, nothing extra. Computes the content's hash but does not compare it with `record.hash`.
 */
export function parseRecordLine(line: string): ParsedLine {
	if (Buffer.byteLength(line, 'utf8') > MAX_RECORD_BYTES) {
		return { ok: false, message: `line longer than ${MAX_RECORD_BYTES} bytes` };
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(line);
	} catch (error) {
		return { ok: false, message: `not valid JSON (${(error as Error).message})` };
	}
	if (!isPlainObject(parsed)) return { ok: false, message: 'not a JSON object' };
	for (const key of Object.keys(parsed)) {
		if (!RECORD_FIELDS.has(key)) return { ok: false, message: `unexpected field ${JSON.stringify(key)}` };
	}
	for (const field of RECORD_FIELDS) {
		if (!Object.prototype.hasOwnProperty.call(parsed, field)) {
			return { ok: false, message: `missing field ${field}` };
		}
	}
	const r = parsed;
	if (r.v !== 1) return { ok: false, message: `unsupported record version ${JSON.stringify(r.v)}` };
	if (!isValidChainName(r.chain)) return { ok: false, message: 'invalid chain name' };
	if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 1) {
		return { ok: false, message: 'seq must be a positive integer' };
	}
	if (typeof r.recordedAt !== 'string' || !ISO_TIME.test(r.recordedAt)) {
		return { ok: false, message: 'recordedAt must be an ISO-8601 date-time' };
	}
	if (typeof r.prevHash !== 'string' || !HEX64.test(r.prevHash)) return { ok: false, message: 'invalid prevHash' };
	if (typeof r.hash !== 'string' || !HEX64.test(r.hash)) return { ok: false, message: 'invalid hash' };
	for (const field of BODY_FIELDS) {
		const problem = checkField(field, r[field]);
		if (problem) return { ok: false, message: problem };
	}
	let pair: { full: string; without: string };
	try {
		pair = canonicalizePair(r, 'hash');
	} catch (error) {
		return { ok: false, message: (error as Error).message };
	}
	if (pair.full !== line) return { ok: false, message: 'line is not in canonical JSON form' };
	return { ok: true, record: r as unknown as ReviewRecord, computedHash: sha256Hex(RECORD_DOMAIN + pair.without) };
}
