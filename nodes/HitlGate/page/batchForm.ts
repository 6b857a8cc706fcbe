/**
 * Parses the batch page's form, as strictly as the single-item form (form.ts): every field is known,
 * sent once and text. Per item `decision.<itemIndex>` (approve | reject | undecided), its own reason
 * `comment.<itemIndex>` and its edits `edit.<itemIndex>.<path>`; for the whole page `csrf`, a shared
 * `comment` and the button pressed, `bulk` (approve_all | reject_all | selected), or `preview` (exactly
 * "1": "Preview changes", which never decides, whatever else came along).
 * Item indexes are read in one spelling only (no sign, no leading zero); whether they name items that
 * still wait for a decision is the webhook's to check.
 */
import { commentProblem, EDIT_PREFIX, fail, readFields, unknownField, type ParseFormError } from './form';

export const BULK_ACTIONS = ['approve_all', 'reject_all', 'selected'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** What the reviewer chose for one item. */
export interface BatchItemChoice {
	/** null: left undecided (the radio "Leave undecided", or nothing sent). */
	decision: 'approve' | 'reject' | null;
	/** The item's own reason or comment, as typed ('' when absent). */
	comment: string;
	/** Submitted texts by field path; null prototype. */
	edits: Record<string, string>;
}

export interface BatchForm {
	csrf: string;
	/** The button pressed; null when absent or unknown (nothing is decided then). */
	bulk: BulkAction | null;
	/** The shared comment, used for every decided item without its own. */
	comment: string;
	/** "Preview changes" was pressed: re-render with each item's edits against its draft; never a decision. */
	preview?: boolean;
	/** By item index (the item's index in the gate's input). */
	items: Map<number, BatchItemChoice>;
}

export type ParseBatchFormResult = { ok: true; form: BatchForm } | ParseFormError;

const ITEM_INDEX_RE = /^(0|[1-9][0-9]{0,5})$/;
const ITEM_DECISIONS: Record<string, BatchItemChoice['decision']> = { approve: 'approve', reject: 'reject', undecided: null };

/** `decision.3` → [3, ''], `edit.3.candidate.stage` → [3, 'candidate.stage']; null when not of that shape. */
function itemField(name: string, prefix: string, withPath: boolean): [number, string] | null {
	if (!name.startsWith(prefix)) return null;
	const rest = name.slice(prefix.length);
	const dot = withPath ? rest.indexOf('.') : -1;
	const index = withPath ? (dot === -1 ? '' : rest.slice(0, dot)) : rest;
	const path = withPath ? rest.slice(dot + 1) : '';
	if (!ITEM_INDEX_RE.test(index) || (withPath && path === '')) return null;
	return [Number(index), path];
}

export function parseBatchForm(body: unknown): ParseBatchFormResult {
	const form: BatchForm = { csrf: '', bulk: null, comment: '', items: new Map() };
	const itemOf = (index: number): BatchItemChoice => {
		let choice = form.items.get(index);
		if (!choice) {
			choice = { decision: null, comment: '', edits: Object.create(null) as Record<string, string> };
			form.items.set(index, choice);
		}
		return choice;
	};
	const refused = readFields(body, (name, value) => {
		if (name === 'csrf') form.csrf = value;
		else if (name === 'bulk') form.bulk = (BULK_ACTIONS as readonly string[]).includes(value) ? (value as BulkAction) : null;
		else if (name === 'preview') {
			// The button sends exactly "1"; anything else is not from the page.
			if (value !== '1') return unknownField(name);
			form.preview = true;
		}
		else if (name === 'comment') {
			const tooLong = commentProblem(name, value);
			if (tooLong) return tooLong;
			form.comment = value;
		} else {
			const decision = itemField(name, 'decision.', false);
			const comment = itemField(name, 'comment.', false);
			const edit = itemField(name, EDIT_PREFIX, true);
			if (decision) {
				if (!Object.prototype.hasOwnProperty.call(ITEM_DECISIONS, value)) {
					return fail('bad_value', name, `The form field "${name}" must be approve, reject or undecided.`);
				}
				itemOf(decision[0]).decision = ITEM_DECISIONS[value];
			} else if (comment) {
				const tooLong = commentProblem(name, value);
				if (tooLong) return tooLong;
				itemOf(comment[0]).comment = value;
			} else if (edit) {
				itemOf(edit[0]).edits[edit[1]] = value;
			} else {
				return unknownField(name);
			}
		}
		return null;
	});
	return refused ?? { ok: true, form };
}
