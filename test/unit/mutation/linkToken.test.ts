// Tests added from mutation testing (docs/mutation-testing.md) for core/links/linkToken.ts: the exact
// signed string (so another implementation can check a link), the exact boundaries of every claim's
// syntax (the fields are joined with "\n" and ",", so the syntax is what keeps the signed string
// unambiguous), and the reason given for each refusal.
import { createHmac } from 'node:crypto';

import {
	claimsProblem,
	constantTimeEqual,
	EMAIL_RE,
	ID_RE,
	LINK_SIGNING_PREFIX,
	linkSigningString,
	MAX_TOKEN_LENGTH,
	NONCE_RE,
	normalizeReviewerEmail,
	randomToken,
	signLinkToken,
	verifyLinkToken,
	type LinkClaims,
} from '../../../core/links/linkToken';
import type { SigningKey } from '../../../core/links/signingKey';

const KEY: SigningKey = { keyId: 'k-1', secret: 'link-mutation-secret-0123456789-abcdef' };
const IAT = 1_800_000_000;

function claims(over: Partial<LinkClaims> = {}): LinkClaims {
	return {
		v: 1,
		kid: KEY.keyId,
		exec: '42',
		node: 'node-1',
		req: 'req_1',
		rev: 'ann@example.com',
		dec: ['approve', 'reject'],
		dh: 'cd'.repeat(32),
		iat: IAT,
		exp: IAT + 60,
		nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
		...over,
	};
}
const ctx = (c: LinkClaims = claims(), nowSeconds = c.iat) => ({ now: new Date(nowSeconds * 1000), executionId: c.exec, nodeId: c.node });

describe('link token wire format', () => {
	test('token = base64url(claims JSON in field order) "." base64url(HMAC-SHA256 over the signing string)', () => {
		const c = claims();
		expect(LINK_SIGNING_PREFIX).toBe('n8n-nodes-hitl/link/v1\n');
		const signing = `n8n-nodes-hitl/link/v1\n1\nk-1\n42\nnode-1\nreq_1\nann@example.com\napprove,reject\n${'cd'.repeat(32)}\n${IAT}\n${IAT + 60}\nbm9uY2Utbm9uY2Utbm9uY2U`;
		expect(linkSigningString(c)).toBe(signing);
		const json = `{"v":1,"kid":"k-1","exec":"42","node":"node-1","req":"req_1","rev":"ann@example.com","dec":["approve","reject"],"dh":"${'cd'.repeat(32)}","iat":${IAT},"exp":${IAT + 60},"nonce":"bm9uY2Utbm9uY2Utbm9uY2U"}`;
		const mac = createHmac('sha256', KEY.secret).update(signing, 'utf8').digest('base64url');
		expect(signLinkToken(c, KEY)).toBe(`${Buffer.from(json, 'utf8').toString('base64url')}.${mac}`);
	});

	test('a single decision is signed as that one word', () => {
		expect(linkSigningString(claims({ dec: ['reject'] })).split('\n')[7]).toBe('reject');
	});
});

