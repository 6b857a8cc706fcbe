// The implementation of core/chain.ts before the single-pass record serialisation (issue 14), kept
// verbatim (imports aside) as a test oracle for normaliseInput and createRecord (singlePass.test.ts).
/**
 * Records of the review log and their hash chain.
 *
 * A record's `hash` is SHA-256 (hex) over `RECORD_DOMAIN` followed by the RFC 8785 canonical JSON of
 * the record without `hash`. The domain prefix keeps these hashes from ever colliding with hashes
 * of other objects built from the same canonical JSON (checkpoints, link tokens, drafts).
 * A stored line is exactly `canonicalize(record)`; verifiers reject lines that are not canonical, so
 * an export is byte-for-byte what was hashed.
 */
import { createHash } from 'node:crypto';

import { canonicalize, CanonicalJsonError, canonicalizePair } from './canonicalJsonV1';
import { isTier } from '../../../../core/tiers';
import {
	REVIEW_DECISIONS,
	REVIEW_EVENTS,
	type ReviewRecord,
	type ReviewRecordBody,
} from '../../../../core/records';

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

/** Deep copy of JSON data through its canonical text: no shared references, no prototypes, no getters. */
function jsonCopy<T>(value: T, what: string): T {
	try {
		return JSON.parse(canonicalize(value)) as T;
	} catch (error) {
		if (error instanceof CanonicalJsonError) {
			throw new RecordError(`${what}: ${error.message}`, error.path.replace(/^\$\.?/, '') || null);
		}
		throw error;
	}
}

/**
 * Turns caller input into a complete record body: every field present (absent → null), values
 * checked, unknown fields refused (a typo must not silently drop data). Strings are kept exactly as
 * given (no Unicode normalisation): the hash covers what the caller supplied, so NFC and NFD forms
 * of the same text are different records.
 */
export function normaliseInput(input: unknown): ReviewRecordBody {
	if (!isPlainObject(input)) throw new RecordError('A review record must be a JSON object');
	const unknown = Object.keys(input).filter((k) => !BODY_FIELD_SET.has(k));
	if (unknown.length > 0) {
		throw new RecordError(
			`Unknown record field(s): ${unknown.map((k) => JSON.stringify(k)).join(', ')}. Allowed: ${BODY_FIELDS.join(', ')}`,
			unknown[0],
		);
	}
	const body = Object.create(null) as Record<string, unknown>;
	for (const field of BODY_FIELDS) {
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
		body[field] = value;
	}
	return jsonCopy({ ...body }, 'Record') as unknown as ReviewRecordBody;
}

export function sha256Hex(text: string): string {
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

/** Builds the next record and its stored line; refuses records over {@link MAX_RECORD_BYTES}. */
export function createRecord(body: ReviewRecordBody, pos: ChainPosition): { record: ReviewRecord; line: string } {
	assertChainName(pos.chain);
	const unhashed: Omit<ReviewRecord, 'hash'> = {
		...body,
		v: 1,
		chain: pos.chain,
		seq: pos.seq,
		recordedAt: pos.recordedAt,
		prevHash: pos.prevHash,
	};
	const record: ReviewRecord = { ...unhashed, hash: computeRecordHash(unhashed) };
	const line = canonicalize(record);
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
