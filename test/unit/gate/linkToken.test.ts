import fc from 'fast-check';

import {
	CLAIM_FIELDS,
	LinkClaimsError,
	normalizeReviewerEmail,
	randomToken,
	signLinkToken,
	verifyLinkToken,
	type LinkClaims,
} from '../../../core/links/linkToken';
import { SigningKeyError, type SigningKey } from '../../../core/links/signingKey';

const KEY_A: SigningKey = { keyId: 'k-2026-11', secret: 'a'.repeat(16) + 'S3cr3t-for-tests-only-0123456789' };
const KEY_B: SigningKey = { keyId: 'k-2026-10', secret: 'b'.repeat(16) + 'An0ther-secret-for-tests-98765432' };
const IAT = 1_800_000_000;
const EXP = IAT + 3600;

function claims(over: Partial<LinkClaims> = {}): LinkClaims {
	return {
		v: 1,
		kid: KEY_A.keyId,
		exec: '1234',
		node: '8d5f3c1e-0c7a-4b7b-9d61-2a4c9b1f7e11',
		req: 'req_AbC123',
		rev: 'alice@example.com',
		dec: ['approve', 'reject'],
		dh: 'ab'.repeat(32),
		iat: IAT,
		exp: EXP,
		nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
		...over,
	};
}

const at = (unixSeconds: number) => new Date(unixSeconds * 1000);
const ctx = (now = at(IAT + 10)) => ({ now, executionId: '1234', nodeId: claims().node });

function payloadOf(token: string): string {
	return Buffer.from(token.split('.')[0], 'base64url').toString('utf8');
}
function withPayload(token: string, json: string): string {
	return `${Buffer.from(json, 'utf8').toString('base64url')}.${token.split('.')[1]}`;
}

describe('link token: sign and verify', () => {
	test('a freshly signed token verifies and returns its claims', () => {
		const t = signLinkToken(claims(), KEY_A);
		expect(verifyLinkToken(t, [KEY_A], ctx())).toEqual({ ok: true, claims: claims() });
	});

	test('the payload is the canonical JSON, fields in the contract order', () => {
		const t = signLinkToken(claims(), KEY_A);
		expect(Object.keys(JSON.parse(payloadOf(t)))).toEqual([...CLAIM_FIELDS]);
		expect(payloadOf(t)).not.toMatch(/\s/);
	});

	test('property: any valid claims round-trip', () => {
		const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);
		fc.assert(
			fc.property(
				id,
				id,
				id,
				fc.stringMatching(/^[a-z0-9._+-]{1,20}@[a-z0-9]{1,10}\.[a-z]{2,5}$/),
				fc.constantFrom<LinkClaims['dec']>(['approve'], ['reject'], ['approve', 'reject']),
				fc.integer({ min: 0, max: 2 ** 40 }),
				fc.integer({ min: 1, max: 10 ** 7 }),
				(exec, node, req, rev, dec, iat, ttl) => {
					const c = claims({ exec, node, req, rev, dec, iat, exp: iat + ttl, nonce: randomToken() });
					const r = verifyLinkToken(signLinkToken(c, KEY_A), [KEY_A], {
						now: at(iat),
						executionId: exec,
						nodeId: node,
					});
					expect(r).toEqual({ ok: true, claims: c });
				},
			),
		);
	});
});

