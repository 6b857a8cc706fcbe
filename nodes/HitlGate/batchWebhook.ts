/**
 * A batch link (v2 token naming the run's group) on the gate's waiting webhook. GET shows the batch
 * page with the items that still wait and never decides; POST (batchPost.ts) decides the items the
 * reviewer chose in one store step, each its own atomic change with its own MAC'd record. Every refusal the
 * single page has applies here too, for the group as a whole: a foreign or lost group, an integrity
 * failure in any request, a reviewer not listed, an expired deadline.
 */
import { recordSelfApproval } from './separationOfDuties';
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { GroupLinkClaims, SigningKey } from '../../core/links';
import type { ReviewStore } from '../../core/store';
import { readGroup } from './batchGroup';
import { postBatch } from './batchPost';
import { sendBatchPage } from './batchRespond';
import { expireGroup } from './decide';
import { sendMessage } from './respond';
import { recordFirstViews } from './viewRecord';

const WAIT: IWebhookResponseData = { noWebhookResponse: true };

export const INTEGRITY_NOTICE =
	'This review cannot be shown: its stored data failed an integrity check. Nothing was decided; the review log records the problem for the workflow owner.';

export async function handleGroupLink(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	claims: GroupLinkClaims,
	keys: SigningKey[],
	now: Date,
	method: string,
): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const node = ctx.getNode();
	const state = await readGroup(store, claims, keys, now, { executionId: String(ctx.getExecutionId()), nodeId: node.id });
	switch (state.kind) {
		case 'invalid':
			sendMessage(res, { kind: 'invalid' });
			return WAIT;
		case 'tampered':
			sendMessage(res, { kind: 'error', detail: INTEGRITY_NOTICE });
			return WAIT;
		case 'erased':
			sendMessage(res, {
				kind: 'error',
				detail: `The content of this review was erased on ${state.erasure.at} (${state.erasure.reason}). Nothing can be decided here any more; if the items still need a decision, ask the workflow owner to send them for review again.`,
			});
			return WAIT;
		case 'forbidden':
			sendMessage(res, { kind: 'forbidden' });
			return WAIT;
		case 'own_item':
			await recordSelfApproval(ctx, store, state.members, claims, method, keys[0]);
			sendMessage(res, { kind: 'own_item' });
			return WAIT;
		case 'expired': {
			// GET never changes state; a POST after the deadline ends the run through Timed Out.
			const resume = method === 'POST' ? await expireGroup(ctx, store, claims.grp, keys, now) : null;
			sendMessage(res, { kind: 'expired' });
			return resume ?? WAIT;
		}
		case 'done':
			sendMessage(res, { kind: 'batch_done' });
			return WAIT;
	}
	// A one-time code is asked per item (oneTimeCode.ts) and the gate refuses it in batch mode when it runs;
	// a batch page must never become a way around it, whatever link reaches it.
	if (state.open.some((m) => m.payload.oneTimeCode)) {
		sendMessage(res, { kind: 'error', detail: 'These items need a one-time code, which a batch page cannot ask for. Nothing was decided; ask the workflow owner.' });
		return WAIT;
	}
	if (method === 'POST') return await postBatch(ctx, store, state, claims, keys, now);
	// One `viewed` record per reviewer and request, as on the single page (all written in one append).
	await recordFirstViews(ctx, store, state.open, claims, keys[0], now);
	sendBatchPage(res, 200, { ...state, claims, key: keys[0] });
	return WAIT;
}
