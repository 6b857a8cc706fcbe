/**
 * The gate's link token: proves that this package issued a link for one reviewer, one review request
 * of one execution's gate node, for one exact draft, until a deadline.
 *
 * Two formats, told apart by `v` and signed under different domain prefixes, so one can never pass as
 * the other: v1 names one review request (`req`); v2 names a run's group of requests (`grp`: the
 * batch page, where each item is its own request but one link per reviewer shows them all). v1 tokens
 * keep verifying exactly as before.
 *
 * token = base64url(claims JSON) "." base64url(HMAC-SHA256(secret, signing string))
 * The claims JSON must be exactly the canonical encoding this module produces (fixed field order, no
 * extra or duplicated fields, no whitespace), so a token has one spelling only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { assertSigningKey, KEY_ID_RE, type SigningKey } from './signingKey';

export const LINK_DECISIONS = ['approve', 'reject'] as const;
export type LinkDecision = (typeof LINK_DECISIONS)[number];

export interface LinkClaims {
	v: 1;
	/** Key id of the signing key. */
	kid: string;
	/** n8n execution id. */
	exec: string;
	/** n8n node id of the gate. */
	node: string;
	/** Review request id. */
	req: string;
	/** Reviewer email, lower-cased. */
	rev: string;
	/** Decisions this link may make, in the order of {@link LINK_DECISIONS}. */
	dec: LinkDecision[];
	/** SHA-256 (hex) of the draft the reviewer is shown. */
	dh: string;
	/** Issued at, unix seconds. */
	iat: number;
	/** Expires at, unix seconds: the link is valid while now < exp. */
	exp: number;
	/** base64url of at least 16 random bytes; also binds the CSRF token. */
	nonce: string;
}

/**
 * A batch link (v2): the same claims as {@link LinkClaims}, but naming the run's group of review
 * requests instead of one request. `dh` is then the SHA-256 of the group's list of requests (ids and
 * draft hashes, in item order), so the link names exactly which drafts it was issued for.
 */
export interface GroupLinkClaims extends Omit<LinkClaims, 'v' | 'req'> {
	v: 2;
	/** Group id of the run's review requests. */
	grp: string;
}

export type AnyLinkClaims = LinkClaims | GroupLinkClaims;

/** True for a batch link naming a group of requests. */
export function isGroupLink(claims: AnyLinkClaims): claims is GroupLinkClaims {
	return claims.v === 2;
}

export type VerifyLinkFailure = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired' | 'wrong_execution';

/**
 * On failure, `claims` is present only when the signature checked out (reasons `expired` and
 * `wrong_execution`): genuine claims the caller may use, e.g. to expire the request the link names.
 */
export type VerifyLinkResult =
	| { ok: true; claims: AnyLinkClaims }
	| { ok: false; reason: VerifyLinkFailure; claims?: AnyLinkClaims };

export const LINK_SIGNING_PREFIX = 'n8n-nodes-hitl/link/v1\n';
/** Field order of the claims, in the JSON and in the signing string. */
export const CLAIM_FIELDS = ['v', 'kid', 'exec', 'node', 'req', 'rev', 'dec', 'dh', 'iat', 'exp', 'nonce'] as const;
export const GROUP_LINK_SIGNING_PREFIX = 'n8n-nodes-hitl/link/v2\n';
/** Field order of batch-link claims: `grp` where v1 has `req`. */
export const GROUP_CLAIM_FIELDS = ['v', 'kid', 'exec', 'node', 'grp', 'rev', 'dec', 'dh', 'iat', 'exp', 'nonce'] as const;

/** Generous bound; a real token is about 600 characters. Refuses giant inputs before any work. */
export const MAX_TOKEN_LENGTH = 4096;

export const ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
export const EMAIL_RE =
	/^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
/** 16 bytes = 22 base64url characters; cap the length to keep tokens bounded. */
export const NONCE_RE = /^[A-Za-z0-9_-]{22,128}$/;
const B64URL_RE = /^[A-Za-z0-9_-]+$/;

/** A link claim that cannot be signed (a bug or bad input in the caller, not an attack). */
export class LinkClaimsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LinkClaimsError';
	}
}

