/**
 * Salted commitments: how a review record names evidence it does not contain.
 *
 * Why salted: a record is permanent (the chain is append-only and outlives erasure), and a plain
 * SHA-256 of short personal data — a name, a salary, a yes/no edit — can be found by hashing every
 * plausible value. `sha256 = SHA-256(COMMITMENT_DOMAIN || salt || "\n" || canonical JSON)` with a
 * fresh 256-bit random salt cannot: without the salt there is nothing to brute-force against.
 *
 * Where the salt lives decides everything: the record carries only `sha256`; the salt is kept with
 * the content, inside the encrypted envelope, and is destroyed with it on erasure. (A salt written
 * into the record would make the commitment exactly as guessable as a plain hash.) While the
 * evidence exists, anyone given content + salt — an auditor's export — can check it against the
 * record; after erasure the record's commitment binds nothing anyone can recover.
 *
 * The domain prefix keeps commitments apart from every other hash of canonical JSON in this package
 * (records, checkpoints, link tokens, plain draft hashes).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { canonicalize } from '../canonicalJson';

export const COMMITMENT_DOMAIN = 'n8n-nodes-hitl/evidence-commitment/v1\n';

/** base64url of 32 random bytes. */
const SALT = /^[A-Za-z0-9_-]{43}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export interface Commitment {
	/** base64url of 32 random bytes; kept with the content, never in the record. */
	salt: string;
	/** SHA-256 (hex) over domain, salt and the value's RFC 8785 canonical JSON; this goes in the record. */
	sha256: string;
}

export function newSalt(): string {
	return randomBytes(32).toString('base64url');
}

function digest(canonical: string, salt: string): string {
	return createHash('sha256').update(COMMITMENT_DOMAIN, 'utf8').update(salt, 'utf8').update('\n', 'utf8').update(canonical, 'utf8').digest('hex');
}

/**
 * Commits to a JSON value with a fresh random salt. Throws `CanonicalJsonError` for values that are
 * not plain JSON (the commitment must be reproducible from the stored JSON alone).
 */
export function commitEvidence(value: unknown): Commitment {
	const canonical = canonicalize(value);
	const salt = newSalt();
	return { salt, sha256: digest(canonical, salt) };
}

/** True when `value` with `salt` is what `sha256` commits to. Malformed inputs are simply false. */
export function checkCommitment(value: unknown, salt: string, sha256: string): boolean {
	if (typeof salt !== 'string' || !SALT.test(salt) || typeof sha256 !== 'string' || !HEX64.test(sha256)) return false;
	let canonical: string;
	try {
		canonical = canonicalize(value);
	} catch {
		return false;
	}
	return timingSafeEqual(Buffer.from(digest(canonical, salt), 'hex'), Buffer.from(sha256, 'hex'));
}
