/**
 * "Require One-Time Code": before a decision is taken on a request that needs it, the reviewer asks
 * for a 6-digit code from the page (a POST — a GET never sends one, scanners follow links), gets it in a
 * second email to the same address, and types it in. The pure rules (code, keyed hash, expiry, limits,
 * the order in the chain that decides) are in core/links/oneTimeCode.ts, the setting read when the gate
 * runs in oneTimeCodeSettings.ts; this file reads the chain's `otp_*` records for one reviewer and
 * request, writes them, sends the code and checks a typed one.
 *
 * Nothing is kept in process memory: every process serving the webhook reads the same records. Whether
 * a request needs a code is fixed when the gate runs and kept in its MAC'd payload (`oneTimeCode`),
 * so the webhook enforces what was signed, not today's node settings. Batch mode is refused at run time.
 *
 * The decision (or vote) a code allowed names the seq of its `otp_accepted` record under its MAC
 * (ledger.ts, quorum.ts); before an item of such a request is released, or a vote counted, the chain
 * must back that claim (acceptanceUnbacked) — a decision without it is treated as tampered.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	acceptanceStands,
	checkCode,
	codeStateOf,
	isLocked,
	issueCode,
	normaliseCode,
	OTP_MAX_FAILURES,
	OTP_MAX_SENDS,
	sendPermission,
	type CodeState,
	type LinkClaims,
	type SigningKey,
} from '../../core/links';
import type { ReviewEvent, ReviewRecord } from '../../core/records';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import { clientInfo } from './clientInfo';
import type { DecisionGuard } from './decide';
import { sendCodeEmail } from './notify/codeEmail';
import type { CodeFieldView } from './page';
import type { OneTimeCodePolicy } from './oneTimeCodeSettings';
import type { GatePayload } from './types';

type Scope = { requestId: string; reviewer: string; nonce: string };
/** Whose codes: one reviewer's link (its reviewer and nonce). */
type LinkOf = Pick<LinkClaims, 'rev' | 'nonce'>;

const scopeOf = (request: ReviewRequest, claims: LinkOf): Scope => ({ requestId: request.id, reviewer: claims.rev, nonce: claims.nonce });

const OTP_EVENTS: ReviewEvent[] = ['otp_sent', 'otp_failed', 'otp_accepted'];

