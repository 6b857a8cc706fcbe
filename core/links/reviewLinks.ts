/**
 * Review links that answer after the run has ended. n8n answers a waiting-webhook link of a finished,
 * failed or pruned execution itself (409/404 JSON) before any node runs, so a reviewer who opens a link
 * late sees n8n's error instead of "decided by … at …". The HITL Review Links node holds a production
 * webhook that never depends on an execution: links point at it, it relays the request to the run's
 * waiting webhook while the run waits, and renders the outcome from the review store once it does not.
 *
 * This module is the plain part both sides share (no n8n import):
 * - where the Review Links URL is (derived from n8n's resume URL, like every other n8n URL);
 * - the probe: the gate asks the URL whether a Review Links node serving *its* store with *its* key
 *   is active there; the answer is a MAC over the gate's nonce, so no one without the key (a DNS or
 *   proxy trick, a stale deployment with another key) can make the gate send links to it;
 * - the relayed client: the relay tells the gate who the reviewer's browser was (IP, user agent) in a
 *   header MAC'd with the same key, so the log keeps the reviewer's address rather than the relay's,
 *   and no client can forge it by sending the header itself.
 */
import { createHmac, randomBytes } from 'node:crypto';

import { constantTimeEqual, MAX_TOKEN_LENGTH, verifyLinkToken, type AnyLinkClaims } from './linkToken';
import { LINK_TOKEN_PARAM } from './reviewUrl';
import type { SigningKey } from './signingKey';

/** The Review Links node's default path: `<n8n webhook URL>/hitl-review`. */
export const DEFAULT_REVIEW_LINKS_PATH = 'hitl-review';
/** Query parameter of a probe (a GET without a link token). */
export const PROBE_PARAM = 'hitlProbe';
/** What a probe answer calls itself, so the gate never mistakes another webhook's JSON for one. */
export const PROBE_SERVICE = 'n8n-nodes-hitl/review-links';
/** The header the relay sends the gate: who the reviewer's browser was, MAC'd. */
export const RELAYED_CLIENT_HEADER = 'x-hitl-relayed-client';
/** A relayed-client header older than this is ignored (the relay sends it with the request it belongs to). */
export const RELAYED_CLIENT_MAX_AGE_MS = 120_000;

const PROBE_DOMAIN = 'n8n-nodes-hitl/review-links-probe/v1\n';
const CLIENT_DOMAIN = 'n8n-nodes-hitl/relayed-client/v1\n';
const PATH_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NONCE_RE = /^[A-Za-z0-9_-]{22,64}$/;

/** A path the Review Links node may listen on: one URL segment, no slashes or dots at the start. */
export function isReviewLinksPath(path: string): boolean {
	return PATH_RE.test(path);
}

/**
 * `http://h/prefix/webhook-waiting/42?signature=…` → `http://h/prefix/webhook/hitl-review`: n8n serves
 * production webhooks beside the waiting ones, under its webhook endpoint (N8N_ENDPOINT_WEBHOOK,
 * default `webhook`). Null when the resume URL does not have n8n's shape.
 */
