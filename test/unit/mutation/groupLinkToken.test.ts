// Batch links (v2 tokens naming a run's group of review requests) in core/links/linkToken.ts: the exact
// wire format, the claim rules shared with v1 (with `grp` where v1 has `req`), that one format can never
// pass as the other, that every changed claim fails, and that v1 tokens keep verifying unchanged.
import { createHmac } from 'node:crypto';

import {
	GROUP_CLAIM_FIELDS,
	GROUP_LINK_SIGNING_PREFIX,
	groupClaimsProblem,
	ID_RE,
	isGroupLink,
	linkSigningString,
	signGroupLinkToken,
	signLinkToken,
	verifyLinkToken,
	type GroupLinkClaims,
	type LinkClaims,
} from '../../../core/links/linkToken';
import type { SigningKey } from '../../../core/links/signingKey';

const KEY: SigningKey = { keyId: 'k-1', secret: 'link-mutation-secret-0123456789-abcdef' };
const IAT = 1_800_000_000;
const GRP = '42:node-1:5b1e0c2a-9d4f-4f0e-8c1a-0a1b2c3d4e5f';

function group(over: Partial<GroupLinkClaims> | Record<string, unknown> = {}): GroupLinkClaims {
	return { v: 2, kid: KEY.keyId, exec: '42', node: 'node-1', grp: GRP, rev: 'ann@example.com', dec: ['approve', 'reject'], dh: 'ab'.repeat(32), iat: IAT, exp: IAT + 60, nonce: 'bm9uY2Utbm9uY2Utbm9uY2U', ...over } as GroupLinkClaims;
}
function single(): LinkClaims {
	return { v: 1, kid: KEY.keyId, exec: '42', node: 'node-1', req: 'req_1', rev: 'ann@example.com', dec: ['approve', 'reject'], dh: 'ab'.repeat(32), iat: IAT, exp: IAT + 60, nonce: 'bm9uY2Utbm9uY2Utbm9uY2U' };
}
const ctx = (c: { exec: string; node: string; iat: number } = group()) => ({ now: new Date(c.iat * 1000), executionId: c.exec, nodeId: c.node });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');

describe('batch link wire format', () => {
	test('token = base64url(claims JSON with grp) "." HMAC over the v2 signing string', () => {
		expect(GROUP_LINK_SIGNING_PREFIX).toBe('n8n-nodes-hitl/link/v2\n');
		expect(GROUP_CLAIM_FIELDS).toEqual(['v', 'kid', 'exec', 'node', 'grp', 'rev', 'dec', 'dh', 'iat', 'exp', 'nonce']);
		const signing = `n8n-nodes-hitl/link/v2\n2\nk-1\n42\nnode-1\n${GRP}\nann@example.com\napprove,reject\n${'ab'.repeat(32)}\n${IAT}\n${IAT + 60}\nbm9uY2Utbm9uY2Utbm9uY2U`;
		expect(linkSigningString(group())).toBe(signing);
		const json = `{"v":2,"kid":"k-1","exec":"42","node":"node-1","grp":"${GRP}","rev":"ann@example.com","dec":["approve","reject"],"dh":"${'ab'.repeat(32)}","iat":${IAT},"exp":${IAT + 60},"nonce":"bm9uY2Utbm9uY2Utbm9uY2U"}`;
		const mac = createHmac('sha256', KEY.secret).update(signing, 'utf8').digest('base64url');
		expect(signGroupLinkToken(group(), KEY)).toBe(`${Buffer.from(json, 'utf8').toString('base64url')}.${mac}`);
	});

	test('a genuine batch link verifies to its claims, which say they name a group', () => {
		const result = verifyLinkToken(signGroupLinkToken(group(), KEY), [KEY], ctx());
		expect(result).toEqual({ ok: true, claims: group() });
		expect(result.ok && isGroupLink(result.claims)).toBe(true);
	});

	test('v1 tokens keep verifying as before, and are not group links', () => {
		const c = single();
		const result = verifyLinkToken(signLinkToken(c, KEY), [KEY], ctx(c));
		expect(result).toEqual({ ok: true, claims: c });
		expect(result.ok && isGroupLink(result.claims)).toBe(false);
		expect(linkSigningString(c).startsWith('n8n-nodes-hitl/link/v1\n1\n')).toBe(true);
	});
});

