/**
 * One-time codes for the highest-risk decisions: the pure rules, no n8n and no store here.
 *
 * Why: possession of an emailed link is otherwise the only proof of who decides. A code sent in a
 * second mail, asked for from the page, adds "can read that mailbox now" — a forwarded link, a link
 * in a shared inbox or a chat, or one a scanner follows, is not enough any more.
 *
 * State lives in the review log, never in process memory (many n8n processes share one store): an
 * `otp_sent` record carries the code's keyed hash (HMAC with the gate's signing key over the code, the
 * request, the reviewer, the link nonce and the code's issue and expiry times) — someone who can read
 * the store cannot turn it back into the code; `otp_failed` records count wrong attempts; an
 * `otp_accepted` record spends a code. Every rule below is a function of those records in log order
 * (seq), so all processes agree: an acceptance stands only when fewer than the allowed failures and no
 * earlier acceptance of the same code come before it in the chain.
 */
import { createHmac, randomInt } from 'node:crypto';

import type { ReviewRecord } from '../records';
import { constantTimeEqual } from './linkToken';
import type { SigningKey } from './signingKey';

export const OTP_DIGITS = 6;
/** How long a code is valid (the default and the longest a builder may choose). */
export const OTP_VALIDITY_SECONDS = 600;
/** The shortest validity a builder may choose (tests, very strict set-ups). */
export const OTP_MIN_VALIDITY_SECONDS = 5;
/** Wrong codes per request and reviewer; the next attempt is refused, even with the right code. */
export const OTP_MAX_FAILURES = 5;
/** A new code at most once per this many seconds... */
export const OTP_RESEND_SECONDS = 60;
/** ...and at most this many codes per request and reviewer. */
export const OTP_MAX_SENDS = 5;

const MAC_PREFIX = 'n8n-nodes-hitl/one-time-code/v1\n';

/** Six decimal digits from the system CSPRNG (uniform: `randomInt` rejects biased draws). */
export function generateCode(): string {
	return String(randomInt(0, 10 ** OTP_DIGITS)).padStart(OTP_DIGITS, '0');
}

/** The code as typed, without spaces or dashes ("123 456", "123-456"); null unless exactly six digits. */
export function normaliseCode(input: unknown): string | null {
	if (typeof input !== 'string' || input.length > 32) return null;
	const digits = input.replace(/[\s-]/g, '');
	return /^[0-9]{6}$/.test(digits) ? digits : null;
}

/** What a code is bound to: one reviewer's link to one request, and its own issue and expiry times. */
export interface CodeBinding {
	requestId: string;
	reviewer: string;
	nonce: string;
	issuedAt: string;
	expiresAt: string;
}

/** The code's keyed hash as stored in the `otp_sent` record (base64url HMAC-SHA256). */
export function codeMac(code: string, binding: CodeBinding, key: SigningKey): string {
	const text = [binding.requestId, binding.reviewer, binding.nonce, binding.issuedAt, binding.expiresAt, code].join('\n');
	return createHmac('sha256', key.secret).update(`${MAC_PREFIX}${key.keyId}\n${text}`, 'utf8').digest('base64url');
}

/** One code sent, as the chain says. */
export interface SentCode {
	seq: number;
	keyId: string;
	mac: string;
	issuedAt: string;
	expiresAt: string;
}

/** Everything the chain holds about one reviewer's codes for one request, in log order. */
export interface CodeState {
	sent: SentCode[];
	/** Seqs of `otp_failed` records. */
	failures: number[];
	/** `otp_accepted` records: which code (its keyed hash) each spent. */
	accepted: Array<{ seq: number; mac: string }>;
}

/** The records of one request, reviewer and link nonce, read into a {@link CodeState}; anything malformed is skipped. */
export function codeStateOf(records: readonly ReviewRecord[], scope: { requestId: string; reviewer: string; nonce: string }): CodeState {
	const state: CodeState = { sent: [], failures: [], accepted: [] };
	const mine = records
		.filter((r) => r.itemKey === scope.requestId && r.reviewerId === scope.reviewer)
		.sort((a, b) => a.seq - b.seq);
	for (const r of mine) {
		const d = r.details ?? {};
		// Failures count per request and reviewer (whatever link); codes and acceptances per link.
		if (r.event === 'otp_failed') state.failures.push(r.seq);
		if (r.linkNonce !== scope.nonce) continue;
		if (r.event === 'otp_sent' && typeof d.codeMac === 'string' && typeof d.keyId === 'string' && typeof d.issuedAt === 'string' && typeof d.expiresAt === 'string') {
			state.sent.push({ seq: r.seq, keyId: d.keyId, mac: d.codeMac, issuedAt: d.issuedAt, expiresAt: d.expiresAt });
		} else if (r.event === 'otp_accepted' && typeof d.codeMac === 'string') {
			state.accepted.push({ seq: r.seq, mac: d.codeMac });
		}
	}
	return state;
}

