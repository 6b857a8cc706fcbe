// Tests added from mutation testing (docs/mutation-testing.md): what core/links/csrf.ts promises beyond
// round-trips — its exact, domain-separated MAC input, refusal of inputs that could make that input
// ambiguous even when the MAC matches, and refusal of oversized tokens before any HMAC work.
import crypto from 'node:crypto';

import { CSRF_SIGNING_PREFIX, csrfToken, verifyCsrfToken } from '../../../core/links/csrf';
import type { SigningKey } from '../../../core/links/signingKey';

const KEY: SigningKey = { keyId: 'k1', secret: 'csrf-mutation-secret-AAAAAAAAAAAAAAAAAAAAA' };
const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2U'; // 23 base64url characters (>= 16 bytes)
const REQ = 'req_1';

/** The CSRF MAC computed independently of the module, from its documented input. */
function expectedMac(secret: string, text: string): string {
	return crypto.createHmac('sha256', secret).update(text, 'utf8').digest('base64url');
}

describe('CSRF token (mutation-found gaps)', () => {
	afterEach(() => jest.restoreAllMocks());

	test('is HMAC-SHA256 over the domain prefix, key id, nonce and request id, one per line', () => {
		expect(CSRF_SIGNING_PREFIX).toBe('n8n-nodes-hitl/csrf/v1\n');
		const text = `n8n-nodes-hitl/csrf/v1\n${KEY.keyId}\n${NONCE}\n${REQ}`;
		expect(csrfToken(NONCE, REQ, KEY)).toBe(expectedMac(KEY.secret, text));
		// Without the domain prefix the same key would sign a different value: never accepted.
		expect(verifyCsrfToken(expectedMac(KEY.secret, `${KEY.keyId}\n${NONCE}\n${REQ}`), NONCE, REQ, KEY)).toBe(false);
	});

	test('a matching MAC over a request id or nonce outside the allowed syntax is still refused', () => {
		// A newline would let one (nonce, request) pair spell another's MAC input; verify refuses it outright.
		const badRequest = 'req_1\nx';
		const forRequest = expectedMac(KEY.secret, `${CSRF_SIGNING_PREFIX}${KEY.keyId}\n${NONCE}\n${badRequest}`);
		expect(verifyCsrfToken(forRequest, NONCE, badRequest, KEY)).toBe(false);
		const badNonce = 'short';
		const forNonce = expectedMac(KEY.secret, `${CSRF_SIGNING_PREFIX}${KEY.keyId}\n${badNonce}\n${REQ}`);
		expect(verifyCsrfToken(forNonce, badNonce, REQ, KEY)).toBe(false);
	});

	test('a single key (not in a list) verifies its own token and refuses another key', () => {
		const token = csrfToken(NONCE, REQ, KEY);
		expect(verifyCsrfToken(token, NONCE, REQ, KEY)).toBe(true);
		expect(verifyCsrfToken(token, NONCE, REQ, { keyId: 'k1', secret: 'a-different-secret-of-enough-length-00' })).toBe(false);
	});

	test('any key of the list may match: first, middle or last', () => {
		const other = (n: number): SigningKey => ({ keyId: `k${n}`, secret: `csrf-other-secret-${n}-${'x'.repeat(24)}` });
		const token = csrfToken(NONCE, REQ, KEY);
		expect(verifyCsrfToken(token, NONCE, REQ, [KEY, other(2), other(3)])).toBe(true);
		expect(verifyCsrfToken(token, NONCE, REQ, [other(2), KEY, other(3)])).toBe(true);
		expect(verifyCsrfToken(token, NONCE, REQ, [other(2), other(3), KEY])).toBe(true);
		expect(verifyCsrfToken(token, NONCE, REQ, [other(2), other(3)])).toBe(false);
	});

	test('an empty or oversized token (over 128 characters) is refused before any HMAC is computed', () => {
		const hmac = jest.spyOn(crypto, 'createHmac');
		expect(verifyCsrfToken('', NONCE, REQ, KEY)).toBe(false);
		expect(verifyCsrfToken('A'.repeat(129), NONCE, REQ, KEY)).toBe(false);
		expect(hmac).not.toHaveBeenCalled();
		// 128 characters is still within the bound: checked (and refused) by the MAC comparison.
		expect(verifyCsrfToken('A'.repeat(128), NONCE, REQ, KEY)).toBe(false);
		expect(hmac).toHaveBeenCalledTimes(1);
	});

	test('a bad nonce or request id is refused before any HMAC is computed', () => {
		const hmac = jest.spyOn(crypto, 'createHmac');
		const token = csrfToken(NONCE, REQ, KEY);
		hmac.mockClear();
		expect(verifyCsrfToken(token, 'short', REQ, KEY)).toBe(false);
		expect(verifyCsrfToken(token, NONCE, 'req 1', KEY)).toBe(false);
		expect(hmac).not.toHaveBeenCalled();
	});
});
