/**
 * The `viewed` record a review page leaves: one per reviewer and request is enough — mail scanners and
 * reloads may open a link many times, and the first view is what review-time metrics measure from.
 * Shared by the single page (webhook.ts) and the batch page (batchWebhook.ts, all its items at once). A
 * GET writes only this record; it never changes a request's state.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { LinkClaims, SigningKey } from '../../core/links';
import type { ReviewRecordInput, ReviewRequest, ReviewStore } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import { clientInfo } from './clientInfo';
import type { GatePayload } from './types';

type ViewClaims = Pick<LinkClaims, 'rev' | 'kid' | 'nonce'>;

export async function recordFirstView(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	claims: ViewClaims,
	key: SigningKey,
	now: Date,
): Promise<void> {
	const seen = await store.query({ event: 'viewed', itemKey: request.id, reviewerId: claims.rev }, { limit: 1 });
	if (seen.records.length > 0) return;
	await store.append(viewedRecord(ctx, request, payload, claims, key, now));
}

/**
 * The batch page's views: every open item's first `viewed` record by this reviewer, found with one query
 * per run (paged) and written with one appendMany — not a query and an fsync per item (a 1,000-item batch
 * page took 105 s to open on the file store, whose query reads the log).
 */
export async function recordFirstViews(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	members: ReadonlyArray<{ request: ReviewRequest; payload: GatePayload }>,
	claims: ViewClaims,
	key: SigningKey,
	now: Date,
): Promise<void> {
	const seen = new Set<string>();
	for (const executionId of new Set(members.map((m) => m.request.executionId))) {
		let cursor: string | undefined;
		do {
			const page = await store.query({ event: 'viewed', reviewerId: claims.rev, executionId }, { limit: MAX_QUERY_PAGE, cursor });
			for (const record of page.records) if (record.itemKey !== null) seen.add(record.itemKey);
			cursor = page.nextCursor ?? undefined;
		} while (cursor !== undefined);
	}
	const fresh = members.filter((m) => !seen.has(m.request.id));
	if (fresh.length > 0) await store.appendMany(fresh.map((m) => viewedRecord(ctx, m.request, m.payload, claims, key, now)));
}

/** Query page size: the store's maximum. */
const MAX_QUERY_PAGE = 1000;

function viewedRecord(ctx: IWebhookFunctions, request: ReviewRequest, payload: GatePayload, claims: ViewClaims, key: SigningKey, now: Date): ReviewRecordInput {
	return {
		event: 'viewed',
		reviewerId: claims.rev,
		...requestRecordFields(request, payload),
		viewedAt: now.toISOString(),
		linkKeyId: claims.kid,
		linkNonce: claims.nonce,
		...clientInfo(ctx, payload.hashClientInfo, key),
	};
}