export function isLocked(state: CodeState): boolean {
	return state.failures.length >= OTP_MAX_FAILURES;
}

export type SendPermission =
	| { ok: true }
	| { ok: false; reason: 'locked' }
	| { ok: false; reason: 'too_many' }
	| { ok: false; reason: 'too_soon'; retryAfterSeconds: number };

/** Whether another code may be sent now: not after the lock, at most {@link OTP_MAX_SENDS}, one per {@link OTP_RESEND_SECONDS}. */
export function sendPermission(state: CodeState, now: Date): SendPermission {
	if (isLocked(state)) return { ok: false, reason: 'locked' };
	if (state.sent.length >= OTP_MAX_SENDS) return { ok: false, reason: 'too_many' };
	const last = state.sent[state.sent.length - 1];
	if (last) {
		const wait = Date.parse(last.issuedAt) + OTP_RESEND_SECONDS * 1000 - now.getTime();
		if (wait > 0) return { ok: false, reason: 'too_soon', retryAfterSeconds: Math.ceil(wait / 1000) };
	}
	return { ok: true };
}

/** The `details` of the `otp_sent` record for a new code (and the code itself, for the mail only). */
export function issueCode(scope: { requestId: string; reviewer: string; nonce: string }, key: SigningKey, now: Date, validitySeconds: number): { code: string; details: Record<string, unknown> } {
	const code = generateCode();
	const seconds = Math.min(OTP_VALIDITY_SECONDS, Math.max(OTP_MIN_VALIDITY_SECONDS, validitySeconds));
	const binding: CodeBinding = { ...scope, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + seconds * 1000).toISOString() };
	return {
		code,
		details: { requestId: scope.requestId, keyId: key.keyId, codeMac: codeMac(code, binding, key), issuedAt: binding.issuedAt, expiresAt: binding.expiresAt },
	};
}

export type CodeCheck =
	| { ok: true; sent: SentCode }
	| { ok: false; reason: 'locked' | 'none_sent' | 'wrong' | 'expired' | 'superseded' | 'used' };

/**
 * Checks a typed code against the chain's state: only the latest code sent is valid, until it expires
 * or is spent. Every sent code is compared (in constant time, under its own key) whatever matched before,
 * so the time taken says nothing about which one matched.
 */
export function checkCode(input: string | null, state: CodeState, scope: { requestId: string; reviewer: string; nonce: string }, keys: readonly SigningKey[], now: Date): CodeCheck {
	if (isLocked(state)) return { ok: false, reason: 'locked' };
	if (state.sent.length === 0) return { ok: false, reason: 'none_sent' };
	if (input === null) return { ok: false, reason: 'wrong' };
	let matched: SentCode | null = null;
	for (const sent of state.sent) {
		const key = keys.find((k) => k.keyId === sent.keyId);
		if (!key) continue;
		const expected = codeMac(input, { ...scope, issuedAt: sent.issuedAt, expiresAt: sent.expiresAt }, key);
		if (constantTimeEqual(expected, sent.mac)) matched = sent;
	}
	const latest = state.sent[state.sent.length - 1];
	if (matched === null) return { ok: false, reason: 'wrong' };
	if (matched !== latest) return { ok: false, reason: 'superseded' };
	if (!(now.getTime() < Date.parse(latest.expiresAt))) return { ok: false, reason: 'expired' };
	if (state.accepted.some((a) => a.mac === latest.mac)) return { ok: false, reason: 'used' };
	return { ok: true, sent: latest };
}

/**
 * After an `otp_accepted` record was appended (at `acceptedSeq`), whether it stands: fewer than the
 * allowed failures and no earlier acceptance of the same code come before it in the chain. Processes
 * racing with the same code or with guesses all append first and then read, so the chain's order
 * decides — exactly one acceptance of a code can stand, and never one after the lock.
 */
export function acceptanceStands(state: CodeState, acceptedSeq: number, mac: string): { ok: true } | { ok: false; reason: 'locked' | 'used' } {
	if (state.failures.filter((seq) => seq < acceptedSeq).length >= OTP_MAX_FAILURES) return { ok: false, reason: 'locked' };
	if (state.accepted.some((a) => a.mac === mac && a.seq < acceptedSeq)) return { ok: false, reason: 'used' };
	return { ok: true };
}
