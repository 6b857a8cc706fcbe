/**
 * Which parts of an item a reviewer sees, under which label and in which format — one answer for the
 * review page and the notification email, so both show the same thing.
 *
 * The builder lists fields under "Fields to Show" (label, path, format, editable). Paths use the Blast
 * Radius Router's syntax (`to[0].email`, `$json.` prefix allowed). Requests made before that list
 * existed (or gates that still use the comma lists) carry only `shown`/`editable` paths: each becomes
 * a field labelled with its path, and an empty `shown` list means every top-level field except the
 * internal annotations, as it always did.
 *
 * Pure functions, no n8n: the email renderer and the page renderer call them with the stored payload.
 */
import { parseFieldPath, readPath } from '../../../core/edits';
import { parsePath } from '../../../core/router';

export type DisplayFormat = 'auto' | 'text' | 'html' | 'markdown';

/** What a field is rendered as: `data` is any non-text value (number, list, object, …). */
export type ResolvedFormat = 'text' | 'html' | 'markdown' | 'data';

/** One entry of "Fields to Show", as kept in the gate payload. */
export interface DisplayField {
	label: string;
	/**
	 * The field path in canonical form: dotted (`to.0.email`) whenever every part allows it, which is
	 * also the form-field and edit key (`edit.to.0.email`); the builder's bracket form otherwise.
	 */
	path: string;
	format: DisplayFormat;
	/** The reviewer may change it (always true only for dotted paths; settings.ts refuses the rest). */
	editable: boolean;
}

/** A field as the reviewer sees it. */
export interface LabelledField {
	label: string;
	/** Canonical path (see {@link DisplayField.path}). */
	path: string;
	/** The value at the path; `undefined` when the item does not have it (`missing` is then true). */
	value: unknown;
	missing: boolean;
	format: ResolvedFormat;
	editable: boolean;
}

/** The part of a gate payload this module reads (GatePayload fits it; old payloads lack the optional key). */
export interface DisplaySource {
	shown: readonly string[];
	editable: readonly string[];
	displayFields?: readonly DisplayField[];
}

/** Top-level keys never shown when the builder lists no fields: annotations have their own place. */
export const INTERNAL_KEYS: ReadonlySet<string> = new Set(['blastRadius', 'hitl']);

/** Formatting elements an HTML email body uses; `<script>` alone is not a reason to render markup. */
const HTML_TAG = /<\/?(?:p|div|br|span|a|b|i|u|s|em|strong|small|font|center|ul|ol|li|table|thead|tbody|tr|td|th|h[1-6]|blockquote|img|hr|html|body|pre|code)(?:\s[^<>]*)?\/?>/i;

/** True when a text reads as HTML markup (Auto format). */
export function looksLikeHtml(text: string): boolean {
	return HTML_TAG.test(text);
}

export function resolveFormat(format: DisplayFormat, value: unknown): ResolvedFormat {
	if (typeof value !== 'string') return value === undefined || value === null ? 'text' : 'data';
	if (format === 'auto') return looksLikeHtml(value) ? 'html' : 'text';
	return format;
}

/**
 * Parses a builder's path into string segments (`to[0].email` → ['to', '0', 'email']).
 * Throws core's PathError for empty, malformed or forbidden paths.
 */
export function parseDisplayPath(path: string): string[] {
	return parsePath(path).map(String);
}

/** A part that can stand between dots without changing meaning (no dot, bracket, control character or edge space). */
const DOTTED_PART = /^[^.[\]\s\u0000-\u001F\u007F](?:[^.[\]\u0000-\u001F\u007F]*[^.[\]\s\u0000-\u001F\u007F])?$/;

/**
 * The canonical form of a path: dotted when every part allows it, else the path as written (trimmed).
 * `dotted` tells whether the result can serve as an edit key.
 */
export function canonicalPath(path: string): { path: string; dotted: boolean } {
	const segments = parseDisplayPath(path);
	if (segments.every((s) => DOTTED_PART.test(s))) return { path: segments.join('.'), dotted: true };
	return { path: path.trim(), dotted: false };
}

/** Reads a field; an unusable path reads as missing (settings.ts refuses such paths before a request exists). */
export function readField(json: unknown, path: string): { found: boolean; value: unknown } {
	try {
		// Dotted paths are read exactly as edits are applied (core/edits), so what is shown is what is edited.
		const dotted = !path.includes('[') && !path.trim().startsWith('$json');
		return readPath(json, dotted ? parseFieldPath(path) : parseDisplayPath(path));
	} catch {
		// Only the path parsers throw here (readPath does not).
		return { found: false, value: undefined };
	}
}

/** The fields of a payload in display order, before reading any item. */
export function effectiveDisplayFields(source: DisplaySource, json: Record<string, unknown>): DisplayField[] {
	if (source.displayFields && source.displayFields.length > 0) return [...source.displayFields];
	const editable = new Set(source.editable);
	const paths = source.shown.length > 0 ? [...source.shown] : Object.keys(json).filter((k) => !INTERNAL_KEYS.has(k));
	for (const p of source.editable) if (!paths.includes(p)) paths.push(p);
	return paths.map((path) => ({ label: path, path, format: 'auto', editable: editable.has(path) }));
}

/**
 * The labelled fields of one item that a reviewer is shown, in the builder's order. Stable API for
 * the page and the email:
 *
 * - `json` — the item's JSON as kept in the request (`payload.items[i].json`);
 * - `payload` — the gate payload (or anything with `shown`, `editable` and optional `displayFields`).
 *
 * Internal annotations (`blastRadius`, `hitl`) appear only when the builder listed them by path.
 * Missing fields are returned with `missing: true` (the page says "(missing)").
 */
export function labelledFields(json: Record<string, unknown>, payload: DisplaySource): LabelledField[] {
	return effectiveDisplayFields(payload, json).map((field) => {
		const read = readField(json, field.path);
		const value = read.found ? read.value : undefined;
		return {
			label: field.label,
			path: field.path,
			value,
			missing: !read.found,
			format: resolveFormat(field.format, value),
			editable: field.editable,
		};
	});
}
