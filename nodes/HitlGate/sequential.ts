/**
 * Sequential sign-off (quorum.ts, `sequential`): once a reviewer approved, the next one in the listed
 * order is asked — their personal link (the same one the run would have issued them, derived from the
 * signing key) by the run's own notification settings, and a `requested` record with their turn. Used
 * by the vote path; the deadline's reminders reach only the reviewer whose turn it is.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { deliveryFailedNote, requestRecordFields } from '../shared/requestRecords';
import { issueLinks } from './links';
import { sendNotifications, type NotifyChannel } from './notify/send';
import type { GatePayload } from './types';

export function webhookChannel(ctx: IWebhookFunctions): NotifyChannel {
	return {
		node: ctx.getNode(),
		workflowName: ctx.getWorkflow().name ?? '',
		smtpCredentials: async (type) => await ctx.getCredentials(type),
		httpRequest: async (options) => await ctx.helpers.httpRequest(options),
	};
}

/**
 * Mails `next` their link to `request` and records that they were asked (turn = 1-based position).
 * A failure to mail is logged and recorded, never thrown: the approval before it stands.
 */
export async function askNext(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	next: string,
	keys: readonly SigningKey[],
): Promise<void> {
	const notify = payload.notify;
	const key = keys.find((k) => k.keyId === payload.linkKeyId) ?? keys[0];
	if (!notify) return;
	const links = issueLinks(
		{
			mode: 'perItem',
			groupId: request.groupId,
			executionId: request.executionId,
			nodeId: request.nodeId,
			resumeUrl: notify.resumeUrl,
			...(notify.reviewLinksUrl ? { reviewLinksUrl: notify.reviewLinksUrl } : {}),
			now: new Date(request.createdAt),
			deadline: new Date(request.expiresAt),
			key,
			reviewersOf: () => [next],
		},
		[request],
	);
	// Recorded before the mail goes out: the chain shows every mail that may have left.
	await store.append({
		event: 'requested',
		reviewerId: next,
		...requestRecordFields(request, payload),
		linkKeyId: key.keyId,
		linkNonce: links[0]?.nonce ?? null,
		details: {
			itemIndexes: [request.itemIndex],
			expiresAt: request.expiresAt,
			groupId: request.groupId,
			sequentialTurn: request.reviewers.indexOf(next) + 1,
		},
	});
	try {
		await sendNotifications(webhookChannel(ctx), notify, new Map([[request.id, payload]]), links, () => notify.subject, new Date(request.expiresAt));
	} catch (error) {
		const delivery = (error as Error).message.slice(0, 300);
		ctx.logger.warn(`HITL Gate could not ask the next reviewer of request ${request.id}: ${delivery}`);
		await store.append(deliveryFailedNote(request, payload, { reviewer: next, nonce: links[0]?.nonce ?? null, announcedBy: 'requested' }, delivery));
	}
}
