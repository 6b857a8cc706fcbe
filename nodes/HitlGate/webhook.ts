/**
 * The gate's second half, served on n8n's waiting webhook. GET shows the review page and never
 * decides; POST with a valid link and CSRF token decides through one atomic store step (the MAC'd
 * terminal record and the request's new state, or neither), and the one caller that completes the
 * group resumes the execution. The reviewer's "recorded" page goes out as soon as the record is durable,
 * before the checks for resuming. Stored requests are authenticated (their MAC, their draft's hash) before
 * anything is shown; whether a request ended is read from the chain, not from its stored status.
 * A decision that comes sooner after its page was served than the request's minimum time on page is
 * not taken: the page asks to confirm and the attempt is logged (timeOnPage.ts).
 * A request that needs a one-time code takes a decision only with a valid code from a second email; the
 * page's "Email me a code" button (a POST, never a GET) sends one (oneTimeCode.ts).
 * Every failure answers a page and leaves the execution waiting (an exception here would end the run
 * with an error). A batch link (a v2 token naming the run's group) is served by batchWebhook.ts.
 * A sample-review request is never decided here (no run waits for it): HITL Review Links takes its verdict.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { reviewersAt } from '../../core/deadline';
import { applyEdits } from '../../core/edits';
import type { LinkClaims, SigningKey } from '../../core/links';
import { isGroupLink, linkTokenFromQuery, verifyCsrfToken, verifyLinkToken } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { handleGroupLink, INTEGRITY_NOTICE } from './batchWebhook';
import { clientInfo } from './clientInfo';
import { handleDeadlineOrder, isDeadlineOrderBody } from './deadlineActions';
import { isRequester, recordSelfApproval } from './separationOfDuties';
import { postVote } from './quorumWebhook';
import { decide, expireGroup } from './decide';
import { codeFieldOf, codeStep, requestCode } from './oneTimeCode';
import { reportTamper, verdictFor } from './ledger';
import { parseDecisionForm, type CodeFieldView } from './page';
import { erasedNotice, sendMessage, sendReviewPage } from './respond';
import { loadSigningKeys } from './signingKeys';
import { recordTooFast } from './tooFast';
import { recordFirstView } from './viewRecord';
import { openReviewStore } from '../shared/reviewStore';
import { CONFIRM_DECISION_NOTICE, decisionTiming, minSecondsOfPayload } from './timeOnPage';
import { asGatePayload, type GatePayload } from './types';

const WAIT: IWebhookResponseData = { noWebhookResponse: true };

export async function gateWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		return await handle(this);
	} catch (error) {
		this.logger.error(`HITL Gate webhook failed: ${(error as Error).message}`, { error });
		const res = this.getResponseObject();
		if (!res.headersSent) sendMessage(res, { kind: 'error' });
		return WAIT;
	}
}

async function handle(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const method = ctx.getRequestObject().method.toUpperCase();
	const now = new Date();
	const node = ctx.getNode();
	const executionId = String(ctx.getExecutionId());
	const keys: SigningKey[] = await loadSigningKeys(ctx);
	// The deadline worker's signed order (reminder, escalation, deadline), not a reviewer's form.
	if (method === 'POST' && isDeadlineOrderBody(ctx.getBodyData())) return await handleDeadlineOrder(ctx, keys, now);
	const token = linkTokenFromQuery(ctx.getQueryData());
	const verdict = token === null ? null : verifyLinkToken(token, keys, { now, executionId, nodeId: node.id });

	if (token === null || verdict === null || !verdict.ok) {
		if (token === null || verdict?.ok !== false || verdict.reason !== 'expired') {
			sendMessage(res, { kind: 'invalid' });
			return WAIT;
		}
		// A genuine link whose deadline passed. A POST ends the wait now, through Timed Out (never
		// Approved); a GET only shows the page — GET never changes state, and n8n's own timer
		// releases the run within a minute.
		let resume: IWebhookResponseData | null = null;
		const expired = verdict.claims;
		if (method === 'POST' && expired) {
			const store = await openReviewStore(ctx);
			try {
				// A batch link names the group; a single link its request, whose group is the run's.
				const request = isGroupLink(expired)
					? (await store.listReviewRequests(expired.grp))[0]
					: await store.getReviewRequest(expired.req);
				if (request && request.executionId === executionId && request.nodeId === node.id) {
					resume = await expireGroup(ctx, store, request.groupId, keys, now);
				}
			} finally {
				await store.close();
			}
		}
		sendMessage(res, { kind: 'expired' });
		return resume ?? WAIT;
	}

	const claims = verdict.claims;
	const store = await openReviewStore(ctx);
	try {
		if (isGroupLink(claims)) return await handleGroupLink(ctx, store, claims, keys, now, method);
		const request = await store.getReviewRequest(claims.req);
		if (!request || request.executionId !== executionId || request.nodeId !== node.id) {
			// The token is genuine, so this means lost state or a link for another run.
			sendMessage(res, { kind: 'invalid' });
			return WAIT;
		}
		// Never show or decide on state the gate cannot authenticate: its MAC, the draft's hash recomputed
		// from the stored content, the link's own draft hash, and — once it ended — its terminal record
		// in the chain (whose MAC must verify). The stored status alone decides nothing.
		const verdict = request.draftSha256 === claims.dh
			? await verdictFor(store, request, keys)
			: ({ kind: 'tampered', reason: 'the stored draft hash differs from the one the link was issued for' } as const);
		if (verdict.kind === 'tampered') {
			await reportTamper(store, request, verdict.reason, { reviewerId: claims.rev });
			sendMessage(res, { kind: 'error', detail: INTEGRITY_NOTICE });
			return WAIT;
		}
		if (verdict.kind === 'erased') {
			sendMessage(res, { kind: 'error', detail: erasedNotice(verdict.erasure) });
			return WAIT;
		}
		if (verdict.kind === 'pending' && verdict.inconsistent) await reportTamper(store, request, verdict.inconsistent, { reviewerId: claims.rev });
		const payload = asGatePayload(request.payload) as GatePayload;
		// A sampled item went on long ago: its verdict is taken only by HITL Review Links (sampleReview.ts).
		if (payload.mode === 'sample') {
			sendMessage(res, { kind: 'invalid' });
			return WAIT;
		}
		// Separation of duties: the requester's own link is refused (and recorded), whatever else it says.
		if (isRequester(payload, claims.rev)) {
			await recordSelfApproval(ctx, store, [{ request, payload }], claims, method, keys[0]);
			sendMessage(res, { kind: 'own_item' });
			return WAIT;
		}
		// Backups may decide once their escalation level was reached (covered by the request MAC).
		if (!reviewersAt(request.reviewers, payload.deadlinePlan, now).includes(claims.rev)) {
			sendMessage(res, { kind: 'forbidden' });
			return WAIT;
		}
		if (verdict.kind === 'decided') {
			sendMessage(res, { kind: 'already', reviewer: verdict.record.reviewerId ?? 'another reviewer', at: verdict.record.decidedAt ?? verdict.record.recordedAt });
			return WAIT;
		}
		if (verdict.kind === 'expired' || now.getTime() >= new Date(request.expiresAt).getTime()) {
			const resume = method === 'POST' ? await expireGroup(ctx, store, request.groupId, keys, now) : null;
			sendMessage(res, { kind: 'expired' });
			return resume ?? WAIT;
		}
		if (method === 'POST') return await post(ctx, store, request, payload, claims, keys, now);
		return await show(ctx, store, request, payload, claims, keys[0], now);
	} finally {
		await store.close();
	}
}

/** The page's top message for refused edits: the first few reasons (a batch shows no fields to put them under). */
function editFailure(errors: Array<{ message: string }>): string {
	const shown = errors.slice(0, 3).map((e) => e.message).join(' ');
	const more = errors.length > 3 ? ` (${errors.length - 3} more below)` : '';
	return `Some edits could not be applied: ${shown}${more} Nothing was decided.`;
}

