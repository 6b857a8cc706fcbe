/** Builds the page's item view from a draft and the builder's field lists. */
import { fieldKind, fieldToText, parseFieldPath, readPath, type EditError } from '../../../core/edits';
import type { EditableField, ReviewItemView, ShownField } from './reviewPage';

/** Top-level keys not shown when the builder lists no fields: the router's annotation has its own box. */
const NOT_SHOWN_BY_DEFAULT = new Set(['blastRadius']);

export interface ItemViewInput {
	json: Record<string, unknown>;
	/** Field paths to show read-only; empty = every top-level field. */
	shown: readonly string[];
	/** Field paths the reviewer may edit (shown as textareas, not repeated read-only). */
	editable: readonly string[];
	heading?: string;
	/** The reviewer's texts from a failed submit, by path, so nothing they typed is lost. */
	submitted?: Readonly<Record<string, string>>;
	errors?: readonly EditError[];
}

export function buildItemView(input: ItemViewInput): ReviewItemView {
	const editableSet = new Set(input.editable);
	const shownPaths =
		input.shown.length > 0 ? [...input.shown] : Object.keys(input.json).filter((k) => !NOT_SHOWN_BY_DEFAULT.has(k));
	const shown: ShownField[] = [];
	for (const path of shownPaths) {
		if (editableSet.has(path)) continue;
		const r = readSafe(input.json, path);
		shown.push({ label: path, value: r.found ? r.value : '(missing)' });
	}
	const editable: EditableField[] = input.editable.map((path) => {
		const r = readSafe(input.json, path);
		const original = r.found ? r.value : undefined;
		const submitted = input.submitted && Object.prototype.hasOwnProperty.call(input.submitted, path) ? input.submitted[path] : undefined;
		const error = input.errors?.find((e) => e.path === path)?.message;
		return {
			name: path,
			label: path,
			text: submitted ?? fieldToText(original),
			kind: fieldKind(original),
			...(error ? { error } : {}),
		};
	});
	return { ...(input.heading ? { heading: input.heading } : {}), shown, editable };
}

/** An unusable path reads as missing; the node refuses such paths when the gate runs. */
function readSafe(json: Record<string, unknown>, path: string): { found: boolean; value: unknown } {
	try {
		return readPath(json, parseFieldPath(path));
	} catch {
		return { found: false, value: undefined };
	}
}
