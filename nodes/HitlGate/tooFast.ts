/**
 * The `decision_too_fast` record: a decision posted sooner after its page was served than the request's
 * signed minimum time on page (timeOnPage.ts) is not taken, and this record says so. One writer for the
 * gate's single page (webhook.ts) and sample review's verdict page (HITL Review Links), so both log a
 * refused quick click the same way and Review Log Metrics counts both.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { LinkClaims, SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import { clientInfo } from './clientInfo';
import type { DecisionTiming } from './timeOnPage';
import type { GatePayload } from './types';

export async function recordTooFast(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: LinkClaims,
	key: SigningKey,
	attempt: { decision: 'approve' | 'reject'; timing: DecisionTiming; minSeconds: number; servedAtMs: number | null },
): Promise<void> {
	await store.append({
		event: 'decision_too_fast',
		reviewerId: claims.rev,
		...requestRecordFields(request, payload),
		linkKeyId: claims.kid,
		linkNonce: claims.nonce,
		...clientInfo(ctx, payload.hashClientInfo, key),
		details: {
			requestId: request.id,
			attempted: attempt.decision,
			elapsedMs: attempt.timing.elapsedMs,
			minSecondsOnPage: attempt.minSeconds,
			servedAt: attempt.servedAtMs === null ? null : new Date(attempt.servedAtMs).toISOString(),
		},
	});
}