describe('claim syntax: exact boundaries and reasons', () => {
	const refusedToSign = (over: Partial<LinkClaims> | Record<string, unknown>, problem: string) => {
		expect(claimsProblem(claims(over as Partial<LinkClaims>))).toBe(problem);
		expect(() => signLinkToken(claims(over as Partial<LinkClaims>), KEY)).toThrow(`Cannot sign the review link: ${problem}.`);
	};
	const signs = (over: Partial<LinkClaims>) => {
		expect(claimsProblem(claims(over))).toBeNull();
		const c = claims(over);
		expect(verifyLinkToken(signLinkToken(c, KEY), [KEY], ctx(c))).toEqual({ ok: true, claims: c });
	};

	test('a draft hash or nonce that only looks right as text (a one-element list) is refused', () => {
		// A regex test coerces a list to its text, so the type check is what refuses these.
		refusedToSign({ dh: ['ab'.repeat(32)] }, 'dh must be 64 lower-case hex characters');
		refusedToSign({ nonce: [claims().nonce] }, 'nonce must be base64url of at least 16 random bytes');
	});

	test('claims must be an object', () => {
		for (const value of [null, undefined, 'claims', 1, []]) expect(claimsProblem(value)).toBe('claims must be an object');
	});

	test('v and kid', () => {
		refusedToSign({ v: 2 }, 'v must be 1');
		refusedToSign({ v: '1' }, 'v must be 1');
		refusedToSign({ kid: 'k 1' }, 'kid is not a valid key id');
		refusedToSign({ kid: 7 }, 'kid is not a valid key id');
	});

	test('exec, node and req: 1-128 of letters, digits and . _ : -', () => {
		for (const field of ['exec', 'node', 'req'] as const) {
			for (const ok of ['A', 'a.b_c:d-e', 'x'.repeat(128), '0']) signs({ [field]: ok });
			for (const bad of ['', 'x'.repeat(129), 'a b', 'a/b', 'a\nb', 'a,b', 'é', 'a\n', '\na', 12]) {
				refusedToSign({ [field]: bad }, `${field} must match ${ID_RE}`);
			}
		}
		expect(String(ID_RE)).toBe('/^[A-Za-z0-9._:-]{1,128}$/');
	});

	test('rev: a lower-case email of at most 254 characters', () => {
		const problem = "rev must be a lower-case email address (letters, digits and .!#$%&'*+/=?^_`{|}~- before @)";
		const label63 = 'b'.repeat(63);
		for (const ok of [
			'a@b',
			'a@1.2',
			`${'x'.repeat(64)}@example.com`,
			"a.!#$%&'*+/=?^_`{|}~-@example.com",
			`a@${label63}.com`,
			'a@b-c.d',
			'a@b--c.d',
			'a@b.c.d.e',
			`a@${label63}.${label63}.${label63}.${'c'.repeat(60)}`, // 254 characters
		]) {
			signs({ rev: ok });
		}
		expect(`a@${label63}.${label63}.${label63}.${'c'.repeat(60)}`).toHaveLength(254);
		for (const bad of [
			`a@${label63}.${label63}.${label63}.${'c'.repeat(61)}`, // 255 characters
			`${'x'.repeat(65)}@example.com`,
			'@example.com',
			'a@',
			'a',
			'a@-b.com',
			'a@b-.com',
			`a@${'b'.repeat(64)}.com`,
			'a@b..com',
			'a@b.com.',
			'a@.b.com',
			'A@b.com',
			'a@B.com',
			'a b@c.com',
			'a@b@c.com',
			'a@b_c.com',
			'a"@b.com',
			'a@b.com\n',
			'\na@b.com',
			'a,b@c.com',
			'a@b.c,d',
			5,
		]) {
			refusedToSign({ rev: bad }, problem);
		}
	});

	test('dec: a non-empty list of distinct known decisions in the fixed order', () => {
		signs({ dec: ['approve'] });
		signs({ dec: ['reject'] });
		signs({ dec: ['approve', 'reject'] });
		refusedToSign({ dec: [] }, 'dec must be a non-empty list');
		refusedToSign({ dec: 'approve' }, 'dec must be a non-empty list');
		for (const bad of [['reject', 'approve'], ['approve', 'approve'], ['reject', 'reject'], ['delete'], ['approve', 'delete'], [null]]) {
			refusedToSign({ dec: bad }, 'dec must list distinct values of approve, reject in that order');
		}
	});

	test('dh: 64 lower-case hex digits', () => {
		for (const bad of ['CD'.repeat(32), 'cd'.repeat(31) + 'c', 'cd'.repeat(32) + 'c', `x${'c'.repeat(63)}`, `${'c'.repeat(63)}x`, 1]) {
			refusedToSign({ dh: bad }, 'dh must be 64 lower-case hex characters');
		}
	});

	test('iat and exp: whole non-negative unix seconds, exp after iat', () => {
		signs({ iat: 0, exp: 1 });
		signs({ iat: IAT, exp: IAT + 1 });
		refusedToSign({ iat: -1 }, 'iat must be whole unix seconds');
		refusedToSign({ iat: 1.5 }, 'iat must be whole unix seconds');
		refusedToSign({ iat: String(IAT) }, 'iat must be whole unix seconds');
		refusedToSign({ iat: 2 ** 53, exp: 2 ** 53 + 2 }, 'iat must be whole unix seconds');
		refusedToSign({ exp: -1 }, 'exp must be whole unix seconds');
		refusedToSign({ exp: IAT + 0.5 }, 'exp must be whole unix seconds');
		refusedToSign({ exp: null }, 'exp must be whole unix seconds');
		refusedToSign({ exp: IAT }, 'exp must be after iat');
		refusedToSign({ exp: IAT - 1 }, 'exp must be after iat');
	});

	test('nonce: 22-128 base64url characters', () => {
		signs({ nonce: 'A'.repeat(22) });
		signs({ nonce: 'A'.repeat(128) });
		signs({ nonce: 'a-b_c'.repeat(5) });
		for (const bad of ['A'.repeat(21), 'A'.repeat(129), `${'A'.repeat(22)}=`, `${'A'.repeat(22)}+`, `${'A'.repeat(22)}/`, `${'A'.repeat(22)}.`, `\n${'A'.repeat(22)}`, 5]) {
			refusedToSign({ nonce: bad }, 'nonce must be base64url of at least 16 random bytes');
		}
		expect(String(NONCE_RE)).toBe('/^[A-Za-z0-9_-]{22,128}$/');
	});

	test('a key whose id differs from the kid claim cannot sign', () => {
		expect(() => signLinkToken(claims({ kid: 'k-2' }), KEY)).toThrow('Cannot sign the review link: kid "k-2" is not the key\'s id "k-1".');
		expect(() => signLinkToken(claims({ kid: 'k-2' }), KEY)).toThrow(expect.objectContaining({ name: 'LinkClaimsError' }));
	});
});

