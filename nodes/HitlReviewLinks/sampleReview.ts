/**
 * Sample review's later verdict, served by HITL Review Links itself. Why here and not relayed to the
 * gate: a sample-review gate never waits (nodes/HitlGate/sample.ts), so no run is there to relay to; the
 * Review Links node is the one URL that always answers. It does only what the gate's own webhook does,
 * with the gate's code: the link checked as the gate checks it (signature, expiry, the run and node of
 * its request, the draft hash), the request authenticated and its state read from the chain (ledger.ts
 * verdictFor), separation of duties, the listed reviewers, the same page (respond.ts, with "Looks fine" /
 * "Problem") and its CSRF token with the served time (core/links/csrf.ts), the same minimum time on page.
 * GET shows the page and records the first `viewed`; it never decides. POST records one terminal
 * `decided` record (sampleVerdict.ts); a second POST gets the "already decided" page.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { reviewersAt } from '../../core/deadline';
import { isGroupLink, verifyCsrfToken, verifyLinkToken, type LinkClaims, type SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { expiryResolution } from '../shared/expiry';
import { openReviewStore, type StoreSettings } from '../shared/reviewStore';
import { INTEGRITY_NOTICE } from '../HitlGate/batchWebhook';
import { clientInfo } from '../HitlGate/clientInfo';
import { reportTamper, verdictFor } from '../HitlGate/ledger';
import { parseDecisionForm } from '../HitlGate/page';
import { erasedNotice, sendMessage, sendReviewPage, type Response } from '../HitlGate/respond';
import { isRequester, recordSelfApproval } from '../HitlGate/separationOfDuties';
import { CONFIRM_DECISION_NOTICE, decisionTiming, minSecondsOfPayload } from '../HitlGate/timeOnPage';
import { recordTooFast } from '../HitlGate/tooFast';
import type { GatePayload } from '../HitlGate/types';
import { recordFirstView } from '../HitlGate/viewRecord';
import { recordSampleVerdict } from './sampleVerdict';

/** True for an authenticated request whose signed payload says sample review. */
export function isSampleRequest(payload: GatePayload): boolean {
	return payload.mode === 'sample';
}

/** `request` was read for the link's claims and authenticated by the caller (relay.ts). */
export async function serveSampleLink(
	ctx: IWebhookFunctions,
	res: Response,
	token: string,
	request: ReviewRequest,
	keys: SigningKey[],
	settings: StoreSettings,
): Promise<void> {
	const method = ctx.getRequestObject().method.toUpperCase();
	const now = new Date();
	const checked = verifyLinkToken(token, keys, { now, executionId: request.executionId, nodeId: request.nodeId });
	const claims = checked.ok || checked.reason === 'expired' ? checked.claims : undefined;
	if (!claims || isGroupLink(claims) || claims.req !== request.id) {
		sendMessage(res, { kind: 'invalid' });
		return;
	}
	const store = await openReviewStore(ctx, settings);
	try {
		const verdict =
			request.draftSha256 === claims.dh
				? await verdictFor(store, request, keys)
				: ({ kind: 'tampered', reason: 'the stored draft hash differs from the one the link was issued for' } as const);
		if (verdict.kind === 'tampered') {
			await reportTamper(store, request, verdict.reason, { reviewerId: claims.rev });
			sendMessage(res, { kind: 'error', detail: INTEGRITY_NOTICE });
			return;
		}
		if (verdict.kind === 'erased') {
			sendMessage(res, { kind: 'error', detail: erasedNotice(verdict.erasure) });
			return;
		}
		const payload = request.payload as unknown as GatePayload;
		if (isRequester(payload, claims.rev)) {
			await recordSelfApproval(ctx, store, [{ request, payload }], claims, method, keys[0]);
			sendMessage(res, { kind: 'own_item' });
			return;
		}
		if (!reviewersAt(request.reviewers, payload.deadlinePlan, now).includes(claims.rev)) {
			sendMessage(res, { kind: 'forbidden' });
			return;
		}
		if (verdict.kind === 'decided') {
			const r = verdict.record;
			sendMessage(res, { kind: 'already', reviewer: r.reviewerId ?? 'another reviewer', at: r.decidedAt ?? r.recordedAt, decision: r.decision === 'rejected' ? 'rejected' : 'approved' });
			return;
		}
		if (verdict.kind === 'expired' || !checked.ok || now.getTime() >= new Date(request.expiresAt).getTime()) {
			// A POST on a dead link ends the request now (the skip is then on record); a GET changes nothing.
			if (method === 'POST' && verdict.kind === 'pending') await store.resolveReviewRequest(request.id, expiryResolution(request, 'expired_link_posted', keys[0]));
			sendMessage(res, { kind: 'expired' });
			return;
		}
		if (method === 'POST') {
			await post(ctx, res, store, request, payload, claims, keys, now);
			return;
		}
		await recordFirstView(ctx, store, request, payload, claims, keys[0], now);
		sendReviewPage(res, 200, { request, payload, claims, key: keys[0] });
	} finally {
		await store.close();
	}
}

async function post(
	ctx: IWebhookFunctions,
	res: Response,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	keys: SigningKey[],
	now: Date,
): Promise<void> {
	const page = { request, payload, claims, key: keys[0] };
	const parsed = parseDecisionForm(ctx.getBodyData());
	if (!parsed.ok) {
		sendReviewPage(res, 400, { ...page, error: parsed.message });
		return;
	}
	const form = parsed.form;
	const csrf = verifyCsrfToken(form.csrf, claims.nonce, request.id, keys, now);
	if (!csrf.valid) {
		sendMessage(res, { kind: 'csrf' });
		return;
	}
	const retry = { ...page, comment: form.comment, servedAt: new Date(csrf.servedAtMs ?? now.getTime()) };
	if (form.decision === null || form.preview || form.sendCode || !claims.dec.includes(form.decision)) {
		sendReviewPage(res, 400, { ...retry, error: 'Choose Looks fine or Problem.' });
		return;
	}
	const minSeconds = minSecondsOfPayload(payload);
	const timing = decisionTiming(csrf.servedAtMs, minSeconds, now);
	if (timing.tooFast) {
		await recordTooFast(ctx, store, request, payload, claims, keys[0], { decision: form.decision, timing, minSeconds, servedAtMs: csrf.servedAtMs });
		sendReviewPage(res, 200, { ...retry, servedAt: now, error: CONFIRM_DECISION_NOTICE });
		return;
	}
	const comment = form.comment.trim();
	if (form.decision === 'reject' && comment === '') {
		sendReviewPage(res, 400, { ...retry, error: 'Please say what the problem is: your comment is recorded with your verdict.' });
		return;
	}
	const result = await recordSampleVerdict(ctx, store, request, payload, {
		decision: form.decision,
		comment,
		edits: {},
		claims,
		client: clientInfo(ctx, payload.hashClientInfo, keys[0]),
		servedAt: csrf.servedAtMs === null ? null : new Date(csrf.servedAtMs),
	}, keys, now);
	switch (result.kind) {
		case 'recorded':
			sendMessage(res, { kind: 'sample_recorded', verdict: result.verdict });
			return;
		case 'already':
			sendMessage(res, { kind: 'already', reviewer: result.reviewer, at: result.at });
			return;
		case 'expired':
			sendMessage(res, { kind: 'expired' });
			return;
		case 'bad_edit':
		case 'too_large':
			sendReviewPage(res, 400, { ...retry, error: result.kind === 'too_large' ? result.message : 'Nothing can be edited in a sample review. Nothing was recorded.' });
			return;
	}
}
