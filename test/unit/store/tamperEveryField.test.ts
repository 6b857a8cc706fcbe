/**
 * Every field is covered: an audit found that with `decision` left out of the hashed content every
 * older tamper test still passed (their generators never vary `decision`, `edits` or `finalSha256`),
 * so a "rejected" flipped to "approved" verified ok. These tests do not pick fields: they build a log
 * with a record of every event and every body field filled, then walk the actual keys of each stored
 * record — and every element, key and nested value inside arrays and objects — change that one value
 * to another valid value, write the line back in canonical form (so only the hash can give it away),
 * and require verification to fail at exactly that record. A field added later is walked too.
 * Signed checkpoints and link tokens get the same treatment: every field flipped must break the MAC.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { canonicalize } from '../../../core/canonicalJson';
import { BODY_FIELDS, computeRecordHash } from '../../../core/chain';
import { parseCheckpoint, signCheckpoint, verifyCheckpointMac } from '../../../core/checkpoint';
import { CLAIM_FIELDS, claimsProblem, signLinkToken, verifyLinkToken, type LinkClaims } from '../../../core/links/linkToken';
import type { SigningKey } from '../../../core/links/signingKey';
import {
	REVIEW_DECISIONS,
	REVIEW_EVENTS,
	type ReviewEvent,
	type ReviewRecord,
	type ReviewRecordBody,
	type ReviewRecordInput,
	type SignedCheckpoint,
	type VerifyFailureReason,
} from '../../../core/store/types';
import { TIERS } from '../../../core/tiers';
import { verifyFile, verifyLines } from '../../../core/verify';
import { buildLog, KEY, tempDir, toFileText } from './helpers';

const CHAIN_FIELDS = ['v', 'chain', 'seq', 'recordedAt', 'prevHash', 'hash'];
const HEX64 = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A non-null value for every body field but `event` (the type makes a new field in BODY_FIELDS a
 * compile error here until it gets a value). Nested values mix every JSON type so each kind of leaf
 * gets changed somewhere.
 */
const FILLED: { [F in Exclude<(typeof BODY_FIELDS)[number], 'event'>]: NonNullable<ReviewRecordBody[F]> } = {
	decision: 'approved',
	reviewerId: 'alice@example.com',
	requesterId: 'requester-1',
	requestedAt: '2026-01-01T09:00:00.000Z',
	viewedAt: '2026-01-01T09:05:00.000Z',
	decidedAt: '2026-01-01T09:10:00.000Z',
	queueTimeMs: 600000,
	workflowId: 'wf-1',
	workflowName: 'Candidate outreach',
	workflowVersion: 'v3',
	executionId: 'exec-42',
	nodeName: 'HITL Gate',
	itemKey: 'req-7',
	modelName: 'draft-model',
	modelVersion: '2026-01',
	promptVersion: 'p12',
	tier: 'high',
	tierReasons: ['candidate-facing send', 'salary mentioned'],
	draftSha256: 'ab'.repeat(32),
	finalSha256: 'cd'.repeat(32),
	edits: [
		{ path: 'candidate.stage', before: 2, after: 3 },
		{ path: 'body', before: { text: 'Dear Sam', flags: [true, false] }, after: 'Dear Samantha' },
		// A value too large to log in full is logged by its SHA-256.
		{ path: 'attachment', before: null, after: null, beforeSha256: '12'.repeat(32), afterSha256: '34'.repeat(32) },
	],
	comment: 'Checked the salary band',
	linkKeyId: 'k-2026-01',
	linkNonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
	clientIp: '203.0.113.7',
	userAgent: 'Mozilla/5.0 (test)',
	details: { reason: 'deadline_passed', attempts: 2, flagged: true, none: null, list: ['a', 1, false], nested: { deeper: { value: 'x' } } },
};

/** One record of every event; decisions rotate so every decision value is stored (the decided record is "rejected"). */
const INPUTS: ReviewRecordInput[] = REVIEW_EVENTS.map((event: ReviewEvent, i) => ({
	...FILLED,
	event,
	decision: event === 'decided' ? 'rejected' : REVIEW_DECISIONS[i % REVIEW_DECISIONS.length],
}));
const { records: RECORDS, lines: LINES } = buildLog(INPUTS);

