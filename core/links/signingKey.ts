/**
 * HMAC signing keys for the gate's links. Keys come from the `hitlSigningApi` credential, never from
 * node parameters (those are stored in plain text in the workflow JSON).
 */

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
