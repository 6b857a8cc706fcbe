/** Sending the review links: one email per reviewer, and the optional chat-webhook POST. */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { GateSettings } from '../settings';
import type { GatePayload } from '../types';
import { sendReviewEmails, type ReviewerMail } from './email';
import { postNotification } from './webhookPost';

/** One reviewer's personal link: for one review request, or (batch mode) for the run's group. */
export interface IssuedLink {
	/** The request id, or the group id of a batch link: the key of its payload in `payloads`. */
	requestId: string;
	/** The review requests the link reaches. */
	requestIds: string[];
	itemIndexes: number[];
	reviewer: string;
	url: string;
	nonce: string;
	/** The other people who may decide what this link reaches (shown in the mail). */
	alsoAsked?: string[];
}

/** What sending needs from n8n, in the run (execute) and later in the webhook (reminders, escalation). */
export interface NotifyChannel {
	node: INode;
	workflowName: string;
	smtpCredentials(type: 'smtp' | 'hitlSmtpApi'): Promise<ICredentialDataDecryptedObject>;
	httpRequest: IExecuteFunctions['helpers']['httpRequest'];
}

/** How a run notifies its reviewers: fixed when the run starts, kept in the request payload for later mails. */
export interface NotifySettings {
	notifyByEmail: boolean;
	fromEmail: string;
	smtpCredentialType: 'smtp' | 'hitlSmtpApi';
	notificationWebhookUrl: string;
}

export function executeChannel(ctx: IExecuteFunctions): NotifyChannel {
	return {
		node: ctx.getNode(),
		workflowName: ctx.getWorkflow().name ?? '',
		smtpCredentials: async (type) => await ctx.getCredentials(type),
		httpRequest: ctx.helpers.httpRequest,
	};
}

export function smtpCredentialTypeOf(ctx: IExecuteFunctions): 'smtp' | 'hitlSmtpApi' {
	return ctx.getNodeParameter('smtpCredentialType', 0, 'hitlSmtpApi') === 'smtp' ? 'smtp' : 'hitlSmtpApi';
}

export async function notifyReviewers(
	ctx: IExecuteFunctions,
	settings: GateSettings,
	/** What each link shows, by `IssuedLink.requestId` (a batch link: the whole run's summary). */
	payloads: Map<string, GatePayload>,
	links: IssuedLink[],
	subjectOf: (i: number) => string,
	deadline: Date,
): Promise<void> {
	await sendNotifications(executeChannel(ctx), { ...settings, smtpCredentialType: smtpCredentialTypeOf(ctx) }, payloads, links, subjectOf, deadline);
}

/** One email per reviewer (all their links) and the optional chat-webhook POST. */
export async function sendNotifications(
	channel: NotifyChannel,
	settings: NotifySettings,
	payloads: Map<string, GatePayload>,
	links: IssuedLink[],
	subjectOf: (i: number) => string,
	deadline: Date,
): Promise<void> {
	const byReviewer = new Map<string, IssuedLink[]>();
	for (const l of links) {
		const list = byReviewer.get(l.reviewer);
		if (list) list.push(l);
		else byReviewer.set(l.reviewer, [l]);
	}
	const entriesOf = (reviewerLinks: IssuedLink[]) =>
		reviewerLinks.map((l) => ({ link: l, payload: payloads.get(l.requestId) as GatePayload }));
	if (settings.notifyByEmail) {
		const mails: ReviewerMail[] = [];
		for (const [reviewer, reviewerLinks] of byReviewer) {
			const entries = entriesOf(reviewerLinks);
			const alsoAsked = [...new Set(reviewerLinks.flatMap((l) => l.alsoAsked ?? []))].filter((r) => r !== reviewer);
			mails.push({
				to: reviewer,
				subject: subjectOf(reviewerLinks[0].itemIndexes[0]),
				message: entries[0].payload.message,
				entries,
				...(alsoAsked.length > 0 ? { alsoAsked } : {}),
			});
		}
		// n8n's SMTP credential and this package's have the same fields (smtpOptions reads either).
		const smtp = await channel.smtpCredentials(settings.smtpCredentialType);
		try {
			await sendReviewEmails(smtp, settings.fromEmail, mails, deadline, channel.workflowName);
		} catch (error) {
			// NodeOperationError keeps our message (NodeApiError would replace it with a generic one per error code).
			throw new NodeOperationError(channel.node, error as Error, {
				message: `Could not send the review email: ${(error as Error).message}`,
				description: 'Check the SMTP credential and the From Email address. No item left the gate.',
			});
		}
	}
	if (settings.notificationWebhookUrl !== '') {
		try {
			await postNotification(channel.httpRequest, settings.notificationWebhookUrl, [...byReviewer].map(([reviewer, ls]) => ({ reviewer, entries: entriesOf(ls) })), deadline, channel.workflowName);
		} catch (error) {
			throw new NodeApiError(channel.node, error as JsonObject, {
				message: `Could not post the review notification: ${(error as Error).message}`,
				description: 'Check the notification webhook URL. No item left the gate.',
			});
		}
	}
}
