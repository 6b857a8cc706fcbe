/**
 * Optional chat notification: a JSON POST to a Slack / Teams incoming webhook. `text` is what those
 * services display — the same summary as the email (chatText.ts); `reviews` carries the same links in
 * structured form for other receivers.
 * The body holds every reviewer's personal link, so it goes to the configured URL only: a redirect
 * is refused, never followed (following would re-post the links to whatever host the answer names).
 */
import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { chatText } from './chatText';
import { entryTitle, type NotifyEntry } from './content';

export interface ReviewerEntries {
	reviewer: string;
	entries: NotifyEntry[];
}

export function notificationBody(
	perReviewer: ReviewerEntries[],
	deadline: Date,
	workflowName: string,
): Record<string, unknown> {
	return {
		text: chatText(perReviewer, deadline, workflowName),
		workflow: workflowName,
		deadline: deadline.toISOString(),
		reviews: perReviewer.flatMap(({ reviewer, entries }) =>
			entries.map((e) => ({
				reviewer,
				requestId: e.link.requestId,
				itemIndexes: e.link.itemIndexes,
				title: entryTitle(e),
				tier: e.payload.tier,
				reasons: e.payload.tierReasons,
				url: e.link.url,
			})),
		),
	};
}

/** Where a 3xx answer points, as a host name for the error message (never followed). */
function redirectHost(location: unknown, requestUrl: string): string {
	const raw = Array.isArray(location) ? location[0] : location;
	if (typeof raw !== 'string' || raw === '') return 'an unnamed location';
	try {
		return new URL(raw, requestUrl).host || 'an unnamed location';
	} catch {
		return 'an unparseable location';
	}
}

/** The start of an error answer's body on one line, for the error message (Slack says e.g. "invalid_token"). */
function bodySnippet(body: unknown): string {
	const text = typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body) ?? '';
	const oneLine = text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').trim();
	return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

export async function postNotification(
	httpRequest: IExecuteFunctions['helpers']['httpRequest'],
	url: string,
	perReviewer: ReviewerEntries[],
	deadline: Date,
	workflowName: string,
): Promise<void> {
	// n8n's request helper (axios underneath) honours the instance's proxy and SSRF settings.
	// Redirects off (axios maxRedirects 0) and every status handed back, so a 3xx is seen here and
	// refused instead of being followed with the links in the body, or turned into a generic error.
	const response = (await httpRequest({
		method: 'POST',
		url,
		body: notificationBody(perReviewer, deadline, workflowName),
		json: true,
		timeout: 15_000,
		disableFollowRedirect: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;
	const status = response.statusCode;
	if (status >= 300 && status < 400) {
		throw new Error(
			`the notification webhook answered with a redirect to ${redirectHost(response.headers?.location, url)}; use the final URL`,
		);
	}
	if (!(status >= 200 && status < 300)) {
		const snippet = bodySnippet(response.body);
		throw new Error(`the notification webhook answered HTTP ${status}${snippet === '' ? '' : `: ${snippet}`}`);
	}
}