/** Lower-cases and trims an email and checks it fits the link's restricted charset; null if it does not. */
export function normalizeReviewerEmail(input: string): string | null {
	const e = input.trim().toLowerCase();
	return e.length <= 254 && EMAIL_RE.test(e) ? e : null;
}

/** Random base64url string of `bytes` random bytes (default 16 = 128 bits). */
export function randomToken(bytes = 16): string {
	return randomBytes(bytes).toString('base64url');
}

/** Returns null if the claims are well-formed v1 (one request) claims, else what is wrong. */
export function claimsProblem(c: unknown): string | null {
	return problemOf(c, 1, 'req');
}

/** Returns null if the claims are well-formed v2 (group) claims, else what is wrong. */
export function groupClaimsProblem(c: unknown): string | null {
	return problemOf(c, 2, 'grp');
}

function problemOf(c: unknown, version: 1 | 2, scope: 'req' | 'grp'): string | null {
	if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'claims must be an object';
	const o = c as Record<string, unknown>;
	if (o.v !== version) return `v must be ${version}`;
	if (typeof o.kid !== 'string' || !KEY_ID_RE.test(o.kid)) return 'kid is not a valid key id';
	for (const f of ['exec', 'node', scope]) {
		if (typeof o[f] !== 'string' || !ID_RE.test(o[f] as string)) return `${f} must match ${ID_RE}`;
	}
	if (typeof o.rev !== 'string' || o.rev.length > 254 || !EMAIL_RE.test(o.rev)) {
		return 'rev must be a lower-case email address (letters, digits and .!#$%&\'*+/=?^_`{|}~- before @)';
	}
	if (!Array.isArray(o.dec) || o.dec.length === 0) return 'dec must be a non-empty list';
	let last = -1;
	for (const d of o.dec) {
		const idx = LINK_DECISIONS.indexOf(d as LinkDecision);
		// Strictly increasing index: known values, no duplicates, one canonical order.
		if (idx <= last) return `dec must list distinct values of ${LINK_DECISIONS.join(', ')} in that order`;
		last = idx;
	}
	if (typeof o.dh !== 'string' || !HEX64_RE.test(o.dh)) return 'dh must be 64 lower-case hex characters';
	if (!isUnixSeconds(o.iat)) return 'iat must be whole unix seconds';
	if (!isUnixSeconds(o.exp)) return 'exp must be whole unix seconds';
	if ((o.exp as number) <= (o.iat as number)) return 'exp must be after iat';
	if (typeof o.nonce !== 'string' || !NONCE_RE.test(o.nonce)) {
		return 'nonce must be base64url of at least 16 random bytes';
	}
	return null;
}

