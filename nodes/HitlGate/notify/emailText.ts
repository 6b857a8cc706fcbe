/**
 * The review email's plain-text part: the same content as the HTML part, for readers that show only
 * text. Only the mail's own lines stand at column 0, in fixed places (workflow, deadline, "== Item N
 * ==", "Risk tier:" right below it, "Review and decide: <link>" as the entry's last line, the line before a
 * long mail's compact entries, footer).
 * Everything from the item — the builder's message, reasons, labels, values — is indented, and
 * values and the message are quoted line by line (plainQuoted), so no value can print a fake item,
 * tier or link at the margin. The link stays alone at the end of its line for link extraction.
 */
import { plainInline, plainQuoted } from './content';
import { compactEntriesText, moreItemsText, type EntrySummary } from './summary';

/** Plain-text indents: item text always sits deeper than the mail's own lines, behind a quote mark. */
const MESSAGE_QUOTE = '  > ';
const SECTION_INDENT = '  ';
const FIELD_INDENT = '    ';
const VALUE_QUOTE = '      | ';

export interface TextMail {
	message: string;
	workflowName: string;
	due: string;
	noDeadline?: boolean;
	/** Sample review: the items already went on; a verdict is asked for, not a decision. */
	sampleReview?: boolean;
	alsoAsked?: string[];
	footer: string;
	entries: EntrySummary[];
}

function entryLines(e: EntrySummary): string[] {
	// Compact (past a long mail's first entries): the same fixed lines, without reasons and draft.
	if (e.compact === true) return [`== ${e.title} ==`, `Risk tier: ${plainInline(e.tierName)}`, `Review and decide: ${e.url}`, ''];
	// Fixed places: heading, then the tier right below it; the link is the entry's last line.
	const lines = [`== ${e.title} ==`, `Risk tier: ${plainInline(e.tierName)}`, `${SECTION_INDENT}${e.tierWords.short}: ${e.tierWords.explain}`];
	if (e.reasons.length > 0) {
		lines.push(`${SECTION_INDENT}Reasons:`, ...e.reasons.map((r) => `${FIELD_INDENT}- ${plainInline(r)}`));
	}
	lines.push(`${SECTION_INDENT}Draft:`);
	for (const item of e.items) {
		// In a batch each field name carries its item number, as "[2] Subject:".
		const tag = item.heading === null ? '' : `[${item.heading.replace(/^Item /, '')}] `;
		for (const f of item.fields) lines.push(`${FIELD_INDENT}${tag}${plainInline(f.label)}:`, ...plainQuoted(f.text, VALUE_QUOTE));
	}
	if (e.moreItems > 0) lines.push(`${FIELD_INDENT}${moreItemsText(e.moreItems)}`);
	lines.push(`Review and decide: ${e.url}`, '');
	return lines;
}

export function renderEmailText(mail: TextMail): string {
	const text: string[] = [];
	const message = mail.message.trim();
	if (message !== '') text.push(...plainQuoted(message, MESSAGE_QUOTE), '');
	text.push(
		`Workflow: ${plainInline(mail.workflowName)}`,
		mail.sampleReview === true
			? `Sample review: already sent on. ${mail.noDeadline === true ? 'The review stays open until you give your verdict' : `Give your verdict before: ${mail.due} (after that it counts as not reviewed)`}`
			: mail.noDeadline === true ? 'No deadline: the review stays open until it is decided' : `Decide before: ${mail.due} (after that nothing is approved)`,
	);
	if ((mail.alsoAsked ?? []).length > 0) text.push(`Also asked: ${plainInline((mail.alsoAsked ?? []).join(', '))}`);
	text.push('');
	const compactFrom = mail.entries.findIndex((e) => e.compact === true);
	mail.entries.forEach((e, i) => {
		if (i === compactFrom) text.push(compactEntriesText(mail.entries.length - i), '');
		text.push(...entryLines(e));
	});
	text.push(mail.footer);
	return text.join('\n');
}
