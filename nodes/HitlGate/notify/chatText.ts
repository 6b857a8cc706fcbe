/**
 * The `text` of the chat notification (what Slack and Teams incoming webhooks display): the same
 * summary as the email — tier in plain words, reasons, the labelled fields as short excerpts, never
 * internal annotations or JSON — once per review request, followed by each reviewer's link.
 *
 * Chat text is markup: Slack turns `<https://x|Approve>` into a link and both services format
 * markdown and link bare URLs. So everything from the item (reasons, labels, values) goes inside one
 * code block per request, where neither service formats or links anything, with `&`, `<`, `>`
 * escaped as Slack requires and a code fence in the text broken up, so a draft cannot close the block
 * or print a link that looks like the review link. The real links stand outside, one per line.
 */
import { dueText, plainInline, type NotifyEntry } from './content';
import { excerpt } from './fieldText';
import { moreItemsText, summarize, type EntrySummary } from './summary';

/** Shorter than in the mail: a chat message is read in a narrow column. */
const MAX_CHAT_FIELD_CHARS = 160;

export interface ChatReviewer {
	reviewer: string;
	entries: NotifyEntry[];
}

/** Slack's required escapes; after them no `<…>` control sequence can come from the text. */
function slackEscape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One line of item text for the code block: line breaks shown as " / ", cut to `max` (before escaping,
 * so no entity is cut), hidden characters as [U+XXXX], and no code fence left in it.
 */
function codeLine(text: string, max = MAX_CHAT_FIELD_CHARS): string {
	const oneLine = text
		.split(/\r\n|[\n\v\f\r\u0085\u2028\u2029]+/)
		.map((l) => l.trim())
		.filter((l) => l !== '')
		.join(' / ');
	return slackEscape(plainInline(excerpt(oneLine, max))).replace(/`{3,}/g, (run) => "'".repeat(run.length));
}

function summaryBlock(e: EntrySummary): string[] {
	const lines: string[] = [];
	for (const r of e.reasons) lines.push(codeLine(`Why: ${r}`));
	for (const item of e.items) {
		const tag = item.heading === null ? '' : `[${item.heading.replace(/^Item /, '')}] `;
		for (const f of item.fields) lines.push(codeLine(`${tag}${f.label}: ${f.text}`));
	}
	if (e.moreItems > 0) lines.push(codeLine(moreItemsText(e.moreItems)));
	return lines.length === 0 ? [] : ['```', ...lines, '```'];
}

export function chatText(perReviewer: ChatReviewer[], deadline: Date, workflowName: string): string {
	const lines = [`Review needed in workflow "${codeLine(workflowName)}" before ${dueText(deadline)}.`];
	// One summary per request (the same draft goes to several reviewers), then every reviewer's link.
	const byRequest = new Map<string, { entry: NotifyEntry; links: Array<{ reviewer: string; url: string }> }>();
	for (const { reviewer, entries } of perReviewer) {
		for (const entry of entries) {
			const known = byRequest.get(entry.link.requestId);
			if (known) known.links.push({ reviewer, url: entry.link.url });
			else byRequest.set(entry.link.requestId, { entry, links: [{ reviewer, url: entry.link.url }] });
		}
	}
	const message = [...byRequest.values()][0]?.entry.payload.message.trim() ?? '';
	if (message !== '') lines.push(...message.split(/\r\n|[\n\v\f\r\u0085\u2028\u2029]/).map((l) => `> ${slackEscape(plainInline(l))}`));
	for (const { entry, links } of byRequest.values()) {
		const s = summarize(entry);
		lines.push('', `*${s.title}* — ${s.tierWords.short}: ${s.tierWords.explain}`, ...summaryBlock(s));
		// The URL alone after the colon: chat services link it, and the n8n URL carries no markup characters.
		for (const l of links) lines.push(`${s.action} as ${codeLine(l.reviewer)}: ${l.url}`);
	}
	return lines.join('\n');
}
