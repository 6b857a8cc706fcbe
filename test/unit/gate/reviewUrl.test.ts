import { buildReviewUrl, linkTokenFromQuery } from '../../../core/links/reviewUrl';

const TOKEN = 'eyJ2IjoxfQ.c2lnbmF0dXJl';

describe('review URL', () => {
	test('inserts the node id before the query and appends t, keeping n8n’s signature byte-for-byte', () => {
		expect(buildReviewUrl('http://localhost:5678/webhook-waiting/42?signature=abc123', 'node-1', TOKEN)).toBe(
			`http://localhost:5678/webhook-waiting/42/node-1?signature=abc123&t=${TOKEN}`,
		);
	});
	test('works behind a reverse proxy with a path prefix', () => {
		expect(
			buildReviewUrl('https://ops.example.com/n8n/webhook-waiting/42?signature=ff', 'a-b', TOKEN),
		).toBe(`https://ops.example.com/n8n/webhook-waiting/42/a-b?signature=ff&t=${TOKEN}`);
	});
	test('no query, trailing slash and fragment', () => {
		expect(buildReviewUrl('http://h/webhook-waiting/42/', 'n', TOKEN)).toBe(`http://h/webhook-waiting/42/n?t=${TOKEN}`);
		expect(buildReviewUrl('http://h/webhook-waiting/42?signature=s#x', 'n', TOKEN)).toBe(
			`http://h/webhook-waiting/42/n?signature=s&t=${TOKEN}`,
		);
	});
	test('the built URL parses back to the same token', () => {
		const u = new URL(buildReviewUrl('http://h/webhook-waiting/42?signature=s', 'n', TOKEN));
		expect(linkTokenFromQuery(Object.fromEntries(u.searchParams))).toBe(TOKEN);
	});
	test('refuses non-http resume URLs, odd node ids and non-URL-safe tokens', () => {
		expect(() => buildReviewUrl('javascript:alert(1)', 'n', TOKEN)).toThrow(/http/);
		expect(() => buildReviewUrl('http://h/w/1', 'a/b', TOKEN)).toThrow(/node id/);
		expect(() => buildReviewUrl('http://h/w/1', 'n', 'a b.c')).toThrow(/URL-safe/);
	});
	test('linkTokenFromQuery: missing, empty, repeated or non-string → null', () => {
		expect(linkTokenFromQuery({ t: TOKEN, signature: 's' })).toBe(TOKEN);
		expect(linkTokenFromQuery({})).toBeNull();
		expect(linkTokenFromQuery({ t: '' })).toBeNull();
		expect(linkTokenFromQuery({ t: [TOKEN, TOKEN] })).toBeNull();
		expect(linkTokenFromQuery({ t: { a: 1 } })).toBeNull();
		expect(linkTokenFromQuery(null)).toBeNull();
		expect(linkTokenFromQuery(Object.create({ t: TOKEN }))).toBeNull();
	});
});