async function* linesOf(lines: string[]): AsyncIterable<string> {
	yield* lines;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** One way of changing a value: `where` locates the changed part inside it (`''` = the value itself). */
interface Change {
	where: string;
	after: Json;
}

const isoPlusOneSecond = (iso: string): string => new Date(Date.parse(iso) + 1000).toISOString();
const otherHexDigit = (hex: string): string => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
const otherLastChar = (s: string): string => (s === '' ? 'x' : s.slice(0, -1) + (s.endsWith('x') ? 'y' : 'x'));

/**
 * Every single-spot change of `value` that keeps it valid where it stands: each string with one
 * character changed (hashes keep being hex, times keep being ISO dates), each number + 1, each boolean
 * negated, each array element changed or the last one dropped, each object member changed and — where
 * keys are free (`details`, edit values) — renamed.
 */
function changesOf(value: Json, freeKeys: boolean): Change[] {
	if (value === null) return [{ where: '', after: 0 }];
	if (typeof value === 'boolean') return [{ where: '', after: !value }];
	if (typeof value === 'number') return [{ where: '', after: value + 1 }];
	if (typeof value === 'string') {
		if (HEX64.test(value)) return [{ where: '', after: otherHexDigit(value) }];
		if (ISO_TIME.test(value)) return [{ where: '', after: isoPlusOneSecond(value) }];
		return [{ where: '', after: otherLastChar(value) }];
	}
	if (Array.isArray(value)) {
		const out: Change[] = value.flatMap((element, i) =>
			changesOf(element, freeKeys).map((c) => ({ where: `[${i}]${c.where}`, after: value.map((e, j) => (j === i ? c.after : e)) })),
		);
		if (value.length > 0) out.push({ where: ' (last element dropped)', after: value.slice(0, -1) });
		return out;
	}
	const out: Change[] = [];
	for (const key of Object.keys(value)) {
		// Inside an edit only `before` and `after` hold free JSON; its other keys are fixed.
		const free = freeKeys || key === 'before' || key === 'after';
		for (const c of changesOf(value[key], free)) out.push({ where: `.${key}${c.where}`, after: { ...value, [key]: c.after } });
		if (freeKeys) {
			const renamed = Object.fromEntries(Object.entries(value).map(([k, v]) => [k === key ? `${k}_` : k, v]));
			out.push({ where: `.${key} (renamed ${key}_)`, after: renamed });
		}
	}
	return out;
}

const others = <T>(all: readonly T[], current: unknown): T[] => all.filter((x) => x !== current);

/** The changes tried on one field of a stored record: enumerations switch to each other member. */
function fieldChanges(field: string, value: Json): Change[] {
	const switchTo = (all: readonly Json[]) => others(all, value).map((after) => ({ where: '', after }));
	if (field === 'event') return switchTo(REVIEW_EVENTS);
	if (field === 'decision') return switchTo(REVIEW_DECISIONS);
	if (field === 'tier') return switchTo(TIERS);
	if (field === 'v') return [{ where: '', after: 2 }];
	return changesOf(value, field === 'details');
}

/**
 * How verification must report a change of each field. A changed body field leaves a line that is
 * well-formed and canonical, so only the hash can catch it: the reason must be `hash_mismatch`.
 */
const EXPECTED_REASONS: Record<string, VerifyFailureReason[]> = {
	v: ['malformed'], // 1 is the only version there is
	chain: ['hash_mismatch', 'wrong_chain'], // the first record names the chain; later ones must match it
	seq: ['reorder', 'gap'],
	prevHash: ['prev_hash_mismatch'],
};

describe('every field of every record is covered by the hash chain', () => {
	it('the untouched log verifies (so every failure below is caused by the one change)', async () => {
		const head = RECORDS[RECORDS.length - 1];
		expect(await verifyLines(linesOf(LINES))).toEqual({ ok: true, recordsChecked: RECORDS.length, headSeq: head.seq, headHash: head.hash });
	});

	it('the log holds a record of every event, each with every field present and non-null', () => {
		expect(RECORDS.map((r) => r.event)).toEqual([...REVIEW_EVENTS]);
		for (const record of RECORDS) {
			expect(Object.keys(record).sort()).toEqual([...BODY_FIELDS, ...CHAIN_FIELDS].sort());
			expect(Object.entries(record).filter(([, v]) => v === null)).toEqual([]);
		}
		expect(RECORDS.find((r) => r.event === 'decided')?.decision).toBe('rejected');
	});

	describe.each(RECORDS.map((r, i) => [r.seq, r.event, i] as const))('seq %i (%s)', (seq, _event, index) => {
		const record = RECORDS[index] as unknown as Record<string, Json>;
		// The stored record's own keys, not a list kept here: a field added later is walked too.
		it.each(Object.keys(record))('%s: every change of it fails verification at this record', async (field) => {
			const changes = fieldChanges(field, record[field]);
			expect(changes.length).toBeGreaterThan(0);
			const missed: string[] = [];
			for (const change of changes) {
				const tampered = { ...record, [field]: change.after };
				const lines = [...LINES];
				lines[index] = canonicalize(tampered);
				if (lines[index] === LINES[index]) throw new Error(`change ${field}${change.where} changed nothing`);
				const result = await verifyLines(linesOf(lines));
				const reasons = EXPECTED_REASONS[field] ?? ['hash_mismatch'];
				if (result.ok || result.firstBad?.seq !== seq || result.firstBad.line !== index + 1 || !reasons.includes(result.firstBad.reason)) {
					missed.push(`${field}${change.where} → ${JSON.stringify(change.after)}: ${JSON.stringify(result.firstBad ?? { ok: result.ok })}`);
				}
			}
			// Lists each change that verified ok (or was caught elsewhere or for another reason).
			expect(missed).toEqual([]);
		});
	});

	// The structural checks (order, links, chain name) catch a lone change of seq, prevHash or chain
	// before the hash is compared, so the walk above cannot tell whether those fields are hashed. A
	// forgery that satisfies the structural checks can only be caught by the hash.
	it.each(RECORDS.slice(1).map((r, i) => [r.seq, i + 1] as const))(
		'seq %i re-pointed (prevHash) at a well-forged predecessor is caught at that seq: prevHash is hashed',
		async (seq, index) => {
			const forged = { ...RECORDS[index - 1], comment: 'forged' };
			forged.hash = computeRecordHash(forged); // over everything but its own hash: a valid record
			const lines = [...LINES];
			lines[index - 1] = canonicalize(forged);
			lines[index] = canonicalize({ ...RECORDS[index], prevHash: forged.hash });
			expect(await verifyLines(linesOf(lines))).toMatchObject({ ok: false, recordsChecked: index, firstBad: { seq, reason: 'hash_mismatch' } });
		},
	);

	it('the chain renamed in every record is caught at the first: chain is hashed', async () => {
		const renamed = RECORDS.map((r) => canonicalize({ ...r, chain: 'other' }));
		expect(await verifyLines(linesOf(renamed))).toMatchObject({ ok: false, firstBad: { seq: 1, reason: 'hash_mismatch' } });
	});

	it('the audit case, in a file: a "rejected" decision flipped to "approved" is reported at its record', async () => {
		const { dir, cleanup } = tempDir('every-field');
		try {
			const index = RECORDS.findIndex((r) => r.event === 'decided');
			const lines = [...LINES];
			lines[index] = canonicalize({ ...RECORDS[index], decision: 'approved' });
			const path = join(dir, 'flipped.jsonl');
			writeFileSync(path, toFileText(lines));
			expect(await verifyFile(path)).toMatchObject({ ok: false, recordsChecked: index, firstBad: { seq: RECORDS[index].seq, reason: 'hash_mismatch' } });
		} finally {
			cleanup();
		}
	});
});

describe('every field of a signed checkpoint is covered by its MAC', () => {
	const head: ReviewRecord = RECORDS[RECORDS.length - 1];
	const checkpoint = signCheckpoint({ chain: 'main', seq: head.seq, headHash: head.hash, time: '2026-02-01T00:00:00.000Z' }, KEY);
	// A second configured key id with the same secret: a changed keyId is then still "known", so only the MAC can refuse it.
	const SAME_SECRET_OTHER_ID = { keyId: 'k2', secret: KEY.secret };
	const keys = [KEY, SAME_SECRET_OTHER_ID];

	function checkpointChanges(field: string, value: Json): Change[] {
		if (field === 'keyId') return [{ where: '', after: SAME_SECRET_OTHER_ID.keyId }];
		if (field === 'v') return [{ where: '', after: 2 }];
		return changesOf(value, false);
	}

	it('the untouched checkpoint verifies, alone and against its log', async () => {
		expect(verifyCheckpointMac(checkpoint, keys)).toEqual({ ok: true, checkpoint });
		expect(await verifyLines(linesOf(LINES), { checkpoint, checkpointKeys: keys })).toMatchObject({ ok: true, checkpoint: { verified: true } });
	});

	it('has exactly the documented fields', () => {
		expect(Object.keys(checkpoint).sort()).toEqual(['chain', 'headHash', 'keyId', 'mac', 'seq', 'time', 'v']);
	});

	it.each(Object.keys(checkpoint))('%s: every change of it is refused', async (field) => {
		const value = (checkpoint as unknown as Record<string, Json>)[field];
		const missed: string[] = [];
		for (const change of checkpointChanges(field, value)) {
			const tampered = { ...checkpoint, [field]: change.after } as SignedCheckpoint;
			// Still a well-formed checkpoint (except for a version that does not exist): only the MAC can refuse it.
			const wellFormed = parseCheckpoint(tampered).ok;
			const check = verifyCheckpointMac(tampered, keys);
			const result = await verifyLines(linesOf(LINES), { checkpoint: tampered, checkpointKeys: keys });
			if ((field !== 'v' && !wellFormed) || check.ok || result.ok || result.firstBad?.reason !== 'bad_checkpoint') {
				missed.push(`${field}${change.where} → ${JSON.stringify(change.after)}: wellFormed=${wellFormed} mac=${JSON.stringify(check)} verify=${JSON.stringify(result.firstBad ?? { ok: result.ok })}`);
			}
		}
		expect(missed).toEqual([]);
	});
});

describe('every claim of a link token is covered by its signature', () => {
	const KEY_A: SigningKey = { keyId: 'k-2026-11', secret: 'a'.repeat(16) + 'S3cr3t-for-tests-only-0123456789' };
	// Same secret under another id, so a changed `kid` is still a configured key and only the signature can refuse it.
	const SAME_SECRET_OTHER_ID: SigningKey = { keyId: 'k-2026-10', secret: KEY_A.secret };
	const KEYS = [KEY_A, SAME_SECRET_OTHER_ID];
	const IAT = 1_800_000_000;
	const CLAIMS: LinkClaims = {
		v: 1,
		kid: KEY_A.keyId,
		exec: '1234',
		node: '8d5f3c1e-0c7a-4b7b-9d61-2a4c9b1f7e11',
		req: 'req_AbC123',
		rev: 'alice@example.com',
		dec: ['approve', 'reject'],
		dh: 'ab'.repeat(32),
		iat: IAT,
		exp: IAT + 3600,
		nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
	};
	const CTX = { now: new Date((IAT + 10) * 1000), executionId: CLAIMS.exec, nodeId: CLAIMS.node };
	const token = signLinkToken(CLAIMS, KEY_A);
	const [payload, signature] = token.split('.');
	const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, Json>;
	/** The token's encoding of claims: their JSON in the contract's field order, base64url. */
	const encode = (claims: Record<string, Json>): string =>
		Buffer.from(JSON.stringify(Object.fromEntries(CLAIM_FIELDS.map((f) => [f, claims[f]]))), 'utf8').toString('base64url');

	function claimChanges(field: string, value: Json): Change[] {
		if (field === 'kid') return [{ where: '', after: SAME_SECRET_OTHER_ID.keyId }];
		if (field === 'v') return [{ where: '', after: 2 }];
		if (field === 'dec') return [{ where: '', after: ['approve'] }, { where: '', after: ['reject'] }];
		// Still before exp and before now, so the token would otherwise be in date.
		if (field === 'iat') return [{ where: '', after: (value as number) - 1 }];
		// Strings get one character changed to x / y: still a valid id, email, nonce (base64url) or hash.
		return changesOf(value, false);
	}

	it('the untouched token verifies, its payload holds exactly the contract fields, and re-encoding it is byte-identical', () => {
		expect(verifyLinkToken(token, KEYS, CTX)).toEqual({ ok: true, claims: CLAIMS });
		expect(Object.keys(decoded)).toEqual([...CLAIM_FIELDS]);
		// Otherwise the re-encoded tokens below could fail as malformed rather than on their signature.
		expect(encode(decoded)).toBe(payload);
	});

	it.each(Object.keys(decoded))('%s: changed and re-encoded without re-signing, or re-signed with a wrong key, is refused', (field) => {
		const missed: string[] = [];
		for (const change of claimChanges(field, decoded[field])) {
			const tampered = { ...decoded, [field]: change.after };
			const label = `${field}${change.where} → ${JSON.stringify(change.after)}`;
			const valid = claimsProblem(tampered) === null;
			if (field !== 'v' && !valid) missed.push(`${label}: not valid claims (${claimsProblem(tampered)}), so this proves nothing`);
			const unsigned = verifyLinkToken(`${encode(tampered)}.${signature}`, KEYS, CTX);
			if (unsigned.ok || unsigned.reason !== (field === 'v' ? 'malformed' : 'bad_signature')) {
				missed.push(`${label}, old signature: ${JSON.stringify(unsigned)}`);
			}
			if (!valid) continue; // v: 2 cannot be signed at all
			const wrongKey: SigningKey = { keyId: String(tampered.kid), secret: 'w'.repeat(16) + 'Wrong-secret-for-tests-0123456789' };
			const resigned = verifyLinkToken(signLinkToken(tampered as unknown as LinkClaims, wrongKey), KEYS, CTX);
			if (resigned.ok || resigned.reason !== 'bad_signature') missed.push(`${label}, re-signed with a wrong key: ${JSON.stringify(resigned)}`);
		}
		expect(missed).toEqual([]);
	});
});