export function reviewLinksUrlFrom(resumeUrl: string, path: string, webhookEndpoint = 'webhook'): string | null {
	if (!isReviewLinksPath(path) || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(webhookEndpoint)) return null;
	let url: URL;
	try {
		url = new URL(resumeUrl);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	// The last two segments are the waiting endpoint and the execution id.
	const segments = url.pathname.replace(/\/+$/, '').split('/');
	if (segments.length < 3) return null;
	const prefix = segments.slice(0, -2).join('/');
	return `${url.protocol}//${url.host}${prefix}/${webhookEndpoint}/${path}`;
}

/** The reviewer's link through the Review Links node: its URL and the gate's token, nothing else. */
export function relayedReviewUrl(reviewLinksUrl: string, token: string): string {
	if (!/^https?:\/\/[^?#\s]+$/i.test(reviewLinksUrl)) throw new Error('The Review Links URL must be an http(s) URL without query or fragment.');
	if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) || token.length > MAX_TOKEN_LENGTH) throw new Error('The link token is not URL-safe.');
	return `${reviewLinksUrl}?${LINK_TOKEN_PARAM}=${token}`;
}

export function newProbeNonce(): string {
	return randomBytes(24).toString('base64url');
}

export function isProbeNonce(value: unknown): value is string {
	return typeof value === 'string' && NONCE_RE.test(value);
}

/**
 * What the Review Links node answers a probe with. The store it serves is only inside the MAC (the gate
 * computes the same MAC with its own store's name): a stranger's probe learns no path, host or user.
 */
export interface ProbeAnswer {
	service: typeof PROBE_SERVICE;
	v: 1;
	keyId: string;
	mac: string;
}

function probeMac(key: SigningKey, nonce: string, store: string): string {
	return createHmac('sha256', key.secret).update(`${PROBE_DOMAIN}${key.keyId}\n${nonce}\n${store}`, 'utf8').digest('base64url');
}

export function answerProbe(key: SigningKey, nonce: string, store: string): ProbeAnswer {
	return { service: PROBE_SERVICE, v: 1, keyId: key.keyId, mac: probeMac(key, nonce, store) };
}

/**
 * True when `answer` proves that whoever answered holds `key` and serves `store`, for this `nonce`.
 * Anything else (another service's JSON, another store, another key, a replayed answer) is false.
 */
export function checkProbeAnswer(answer: unknown, key: SigningKey, nonce: string, store: string): boolean {
	if (typeof answer !== 'object' || answer === null) return false;
	const a = answer as Partial<ProbeAnswer>;
	if (a.service !== PROBE_SERVICE || a.v !== 1 || a.keyId !== key.keyId || typeof a.mac !== 'string') return false;
	return constantTimeEqual(probeMac(key, nonce, store), a.mac);
}

export interface RelayedClient {
	ip: string | null;
	userAgent: string | null;
}

function clientMac(key: SigningKey, body: string): string {
	return createHmac('sha256', key.secret).update(`${CLIENT_DOMAIN}${key.keyId}\n${body}`, 'utf8').digest('base64url');
}

/** The header value: base64url(JSON {ip, ua, at}) + "." + MAC. */
export function signRelayedClient(client: RelayedClient, key: SigningKey, now: Date): string {
	const body = Buffer.from(JSON.stringify({ ip: client.ip, ua: client.userAgent?.slice(0, 512) ?? null, at: now.getTime(), kid: key.keyId }), 'utf8').toString('base64url');
	return `${body}.${clientMac(key, body)}`;
}

/** The relayed client when the header is genuine (MAC of one of `keys`) and fresh; null otherwise. */
export function readRelayedClient(header: unknown, keys: readonly SigningKey[], now: Date): RelayedClient | null {
	if (typeof header !== 'string' || header.length > 2048) return null;
	const parts = header.split('.');
	if (parts.length !== 2) return null;
	const [body, mac] = parts;
	let parsed: { ip?: unknown; ua?: unknown; at?: unknown; kid?: unknown };
	try {
		parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof parsed;
	} catch {
		return null;
	}
	if (typeof parsed !== 'object' || parsed === null) return null;
	const key = keys.find((k) => k.keyId === parsed.kid);
	if (!key || !constantTimeEqual(clientMac(key, body), mac)) return null;
	if (typeof parsed.at !== 'number' || Math.abs(now.getTime() - parsed.at) > RELAYED_CLIENT_MAX_AGE_MS) return null;
	const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
	return { ip: text(parsed.ip), userAgent: text(parsed.ua) };
}

/**
 * The claims of a genuine link token (MAC of one of `keys`), whatever run it names and even when
 * expired: the Review Links node serves every run's links, and the gate itself decides what an expired
 * link may still do. Null for anything not signed by one of the keys.
 */
export function verifyLinkSignature(token: string, keys: readonly SigningKey[]): AnyLinkClaims | null {
	// No run has an empty id: a genuine token always comes back as "another run", with its verified claims.
	const result = verifyLinkToken(token, keys, { now: new Date(0), executionId: '', nodeId: '' });
	return !result.ok && result.reason === 'wrong_execution' && result.claims ? result.claims : null;
}