async function show(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	key: SigningKey,
	now: Date,
): Promise<IWebhookResponseData> {
	await recordFirstView(ctx, store, request, payload, claims, key, now);
	// Showing the code box reads the chain (locked or not); it never sends a code: only the page's POST does.
	const oneTimeCode = await codeFieldOf(store, request, payload, claims);
	sendReviewPage(ctx.getResponseObject(), 200, { request, payload, claims, key, ...(oneTimeCode ? { oneTimeCode } : {}) });
	return WAIT;
}

async function post(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	keys: SigningKey[],
	now: Date,
): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const codeBox = payload.oneTimeCode ? { oneTimeCode: { validitySeconds: payload.oneTimeCode.validitySeconds } } : {};
	const page = { request, payload, claims, key: keys[0], ...codeBox };
	const parsed = parseDecisionForm(ctx.getBodyData());
	if (!parsed.ok) {
		sendReviewPage(res, 400, { ...page, error: parsed.message });
		return WAIT;
	}
	const form = parsed.form;
	const csrf = verifyCsrfToken(form.csrf, claims.nonce, request.id, keys, now);
	if (!csrf.valid) {
		sendMessage(res, { kind: 'csrf' });
		return WAIT;
	}
	// A page re-rendered for a refused form keeps the time the reviewer first got it: fixing a missing
	// reason is not a reason to wait again. (A token without a served time counts as served now.)
	const retry = { ...page, comment: form.comment, submitted: form.edits, servedAt: new Date(csrf.servedAtMs ?? now.getTime()) };
	if (form.preview) {
		// "Preview changes" never decides, even when a decision field came along: the page comes back with
		// the edits against the draft (and any edit that would be refused, under its field), the clock kept.
		const applied = payload.items.length === 1 ? applyEdits(payload.items[0].json, payload.editable, form.edits) : null;
		const editErrors = applied && !applied.ok ? applied.errors : undefined;
		sendReviewPage(res, 200, { ...retry, preview: true, ...(editErrors ? { editErrors } : {}) });
		return WAIT;
	}
	if (form.sendCode) {
		// "Email me a code" never decides, whatever else came along; the page comes back with what was typed.
		if (!payload.oneTimeCode) {
			sendReviewPage(res, 400, { ...retry, error: 'This review needs no one-time code. Nothing was decided.' });
			return WAIT;
		}
		const answer = await requestCode(ctx, store, request, payload, claims, keys, now);
		sendReviewPage(res, answer.status, { ...retry, oneTimeCode: answer.view });
		return WAIT;
	}
	if (form.decision === null || !claims.dec.includes(form.decision)) {
		sendReviewPage(res, 400, { ...retry, error: 'Choose Approve or Reject.' });
		return WAIT;
	}
	// After the CSRF check, before anything is decided: a decision sooner than the signed minimum after
	// the page was served is not taken. The page comes back with a fresh clock and what was typed.
	const minSeconds = minSecondsOfPayload(payload);
	const timing = decisionTiming(csrf.servedAtMs, minSeconds, now);
	if (timing.tooFast) {
		await recordTooFast(ctx, store, request, payload, claims, keys[0], { decision: form.decision, timing, minSeconds, servedAtMs: csrf.servedAtMs });
		sendReviewPage(res, 200, { ...retry, servedAt: now, error: CONFIRM_DECISION_NOTICE });
		return WAIT;
	}
	const comment = form.comment.trim();
	if (form.decision === 'reject' && payload.requireRejectReason && comment === '') {
		sendReviewPage(res, 400, { ...retry, error: 'Please give a reason for rejecting: it is recorded with your decision.' });
		return WAIT;
	}
	// The one-time code comes last: checking a code spends it, so every other reason to refuse the form
	// must already have been ruled out (decide() runs the guard after the decision was prepared).
	const code = await codeStep(ctx, store, request, payload, claims, form.otp, keys, now);
	if (code.kind === 'refused') {
		sendReviewPage(res, code.status, { ...retry, oneTimeCode: code.view });
		return WAIT;
	}
	const codeDetails = code.kind === 'checked' ? code.details : undefined;
	const guard = code.kind === 'guard' ? code.guard : undefined;
	if (payload.quorum) {
		return await postVote(ctx, store, request, payload, { decision: form.decision, comment, edits: form.edits, claims, client: clientInfo(ctx, payload.hashClientInfo, keys[0]), servedAt: csrf.servedAtMs === null ? null : new Date(csrf.servedAtMs), ...(codeDetails ? { details: codeDetails } : {}) }, keys, now, (message) => {
			sendReviewPage(res, 400, { ...retry, error: message });
			return WAIT;
		});
	}
	const decision = form.decision;
	// Acknowledged means durable: decide() calls this once the decided record is in the chain, and only
	// then checks whether the run may resume (that bookkeeping is not the reviewer's to wait for).
	const acknowledge = () => sendMessage(res, { kind: 'recorded', decision });
	const result = await decide(ctx, store, request, payload, {
		decision,
		comment,
		edits: form.edits,
		claims,
		client: clientInfo(ctx, payload.hashClientInfo, keys[0]),
		servedAt: csrf.servedAtMs === null ? null : new Date(csrf.servedAtMs),
	}, keys, now, guard, acknowledge);
	switch (result.kind) {
		case 'guard_refused': {
			const refusal = result.refusal as { status: number; view: CodeFieldView };
			sendReviewPage(res, refusal.status, { ...retry, oneTimeCode: refusal.view });
			return WAIT;
		}
		case 'already':
			sendMessage(res, { kind: 'already', reviewer: result.reviewer, at: result.at });
			return WAIT;
		case 'expired':
			sendMessage(res, { kind: 'expired' });
			return WAIT;
		case 'bad_edit':
			sendReviewPage(res, 400, { ...retry, error: editFailure(result.errors), editErrors: result.errors });
			return WAIT;
		case 'too_large':
			sendReviewPage(res, 400, { ...retry, error: result.message });
			return WAIT;
		case 'decided':
			// Already answered by `acknowledge`, which decide() calls before every 'decided' result.
			return result.resume ?? WAIT;
	}
}
