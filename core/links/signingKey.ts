/**
 * HMAC signing keys for the gate's links. Keys come from the `hitlSigningApi` credential, or — when the
 * builder chose none — are derived from n8n's instance encryption key; never from node parameters
 * (those are stored in plain text in the workflow JSON).
 */
import { createHash, hkdfSync } from 'node:crypto';

export interface SigningKey {
	/** Short public name of the key, carried in every token so a rotated-out key can still be found. */
	keyId: string;
	/** The HMAC secret; at least {@link MIN_SECRET_LENGTH} characters. */
	secret: string;
}

export const MIN_SECRET_LENGTH = 32;
export const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** A configuration problem with the signing keys (not a problem with a link). */
export class SigningKeyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SigningKeyError';
	}
}

export function assertSigningKey(key: SigningKey, label = 'signing key'): void {
	if (typeof key !== 'object' || key === null) {
		throw new SigningKeyError(`The HITL ${label} is missing.`);
	}
	if (typeof key.keyId !== 'string' || !KEY_ID_RE.test(key.keyId)) {
		throw new SigningKeyError(
			`The HITL ${label} id must be 1-64 characters of letters, digits, ".", "_" or "-" (e.g. "2026-11").`,
		);
	}
	if (typeof key.secret !== 'string' || key.secret.length < MIN_SECRET_LENGTH) {
		const got = typeof key.secret === 'string' ? key.secret.length : 0;
		throw new SigningKeyError(
			`The HITL ${label} secret must be at least ${MIN_SECRET_LENGTH} characters (got ${got}). ` +
				'Generate one with `openssl rand -base64 48` and store it in the HITL Signing Key credential.',
		);
	}
}

/** Shape of the `hitlSigningApi` credential's data (see credentials/HitlSigningApi.credentials.ts). */
export interface SigningCredentialData {
	kid?: unknown;
	secret?: unknown;
	previousKid?: unknown;
	previousSecret?: unknown;
}

/**
 * Turns the credential into the key list used for signing and verifying: the first key signs new
 * links; every key verifies (so links sent before a rotation keep working until they expire).
 * Throws {@link SigningKeyError} with a message that tells the user what to fix.
 */
export function signingKeysFromCredential(data: SigningCredentialData): SigningKey[] {
	const current: SigningKey = { keyId: asTrimmed(data.kid), secret: asRaw(data.secret) };
	assertSigningKey(current, 'signing key');
	const keys = [current];
	const prevId = asTrimmed(data.previousKid);
	const prevSecret = asRaw(data.previousSecret);
	if (prevId !== '' || prevSecret !== '') {
		const previous = { keyId: prevId, secret: prevSecret };
		assertSigningKey(previous, 'previous signing key');
		if (previous.keyId === current.keyId) {
			throw new SigningKeyError(
				'The previous HITL signing key must have a different key id than the current one; ' +
					'give the new key a new id when you rotate.',
			);
		}
		keys.push(previous);
	}
	return keys;
}

function asTrimmed(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

function asRaw(v: unknown): string {
	return typeof v === 'string' ? v : '';
}

/** Domain separation for the derived key: it can never equal any other key made from the same secret. */
const INSTANCE_DERIVATION_LABEL = 'n8n-nodes-hitl/link-signing/v1';
const INSTANCE_DERIVATION_SALT = 'n8n-nodes-hitl';

/**
 * The gate's signing key when no HITL Signing Key credential is chosen: derived (HKDF-SHA256) from
 * n8n's own instance encryption key, the secret that already protects every stored credential. Why
 * that one: it is never in workflow JSON or in the review store; every process of an n8n deployment
 * holds the same one (queue mode requires it), so all of them derive the same key; and whoever could
 * read it could already decrypt a signing credential, so deriving from it exposes nothing new.
 * Rotating n8n's encryption key makes links issued before it fail to verify (closed, never open).
 */
export function deriveInstanceSigningKey(instanceEncryptionKey: string): SigningKey {
	if (typeof instanceEncryptionKey !== 'string' || instanceEncryptionKey.length < 16) {
		throw new SigningKeyError('n8n\'s encryption key is missing or too short to derive the HITL signing key from; choose a HITL Signing Key credential instead.');
	}
	const secret = Buffer.from(hkdfSync('sha256', instanceEncryptionKey, INSTANCE_DERIVATION_SALT, INSTANCE_DERIVATION_LABEL, 32)).toString('base64url');
	// A public name that changes when the key does, so a record says which instance key signed it.
	const keyId = `n8n-${createHash('sha256').update(`${INSTANCE_DERIVATION_LABEL}\n${secret}`).digest('hex').slice(0, 12)}`;
	return { keyId, secret };
}