describe('link token: tamper matrix', () => {
	const good = signLinkToken(claims(), KEY_A);

	const changes: Array<[keyof LinkClaims, unknown]> = [
		['v', 2],
		['kid', KEY_B.keyId],
		['exec', '1235'],
		['node', 'other-node'],
		['req', 'req_other'],
		['rev', 'mallory@example.com'],
		['dec', ['approve']],
		['dh', 'cd'.repeat(32)],
		['iat', IAT - 1],
		['exp', EXP + 86400],
		['nonce', 'QUFBQUFBQUFBQUFBQUFBQUFBQUE'],
	];
	test.each(changes)('changing claim %s (signature kept) is refused', (field, value) => {
		const tampered = JSON.parse(payloadOf(good));
		tampered[field] = value;
		const r = verifyLinkToken(withPayload(good, JSON.stringify(tampered)), [KEY_A, KEY_B], ctx());
		expect(r.ok).toBe(false);
		// v=2 is not a valid claim set at all; every other change is well-formed and fails the HMAC.
		expect(r).toEqual({ ok: false, reason: field === 'v' ? 'malformed' : 'bad_signature' });
	});

	test('every claim field is covered by the matrix', () => {
		expect(new Set(changes.map(([f]) => f))).toEqual(new Set(CLAIM_FIELDS));
	});

	test('same key id, different secret → bad_signature', () => {
		const impostor = { keyId: KEY_A.keyId, secret: 'x'.repeat(40) };
		expect(verifyLinkToken(good, [impostor], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
	});

	test('unknown key id → unknown_key', () => {
		expect(verifyLinkToken(good, [KEY_B], ctx())).toEqual({ ok: false, reason: 'unknown_key' });
		expect(verifyLinkToken(good, [], ctx())).toEqual({ ok: false, reason: 'unknown_key' });
	});

	test('truncated, extended, empty and swapped signatures', () => {
		const [p, s] = good.split('.');
		expect(verifyLinkToken(`${p}.${s.slice(0, -1)}`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifyLinkToken(`${p}.${s.slice(0, 22)}`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifyLinkToken(`${p}.${s}AA`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifyLinkToken(`${p}.${s}${s}`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifyLinkToken(`${p}.`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'malformed' });
		expect(verifyLinkToken(`${p}`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'malformed' });
	});

	test('payload swapped between two valid tokens → bad_signature', () => {
		const other = signLinkToken(claims({ rev: 'bob@example.com', nonce: randomToken() }), KEY_A);
		const swapped = `${other.split('.')[0]}.${good.split('.')[1]}`;
		expect(verifyLinkToken(swapped, [KEY_A], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
	});

	test('extra, duplicated, reordered or padded claim JSON → malformed, even with a valid MAC', () => {
		const json = payloadOf(good);
		const variants = [
			json.replace(/}$/, ',"admin":true}'), // extra field
			json.replace('"rev":"alice@example.com"', '"rev":"mallory@example.com","rev":"alice@example.com"'), // duplicate (JSON.parse keeps the last)
			json.replace('"kid":', '"kid" :'), // whitespace
			`{"kid":"${KEY_A.keyId}",${json.slice(1).replace(`"kid":"${KEY_A.keyId}",`, '')}`, // reordered
			` ${json}`,
			json.replace('"iat":1800000000', '"iat":1800000000.0'),
			json.replace('"iat":1800000000', '"iat":"1800000000"'),
			json.replace('["approve","reject"]', '["reject","approve"]'),
			json.replace('["approve","reject"]', '["approve","approve"]'),
			json.replace('["approve","reject"]', '["approve","delete"]'),
		];
		for (const v of variants) {
			expect(JSON.parse(v)).toBeTruthy(); // still valid JSON
			expect(verifyLinkToken(withPayload(good, v), [KEY_A], ctx())).toEqual({ ok: false, reason: 'malformed' });
		}
	});

	test('base64 padding, standard alphabet, garbage and extra parts → malformed', () => {
		const [p, s] = good.split('.');
		for (const bad of [
			`${p}=.${s}`,
			`${p}==.${s}`,
			`${p}.${s}=`,
			`${p.slice(0, 10)}+${p.slice(11)}.${s}`,
			`${p.slice(0, 10)}/${p.slice(11)}.${s}`,
			`${p}!.${s}`,
			`${p}.${s}.${s}`,
			`.${s}`,
			`${p} .${s}`,
			`${p}.${s}\n`,
			'',
			'x'.repeat(5000),
		]) {
			expect(verifyLinkToken(bad, [KEY_A], ctx())).toEqual({ ok: false, reason: 'malformed' });
		}
	});

	test('non-canonical base64url spelling of the same payload bytes → malformed', () => {
		// The last character of an unpadded base64url string carries spare bits; changing them
		// decodes to the same bytes. Find one such twin and show it is refused.
		// A nonce of 23 characters makes the JSON length not a multiple of 3, so there are spare bits.
		const c = claims({ nonce: 'bm9uY2Utbm9uY2Utbm9uY2UX' });
		expect(JSON.stringify(c).length % 3).not.toBe(0);
		const [p, s] = signLinkToken(c, KEY_A).split('.');
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const twins = [...alphabet]
			.map((ch) => p.slice(0, -1) + ch)
			.filter((q) => q !== p && Buffer.from(q, 'base64url').equals(Buffer.from(p, 'base64url')));
		expect(twins.length).toBeGreaterThan(0);
		for (const q of twins) expect(verifyLinkToken(`${q}.${s}`, [KEY_A], ctx())).toEqual({ ok: false, reason: 'malformed' });
	});

	test('property: any single-character change anywhere in the token is refused', () => {
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
		fc.assert(
			fc.property(fc.nat({ max: good.length - 1 }), fc.constantFrom(...alphabet), (pos, ch) => {
				fc.pre(good[pos] !== ch);
				const t = good.slice(0, pos) + ch + good.slice(pos + 1);
				expect(verifyLinkToken(t, [KEY_A, KEY_B], ctx()).ok).toBe(false);
			}),
			{ numRuns: 2000 },
		);
	});

	test('property: arbitrary strings never verify and never throw', () => {
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })), (s) => {
				expect(verifyLinkToken(s, [KEY_A], ctx()).ok).toBe(false);
			}),
			{ numRuns: 2000 },
		);
	});

	test('a genuine link for another execution or another gate node → wrong_execution', () => {
		const foreign = { ok: false, reason: 'wrong_execution', claims: claims() };
		expect(verifyLinkToken(good, [KEY_A], { ...ctx(), executionId: '9999' })).toEqual(foreign);
		expect(verifyLinkToken(good, [KEY_A], { ...ctx(), nodeId: 'another-gate' })).toEqual(foreign);
		// Foreign wins over expired: it is the more fundamental refusal (401, not 410).
		expect(verifyLinkToken(good, [KEY_A], { ...ctx(at(EXP + 100)), executionId: '9999' })).toEqual(foreign);
	});
});

describe('link token: expiry boundaries (valid while now < exp)', () => {
	const t = signLinkToken(claims(), KEY_A);
	test.each([
		['exp - 1 s', at(EXP - 1), true],
		['exp - 1 ms', new Date(EXP * 1000 - 1), true],
		['exp exactly', at(EXP), false],
		['exp + 1 s', at(EXP + 1), false],
		['far future', at(EXP + 10 ** 6), false],
		['invalid date', new Date(Number.NaN), false],
	])('%s', (_label, now, ok) => {
		const r = verifyLinkToken(t, [KEY_A], ctx(now));
		expect(r.ok).toBe(ok);
		// Past the deadline the signature still checked out, so the genuine claims come along.
		if (!ok) expect(r).toEqual({ ok: false, reason: 'expired', claims: claims() });
	});
});

describe('link token: key rotation', () => {
	const oldToken = signLinkToken(claims({ kid: KEY_B.keyId }), KEY_B);
	test('a link signed by the previous key still verifies while that key is listed', () => {
		expect(verifyLinkToken(oldToken, [KEY_A, KEY_B], ctx()).ok).toBe(true);
	});
	test('after the previous key is removed, its links are refused', () => {
		expect(verifyLinkToken(oldToken, [KEY_A], ctx())).toEqual({ ok: false, reason: 'unknown_key' });
	});
	test('a link signed by the new key verifies with [new, old]', () => {
		expect(verifyLinkToken(signLinkToken(claims(), KEY_A), [KEY_A, KEY_B], ctx()).ok).toBe(true);
	});
});

describe('link token: refusing to sign bad input', () => {
	test('short secret → clear SigningKeyError', () => {
		expect(() => signLinkToken(claims(), { keyId: KEY_A.keyId, secret: 'short' })).toThrow(SigningKeyError);
		expect(() => signLinkToken(claims(), { keyId: KEY_A.keyId, secret: 'short' })).toThrow(/at least 32 characters/);
		expect(() => verifyLinkToken('a.b', [{ keyId: 'k', secret: 'short' }], ctx())).toThrow(SigningKeyError);
	});
	test.each<[string, Partial<LinkClaims>]>([
		['newline in exec', { exec: '12\n34' }],
		['upper-case email', { rev: 'Alice@example.com' }],
		['email with newline', { rev: 'alice@example.com\nbob@example.com' }],
		['empty dec', { dec: [] }],
		['short nonce', { nonce: 'c2hvcnQ' }],
		['non-hex draft hash', { dh: 'zz'.repeat(32) }],
		['exp before iat', { exp: IAT - 1 }],
		['fractional exp', { exp: EXP + 0.5 }],
		['kid of another key', { kid: KEY_B.keyId }],
	])('%s → LinkClaimsError', (_label, over) => {
		expect(() => signLinkToken(claims(over), KEY_A)).toThrow(LinkClaimsError);
	});
});

describe('helpers', () => {
	test('normalizeReviewerEmail lower-cases and trims; refuses odd input', () => {
		expect(normalizeReviewerEmail('  Alice.Smith+hr@Example.COM ')).toBe('alice.smith+hr@example.com');
		expect(normalizeReviewerEmail('alice@example.com\n')).toBe('alice@example.com');
		expect(normalizeReviewerEmail('a\nb@example.com')).toBeNull();
		expect(normalizeReviewerEmail('no-at-sign')).toBeNull();
		expect(normalizeReviewerEmail('"quoted"@example.com')).toBeNull();
		expect(normalizeReviewerEmail('x@exa mple.com')).toBeNull();
	});
	test('randomToken gives >= 128 bits as base64url, distinct each time', () => {
		const a = randomToken();
		expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(new Set(Array.from({ length: 100 }, () => randomToken())).size).toBe(100);
	});
});
