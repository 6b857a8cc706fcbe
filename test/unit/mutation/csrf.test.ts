// Tests added from mutation testing (docs/mutation-testing.md): what core/links/csrf.ts promises beyond
// round-trips — its exact, domain-separated MAC inputs (v1 and v2), the one spelling of a served time,
// the clock-skew boundary, refusal of inputs that could make the MAC input ambiguous even when the MAC
// matches, and refusal of oversized tokens before any HMAC work.
import crypto from 'node:crypto';

import {
	CSRF_MAX_CLOCK_SKEW_MS,
	CSRF_MAX_TOKEN_LENGTH,
	CSRF_SIGNING_PREFIX,
	CSRF_V2_SIGNING_PREFIX,
	csrfToken,
	MAX_SERVED_AT_MS,
	verifyCsrfToken,
} from '../../../core/links/csrf';
import { SigningKeyError, type SigningKey } from '../../../core/links/signingKey';

const KEY: SigningKey = { keyId: 'k1', secret: 'csrf-mutation-secret-AAAAAAAAAAAAAAAAAAAAA' };
const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2U'; // 23 base64url characters (>= 16 bytes)
const REQ = 'req_1';
const SERVED_MS = 1_772_445_600_250;
const NOW = new Date(SERVED_MS + 2_000);

/** The CSRF MAC computed independently of the module, from its documented input. */
function expectedMac(secret: string, text: string): string {
	return crypto.createHmac('sha256', secret).update(text, 'utf8').digest('base64url');
}

/** A v2 token with the given time digits, MAC'd from the documented format (whatever the digits are). */
function forgedV2(digits: string, key: SigningKey = KEY): string {
	return `v2.${digits}.${expectedMac(key.secret, `n8n-nodes-hitl/csrf/v2\n${key.keyId}\n${NONCE}\n${REQ}\n${digits}`)}`;
}

const other = (n: number): SigningKey => ({ keyId: `k${n}`, secret: `csrf-other-secret-${n}-${'x'.repeat(24)}` });

