/**
 * Which fields of an item the notification shows, with what label. The email and chat text need a
 * label, a value and a format per field, and must never show what the Router or the gate added to
 * the item (`blastRadius`, `hitl`): the reviewer reads the tier and reasons in words, not the
 * annotation's JSON. Which fields and labels the builder chose is display/fields.ts's answer (the same
 * one the review page uses); this adapter adds what only a notification needs: internal annotations
 * left out even when listed, labels made readable when the builder gave none, and a narrower reading
 * of the Auto format (see `emailFormat`).
 */
import { canonicalPath, labelledFields, type DisplayFormat } from '../display/fields';
import { ANNOTATION_FIELD } from '../riskProvenance';
import type { GatePayload } from '../types';
import { looksLikeHtml } from './fieldText';
import { readableLabel } from './labels';

/** The builder's format choice, as display/fields.ts defines it. */
export type FieldFormat = DisplayFormat;

/** One labelled field as the notification shows it; `value` is the item's raw value at the path. */
export interface EmailField {
	label: string;
	value: unknown;
	format: FieldFormat;
	/** The item has no value at the field's path (shown as "(missing)"). */
	missing?: boolean;
}

/**
 * Top-level fields the notification never shows: the Router's annotation (shown as tier and reasons
 * instead) and the gate's own output annotation (present when an item passed through a gate before).
 */
const INTERNAL_FIELDS: ReadonlySet<string> = new Set([ANNOTATION_FIELD, 'hitl']);

/** True when the path points into an internal annotation (`blastRadius`, `blastRadius.tier`, `hitl.edits[0]`). */
export function isInternalPath(path: string): boolean {
	const head = /^[^.[]*/.exec(path)?.[0] ?? path;
	return INTERNAL_FIELDS.has(head);
}

/** The builder's label, or the path made readable when the label is just the path (no label given). */
function labelOf(label: string, path: string): string {
	if (label === path) return readableLabel(label);
	try {
		return canonicalPath(label).path === path ? readableLabel(label) : label;
	} catch {
		return label;
	}
}

/**
 * The format the notification uses. The builder's explicit choice stands. For Auto, the page's rule
 * (display/fields.ts) renders any value with a formatting tag as HTML, which is right for a sanitised
 * preview; an excerpt in a mail would then drop the markup from a subject line such as
 * `Offer "><img src=x>` and hide from the reviewer what the recipient will see. So Auto means HTML
 * here only for a message body (paragraphs, line breaks, lists, tables: fieldText.looksLikeHtml).
 */
function emailFormat(payload: GatePayload, path: string, resolved: string, value: unknown): FieldFormat {
	const declared = payload.displayFields?.find((f) => f.path === path)?.format ?? 'auto';
	if (declared !== 'auto') return declared;
	return resolved === 'html' && typeof value === 'string' && looksLikeHtml(value) ? 'html' : 'text';
}

/**
 * The labelled fields of one item, in the builder's order (display/fields.ts `labelledFields`), without
 * internal annotations. When the builder chose no fields, the whole item's own top-level entries,
 * read by key exactly (a key with a dot or bracket is one key there, not a path).
 */
export function emailFieldsOf(payload: GatePayload, itemJson: Record<string, unknown>): EmailField[] {
	const wholeItem = payload.shown.length === 0 && (payload.displayFields ?? []).length === 0;
	if (wholeItem) {
		// Object.entries, not obj[key]: a `__proto__` key must give its own value.
		return Object.entries(itemJson)
			.filter(([key]) => !INTERNAL_FIELDS.has(key))
			.map(([key, value]) => ({ label: readableLabel(key), value, format: 'auto' as const }));
	}
	return labelledFields(itemJson, payload)
		.filter((f) => !isInternalPath(f.path))
		.map((f) => ({
			label: labelOf(f.label, f.path),
			value: f.value,
			format: emailFormat(payload, f.path, f.format, f.value),
			missing: f.missing,
		}));
}
