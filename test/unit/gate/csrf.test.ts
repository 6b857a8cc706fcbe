// The review form's CSRF token: bound to link nonce, request and key, and (v2) to the time its page was
// served, which the webhook's minimum time on page reads back. Old (v1) tokens verify with no served time.
import crypto from 'node:crypto';

import fc from 'fast-check';

import { CSRF_MAX_CLOCK_SKEW_MS, csrfToken, verifyCsrfToken } from '../../../core/links/csrf';
import { randomToken, signLinkToken } from '../../../core/links/linkToken';
import { SigningKeyError, type SigningKey } from '../../../core/links/signingKey';

const KEY_A: SigningKey = { keyId: 'k1', secret: 'csrf-test-secret-AAAAAAAAAAAAAAAAAAAAAAAA' };
const KEY_B: SigningKey = { keyId: 'k0', secret: 'csrf-test-secret-BBBBBBBBBBBBBBBBBBBBBBBB' };
const NONCE = randomToken();
const REQ = 'req_1';
const SERVED = new Date('2026-03-02T10:00:00.250Z');
const LATER = new Date(SERVED.getTime() + 3_000);

const ok = (verdict: ReturnType<typeof verifyCsrfToken>): boolean => verdict.valid;

/** A v1 token (pages rendered before served-at binding), made from its documented format. */
function v1Token(key: SigningKey): string {
	return crypto.createHmac('sha256', key.secret).update(`n8n-nodes-hitl/csrf/v1\n${key.keyId}\n${NONCE}\n${REQ}`, 'utf8').digest('base64url');
}