describe('CSRF token (mutation-found gaps)', () => {
	afterEach(() => jest.restoreAllMocks());

	test('v2 is `v2.<ms>.<HMAC-SHA256 over the v2 prefix, key id, nonce, request id and ms, one per line>`', () => {
		expect(CSRF_V2_SIGNING_PREFIX).toBe('n8n-nodes-hitl/csrf/v2\n');
		expect(csrfToken(NONCE, REQ, KEY, new Date(SERVED_MS))).toBe(forgedV2(String(SERVED_MS)));
		expect(verifyCsrfToken(forgedV2(String(SERVED_MS)), NONCE, REQ, KEY, NOW)).toEqual({ valid: true, servedAtMs: SERVED_MS });
		// Without the domain prefix, or with the v1 prefix, the same key signs a different value: never accepted.
		const unprefixed = expectedMac(KEY.secret, `${KEY.keyId}\n${NONCE}\n${REQ}\n${SERVED_MS}`);
		expect(verifyCsrfToken(`v2.${SERVED_MS}.${unprefixed}`, NONCE, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'bad_mac' });
		const v1Prefixed = expectedMac(KEY.secret, `${CSRF_SIGNING_PREFIX}${KEY.keyId}\n${NONCE}\n${REQ}\n${SERVED_MS}`);
		expect(verifyCsrfToken(`v2.${SERVED_MS}.${v1Prefixed}`, NONCE, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('v1 (pages rendered before the upgrade) is the bare HMAC over the v1 prefix, key id, nonce and request id; it verifies with no served time', () => {
		expect(CSRF_SIGNING_PREFIX).toBe('n8n-nodes-hitl/csrf/v1\n');
		const v1 = expectedMac(KEY.secret, `n8n-nodes-hitl/csrf/v1\n${KEY.keyId}\n${NONCE}\n${REQ}`);
		expect(verifyCsrfToken(v1, NONCE, REQ, KEY, NOW)).toEqual({ valid: true, servedAtMs: null });
		expect(verifyCsrfToken(expectedMac(KEY.secret, `${KEY.keyId}\n${NONCE}\n${REQ}`), NONCE, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'bad_mac' });
		// Any key of the list may match a v1 token: first, middle or last.
		expect(verifyCsrfToken(v1, NONCE, REQ, [KEY, other(2), other(3)], NOW)).toEqual({ valid: true, servedAtMs: null });
		expect(verifyCsrfToken(v1, NONCE, REQ, [other(2), KEY, other(3)], NOW)).toEqual({ valid: true, servedAtMs: null });
		expect(verifyCsrfToken(v1, NONCE, REQ, [other(2), other(3), KEY], NOW)).toEqual({ valid: true, servedAtMs: null });
		expect(verifyCsrfToken(v1, NONCE, REQ, [other(2), other(3)], NOW)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('a served time has one spelling: leading zeros, signs, 16 digits or a changed separator are refused even with a matching MAC', () => {
		for (const digits of [`0${SERVED_MS}`, `+${SERVED_MS}`, `-${SERVED_MS}`, '1000000000000000', `${SERVED_MS}.5`, '']) {
			expect(verifyCsrfToken(forgedV2(digits), NONCE, REQ, KEY, new Date(1_000_000_000_000_001))).toEqual({ valid: false, reason: 'bad_mac' });
		}
		const token = forgedV2(String(SERVED_MS));
		for (const variant of [`x${token}`, `${token}x`, `${token}A`, token.replace('v2.', 'v2x'), token.replace(`.${SERVED_MS}.`, `.${SERVED_MS}x`), token.replace('v2.', 'V2.')]) {
			expect(verifyCsrfToken(variant, NONCE, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'bad_mac' });
		}
	});

	test('the served time spans 0 (1970) to 15 digits of milliseconds, made and verified; outside that, csrfToken refuses', () => {
		expect(MAX_SERVED_AT_MS).toBe(999_999_999_999_999);
		const zero = csrfToken(NONCE, REQ, KEY, new Date(0));
		expect(zero).toBe(forgedV2('0'));
		expect(verifyCsrfToken(zero, NONCE, REQ, KEY, NOW)).toEqual({ valid: true, servedAtMs: 0 });
		const max = csrfToken(NONCE, REQ, KEY, new Date(MAX_SERVED_AT_MS));
		expect(max).toBe(forgedV2('999999999999999'));
		expect(verifyCsrfToken(max, NONCE, REQ, KEY, new Date(MAX_SERVED_AT_MS))).toEqual({ valid: true, servedAtMs: MAX_SERVED_AT_MS });
		expect(verifyCsrfToken(forgedV2('7'), NONCE, REQ, KEY, NOW)).toEqual({ valid: true, servedAtMs: 7 });
		for (const bad of [new Date(-1), new Date(MAX_SERVED_AT_MS + 1), new Date(Number.NaN)]) {
			expect(() => csrfToken(NONCE, REQ, KEY, bad)).toThrow('Cannot make a CSRF token: the served time must be a valid date between 1970 and the year 33000.');
		}
	});

	test('the clock-skew boundary: exactly 5 s ahead verifies, 1 ms more is refused as served in the future', () => {
		expect(CSRF_MAX_CLOCK_SKEW_MS).toBe(5_000);
		const now = new Date(SERVED_MS);
		expect(verifyCsrfToken(forgedV2(String(SERVED_MS + 5_000)), NONCE, REQ, KEY, now)).toEqual({ valid: true, servedAtMs: SERVED_MS + 5_000 });
		expect(verifyCsrfToken(forgedV2(String(SERVED_MS + 5_001)), NONCE, REQ, KEY, now)).toEqual({ valid: false, reason: 'served_in_future' });
		// The past is fine however far back: the link's own expiry bounds a token's life.
		expect(verifyCsrfToken(forgedV2(String(SERVED_MS - 86_400_000)), NONCE, REQ, KEY, now)).toEqual({ valid: true, servedAtMs: SERVED_MS - 86_400_000 });
		// A wrong MAC is a wrong MAC, also when its time lies in the future.
		const [, , mac] = forgedV2(String(SERVED_MS)).split('.');
		expect(verifyCsrfToken(`v2.${SERVED_MS + 60_000}.${mac}`, NONCE, REQ, KEY, now)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('a matching MAC over a request id or nonce outside the allowed syntax is still refused, as malformed', () => {
		// A newline would let one (nonce, request) pair spell another's MAC input; verify refuses it outright.
		const badRequest = 'req_1\nx';
		const forRequest = expectedMac(KEY.secret, `${CSRF_SIGNING_PREFIX}${KEY.keyId}\n${NONCE}\n${badRequest}`);
		expect(verifyCsrfToken(forRequest, NONCE, badRequest, KEY, NOW)).toEqual({ valid: false, reason: 'malformed' });
		const badNonce = 'short';
		const forNonce = expectedMac(KEY.secret, `${CSRF_SIGNING_PREFIX}${KEY.keyId}\n${badNonce}\n${REQ}`);
		expect(verifyCsrfToken(forNonce, badNonce, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'malformed' });
		expect(() => csrfToken(NONCE, badRequest, KEY, NOW)).toThrow('Cannot make a CSRF token: the request id must match');
		expect(() => csrfToken(badNonce, REQ, KEY, NOW)).toThrow('Cannot make a CSRF token: the nonce is not base64url of >= 16 bytes.');
	});

	test('a single key (not in a list) verifies its own token and refuses another key; a bad key in the list throws', () => {
		const token = csrfToken(NONCE, REQ, KEY, new Date(SERVED_MS));
		expect(verifyCsrfToken(token, NONCE, REQ, KEY, NOW)).toEqual({ valid: true, servedAtMs: SERVED_MS });
		expect(verifyCsrfToken(token, NONCE, REQ, { keyId: 'k1', secret: 'a-different-secret-of-enough-length-00' }, NOW)).toEqual({ valid: false, reason: 'bad_mac' });
		expect(() => verifyCsrfToken(token, NONCE, REQ, [KEY, { keyId: 'k2', secret: 'short' }], NOW)).toThrow(SigningKeyError);
		expect(() => csrfToken(NONCE, REQ, { keyId: 'k2', secret: 'short' }, NOW)).toThrow(SigningKeyError);
	});

	test('any key of the list may match a v2 token: first, middle or last', () => {
		const token = csrfToken(NONCE, REQ, KEY, new Date(SERVED_MS));
		const valid = { valid: true, servedAtMs: SERVED_MS };
		expect(verifyCsrfToken(token, NONCE, REQ, [KEY, other(2), other(3)], NOW)).toEqual(valid);
		expect(verifyCsrfToken(token, NONCE, REQ, [other(2), KEY, other(3)], NOW)).toEqual(valid);
		expect(verifyCsrfToken(token, NONCE, REQ, [other(2), other(3), KEY], NOW)).toEqual(valid);
		expect(verifyCsrfToken(token, NONCE, REQ, [other(2), other(3)], NOW)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('an empty, non-string or oversized token (over 128 characters) is refused as malformed before any HMAC is computed', () => {
		expect(CSRF_MAX_TOKEN_LENGTH).toBe(128);
		const hmac = jest.spyOn(crypto, 'createHmac');
		for (const bad of ['', 'A'.repeat(129), 42, null]) {
			expect(verifyCsrfToken(bad, NONCE, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'malformed' });
		}
		expect(hmac).not.toHaveBeenCalled();
		// 128 characters is still within the bound: checked (and refused) by the MAC comparison.
		expect(verifyCsrfToken('A'.repeat(128), NONCE, REQ, KEY, NOW)).toEqual({ valid: false, reason: 'bad_mac' });
		expect(hmac).toHaveBeenCalledTimes(1);
	});

	test('a bad nonce or request id is refused before any HMAC is computed', () => {
		const hmac = jest.spyOn(crypto, 'createHmac');
		const token = csrfToken(NONCE, REQ, KEY, new Date(SERVED_MS));
		hmac.mockClear();
		expect(verifyCsrfToken(token, 'short', REQ, KEY, NOW)).toEqual({ valid: false, reason: 'malformed' });
		expect(verifyCsrfToken(token, NONCE, 'req 1', KEY, NOW)).toEqual({ valid: false, reason: 'malformed' });
		expect(hmac).not.toHaveBeenCalled();
	});
});
