/**
 * Written from the mutants Stryker left alive in core/links/reviewLinks.ts (docs/mutation-testing.md):
 * known answers for the probe and relayed-client MACs (pinning their domain strings and the names the
 * other side relies on), the edges of the URL and nonce checks, and headers that are MAC'd correctly but
 * carry the wrong shape — which must give "no relayed client", never an exception.
 */
import { createHmac } from 'node:crypto';

import {
	answerProbe,
	checkProbeAnswer,
	DEFAULT_REVIEW_LINKS_PATH,
	isProbeNonce,
	PROBE_PARAM,
	PROBE_SERVICE,
	readRelayedClient,
	RELAYED_CLIENT_HEADER,
	RELAYED_CLIENT_MAX_AGE_MS,
	relayedReviewUrl,
	reviewLinksUrlFrom,
	signRelayedClient,
	type SigningKey,
} from '../../../core/links';

const KEY: SigningKey = { keyId: 'k1', secret: 's'.repeat(40) };
const NOW = new Date('2026-12-02T10:00:00Z');

/** The relayed-client MAC computed here, independently: domain, key id, body. */
function macOf(body: string, key: SigningKey = KEY): string {
	return createHmac('sha256', key.secret).update(`n8n-nodes-hitl/relayed-client/v1\n${key.keyId}\n${body}`, 'utf8').digest('base64url');
}
function header(content: unknown, key: SigningKey = KEY): string {
	const body = Buffer.from(JSON.stringify(content), 'utf8').toString('base64url');
	return `${body}.${macOf(body, key)}`;
}

describe('names the two sides share', () => {
	test('are fixed', () => {
		expect(DEFAULT_REVIEW_LINKS_PATH).toBe('hitl-review');
		expect(PROBE_PARAM).toBe('hitlProbe');
		expect(PROBE_SERVICE).toBe('n8n-nodes-hitl/review-links');
		expect(RELAYED_CLIENT_HEADER).toBe('x-hitl-relayed-client');
	});
});

describe('probe MAC', () => {
	const nonce = 'n'.repeat(32);
	test('is HMAC-SHA256 over the domain, key id, nonce and store (known answer)', () => {
		const expected = createHmac('sha256', KEY.secret).update(`n8n-nodes-hitl/review-links-probe/v1\nk1\n${nonce}\nfile:///s#default`, 'utf8').digest('base64url');
		expect(answerProbe(KEY, nonce, 'file:///s#default')).toEqual({ service: 'n8n-nodes-hitl/review-links', v: 1, keyId: 'k1', mac: expected });
	});
	test('a MAC that is not a string, or another version, is refused without throwing', () => {
		const good = answerProbe(KEY, nonce, 'x');
		expect(checkProbeAnswer({ ...good, mac: 42 }, KEY, nonce, 'x')).toBe(false);
		expect(checkProbeAnswer({ ...good, v: 2 }, KEY, nonce, 'x')).toBe(false);
		expect(checkProbeAnswer({ ...good, keyId: 'k2' }, KEY, nonce, 'x')).toBe(false);
		expect(checkProbeAnswer(good, KEY, nonce, 'x')).toBe(true);
	});
});

describe('isProbeNonce', () => {
	test('22 to 64 base64url characters, anchored at both ends', () => {
		expect(isProbeNonce('a'.repeat(22))).toBe(true);
		expect(isProbeNonce('a'.repeat(64))).toBe(true);
		expect(isProbeNonce('a'.repeat(21))).toBe(false);
		expect(isProbeNonce('a'.repeat(65))).toBe(false);
		expect(isProbeNonce(`${'a'.repeat(30)}!`)).toBe(false);
		expect(isProbeNonce(`!${'a'.repeat(30)}`)).toBe(false);
		expect(isProbeNonce('-_'.repeat(12))).toBe(true);
		expect(isProbeNonce(12345678901234567890123)).toBe(false);
		expect(isProbeNonce(['a'.repeat(30)])).toBe(false);
	});
});

describe('reviewLinksUrlFrom edges', () => {
	test('a multi-segment endpoint is kept; a leading, trailing or empty segment is refused', () => {
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'r', 'hooks/prod')).toBe('http://h/hooks/prod/r');
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'r', '/webhook')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'r', 'webhook/')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'r', '')).toBeNull();
		expect(reviewLinksUrlFrom('http://h/webhook-waiting/1', 'r', 'a b')).toBeNull();
	});
	test('trailing slashes are dropped before the last two segments are replaced; too short a path is refused', () => {
		expect(reviewLinksUrlFrom('http://h/p/webhook-waiting/42//', 'r')).toBe('http://h/p/webhook/r');
		expect(reviewLinksUrlFrom('http://h/a/42', 'r')).toBe('http://h/webhook/r');
		expect(reviewLinksUrlFrom('http://h/42', 'r')).toBeNull();
		expect(reviewLinksUrlFrom('https://h:8443/webhook-waiting/1?signature=x#y', 'r')).toBe('https://h:8443/webhook/r');
	});
});

