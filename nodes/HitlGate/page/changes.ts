/**
 * "Preview changes": the reviewer's edits shown against the draft before anything is decided — for
 * each edited field, the text with removed words struck through and added words marked, so a person
 * sees exactly what they are about to approve. The word diff is jsdiff's (`diff`, a well-kept pure
 * JavaScript library), not a hand-written one. Every piece is escaped (drafts are model output).
 *
 * Long texts are not compared word by word (the diff's cost grows with the size of the change): above
 * MAX_DIFF_CHARS both versions are shown in full, one after the other, saying so.
 * The single page shows one card for its draft; the batch page one per edited item, each with its own
 * heading (and heading id), so the same card says which item the changes belong to.
 */
import { diffWordsWithSpace } from 'diff';

import { escapeHtml, escapeHtmlVisible } from '../../../core/html';
import type { ReviewItemView } from './reviewPage';

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

/**
 * The edited fields of one item: each editable field of `edited` (built with the reviewer's texts) whose
 * text differs from the same field of `draft` (built from the draft alone), so both sides are the text
 * the reviewer saw in the box.
 */
export function fieldChanges(draft: ReviewItemView, edited: ReviewItemView): FieldChange[] {
	const before = new Map(draft.fields.flatMap((f) => (f.mode === 'edit' ? [[f.name, f.text] as const] : [])));
	return edited.fields.flatMap((f) => {
		if (f.mode !== 'edit') return [];
		const original = before.get(f.name) ?? '';
		return f.text === original ? [] : [{ label: f.label, before: original, after: f.text }];
	});
}

/** Which card: its heading id and heading text (default: the single page's one card). */
export interface ChangesCard {
	id: string;
	heading: string;
}

const SINGLE_CARD: ChangesCard = { id: 'changes-h', heading: 'Your changes — nothing is decided yet' };

/** The "Your changes" card; empty when nothing was changed. */
export function changesHtml(changes: readonly FieldChange[] | undefined, card: ChangesCard = SINGLE_CARD): string {
	if (!changes) return '';
	const inner = changes.length === 0 ? '<p>You have not changed anything yet.</p>' : changes.map(changeHtml).join('\n');
	return [
		`<section class="card changes" aria-labelledby="${escapeHtml(card.id)}">`,
		`<h2 id="${escapeHtml(card.id)}">${escapeHtml(card.heading)}</h2>`,
		'<p class="meta">Removed text is struck through, added text is underlined. Approve sends the item as changed; Reject sends nothing.</p>',
		inner,
		'</section>',
	].join('\n');
}