describe('batch link claims', () => {
	const refused = (over: Record<string, unknown>, problem: string) => {
		expect(groupClaimsProblem(group(over))).toBe(problem);
		expect(() => signGroupLinkToken(group(over), KEY)).toThrow(`Cannot sign the batch review link: ${problem}.`);
	};

	test('v must be 2; grp follows the id rules, as exec and node do', () => {
		refused({ v: 1 }, 'v must be 2');
		for (const field of ['exec', 'node', 'grp']) {
			for (const bad of ['', 'x'.repeat(129), 'a b', 'a\nb', 7]) refused({ [field]: bad }, `${field} must match ${ID_RE}`);
		}
		refused({ rev: 'Ann@example.com' }, "rev must be a lower-case email address (letters, digits and .!#$%&'*+/=?^_`{|}~- before @)");
		refused({ dh: 'AB'.repeat(32) }, 'dh must be 64 lower-case hex characters');
		refused({ exp: IAT }, 'exp must be after iat');
		expect(groupClaimsProblem(group())).toBeNull();
		expect(groupClaimsProblem(null)).toBe('claims must be an object');
	});

	test('a key whose id differs from kid cannot sign; v1 claims cannot be signed as a group and the other way round', () => {
		expect(() => signGroupLinkToken(group({ kid: 'k-2' }), KEY)).toThrow('Cannot sign the batch review link: kid "k-2" is not the key\'s id "k-1".');
		expect(() => signGroupLinkToken(single() as unknown as GroupLinkClaims, KEY)).toThrow('v must be 2');
		expect(() => signLinkToken(group() as unknown as LinkClaims, KEY)).toThrow('v must be 1');
	});
});

describe('tampered batch links fail', () => {
	let good: string;
	beforeEach(() => (good = signGroupLinkToken(group(), KEY)));

	test('every claim changed, signature kept: bad signature (a changed v: malformed)', () => {
		const changes: Array<[keyof GroupLinkClaims, unknown]> = [
			['kid', 'k-1'], ['exec', '43'], ['node', 'node-2'], ['grp', `${GRP.slice(0, -1)}0`], ['rev', 'mallory@example.com'],
			['dec', ['approve']], ['dh', 'cd'.repeat(32)], ['iat', IAT - 1], ['exp', IAT + 6000], ['nonce', 'A'.repeat(22)],
		];
		const sig = good.split('.')[1];
		for (const [field, value] of changes) {
			if (field === 'kid') continue; // same id: nothing changes
			const claims = group({ [field]: value });
			const result = verifyLinkToken(`${b64(claims)}.${sig}`, [KEY], { now: new Date(IAT * 1000), executionId: claims.exec, nodeId: claims.node });
			expect({ field, result }).toEqual({ field, result: { ok: false, reason: 'bad_signature' } });
		}
		expect(verifyLinkToken(`${b64({ ...group(), v: 1 })}.${sig}`, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
	});

	test('a v1 payload with its v1 signature turned into a group claim (req renamed grp, v 2) does not verify', () => {
		const c = single();
		const v1 = signLinkToken({ ...c, req: GRP }, KEY);
		const { req, ...rest } = { ...c, req: GRP };
		const asGroup = { v: 2, kid: rest.kid, exec: rest.exec, node: rest.node, grp: req, rev: rest.rev, dec: rest.dec, dh: rest.dh, iat: rest.iat, exp: rest.exp, nonce: rest.nonce };
		expect(verifyLinkToken(`${b64(asGroup)}.${v1.split('.')[1]}`, [KEY], ctx())).toEqual({ ok: false, reason: 'bad_signature' });
	});

	test('extra, missing or reordered fields in a group payload are malformed', () => {
		const sig = good.split('.')[1];
		const { grp, ...withoutGrp } = group();
		for (const payload of [{ ...group(), req: 'r' }, withoutGrp, { grp, ...withoutGrp }, { ...withoutGrp, req: grp }]) {
			expect(verifyLinkToken(`${b64(payload)}.${sig}`, [KEY], ctx())).toEqual({ ok: false, reason: 'malformed' });
		}
	});

	test('expired and foreign group links carry their claims; the deadline is strict', () => {
		const c = group();
		expect(verifyLinkToken(good, [KEY], { ...ctx(), now: new Date(c.exp * 1000) })).toEqual({ ok: false, reason: 'expired', claims: c });
		expect(verifyLinkToken(good, [KEY], { ...ctx(), now: new Date(c.exp * 1000 - 1) }).ok).toBe(true);
		expect(verifyLinkToken(good, [KEY], { ...ctx(), executionId: '43' })).toEqual({ ok: false, reason: 'wrong_execution', claims: c });
	});
});
