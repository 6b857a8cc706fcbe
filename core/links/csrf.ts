/**
 * CSRF token for the review page's form. Bound to the link's nonce and the review request, so a token
 * from one link's page does not work for another link, another request or another reviewer.
 * It is stateless: the page embeds it, the POST returns it, and we recompute it.
 *
 * It also carries, under the same MAC, the moment the page was served (v2). The webhook uses it to
 * refuse a decision that arrives faster than a person reads (mail-security sandboxes load a link and
 * click its first button within a second or two): without state on the server, only a signed time in
 * the form itself can say how long the page has been open.
 *
 * Format: `v2.<servedAtMs>.<base64url HMAC-SHA256>` over the v2 domain prefix, key id, nonce, request id
 * and served time, one per line. Tokens of the earlier format (a bare MAC, v1, no served time) come from
 * pages rendered before an upgrade: they still verify, with an unknown served time (`null`), which the
 * webhook treats as "served just now" — they can lead to a confirmation page, never straight to a decision
 * the minimum time would have refused.
 */
import { createHmac } from 'node:crypto';

import { constantTimeEqual, ID_RE, NONCE_RE } from './linkToken';
import { assertSigningKey, type SigningKey } from './signingKey';

/** The v1 domain (no served time): still verified for pages rendered before the upgrade. */
export const CSRF_SIGNING_PREFIX = 'n8n-nodes-hitl/csrf/v1\n';
export const CSRF_V2_SIGNING_PREFIX = 'n8n-nodes-hitl/csrf/v2\n';
/**
 * How far in the future a served time may lie and still verify. Several n8n hosts behind one store
 * can disagree on the time by a little; beyond that, a token "from the future" is refused.
 */
export const CSRF_MAX_CLOCK_SKEW_MS = 5_000;
/** Longer than any token this module makes (v2 is at most 62 characters); bounds HMAC work on junk. */
export const CSRF_MAX_TOKEN_LENGTH = 128;

/**
 * Canonical decimal milliseconds (no sign, no leading zero: one spelling per time; at most 15 digits, so
 * always a safe integer), then the 43-character MAC.
 */
const V2_TOKEN_RE = /^v2\.(0|[1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$/;

/** The largest served time a token can carry: 15 decimal digits of milliseconds (about the year 33658). */
export const MAX_SERVED_AT_MS = 999_999_999_999_999;

export type CsrfVerdict =
	/** `servedAtMs` null: a v1 token, served before served-at binding existed — treat it as served now. */
	| { valid: true; servedAtMs: number | null }
	| { valid: false; reason: 'malformed' | 'bad_mac' | 'served_in_future' };

function mac(text: string, key: SigningKey): string {
	// The domain prefixes keep a CSRF token from ever equalling a link signature made with the same key,
	// and a v1 MAC from ever equalling a v2 one.
	return createHmac('sha256', key.secret).update(text, 'utf8').digest('base64url');
}

function v1Text(nonce: string, requestId: string, key: SigningKey): string {
	return `${CSRF_SIGNING_PREFIX}${key.keyId}\n${nonce}\n${requestId}`;
}

function v2Text(nonce: string, requestId: string, servedAtMs: string, key: SigningKey): string {
	return `${CSRF_V2_SIGNING_PREFIX}${key.keyId}\n${nonce}\n${requestId}\n${servedAtMs}`;
}

/** The token for the page of this link and request, served at `servedAt`. */
export function csrfToken(nonce: string, requestId: string, key: SigningKey, servedAt: Date): string {
	assertSigningKey(key);
	if (!NONCE_RE.test(nonce)) throw new Error('Cannot make a CSRF token: the nonce is not base64url of >= 16 bytes.');
	if (!ID_RE.test(requestId)) throw new Error(`Cannot make a CSRF token: the request id must match ${ID_RE}.`);
	const servedAtMs = servedAt.getTime();
	// Written with at most 15 digits (V2_TOKEN_RE); an invalid Date (NaN) fails both comparisons.
	if (!(servedAtMs >= 0 && servedAtMs <= MAX_SERVED_AT_MS)) {
		throw new Error('Cannot make a CSRF token: the served time must be a valid date between 1970 and the year 33000.');
	}
	return `v2.${servedAtMs}.${mac(v2Text(nonce, requestId, String(servedAtMs), key), key)}`;
}

/**
 * Checks `token` against this nonce and request under any of the keys (pass the whole key list so a
 * page rendered just before a key rotation still posts). Constant-time per key; every key is tried.
 * Valid tokens say when their page was served; a served time more than {@link CSRF_MAX_CLOCK_SKEW_MS}
 * after `now` is refused.
 */
export function verifyCsrfToken(
	token: unknown,
	nonce: string,
	requestId: string,
	keys: SigningKey | readonly SigningKey[],
	now: Date,
): CsrfVerdict {
	const list: readonly SigningKey[] = Array.isArray(keys) ? keys : [keys as SigningKey];
	for (const k of list) assertSigningKey(k);
	if (typeof token !== 'string' || token.length === 0 || token.length > CSRF_MAX_TOKEN_LENGTH) return { valid: false, reason: 'malformed' };
	if (!NONCE_RE.test(nonce) || !ID_RE.test(requestId)) return { valid: false, reason: 'malformed' };
	const v2 = V2_TOKEN_RE.exec(token);
	if (v2 === null) {
		let ok = false;
		for (const k of list) ok = constantTimeEqual(mac(v1Text(nonce, requestId, k), k), token) || ok;
		return ok ? { valid: true, servedAtMs: null } : { valid: false, reason: 'bad_mac' };
	}
	let ok = false;
	for (const k of list) ok = constantTimeEqual(mac(v2Text(nonce, requestId, v2[1], k), k), v2[2]) || ok;
	if (!ok) return { valid: false, reason: 'bad_mac' };
	const servedAtMs = Number(v2[1]);
	if (servedAtMs > now.getTime() + CSRF_MAX_CLOCK_SKEW_MS) return { valid: false, reason: 'served_in_future' };
	return { valid: true, servedAtMs };
}
