/**
 * The vault's cryptography, all from node:crypto.
 *
 * - Two caller-held keys (from an n8n credential, never stored in the vault): the *master key* wraps
 *   every subject key, the *lookup key* turns a subject id into an HMAC so the raw id (a candidate id,
 *   an e-mail address) is never written anywhere. A copy of the vault alone reveals neither content
 *   nor who it is about.
 * - One random 32-byte *subject key* per data subject encrypts that subject's envelopes. Erasing a
 *   subject destroys its (wrapped) key and its envelopes: crypto-shredding, so even a ciphertext
 *   that survives somewhere (a backup, a dead tuple, a disk block) is useless without that key.
 * - AES-256-GCM everywhere, a fresh random 12-byte IV per encryption, stored as
 *   base64url(iv || ciphertext || tag). Additional authenticated data binds each ciphertext to where
 *   it belongs: a wrapped key to its chain and subject reference; an envelope to its chain, evidence
 *   id, subject reference, time and part names. A ciphertext copied onto another evidence id or
 *   subject, or metadata edited beside it, fails to decrypt instead of showing the wrong content.
 * - Key checks (an HMAC of a fixed label under each key) are stored so a wrong key is refused when
 *   the vault opens, before it could write anything: a wrong lookup key would otherwise silently
 *   split a subject in two, and an erasure would then miss half of it.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

import { canonicalize } from '../canonicalJson';
import { EvidenceError } from './errors';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export interface VaultKeys {
	/** 32 bytes; wraps the subject keys. */
	masterKey: Buffer;
	/** 32 bytes, different from the master key; keys the subject-id lookup (HMAC-SHA256). */
	lookupKey: Buffer;
}

export interface KeyChecks {
	master: string;
	lookup: string;
}

/** Refuses keys that are not two distinct 32-byte buffers; returns private copies. */
export function checkVaultKeys(keys: VaultKeys): VaultKeys {
	for (const name of ['masterKey', 'lookupKey'] as const) {
		const key = keys?.[name];
		if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
			throw new EvidenceError(`The evidence vault's ${name} must be exactly ${KEY_BYTES} bytes (use deriveEvidenceKeys on the credential's secret)`, 'invalid_input');
		}
	}
	if (keys.masterKey.equals(keys.lookupKey)) {
		throw new EvidenceError('The evidence vault needs two different keys: masterKey and lookupKey must not be equal', 'invalid_input');
	}
	return { masterKey: Buffer.from(keys.masterKey), lookupKey: Buffer.from(keys.lookupKey) };
}

/**
 * Both vault keys from one credential secret (HKDF-SHA256), so a credential needs a single field.
 * The secret needs at least 32 characters; a random 43-character base64url string is ideal.
 */
export function deriveEvidenceKeys(secret: string): VaultKeys {
	if (typeof secret !== 'string' || secret.length < 32) {
		throw new EvidenceError('The evidence key secret must be at least 32 characters long (generate one with `openssl rand -base64 32`)', 'invalid_input');
	}
	const derive = (info: string) => Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'n8n-nodes-hitl/evidence-keys/v1', info, KEY_BYTES));
	return { masterKey: derive('master'), lookupKey: derive('lookup') };
}

export function keyChecks(keys: VaultKeys): KeyChecks {
	const check = (key: Buffer, label: string) => createHmac('sha256', key).update(`n8n-nodes-hitl/evidence-key-check/v1\n${label}`, 'utf8').digest('hex');
	return { master: check(keys.masterKey, 'master'), lookup: check(keys.lookupKey, 'lookup') };
}

export function sameHex(a: string, b: string): boolean {
	return typeof a === 'string' && typeof b === 'string' && HEX64.test(a) && HEX64.test(b) && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** The keyed lookup that stands in for a subject id (64 hex characters). */
export function subjectLookup(lookupKey: Buffer, chain: string, subjectId: string): string {
	return createHmac('sha256', lookupKey).update(`n8n-nodes-hitl/evidence-subject/v1\n${chain}\n`, 'utf8').update(subjectId, 'utf8').digest('hex');
}

/** A random id (evidence ids, subject references): 128 bits as 32 lower-case hex characters. */
export function randomId(): string {
	return randomBytes(16).toString('hex');
}

export function isRandomId(value: unknown): value is string {
	return typeof value === 'string' && HEX32.test(value);
}

export function isLookup(value: unknown): value is string {
	return typeof value === 'string' && HEX64.test(value);
}

export function newSubjectKey(): Buffer {
	return randomBytes(KEY_BYTES);
}

/** AES-256-GCM; returns base64url(iv || ciphertext || tag). */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(aad);
	const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
	return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The plaintext, or null when the key, the data or the AAD is not the one it was sealed with. */
export function unseal(key: Buffer, sealed: string, aad: Buffer): Buffer | null {
	if (typeof sealed !== 'string' || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
	const raw = Buffer.from(sealed, 'base64url');
	if (raw.length < IV_BYTES + TAG_BYTES) return null;
	try {
		const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
		decipher.setAAD(aad);
		decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
		return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
	} catch {
		return null;
	}
}

export function subjectKeyAad(chain: string, subjectRef: string): Buffer {
	return Buffer.from(canonicalize({ domain: 'n8n-nodes-hitl/evidence-subject-key/v1', chain, subjectRef }), 'utf8');
}

export interface EnvelopeBinding {
	chain: string;
	evidenceId: string;
	subjectRef: string;
	recordedAt: string;
	/** Part names, sorted. */
	parts: string[];
}

export function envelopeAad(b: EnvelopeBinding): Buffer {
	return Buffer.from(
		canonicalize({ domain: 'n8n-nodes-hitl/evidence-envelope/v1', chain: b.chain, evidenceId: b.evidenceId, subjectRef: b.subjectRef, recordedAt: b.recordedAt, parts: b.parts }),
		'utf8',
	);
}

/** A subject key wrapped with the master key. */
export function wrapSubjectKey(masterKey: Buffer, chain: string, subjectRef: string, subjectKey: Buffer): string {
	return seal(masterKey, subjectKey, subjectKeyAad(chain, subjectRef));
}

/** The subject key, or null when the master key (or the wrapped key, or its binding) is not right. */
export function unwrapSubjectKey(masterKey: Buffer, chain: string, subjectRef: string, wrapped: string): Buffer | null {
	const key = unseal(masterKey, wrapped, subjectKeyAad(chain, subjectRef));
	return key && key.length === KEY_BYTES ? key : null;
}