describe('relayedReviewUrl edges', () => {
	test('the URL check is anchored and case-blind; query, fragment and spaces are refused', () => {
		expect(relayedReviewUrl('HTTPS://h/x', 'a.b')).toBe('HTTPS://h/x?t=a.b');
		expect(() => relayedReviewUrl('xhttp://h/x', 'a.b')).toThrow();
		expect(() => relayedReviewUrl('http://h/x#f', 'a.b')).toThrow();
		expect(() => relayedReviewUrl('http://h/x y', 'a.b')).toThrow();
		expect(() => relayedReviewUrl('ftp://h/x', 'a.b')).toThrow();
	});
	test('the token is two base64url parts, at most 4096 characters', () => {
		expect(() => relayedReviewUrl('http://h/x', 'a.b.c')).toThrow(/URL-safe/);
		expect(() => relayedReviewUrl('http://h/x', '.b')).toThrow(/URL-safe/);
		expect(() => relayedReviewUrl('http://h/x', 'a.')).toThrow(/URL-safe/);
		expect(() => relayedReviewUrl('http://h/x', '!a.b')).toThrow(/URL-safe/);
		expect(() => relayedReviewUrl('http://h/x', 'a.b!')).toThrow(/URL-safe/);
		const longest = `${'a'.repeat(2047)}.${'b'.repeat(2048)}`;
		expect(relayedReviewUrl('http://h/x', longest)).toBe(`http://h/x?t=${longest}`);
		expect(() => relayedReviewUrl('http://h/x', `${longest}b`)).toThrow(/URL-safe/);
	});
});

describe('relayed client header', () => {
	test('is base64url JSON of ip, ua, at and kid, MAC\'d under its domain (known answer)', () => {
		const value = signRelayedClient({ ip: '203.0.113.7', userAgent: 'Phone' }, KEY, NOW);
		expect(value).toBe(header({ ip: '203.0.113.7', ua: 'Phone', at: NOW.getTime(), kid: 'k1' }));
	});
	test('a user agent is cut at 512 characters; none stays none', () => {
		expect(readRelayedClient(signRelayedClient({ ip: null, userAgent: 'u'.repeat(600) }, KEY, NOW), [KEY], NOW)?.userAgent).toBe('u'.repeat(512));
		expect(readRelayedClient(signRelayedClient({ ip: '1.2.3.4', userAgent: null }, KEY, NOW), [KEY], NOW)).toEqual({ ip: '1.2.3.4', userAgent: null });
	});
	test('the key is found by its id among several', () => {
		const other: SigningKey = { keyId: 'k0', secret: 'o'.repeat(40) };
		expect(readRelayedClient(signRelayedClient({ ip: 'a', userAgent: 'b' }, KEY, NOW), [other, KEY], NOW)).toEqual({ ip: 'a', userAgent: 'b' });
	});
	test('up to 2048 characters; more is refused', () => {
		const short = signRelayedClient({ ip: 'i'.repeat(1400), userAgent: null }, KEY, NOW);
		expect(short.length).toBeLessThanOrEqual(2048);
		expect(readRelayedClient(short, [KEY], NOW)?.ip).toBe('i'.repeat(1400));
		const long = signRelayedClient({ ip: 'i'.repeat(1600), userAgent: null }, KEY, NOW);
		expect(long.length).toBeGreaterThan(2048);
		expect(readRelayedClient(long, [KEY], NOW)).toBeNull();
	});
	test('exactly 2048 characters is still read', () => {
		// 1,503 bytes of JSON are 2,004 base64url characters; with "." and the 43-character MAC, 2,048.
		const overhead = JSON.stringify({ ip: '', ua: null, at: NOW.getTime(), kid: 'k1' }).length;
		const ip = 'i'.repeat(1503 - overhead);
		const value = header({ ip, ua: null, at: NOW.getTime(), kid: 'k1' });
		expect(value.length).toBe(2048);
		expect(readRelayedClient(value, [KEY], NOW)?.ip).toBe(ip);
	});

	test('exactly two parts', () => {
		const value = signRelayedClient({ ip: 'a', userAgent: 'b' }, KEY, NOW);
		expect(readRelayedClient(`${value}.x`, [KEY], NOW)).toBeNull();
		expect(readRelayedClient(value.split('.')[0], [KEY], NOW)).toBeNull();
	});
	test('MAC\'d bodies of the wrong shape give no client and throw nothing', () => {
		expect(readRelayedClient(header(null), [KEY], NOW)).toBeNull();
		expect(readRelayedClient(header('text'), [KEY], NOW)).toBeNull();
		expect(readRelayedClient(header({ ip: 'a', ua: 'b', at: String(NOW.getTime()), kid: 'k1' }), [KEY], NOW)).toBeNull();
		expect(readRelayedClient(header({ ip: 'a', ua: 'b', kid: 'k1' }), [KEY], NOW)).toBeNull();
		const notJson = Buffer.from('{not json', 'utf8').toString('base64url');
		expect(readRelayedClient(`${notJson}.${macOf(notJson)}`, [KEY], NOW)).toBeNull();
	});
	test('fresh means within two minutes either way, the edge included', () => {
		expect(RELAYED_CLIENT_MAX_AGE_MS).toBe(120_000);
		const at = (ms: number) => header({ ip: 'a', ua: 'b', at: NOW.getTime() + ms, kid: 'k1' });
		expect(readRelayedClient(at(-120_000), [KEY], NOW)).not.toBeNull();
		expect(readRelayedClient(at(120_000), [KEY], NOW)).not.toBeNull();
		expect(readRelayedClient(at(-120_001), [KEY], NOW)).toBeNull();
		expect(readRelayedClient(at(120_001), [KEY], NOW)).toBeNull();
	});
	test('an empty or non-text address or agent reads as none', () => {
		expect(readRelayedClient(header({ ip: '', ua: 7, at: NOW.getTime(), kid: 'k1' }), [KEY], NOW)).toEqual({ ip: null, userAgent: null });
		expect(readRelayedClient(header({ ip: 7, ua: '', at: NOW.getTime(), kid: 'k1' }), [KEY], NOW)).toEqual({ ip: null, userAgent: null });
	});
});
