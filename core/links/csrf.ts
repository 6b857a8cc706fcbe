/**
 * CSRF token for the review page's form. Bound to the link's nonce and the review request, so a token
 * from one link's page does not work for another link, another request or another reviewer.
 * It is stateless: the page embeds it, the POST returns it, and we recompute it.
 */
import { createHmac } from 'node:crypto';

import { constantTimeEqual, ID_RE, NONCE_RE } from './linkToken';
import { assertSigningKey, type SigningKey } from './signingKey';

export const CSRF_SIGNING_PREFIX = 'n8n-nodes-hitl/csrf/v1\n';

function csrfMac(nonce: string, requestId: string, key: SigningKey): string {
	// The domain prefix keeps a CSRF token from ever equalling a link signature made with the same key.
	return createHmac('sha256', key.secret)
		.update(`${CSRF_SIGNING_PREFIX}${key.keyId}\n${nonce}\n${requestId}`, 'utf8')
		.digest('base64url');
}

export function csrfToken(nonce: string, requestId: string, key: SigningKey): string {
	assertSigningKey(key);
	if (!NONCE_RE.test(nonce)) throw new Error('Cannot make a CSRF token: the nonce is not base64url of >= 16 bytes.');
	if (!ID_RE.test(requestId)) throw new Error(`Cannot make a CSRF token: the request id must match ${ID_RE}.`);
	return csrfMac(nonce, requestId, key);
}

/**
 * True if `token` is the CSRF token for this nonce and request under any of the keys (pass the whole
 * key list so a page rendered just before a key rotation still posts). Constant-time per key.
 */
export function verifyCsrfToken(
	token: unknown,
	nonce: string,
	requestId: string,
	keys: SigningKey | readonly SigningKey[],
): boolean {
	const list: readonly SigningKey[] = Array.isArray(keys) ? keys : [keys as SigningKey];
	for (const k of list) assertSigningKey(k);
	if (typeof token !== 'string' || token.length === 0 || token.length > 128) return false;
	if (!NONCE_RE.test(nonce) || !ID_RE.test(requestId)) return false;
	let ok = false;
	for (const k of list) ok = constantTimeEqual(csrfMac(nonce, requestId, k), token) || ok;
	return ok;
}
