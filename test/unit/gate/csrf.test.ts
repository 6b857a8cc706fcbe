import fc from 'fast-check';

import { csrfToken, verifyCsrfToken } from '../../../core/links/csrf';
import { randomToken, signLinkToken } from '../../../core/links/linkToken';
import { SigningKeyError, type SigningKey } from '../../../core/links/signingKey';

const KEY_A: SigningKey = { keyId: 'k1', secret: 'csrf-test-secret-AAAAAAAAAAAAAAAAAAAAAAAA' };
const KEY_B: SigningKey = { keyId: 'k0', secret: 'csrf-test-secret-BBBBBBBBBBBBBBBBBBBBBBBB' };
const NONCE = randomToken();
const REQ = 'req_1';

describe('CSRF token', () => {
	test('verifies for the same nonce, request and key', () => {
		const t = csrfToken(NONCE, REQ, KEY_A);
		expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(verifyCsrfToken(t, NONCE, REQ, KEY_A)).toBe(true);
		expect(verifyCsrfToken(t, NONCE, REQ, [KEY_B, KEY_A])).toBe(true);
	});

	test('bound to the nonce: another link (other reviewer or re-issued link) does not accept it', () => {
		const t = csrfToken(NONCE, REQ, KEY_A);
		expect(verifyCsrfToken(t, randomToken(), REQ, KEY_A)).toBe(false);
	});

	test('bound to the request', () => {
		const t = csrfToken(NONCE, REQ, KEY_A);
		expect(verifyCsrfToken(t, NONCE, 'req_2', KEY_A)).toBe(false);
	});

	test('bound to the key: a token made with another secret fails; a removed key fails', () => {
		const t = csrfToken(NONCE, REQ, KEY_B);
		expect(verifyCsrfToken(t, NONCE, REQ, [KEY_A])).toBe(false);
		expect(verifyCsrfToken(t, NONCE, REQ, [KEY_A, KEY_B])).toBe(true);
		expect(verifyCsrfToken(t, NONCE, REQ, { keyId: 'k0', secret: 'z'.repeat(40) })).toBe(false);
	});

	test('missing, non-string, truncated, extended or altered tokens fail without throwing', () => {
		const t = csrfToken(NONCE, REQ, KEY_A);
		for (const bad of [undefined, null, '', 42, ['x'], t.slice(0, -1), `${t}A`, t.toUpperCase(), 'x'.repeat(500)]) {
			expect(verifyCsrfToken(bad, NONCE, REQ, KEY_A)).toBe(false);
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
		expect(verifyCsrfToken(link.split('.')[1], NONCE, REQ, KEY_A)).toBe(false);
	});

	test('property: any other string fails', () => {
		const t = csrfToken(NONCE, REQ, KEY_A);
		fc.assert(
			fc.property(fc.string(), (s) => {
				fc.pre(s !== t);
				expect(verifyCsrfToken(s, NONCE, REQ, KEY_A)).toBe(false);
			}),
			{ numRuns: 1000 },
		);
	});

	test('refuses bad keys and bad binding inputs loudly', () => {
		expect(() => csrfToken(NONCE, REQ, { keyId: 'k', secret: 'short' })).toThrow(SigningKeyError);
		expect(() => csrfToken('short', REQ, KEY_A)).toThrow(/nonce/);
		expect(() => csrfToken(NONCE, 'req\n2', KEY_A)).toThrow(/request id/);
		expect(verifyCsrfToken(csrfToken(NONCE, REQ, KEY_A), NONCE, 'req\n2', KEY_A)).toBe(false);
	});
});