describe('verification: reasons and boundaries', () => {
	// Signed per test, not at load time (see docs/mutation-testing.md, static mutants).
	let good: string;
	beforeEach(() => (good = signLinkToken(claims(), KEY)));

	test('a signature with characters outside base64url is malformed, not merely a bad signature', () => {
		const [p, s] = good.split('.');
		for (const sig of [`${s.slice(0, -1)}=`, `${s.slice(0, -1)}+`, `${s.slice(0, -1)}/`, `${s.slice(0, -1)} `, `=${s.slice(1)}`, `+${s.slice(1)}`, ` ${s}`]) {
			expect(verifyLinkToken(`${p}.${sig}`, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
		}
	});

	test('a payload that is not UTF-8 JSON of valid claims is malformed', () => {
		const s = good.split('.')[1];
		const invalidUtf8 = Buffer.concat([Buffer.from(JSON.stringify(claims()).slice(0, -2), 'utf8'), Buffer.from([0xff]), Buffer.from('"}')]);
		for (const payload of [Buffer.from('not json'), Buffer.from('{"v":1'), invalidUtf8, Buffer.from('null'), Buffer.from('[]')]) {
			expect(verifyLinkToken(`${payload.toString('base64url')}.${s}`, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
		}
	});

	test('a valid token whose claims carry a replacement character instead of invalid UTF-8 is refused', () => {
		// Invalid UTF-8 in the payload decodes to U+FFFD; the re-encoded JSON then differs from the bytes.
		const c = claims();
		const json = JSON.stringify(c).replace('"req_1"', '"req_\uFFFD"');
		const bytes = Buffer.from(json.replace('\uFFFD', '\u0000'), 'utf8');
		bytes[bytes.indexOf(0)] = 0xff;
		expect(verifyLinkToken(`${bytes.toString('base64url')}.${good.split('.')[1]}`, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
	});

	test('every key with the claimed id is tried, in any order', () => {
		const impostor = { keyId: KEY.keyId, secret: 'impostor-secret-0123456789-abcdefghij' };
		const other = { keyId: 'k-9', secret: 'other-secret-0123456789-abcdefghijklm' };
		expect(verifyLinkToken(good, [impostor, KEY], ctx()).ok).toBe(true);
		expect(verifyLinkToken(good, [KEY, impostor], ctx()).ok).toBe(true);
		expect(verifyLinkToken(good, [other, KEY, impostor], ctx()).ok).toBe(true);
		expect(verifyLinkToken(good, [impostor, other], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
	});

	test('the link is valid strictly before exp (milliseconds count)', () => {
		const c = claims();
		const at = (ms: number) => ({ ...ctx(c), now: new Date(ms) });
		expect(verifyLinkToken(good, [KEY], at(c.exp * 1000 - 1)).ok).toBe(true);
		expect(verifyLinkToken(good, [KEY], at(c.exp * 1000))).toEqual({ ok: false, reason: 'expired', claims: c });
		expect(verifyLinkToken(good, [KEY], at(c.iat * 1000 - 5000)).ok).toBe(true); // a slow clock is not refused
	});

	test('only the node and the execution of the claims match', () => {
		expect(verifyLinkToken(good, [KEY], { ...ctx(), nodeId: 'node-2' })).toEqual({ ok: false, reason: 'wrong_execution', claims: claims() });
		expect(verifyLinkToken(good, [KEY], { ...ctx(), executionId: '43' })).toEqual({ ok: false, reason: 'wrong_execution', claims: claims() });
	});

	test('tokens longer than the bound are refused as malformed', () => {
		expect(MAX_TOKEN_LENGTH).toBe(4096);
		expect(verifyLinkToken(`${good}${'A'.repeat(MAX_TOKEN_LENGTH)}`, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
		expect(verifyLinkToken(12 as unknown as string, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
	});
});

describe('helpers', () => {
	test('constantTimeEqual compares whole strings, of any lengths, without throwing', () => {
		expect(constantTimeEqual('abc', 'abc')).toBe(true);
		expect(constantTimeEqual('', '')).toBe(true);
		expect(constantTimeEqual('abc', 'abd')).toBe(false);
		expect(constantTimeEqual('abc', 'ab')).toBe(false);
		expect(constantTimeEqual('ab', 'abc')).toBe(false);
		expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
	});

	test('normalizeReviewerEmail: trims both ends, lower-cases, at most 254 characters', () => {
		expect(normalizeReviewerEmail(' \tAnn@Example.COM\n ')).toBe('ann@example.com');
		const label63 = 'b'.repeat(63);
		const max = `a@${label63}.${label63}.${label63}.${'c'.repeat(60)}`;
		expect(max).toHaveLength(254);
		expect(normalizeReviewerEmail(max.toUpperCase())).toBe(max);
		expect(normalizeReviewerEmail(`${max}c`)).toBeNull();
		expect(normalizeReviewerEmail('')).toBeNull();
		expect(String(EMAIL_RE).startsWith('/^')).toBe(true);
	});

	test('randomToken takes the number of random bytes', () => {
		expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(randomToken()).toHaveLength(22);
	});
});
