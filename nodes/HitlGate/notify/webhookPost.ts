/**
 * Optional chat notification: a JSON POST to a Slack / Teams incoming webhook. `text` is what those
 * services display; `reviews` carries the same links in structured form for other receivers.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { entryTitle, tierLabel, type NotifyEntry } from './content';

export interface ReviewerEntries {
	reviewer: string;
	entries: NotifyEntry[];
}

export function notificationBody(
	perReviewer: ReviewerEntries[],
	deadline: Date,
	workflowName: string,
): Record<string, unknown> {
	const lines = [`Review needed in workflow "${workflowName}" before ${deadline.toISOString()}.`];
	for (const { reviewer, entries } of perReviewer) {
		for (const e of entries) {
			lines.push(`${entryTitle(e)} (tier ${tierLabel(e.payload.tier)}) for ${reviewer}: ${e.link.url}`);
		}
	}
	return {
		text: lines.join('\n'),
		workflow: workflowName,
		deadline: deadline.toISOString(),
		reviews: perReviewer.flatMap(({ reviewer, entries }) =>
			entries.map((e) => ({
				reviewer,
				requestId: e.link.requestId,
				itemIndexes: e.link.itemIndexes,
				tier: e.payload.tier,
				reasons: e.payload.tierReasons,
				url: e.link.url,
			})),
		),
	};
}

export async function postNotification(
	ctx: IExecuteFunctions,
	url: string,
	perReviewer: ReviewerEntries[],
	deadline: Date,
	workflowName: string,
): Promise<void> {
	// n8n's request helper (axios underneath) honours the instance's proxy and SSRF settings.
	await ctx.helpers.httpRequest({
		method: 'POST',
		url,
		body: notificationBody(perReviewer, deadline, workflowName),
		json: true,
		timeout: 15_000,
	});
}
