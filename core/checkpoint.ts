/**
 * Signed checkpoints: `{v, chain, seq, headHash, time, keyId}` plus `mac` = HMAC-SHA256 (hex) with
 * the checkpoint key over `CHECKPOINT_DOMAIN` + the canonical JSON of the checkpoint without `mac`.
 * Kept outside the log (by the auditor, in a ticket, in object storage), a checkpoint lets a
 * verifier detect a log whose tail was cut off, which the hash chain alone cannot.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { canonicalize } from './canonicalJson';
import { isValidChainName } from './chain';
import type { SignedCheckpoint } from './records';

export const CHECKPOINT_DOMAIN = 'n8n-nodes-hitl/checkpoint/v1\n';
/** Shortest accepted checkpoint secret, in characters (or bytes when given as hex). */
export const MIN_CHECKPOINT_SECRET_LENGTH = 32;

export interface CheckpointKey {
	keyId: string;
	/** The secret: its UTF-8 bytes are the HMAC key (a Buffer is used as-is). */
	secret: string | Buffer;
}

/** What a store is configured with: the current key and, during rotation, the previous one. */
export interface CheckpointKeyConfig extends CheckpointKey {
	previous?: CheckpointKey;
}

export class CheckpointKeyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CheckpointKeyError';
	}
}

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function assertCheckpointKey(key: CheckpointKey): void {
	if (typeof key.keyId !== 'string' || !KEY_ID.test(key.keyId)) {
		throw new CheckpointKeyError('Checkpoint key id must be 1-64 letters, digits or _ . : -');
	}
	const length = typeof key.secret === 'string' ? key.secret.length : key.secret?.length;
	if (typeof length !== 'number' || length < MIN_CHECKPOINT_SECRET_LENGTH) {
		throw new CheckpointKeyError(
			`Checkpoint secret for key "${key.keyId}" is too short: use at least ${MIN_CHECKPOINT_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`,
		);
	}
}

/** Current key first, then the previous one (if any). */
export function checkpointKeyList(config: CheckpointKeyConfig): CheckpointKey[] {
	const keys: CheckpointKey[] = [{ keyId: config.keyId, secret: config.secret }];
	if (config.previous) keys.push(config.previous);
	for (const key of keys) assertCheckpointKey(key);
	return keys;
}

function macOf(body: Omit<SignedCheckpoint, 'mac'>, key: CheckpointKey): string {
	return createHmac('sha256', key.secret).update(CHECKPOINT_DOMAIN + canonicalize(body), 'utf8').digest('hex');
}

export function signCheckpoint(
	head: { chain: string; seq: number; headHash: string; time: string },
	key: CheckpointKey,
): SignedCheckpoint {
	assertCheckpointKey(key);
	const body: Omit<SignedCheckpoint, 'mac'> = {
		v: 1,
		chain: head.chain,
		seq: head.seq,
		headHash: head.headHash,
		time: head.time,
		keyId: key.keyId,
	};
	return { ...body, mac: macOf(body, key) };
}

export type CheckpointCheck = { ok: true; checkpoint: SignedCheckpoint } | { ok: false; message: string };

/** Parses checkpoint JSON text or checks a value's shape (exact fields, types). No MAC check. */
export function parseCheckpoint(input: unknown): CheckpointCheck {
	let value = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch (error) {
			return { ok: false, message: `checkpoint is not valid JSON (${(error as Error).message})` };
		}
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return { ok: false, message: 'checkpoint must be a JSON object' };
	}
	const c = value as Record<string, unknown>;
	const fields = ['v', 'chain', 'seq', 'headHash', 'time', 'keyId', 'mac'];
	const keys = Object.keys(c);
	if (keys.length !== fields.length || !fields.every((f) => Object.prototype.hasOwnProperty.call(c, f))) {
		return { ok: false, message: `checkpoint must have exactly the fields ${fields.join(', ')}` };
	}
	if (c.v !== 1) return { ok: false, message: 'unsupported checkpoint version' };
	if (!isValidChainName(c.chain)) return { ok: false, message: 'checkpoint chain name is invalid' };
	if (typeof c.seq !== 'number' || !Number.isSafeInteger(c.seq) || c.seq < 0) {
		return { ok: false, message: 'checkpoint seq must be a non-negative integer' };
	}
	if (typeof c.headHash !== 'string' || !HEX64.test(c.headHash)) {
		return { ok: false, message: 'checkpoint headHash must be 64 hex characters' };
	}
	if (typeof c.time !== 'string' || Number.isNaN(Date.parse(c.time))) {
		return { ok: false, message: 'checkpoint time must be a date-time' };
	}
	if (typeof c.keyId !== 'string' || !KEY_ID.test(c.keyId)) return { ok: false, message: 'checkpoint keyId is invalid' };
	if (typeof c.mac !== 'string' || !HEX64.test(c.mac)) return { ok: false, message: 'checkpoint mac must be 64 hex characters' };
	return { ok: true, checkpoint: { ...(c as unknown as SignedCheckpoint) } };
}

/** Checks shape and MAC against any of `keys` with the checkpoint's key id (constant-time compare). */
export function verifyCheckpointMac(input: unknown, keys: CheckpointKey[]): CheckpointCheck {
	const parsed = parseCheckpoint(input);
	if (!parsed.ok) return parsed;
	const cp = parsed.checkpoint;
	const candidates = keys.filter((k) => k.keyId === cp.keyId);
	if (candidates.length === 0) {
		return { ok: false, message: `checkpoint was signed with key "${cp.keyId}", which is not configured` };
	}
	const given = Buffer.from(cp.mac, 'hex');
	const body: Omit<SignedCheckpoint, 'mac'> = { v: cp.v, chain: cp.chain, seq: cp.seq, headHash: cp.headHash, time: cp.time, keyId: cp.keyId };
	for (const key of candidates) {
		const expected = Buffer.from(macOf(body, key), 'hex');
		// Both are 32 bytes (mac was checked to be 64 hex digits); timingSafeEqual needs equal lengths.
		if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, checkpoint: cp };
	}
	return { ok: false, message: 'checkpoint MAC does not match: it was altered or signed with another secret' };
}
