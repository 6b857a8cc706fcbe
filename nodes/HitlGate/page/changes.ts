/**
 * "Preview changes": the reviewer's edits shown against the draft before anything is decided — for
 * each edited field, the text with removed words struck through and added words marked, so a person
 * sees exactly what they are about to approve. The word diff is jsdiff's (`diff`, a well-kept pure
 * JavaScript library), not a hand-written one. Every piece is escaped (drafts are model output).
 *
 * Long texts are not compared word by word (the diff's cost grows with the size of the change): above
 * MAX_DIFF_CHARS both versions are shown in full, one after the other, saying so.
 */
import { diffWordsWithSpace } from 'diff';

import { escapeHtmlVisible } from '../../../core/html';

export interface FieldChange {
	label: string;
	before: string;
	after: string;
}

/** Beyond this many characters (before + after) a field is shown whole instead of word by word. */
export const MAX_DIFF_CHARS = 20_000;

function wordDiffHtml(before: string, after: string): string {
	return diffWordsWithSpace(before, after)
		.map((part) => {
			const text = escapeHtmlVisible(part.value);
			if (part.added) return `<ins><span class="sr-only">added: </span>${text}</ins>`;
			if (part.removed) return `<del><span class="sr-only">removed: </span>${text}</del>`;
			return text;
		})
		.join('');
}

function changeHtml(change: FieldChange): string {
	const body =
		change.before.length + change.after.length > MAX_DIFF_CHARS
			? `<p class="meta">Too long to compare word by word; both versions in full.</p><h3>Before</h3><div class="text diff" dir="auto">${escapeHtmlVisible(change.before)}</div><h3>After</h3><div class="text diff" dir="auto">${escapeHtmlVisible(change.after)}</div>`
			: `<div class="text diff" dir="auto">${wordDiffHtml(change.before, change.after)}</div>`;
	return `<div class="field"><h3>${escapeHtmlVisible(change.label)}</h3>${body}</div>`;
}

/** The "Your changes" card; empty when nothing was changed. */
export function changesHtml(changes: readonly FieldChange[] | undefined): string {
	if (!changes) return '';
	const inner = changes.length === 0 ? '<p>You have not changed anything yet.</p>' : changes.map(changeHtml).join('\n');
	return [
		'<section class="card changes" aria-labelledby="changes-h">',
		'<h2 id="changes-h">Your changes — nothing is decided yet</h2>',
		'<p class="meta">Removed text is struck through, added text is underlined. Approve sends the item as changed; Reject sends nothing.</p>',
		inner,
		'</section>',
	].join('\n');
}