/** The chain's `otp_*` records of this reviewer on this request, as one state (read fresh every time). */
export async function readCodeState(store: ReviewStore, request: ReviewRequest, claims: LinkOf): Promise<CodeState> {
	const records: ReviewRecord[] = [];
	for (const event of OTP_EVENTS) {
		let cursor: string | undefined;
		do {
			const page = await store.query({ event, itemKey: request.id, reviewerId: claims.rev, executionId: request.executionId }, { limit: 1000, ...(cursor ? { cursor } : {}) });
			records.push(...page.records);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
	}
	return codeStateOf(records, scopeOf(request, claims));
}

/** What a decided or vote record says about a one-time code (its `details`). */
export type CodeNote = { kind: 'none' } | { kind: 'accepted'; seq: number } | { kind: 'malformed' };

/**
 * `oneTimeCode: true` with `oneTimeCodeAcceptedSeq` (a seq) names the acceptance the decision spent;
 * neither means no code; anything else (one without the other, odd values) is malformed.
 */
export function codeNoteOf(details: Record<string, unknown> | null | undefined): CodeNote {
	const flag = details?.oneTimeCode;
	const seq = details?.oneTimeCodeAcceptedSeq;
	if (flag === undefined && seq === undefined) return { kind: 'none' };
	if (flag === true && typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return { kind: 'accepted', seq };
	return { kind: 'malformed' };
}

/**
 * Whether the chain backs a decision's (or vote's) claim to have spent the code accepted at
 * `acceptedSeq`: an `otp_accepted` record there, before the decision, of the same request, reviewer and
 * link, for a code sent before it, and standing by the chain's rule (no lock, no earlier use of that
 * code before it). Null when it does; otherwise why not.
 */
export async function acceptanceUnbacked(
	store: ReviewStore,
	request: ReviewRequest,
	decision: Pick<ReviewRecord, 'seq' | 'reviewerId' | 'linkNonce'>,
	acceptedSeq: number,
): Promise<string | null> {
	if (decision.reviewerId === null || decision.linkNonce === null) return 'the record names no reviewer link';
	const state = await readCodeState(store, request, { rev: decision.reviewerId, nonce: decision.linkNonce });
	const accepted = state.accepted.find((a) => a.seq === acceptedSeq);
	if (!accepted || !(acceptedSeq < decision.seq)) return `the chain has no otp_accepted record of this reviewer's link at seq ${acceptedSeq} before it`;
	if (!state.sent.some((s) => s.mac === accepted.mac && s.seq < acceptedSeq)) return `the otp_accepted record at seq ${acceptedSeq} spends no code that was sent`;
	const stands = acceptanceStands(state, acceptedSeq, accepted.mac);
	return stands.ok ? null : `the code accepted at seq ${acceptedSeq} did not stand (${stands.reason})`;
}

export const LOCKED_NOTICE = `Too many wrong codes (${OTP_MAX_FAILURES}): this link can no longer decide. Ask the workflow owner to send the item for review again. Nothing was decided.`;

/** The code field as the page shows it now (locked after too many wrong codes). */
export async function codeFieldOf(store: ReviewStore, request: ReviewRequest, payload: GatePayload, claims: LinkClaims): Promise<CodeFieldView | undefined> {
	if (!payload.oneTimeCode) return undefined;
	const state = await readCodeState(store, request, claims);
	return isLocked(state) ? { validitySeconds: payload.oneTimeCode.validitySeconds, locked: true, error: LOCKED_NOTICE } : { validitySeconds: payload.oneTimeCode.validitySeconds };
}

function recordBase(ctx: IWebhookFunctions, request: ReviewRequest, payload: GatePayload, claims: LinkClaims, key: SigningKey) {
	return {
		reviewerId: claims.rev,
		...requestRecordFields(request, payload),
		linkKeyId: claims.kid,
		linkNonce: claims.nonce,
		...clientInfo(ctx, payload.hashClientInfo, key),
	};
}

/** The answer to "Email me a code": what the page says under the field, and its status. */
export interface CodeAnswer {
	status: number;
	view: CodeFieldView;
}

/**
 * Sends a new code when the limits allow: the `otp_sent` record (the code's keyed hash, never the code)
 * is written before the mail, so the chain shows every code that may have left. Concurrent requests
 * from several processes may each pass the limits at the same moment and send one mail each (to the
 * same reviewer); only the code the chain lists last is valid.
 */
export async function requestCode(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	keys: readonly SigningKey[],
	now: Date,
): Promise<CodeAnswer> {
	const policy = payload.oneTimeCode as OneTimeCodePolicy;
	const base = { validitySeconds: policy.validitySeconds };
	const state = await readCodeState(store, request, claims);
	const allowed = sendPermission(state, now);
	if (!allowed.ok) {
		if (allowed.reason === 'locked') return { status: 403, view: { ...base, locked: true, error: LOCKED_NOTICE } };
		const error = allowed.reason === 'too_many'
			? `No more codes can be sent for this link (${OTP_MAX_SENDS} were sent). Use the code in your latest email, or ask the workflow owner. Nothing was decided.`
			: `A code was sent less than a minute ago: check your inbox (and spam folder), or ask again in ${allowed.retryAfterSeconds} seconds. Nothing was decided.`;
		return { status: 429, view: { ...base, error } };
	}
	const notify = payload.notify;
	if (!notify?.notifyByEmail || notify.fromEmail === '') {
		return { status: 500, view: { ...base, error: 'This gate cannot email codes (it sends no email). Ask the workflow owner. Nothing was decided.' } };
	}
	const issued = issueCode(scopeOf(request, claims), keys[0], now, policy.validitySeconds);
	await store.append({ event: 'otp_sent', ...recordBase(ctx, request, payload, claims, keys[0]), details: issued.details });
	try {
		const smtp = await ctx.getCredentials(notify.smtpCredentialType);
		await sendCodeEmail(smtp, notify.fromEmail, {
			to: claims.rev,
			code: issued.code,
			expiresAt: new Date(String(issued.details.expiresAt)),
			validitySeconds: policy.validitySeconds,
			workflowName: payload.workflowName,
			...(payload.timeZone ? { timeZone: payload.timeZone } : {}),
		});
	} catch (error) {
		const delivery = (error as Error).message.slice(0, 300);
		ctx.logger.warn(`HITL Gate could not email a one-time code for request ${request.id}: ${delivery}`);
		await store.append({
			event: 'note',
			...recordBase(ctx, request, payload, claims, keys[0]),
			details: { requestId: request.id, deliveryFailed: delivery, announcedBy: 'otp_sent' },
		});
		return { status: 502, view: { ...base, error: 'The code could not be emailed. Try again in a minute, or tell the workflow owner. Nothing was decided.' } };
	}
	return { status: 200, view: { ...base, notice: `We emailed a code to ${claims.rev}. Type it below, then approve or reject.` } };
}

/** A decision's code checked: the record details to add to the decision, or why it is refused. */
export type CodeVerdict =
	| { ok: true; details: IDataObject }
	| { ok: false; status: number; view: CodeFieldView };

function refusal(reason: string, failures: number): string {
	const left = Math.max(0, OTP_MAX_FAILURES - failures);
	const tries = left === 1 ? '1 more try' : `${left} more tries`;
	switch (reason) {
		case 'none_sent':
			return `Ask for a code first: press "Email me a code". ${tries} before this link is locked. Nothing was decided.`;
		case 'expired':
			return `That code has expired. Press "Email me a code" for a new one. ${tries} before this link is locked. Nothing was decided.`;
		case 'superseded':
			return `That code was replaced by a newer one: use the code in your latest email. ${tries} before this link is locked. Nothing was decided.`;
		case 'used':
			return 'That code was already used. Press "Email me a code" for a new one. Nothing was decided.';
		default:
			return `That code is not right. ${tries} before this link is locked. Nothing was decided.`;
	}
}

/**
 * Checks the typed code for a decision (call after every other check of the form, right before the
 * decision is recorded: an accepted code is spent). A refused code is recorded as `otp_failed`; an
 * accepted one as `otp_accepted`, which stands only if the chain shows no lock and no earlier use of the
 * same code before it (acceptanceStands) — processes racing with the same code or with guesses cannot
 * both win.
 */
export async function verifyCode(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	code: string,
	keys: readonly SigningKey[],
	now: Date,
): Promise<CodeVerdict> {
	const base = { validitySeconds: (payload.oneTimeCode as OneTimeCodePolicy).validitySeconds };
	const scope = scopeOf(request, claims);
	const state = await readCodeState(store, request, claims);
	const fail = async (reason: string, extra: IDataObject = {}): Promise<CodeVerdict> => {
		const failures = state.failures.length + 1;
		await store.append({
			event: 'otp_failed',
			...recordBase(ctx, request, payload, claims, keys[0]),
			details: { requestId: request.id, reason, failures, ...extra },
		});
		if (reason === 'locked' || failures >= OTP_MAX_FAILURES) return { ok: false, status: 403, view: { ...base, locked: true, error: LOCKED_NOTICE } };
		return { ok: false, status: 400, view: { ...base, error: refusal(reason, failures) } };
	};
	const check = checkCode(code, state, scope, keys, now);
	if (!check.ok) return await fail(check.reason);
	const accepted = await store.append({
		event: 'otp_accepted',
		...recordBase(ctx, request, payload, claims, keys[0]),
		details: { requestId: request.id, codeMac: check.sent.mac, sentSeq: check.sent.seq },
	});
	// Read again after our record is in the chain: whatever came before it decides.
	const stands = acceptanceStands(await readCodeState(store, request, claims), accepted.seq, check.sent.mac);
	if (!stands.ok) return await fail(stands.reason, { acceptedSeq: accepted.seq });
	return { ok: true, details: { oneTimeCode: true, oneTimeCodeAcceptedSeq: accepted.seq } };
}

/** What the decision POST does about the code: nothing needed, refused now, checked (quorum), or checked by decide()'s guard. */
export type CodeStep =
	| { kind: 'none' }
	| { kind: 'refused'; status: number; view: CodeFieldView }
	| { kind: 'checked'; details: IDataObject }
	| { kind: 'guard'; guard: DecisionGuard };

/**
 * The code step of a decision POST, after every other check of the form. Text that is not a code
 * (empty, not six digits) is refused without counting; a single decision checks the code inside
 * decide() (after the decision was prepared, right before it is recorded); a quorum vote checks it here,
 * before the vote is appended.
 */
export async function codeStep(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	typed: string | undefined,
	keys: readonly SigningKey[],
	now: Date,
): Promise<CodeStep> {
	if (!payload.oneTimeCode) return { kind: 'none' };
	const validitySeconds = payload.oneTimeCode.validitySeconds;
	const code = normaliseCode(typed);
	if (code === null && !(await codeFieldOf(store, request, payload, claims))?.locked) {
		const error = (typed ?? '').trim() === ''
			? 'Enter the 6-digit code from the second email (press "Email me a code" if you have none). Nothing was decided.'
			: 'A code has 6 digits. Nothing was decided.';
		return { kind: 'refused', status: 400, view: { validitySeconds, error } };
	}
	const check = async (): Promise<CodeVerdict> => await verifyCode(ctx, store, request, payload, claims, code ?? '', keys, now);
	if (payload.quorum) {
		const verdict = await check();
		return verdict.ok ? { kind: 'checked', details: verdict.details } : { kind: 'refused', status: verdict.status, view: verdict.view };
	}
	return {
		kind: 'guard',
		guard: async () => {
			const verdict = await check();
			return verdict.ok ? verdict : { ok: false, refusal: { status: verdict.status, view: verdict.view } };
		},
	};
}