function isUnixSeconds(n: unknown): n is number {
	return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function fieldsOf(c: AnyLinkClaims): readonly string[] {
	return isGroupLink(c) ? GROUP_CLAIM_FIELDS : CLAIM_FIELDS;
}

/** The canonical JSON of the claims: fixed field order, nothing else. */
function encodeClaimsJson(c: AnyLinkClaims): string {
	const ordered: Record<string, unknown> = {};
	const values = c as unknown as Record<string, unknown>;
	// Read-only: JSON.stringify writes the list of decisions as it is, so nothing needs copying.
	for (const f of fieldsOf(c)) ordered[f] = values[f];
	return JSON.stringify(ordered);
}

/**
 * The string the HMAC covers: the format's domain prefix, then the fields in order, one per line.
 * Field validation guarantees no field contains the separator.
 */
export function linkSigningString(c: AnyLinkClaims): string {
	const values = c as unknown as Record<string, unknown>;
	const prefix = isGroupLink(c) ? GROUP_LINK_SIGNING_PREFIX : LINK_SIGNING_PREFIX;
	// The decisions as one comma-joined line (an array's own text form would give the same; said explicitly).
	return prefix + fieldsOf(c).map((f) => (f === 'dec' ? c.dec.join(',') : values[f])).join('\n');
}

function mac(secret: string, message: string): string {
	return createHmac('sha256', secret).update(message, 'utf8').digest('base64url');
}

/** Constant-time string equality; the length check first because timingSafeEqual throws on a mismatch. */
export function constantTimeEqual(a: string, b: string): boolean {
	const ab = Buffer.from(a, 'utf8');
	const bb = Buffer.from(b, 'utf8');
	if (ab.length !== bb.length) return false;
	return timingSafeEqual(ab, bb);
}

/** Signs a v1 link: one reviewer, one review request. */
export function signLinkToken(claims: LinkClaims, key: SigningKey): string {
	return sign(claims, claimsProblem(claims), key, 'review link');
}

/** Signs a v2 (batch) link: one reviewer, every review request of one run's group. */
export function signGroupLinkToken(claims: GroupLinkClaims, key: SigningKey): string {
	return sign(claims, groupClaimsProblem(claims), key, 'batch review link');
}

function sign(claims: AnyLinkClaims, problem: string | null, key: SigningKey, what: string): string {
	assertSigningKey(key);
	if (problem) throw new LinkClaimsError(`Cannot sign the ${what}: ${problem}.`);
	if (claims.kid !== key.keyId) {
		throw new LinkClaimsError(`Cannot sign the ${what}: kid "${claims.kid}" is not the key's id "${key.keyId}".`);
	}
	const payload = Buffer.from(encodeClaimsJson(claims), 'utf8').toString('base64url');
	return `${payload}.${mac(key.secret, linkSigningString(claims))}`;
}

/** Strict base64url: only the alphabet, no padding, and the one canonical spelling of the bytes. */
function decodeB64url(s: string): Buffer | null {
	if (!B64URL_RE.test(s)) return null;
	const buf = Buffer.from(s, 'base64url');
	return buf.toString('base64url') === s ? buf : null;
}

function parseClaims(payload: string): AnyLinkClaims | null {
	const bytes = decodeB64url(payload);
	if (!bytes) return null;
	const json = bytes.toString('utf8');
	let parsed: unknown;
	try {
		parsed = JSON.parse(json);
	} catch {
		return null;
	}
	// The version picks the rules: v2 claims are checked as a group link, anything else as v1.
	const group = (parsed as { v?: unknown } | null)?.v === 2;
	if ((group ? groupClaimsProblem(parsed) : claimsProblem(parsed)) !== null) return null;
	const claims = parsed as AnyLinkClaims;
	// One spelling only: rejects extra, duplicated (JSON.parse keeps the last), reordered or padded fields,
	// and invalid UTF-8 (which decodes to U+FFFD and re-encodes differently).
	if (encodeClaimsJson(claims) !== json || !Buffer.from(json, 'utf8').equals(bytes)) return null;
	return claims;
}

export function verifyLinkToken(
	token: string,
	keys: readonly SigningKey[],
	opts: { now: Date; executionId: string; nodeId: string },
): VerifyLinkResult {
	for (const k of keys) assertSigningKey(k);
	if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
		return { ok: false, reason: 'malformed' };
	}
	const parts = token.split('.');
	if (parts.length !== 2 || !B64URL_RE.test(parts[1])) return { ok: false, reason: 'malformed' };
	const claims = parseClaims(parts[0]);
	if (!claims) return { ok: false, reason: 'malformed' };

	const candidates = keys.filter((k) => k.keyId === claims.kid);
	if (candidates.length === 0) return { ok: false, reason: 'unknown_key' };
	const message = linkSigningString(claims);
	let valid = false;
	// Check every candidate (no early exit) so timing does not reveal which one matched.
	for (const k of candidates) valid = constantTimeEqual(mac(k.secret, message), parts[1]) || valid;
	if (!valid) return { ok: false, reason: 'bad_signature' };

	// A genuine link for another execution or gate is foreign: 401, not 410, even when also expired.
	if (claims.exec !== opts.executionId || claims.node !== opts.nodeId) {
		return { ok: false, reason: 'wrong_execution', claims };
	}
	if (!(opts.now.getTime() < claims.exp * 1000)) return { ok: false, reason: 'expired', claims };
	return { ok: true, claims };
}
