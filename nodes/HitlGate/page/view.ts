/**
 * Builds the page's item view from a draft and the builder's fields (display/fields.ts decides which
 * fields, labels and formats; this file adds what the form needs: the textarea text, the edit kind, a
 * reviewer's unsaved text and the error under a field after a refused submit).
 */
import { fieldKind, fieldToText, type EditError } from '../../../core/edits';
import { labelledFields, type DisplayField } from '../display/fields';
import type { ItemField, ReviewItemView } from './reviewPage';

export interface ItemViewInput {
	json: Record<string, unknown>;
	/** Canonical field paths to show (legacy list); empty = every top-level field but annotations. */
	shown: readonly string[];
	/** Field paths the reviewer may edit here (a legacy multi-item batch request passes none: it is decided as shown). */
	editable: readonly string[];
	/** The builder's "Fields to Show" (payload.displayFields); absent for older requests. */
	displayFields?: readonly DisplayField[];
	heading?: string;
	/** Put before each editable field's path in its form name (`edit.<prefix><path>`): the batch page's `3.`. */
	editNamePrefix?: string;
	/** The reviewer's texts from a failed submit, by path, so nothing they typed is lost. */
	submitted?: Readonly<Record<string, string>>;
	errors?: readonly EditError[];
}

export function buildItemView(input: ItemViewInput): ReviewItemView {
	const editableHere = new Set(input.editable);
	const source = {
		shown: input.shown,
		editable: input.editable,
		...(input.displayFields ? { displayFields: input.displayFields } : {}),
	};
	const fields: ItemField[] = labelledFields(input.json, source).map((f) => {
		if (!editableHere.has(f.path)) {
			return { mode: 'read', label: f.label, value: f.value, format: f.format, missing: f.missing };
		}
		const submitted =
			input.submitted && Object.prototype.hasOwnProperty.call(input.submitted, f.path) ? input.submitted[f.path] : undefined;
		const error = input.errors?.find((e) => e.path === f.path)?.message;
		return {
			mode: 'edit',
			name: `${input.editNamePrefix ?? ''}${f.path}`,
			label: f.label,
			text: submitted ?? fieldToText(f.value),
			kind: fieldKind(f.value),
			format: f.format,
			...(error ? { error } : {}),
		};
	});
	return { ...(input.heading ? { heading: input.heading } : {}), fields };
}