describe('CSRF token', () => {
	test('v2 round trip: verifies for the same nonce, request and key, and gives back the served time to the millisecond', () => {
		const t = csrfToken(NONCE, REQ, KEY_A, SERVED);
		expect(t).toMatch(/^v2\.1772445600250\.[A-Za-z0-9_-]{43}$/);
		expect(verifyCsrfToken(t, NONCE, REQ, KEY_A, LATER)).toEqual({ valid: true, servedAtMs: SERVED.getTime() });
		expect(verifyCsrfToken(t, NONCE, REQ, [KEY_B, KEY_A], LATER)).toEqual({ valid: true, servedAtMs: SERVED.getTime() });
	});

	test('the served time is signed: a token whose time was moved (earlier or later) does not verify', () => {
		const t = csrfToken(NONCE, REQ, KEY_A, SERVED);
		const [, ms, mac] = t.split('.');
		for (const moved of [Number(ms) - 10_000, Number(ms) - 1, Number(ms) + 1]) {
			expect(verifyCsrfToken(`v2.${moved}.${mac}`, NONCE, REQ, KEY_A, LATER)).toEqual({ valid: false, reason: 'bad_mac' });
		}
		// A second spelling of the same time (leading zero) is not the same token.
		expect(verifyCsrfToken(`v2.0${ms}.${mac}`, NONCE, REQ, KEY_A, LATER)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('a served time in the future beyond clock skew is refused; within the skew it verifies', () => {
		const inSkew = csrfToken(NONCE, REQ, KEY_A, new Date(LATER.getTime() + CSRF_MAX_CLOCK_SKEW_MS));
		expect(verifyCsrfToken(inSkew, NONCE, REQ, KEY_A, LATER)).toEqual({ valid: true, servedAtMs: LATER.getTime() + CSRF_MAX_CLOCK_SKEW_MS });
		const ahead = csrfToken(NONCE, REQ, KEY_A, new Date(LATER.getTime() + CSRF_MAX_CLOCK_SKEW_MS + 1));
		expect(verifyCsrfToken(ahead, NONCE, REQ, KEY_A, LATER)).toEqual({ valid: false, reason: 'served_in_future' });
		expect(CSRF_MAX_CLOCK_SKEW_MS).toBeLessThanOrEqual(10_000);
	});

	test('an old-format (v1) token from a page rendered before the upgrade verifies with an unknown served time', () => {
		expect(verifyCsrfToken(v1Token(KEY_A), NONCE, REQ, KEY_A, LATER)).toEqual({ valid: true, servedAtMs: null });
		expect(verifyCsrfToken(v1Token(KEY_A), NONCE, REQ, [KEY_B, KEY_A], LATER)).toEqual({ valid: true, servedAtMs: null });
		expect(ok(verifyCsrfToken(v1Token(KEY_B), NONCE, REQ, [KEY_A], LATER))).toBe(false);
		expect(ok(verifyCsrfToken(v1Token(KEY_A), NONCE, 'req_2', KEY_A, LATER))).toBe(false);
		// A v1 MAC is never a v2 MAC: the same text with a time bolted on does not verify.
		expect(ok(verifyCsrfToken(`v2.${SERVED.getTime()}.${v1Token(KEY_A)}`, NONCE, REQ, KEY_A, LATER))).toBe(false);
	});

	test('bound to the nonce: another link (other reviewer or re-issued link) does not accept it', () => {
		const t = csrfToken(NONCE, REQ, KEY_A, SERVED);
		expect(verifyCsrfToken(t, randomToken(), REQ, KEY_A, LATER)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('bound to the request', () => {
		const t = csrfToken(NONCE, REQ, KEY_A, SERVED);
		expect(verifyCsrfToken(t, NONCE, 'req_2', KEY_A, LATER)).toEqual({ valid: false, reason: 'bad_mac' });
	});

	test('bound to the key: a token made with another secret fails; rotation: the previous key still verifies; a removed key fails', () => {
		const t = csrfToken(NONCE, REQ, KEY_B, SERVED);
		expect(ok(verifyCsrfToken(t, NONCE, REQ, [KEY_A], LATER))).toBe(false);
		expect(verifyCsrfToken(t, NONCE, REQ, [KEY_A, KEY_B], LATER)).toEqual({ valid: true, servedAtMs: SERVED.getTime() });
		expect(ok(verifyCsrfToken(t, NONCE, REQ, { keyId: 'k0', secret: 'z'.repeat(40) }, LATER))).toBe(false);
		// Same secret, another key id: the key id is part of what is signed.
		expect(ok(verifyCsrfToken(t, NONCE, REQ, { keyId: 'k9', secret: KEY_B.secret }, LATER))).toBe(false);
	});

	test('missing, non-string, truncated, extended or altered tokens fail without throwing', () => {
		const t = csrfToken(NONCE, REQ, KEY_A, SERVED);
		for (const bad of [undefined, null, '', 42, ['x'], t.slice(0, -1), `${t}A`, t.toUpperCase(), t.replace('v2.', 'v3.'), `v2..${t.split('.')[2]}`, 'x'.repeat(500)]) {
			expect(ok(verifyCsrfToken(bad, NONCE, REQ, KEY_A, LATER))).toBe(false);
		}
	});

	test('a link token signature is never a valid CSRF token (domain separation)', () => {
		const link = signLinkToken(
			{
				v: 1,
				kid: 'k1',
				exec: '1',
				node: 'n',
				req: REQ,
				rev: 'a@b.co',
				dec: ['approve', 'reject'],
				dh: '0'.repeat(64),
				iat: 1,
				exp: 2,
				nonce: NONCE,
			},
			KEY_A,
		);
		expect(ok(verifyCsrfToken(link.split('.')[1], NONCE, REQ, KEY_A, LATER))).toBe(false);
		expect(ok(verifyCsrfToken(`v2.${SERVED.getTime()}.${link.split('.')[1]}`, NONCE, REQ, KEY_A, LATER))).toBe(false);
	});

	test('property: any other string fails', () => {
		const t = csrfToken(NONCE, REQ, KEY_A, SERVED);
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.string().map((s) => `v2.${SERVED.getTime()}.${s}`)), (s) => {
				fc.pre(s !== t);
				expect(ok(verifyCsrfToken(s, NONCE, REQ, KEY_A, LATER))).toBe(false);
			}),
			{ numRuns: 1000 },
		);
	});

	test('refuses bad keys, bad binding inputs and unusable served times loudly', () => {
		expect(() => csrfToken(NONCE, REQ, { keyId: 'k', secret: 'short' }, SERVED)).toThrow(SigningKeyError);
		expect(() => csrfToken('short', REQ, KEY_A, SERVED)).toThrow(/nonce/);
		expect(() => csrfToken(NONCE, 'req\n2', KEY_A, SERVED)).toThrow(/request id/);
		expect(() => csrfToken(NONCE, REQ, KEY_A, new Date(Number.NaN))).toThrow(/served time/);
		expect(() => csrfToken(NONCE, REQ, KEY_A, new Date(-1))).toThrow(/served time/);
		expect(ok(verifyCsrfToken(csrfToken(NONCE, REQ, KEY_A, SERVED), NONCE, 'req\n2', KEY_A, LATER))).toBe(false);
	});
});
