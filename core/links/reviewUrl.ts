/**
 * Builds the reviewer's link from n8n's resume URL and reads the gate's token back from a request.
 * n8n's `$execution.resumeUrl` already carries `?signature=<resume token>` and the configured webhook
 * base URL (so links work behind a reverse proxy); the gate's webhook path is the node id.
 */
import { ID_RE, MAX_TOKEN_LENGTH } from './linkToken';

/** Query parameter that carries the gate's link token. */
export const LINK_TOKEN_PARAM = 't';

/**
 * `http://h/webhook-waiting/42?signature=abc` + node `n1` + token `x.y`
 * → `http://h/webhook-waiting/42/n1?signature=abc&t=x.y`.
 * String surgery rather than `URL` re-serialisation, so n8n's own parameters stay byte-for-byte.
 */
export function buildReviewUrl(resumeUrl: string, nodeId: string, token: string): string {
	if (!/^https?:\/\//i.test(resumeUrl)) {
		throw new Error(`The execution's resume URL must be an http(s) URL (got "${resumeUrl.slice(0, 80)}").`);
	}
	if (!ID_RE.test(nodeId)) throw new Error(`The node id must match ${ID_RE}.`);
	if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new Error('The link token is not URL-safe.');
	const hashAt = resumeUrl.indexOf('#');
	const noHash = hashAt === -1 ? resumeUrl : resumeUrl.slice(0, hashAt);
	const q = noHash.indexOf('?');
	const path = (q === -1 ? noHash : noHash.slice(0, q)).replace(/\/+$/, '');
	const query = q === -1 ? '' : noHash.slice(q + 1);
	const params = query === '' ? [] : [query];
	params.push(`${LINK_TOKEN_PARAM}=${token}`);
	return `${path}/${encodeURIComponent(nodeId)}?${params.join('&')}`;
}

/**
 * The link token from a parsed query object (n8n's `req.query`). Null when it is missing, empty,
 * repeated (an array: `?t=a&t=b` is ambiguous, so refused) or oversized.
 */
export function linkTokenFromQuery(query: unknown): string | null {
	if (typeof query !== 'object' || query === null) return null;
	if (!Object.prototype.hasOwnProperty.call(query, LINK_TOKEN_PARAM)) return null;
	const t = (query as Record<string, unknown>)[LINK_TOKEN_PARAM];
	if (typeof t !== 'string' || t.length === 0 || t.length > MAX_TOKEN_LENGTH) return null;
	return t;
}
