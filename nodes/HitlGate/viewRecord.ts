/**
 * The `viewed` record a review page leaves: one per reviewer and request is enough — mail scanners and
 * reloads may open a link many times, and the first view is what review-time metrics measure from.
 * Shared by the single page (webhook.ts) and the batch page (batchWebhook.ts). A GET writes only this
 * record; it never changes a request's state.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { LinkClaims, SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import { clientInfo } from './clientInfo';
import type { GatePayload } from './types';

export async function recordFirstView(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: Pick<LinkClaims, 'rev' | 'kid' | 'nonce'>,
	key: SigningKey,
	now: Date,
): Promise<void> {
	const seen = await store.query({ event: 'viewed', itemKey: request.id, reviewerId: claims.rev }, { limit: 1 });
	if (seen.records.length > 0) return;
	await store.append({
		event: 'viewed',
		reviewerId: claims.rev,
		...requestRecordFields(request, payload),
		viewedAt: now.toISOString(),
		linkKeyId: claims.kid,
		linkNonce: claims.nonce,
		...clientInfo(ctx, payload.hashClientInfo, key),
	});
}
