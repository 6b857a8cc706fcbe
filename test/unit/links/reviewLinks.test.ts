/**
 * The plain part of HITL Review Links (core/links/reviewLinks.ts): where the URL is, the probe that
 * lets a gate trust a Review Links node only with its own key and store, the relayed-client header the
 * gate trusts only when MAC'd, and token verification for any run.
 */
import {
	answerProbe,
	checkProbeAnswer,
	isReviewLinksPath,
	newProbeNonce,
	readRelayedClient,
	relayedReviewUrl,
	reviewLinksUrlFrom,
	signLinkToken,
	signRelayedClient,
	verifyLinkSignature,
	type LinkClaims,
	type SigningKey,
} from '../../../core/links';

const KEY: SigningKey = { keyId: 'k1', secret: 'a'.repeat(40) };
const OTHER: SigningKey = { keyId: 'k1', secret: 'b'.repeat(40) };
const STORE = 'file:///var/hitl#default';

describe('reviewLinksUrlFrom', () => {
	test('derives the production URL beside the waiting one, keeping host, port and path prefix', () => {
		expect(reviewLinksUrlFrom('http://localhost:5678/webhook-waiting/42?signature=abc', 'hitl-review')).toBe('http://localhost:5678/webhook/hitl-review');
		expect(reviewLinksUrlFrom('https://n8n.example.com/n8n/webhook-waiting/7', 'links', 'hooks')).toBe('https://n8n.example.com/n8n/hooks/links');
	});

	test('refuses what is not n8n\'s shape, other schemes and unsafe paths', () => {
		expect(reviewLinksUrlFrom('not a url', 'hitl-review')).toBeNull();
		expect(reviewLinksUrlFrom('ftp://h/webhook-waiting/1', 'hitl-review')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/1', 'hitl-review')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', '../admin')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'a/b')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'ok', 'bad endpoint')).toBeNull();
		expect(isReviewLinksPath('hitl-review')).toBe(true);
		expect(isReviewLinksPath('.hidden')).toBe(false);
		expect(isReviewLinksPath('')).toBe(false);
	});
});

describe('relayedReviewUrl', () => {
	test('is the URL with the token only', () => {
		expect(relayedReviewUrl('http://h/webhook/hitl-review', 'abc.def')).toBe('http://h/webhook/hitl-review?t=abc.def');
	});

	test('refuses a URL with a query and a token that is not URL-safe', () => {
		expect(() => relayedReviewUrl('http://h/webhook/x?y=1', 'abc.def')).toThrow(/without query/);
		expect(() => relayedReviewUrl('http://h/webhook/x', 'abc&def')).toThrow(/URL-safe/);
	});
});

describe('probe', () => {
	const nonce = newProbeNonce();

	test('an answer made with the gate\'s key for its store and nonce checks out', () => {
		expect(checkProbeAnswer(answerProbe(KEY, nonce, STORE), KEY, nonce, STORE)).toBe(true);
	});

	test('another key, store, nonce, service or a forged MAC does not', () => {
		expect(checkProbeAnswer(answerProbe(OTHER, nonce, STORE), KEY, nonce, STORE)).toBe(false);
		expect(checkProbeAnswer(answerProbe(KEY, nonce, 'file:///other#default'), KEY, nonce, STORE)).toBe(false);
		expect(checkProbeAnswer(answerProbe(KEY, newProbeNonce(), STORE), KEY, nonce, STORE)).toBe(false);
		expect(checkProbeAnswer({ ...answerProbe(KEY, nonce, STORE), service: 'x' }, KEY, nonce, STORE)).toBe(false);
		expect(checkProbeAnswer({ ...answerProbe(KEY, nonce, STORE), mac: 'A'.repeat(43) }, KEY, nonce, STORE)).toBe(false);
		expect(checkProbeAnswer(null, KEY, nonce, STORE)).toBe(false);
		expect(checkProbeAnswer('ok', KEY, nonce, STORE)).toBe(false);
	});
});

describe('relayed client header', () => {
	const now = new Date('2026-12-02T10:00:00Z');
	const header = signRelayedClient({ ip: '203.0.113.7', userAgent: 'Phone' }, KEY, now);

	test('a header MAC\'d with the key and fresh gives the reviewer\'s address and browser', () => {
		expect(readRelayedClient(header, [KEY], now)).toEqual({ ip: '203.0.113.7', userAgent: 'Phone' });
		expect(readRelayedClient(header, [KEY], new Date(now.getTime() + 119_000))).not.toBeNull();
	});

	test('a header from a client without the key, altered, stale or malformed is ignored', () => {
		expect(readRelayedClient(header, [OTHER], now)).toBeNull();
		const [body, mac] = header.split('.');
		const forgedBody = Buffer.from(JSON.stringify({ ip: '198.51.100.1', ua: 'Phone', at: now.getTime(), kid: 'k1' })).toString('base64url');
		expect(readRelayedClient(`${forgedBody}.${mac}`, [KEY], now)).toBeNull();
		expect(readRelayedClient(`${body}.${mac.slice(1)}x`, [KEY], now)).toBeNull();
		expect(readRelayedClient(header, [KEY], new Date(now.getTime() + 121_000))).toBeNull();
		expect(readRelayedClient(header, [KEY], new Date(now.getTime() - 121_000))).toBeNull();
		expect(readRelayedClient('nonsense', [KEY], now)).toBeNull();
		expect(readRelayedClient(undefined, [KEY], now)).toBeNull();
		expect(readRelayedClient(['a', 'b'], [KEY], now)).toBeNull();
	});
});

describe('verifyLinkSignature', () => {
	const claims: LinkClaims = {
		v: 1,
		kid: 'k1',
		exec: '42',
		node: 'node-1',
		req: 'req-1',
		rev: 'ann@example.com',
		dec: ['approve', 'reject'],
		dh: 'f'.repeat(64),
		iat: 1_700_000_000,
		exp: 1_700_000_600,
		nonce: 'n'.repeat(22),
	};

	test('gives the claims of a genuine token, for any run and even when expired', () => {
		expect(verifyLinkSignature(signLinkToken(claims, KEY), [KEY])).toEqual(claims);
	});

	test('gives nothing for another key, an altered token or garbage', () => {
		const token = signLinkToken(claims, KEY);
		expect(verifyLinkSignature(token, [OTHER])).toBeNull();
		expect(verifyLinkSignature(`${token.split('.')[0]}.${'A'.repeat(43)}`, [KEY])).toBeNull();
		expect(verifyLinkSignature('garbage', [KEY])).toBeNull();
	});
});
