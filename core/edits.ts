/**
 * A reviewer's edits: applied to the draft for the allowed fields only, recorded as a field-level diff.
 *
 * Type rule (the reviewer edits text in a form):
 * - a string field, or a field the draft does not have, takes the submitted text as a string;
 * - a number, boolean, object or array field takes the text as JSON and must keep its JSON type
 *   (a number stays a number); text that is not JSON of that type is an error shown to the reviewer;
 * - a null field takes the text as JSON when it parses, otherwise as a string;
 * - a changed JSON value may not contain the keys "__proto__", "constructor" or "prototype" at any depth.
 * Browsers send line breaks as CR LF and turn NUL into U+FFFD; text that differs from the original only
 * by that is "unchanged", so an untouched form never produces edits.
 */
import { createHash } from 'node:crypto';

import { CanonicalJsonError, canonicalize } from './canonicalJson';
import { FORBIDDEN_KEYS } from './router/path';
import type { FieldEdit } from './records';

export type { FieldEdit };

export const MAX_PATH_DEPTH = 16;
/** Per field; the page is for human-sized text. */
export const MAX_EDIT_LENGTH = 200_000;

export class FieldPathError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FieldPathError';
	}
}

/** `candidate.stage` → ['candidate', 'stage']. Throws {@link FieldPathError} for unusable paths. */
export function parseFieldPath(path: string): string[] {
	if (typeof path !== 'string' || path.trim() === '') throw new FieldPathError('A field path is empty.');
	const segments = path.split('.');
	if (segments.length > MAX_PATH_DEPTH) {
		throw new FieldPathError(`Field path "${path}" is deeper than ${MAX_PATH_DEPTH} levels.`);
	}
	for (const s of segments) {
		if (s === '') throw new FieldPathError(`Field path "${path}" has an empty part (check the dots).`);
		if (FORBIDDEN_KEYS.has(s)) {
			throw new FieldPathError(`Field path "${path}" uses "${s}", which is not allowed (it could reach object internals).`);
		}
		if (/[\u0000-\u001F\u007F]/.test(s)) throw new FieldPathError(`Field path "${path}" contains control characters.`);
	}
	return segments;
}

/**
 * Checks the builder's list of editable fields: valid paths, no duplicates, none inside another
 * (editing both `candidate` and `candidate.stage` would be ambiguous). Throws {@link FieldPathError}.
 */
export function validateEditablePaths(paths: readonly string[]): string[] {
	const out: string[] = [];
	for (const p of paths) {
		parseFieldPath(p);
		if (out.includes(p)) throw new FieldPathError(`Field "${p}" is listed twice as editable.`);
		const clash = out.find((q) => p.startsWith(`${q}.`) || q.startsWith(`${p}.`));
		if (clash) throw new FieldPathError(`Editable fields "${clash}" and "${p}" overlap; list only one of them.`);
		out.push(p);
	}
	return out;
}

function isIndex(container: unknown[], seg: string): boolean {
	return /^(0|[1-9][0-9]*)$/.test(seg) && Number(seg) < container.length;
}

/** Reads an own property along the path; `found: false` when any part is missing. */
export function readPath(root: unknown, segments: readonly string[]): { found: boolean; value: unknown } {
	let cur: unknown = root;
	for (const seg of segments) {
		if (Array.isArray(cur)) {
			if (!isIndex(cur, seg)) return { found: false, value: undefined };
			cur = cur[Number(seg)];
		} else if (cur !== null && typeof cur === 'object') {
			if (!Object.prototype.hasOwnProperty.call(cur, seg)) return { found: false, value: undefined };
			cur = (cur as Record<string, unknown>)[seg];
		} else {
			return { found: false, value: undefined };
		}
	}
	return { found: true, value: cur };
}

/** Writes along the path, creating missing plain objects; returns an error message instead of throwing. */
function writePath(root: Record<string, unknown>, segments: readonly string[], value: unknown): string | null {
	let cur: unknown = root;
	for (let i = 0; i < segments.length; i++) {
		const seg = segments[i];
		const last = i === segments.length - 1;
		if (Array.isArray(cur)) {
			if (!isIndex(cur, seg)) return `"${segments.slice(0, i + 1).join('.')}" is not an existing list element`;
			if (last) cur[Number(seg)] = value;
			else cur = cur[Number(seg)];
			continue;
		}
		if (cur === null || typeof cur !== 'object') {
			return `"${segments.slice(0, i).join('.')}" is not an object, so "${segments.join('.')}" cannot be set`;
		}
		const obj = cur as Record<string, unknown>;
		if (last) {
			// defineProperty, not assignment: never runs a setter, always creates an own data property.
			Object.defineProperty(obj, seg, { value, writable: true, enumerable: true, configurable: true });
		} else {
			if (!Object.prototype.hasOwnProperty.call(obj, seg)) {
				Object.defineProperty(obj, seg, { value: {}, writable: true, enumerable: true, configurable: true });
			}
			cur = obj[seg];
		}
	}
	return null;
}

export type FieldKind = 'text' | 'json';

/** How a field is edited on the page: strings (and missing fields) as text, everything else as JSON. */
export function fieldKind(value: unknown): FieldKind {
	return value === undefined || typeof value === 'string' ? 'text' : 'json';
}

/** The text a form field starts with. */
export function fieldToText(value: unknown): string {
	if (value === undefined) return '';
	if (typeof value === 'string') return value;
	return JSON.stringify(value, null, 2) ?? '';
}

/** What survives a round trip through an HTML form: LF line breaks, no NUL, valid Unicode. */
export function formNormalize(text: string): string {
	return text
		.replace(/\r\n?/g, '\n')
		.replace(/\u0000/g, '\uFFFD')
		.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function jsonType(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'list';
	return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Deep equality of JSON values, key order aside. Structural rather than by canonical text: canonicalize
 * refuses some values (lone surrogates, deep nesting), which made an untouched field count as edited.
 * Iterative: submitted text may nest deeply.
 */
function sameJson(a: unknown, b: unknown): boolean {
	const pending: Array<[unknown, unknown]> = [[a, b]];
	while (pending.length > 0) {
		const [x, y] = pending.pop() as [unknown, unknown];
		if (x === y) continue;
		if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
		if (Array.isArray(x) !== Array.isArray(y)) return false;
		const keys = Object.keys(x);
		if (keys.length !== Object.keys(y).length) return false;
		for (const key of keys) {
			if (!Object.prototype.hasOwnProperty.call(y, key)) return false;
			pending.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
		}
	}
	return true;
}

function typeHint(before: unknown): string {
	switch (jsonType(before)) {
		case 'number':
			return `must stay a number (it was ${String(before)}).`;
		case 'boolean':
			return 'must stay true or false.';
		case 'list':
			return 'must stay a JSON list, e.g. ["a", "b"].';
		default:
			return 'must stay a JSON object, e.g. {"key": "value"}.';
	}
}

type Parsed = { ok: true; changed: boolean; value: unknown } | { ok: false; message: string };

/**
 * The first own key of FORBIDDEN_KEYS anywhere in a parsed JSON value (objects inside lists too), as
 * `{key, where}`; null when there is none. JSON.parse makes `"__proto__"` an own data property, which a
 * later consumer of Approved items could merge into a prototype. Iterative: submitted text may nest deeply.
 */
function findForbiddenKey(value: unknown): { key: string; where: string } | null {
	const stack: Array<{ value: unknown; where: string }> = [{ value, where: '' }];
	while (stack.length > 0) {
		const { value: cur, where } = stack.pop() as { value: unknown; where: string };
		if (Array.isArray(cur)) {
			cur.forEach((item, i) => stack.push({ value: item, where: `${where}[${i}]` }));
		} else if (cur !== null && typeof cur === 'object') {
			for (const key of Object.keys(cur)) {
				const at = where === '' ? key : `${where}.${key}`;
				if (FORBIDDEN_KEYS.has(key)) return { key, where: at };
				stack.push({ value: (cur as Record<string, unknown>)[key], where: at });
			}
		}
	}
	return null;
}

function parseSubmitted(path: string, original: { found: boolean; value: unknown }, text: string): Parsed {
	const normalized = formNormalize(text);
	const before = original.value;
	if (!original.found || typeof before === 'string') {
		if (!original.found) return normalized === '' ? { ok: true, changed: false, value: undefined } : { ok: true, changed: true, value: normalized };
		return normalized === formNormalize(before as string)
			? { ok: true, changed: false, value: before }
			: { ok: true, changed: true, value: normalized };
	}
	let parsed: unknown;
	let parsedOk = true;
	try {
		parsed = JSON.parse(normalized);
	} catch {
		parsedOk = false;
	}
	if (parsedOk && typeof parsed === 'number' && !Number.isFinite(parsed)) parsedOk = false;
	if (before === null) {
		if (normalized.trim() === '') return { ok: true, changed: false, value: before };
		if (!parsedOk) return { ok: true, changed: true, value: normalized };
	} else if (!parsedOk || jsonType(parsed) !== jsonType(before)) {
		return { ok: false, message: `"${path}" ${typeHint(before)}` };
	}
	// Unchanged means the draft's own value stays (drafts may carry such keys as plain data); only a
	// value the reviewer changed is checked for keys they may not introduce.
	if (sameJson(parsed, before)) return { ok: true, changed: false, value: before };
	const forbidden = findForbiddenKey(parsed);
	if (forbidden) {
		return {
			ok: false,
			message: `"${path}" contains the key "${forbidden.key}" (at ${forbidden.where}), which is not allowed in an edit: rename or remove it.`,
		};
	}
	return { ok: true, changed: true, value: parsed };
}

/**
 * Why the value, placed at `segments` of the item, could not be canonical JSON; null when it can.
 * The final item is hashed as canonical JSON when the decision is recorded, so an edit that makes it
 * unhashable (an escaped lone surrogate such as "\ud800", nesting too deep) is the reviewer's to fix,
 * not a failed request. Checked on the value alone, wrapped to its depth, so other fields never count.
 */
function canonicalProblem(segments: readonly string[], value: unknown): string | null {
	try {
		canonicalize(segments.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value));
		return null;
	} catch (error) {
		if (error instanceof CanonicalJsonError) return error.message;
		throw error;
	}
}

export interface EditError {
	path: string;
	message: string;
}

export type ApplyEditsResult =
	| { ok: true; final: Record<string, unknown>; edits: FieldEdit[] }
	| { ok: false; errors: EditError[] };

/**
 * Applies submitted form texts (keyed by field path) to a copy of the draft. Only paths in `allowed`
 * may change; anything else submitted is an error, not silently dropped. Allowed fields that were not
 * submitted stay as they are. `before` of a field the draft lacked is recorded as null.
 */
export function applyEdits(
	draft: Record<string, unknown>,
	allowed: readonly string[],
	submitted: Readonly<Record<string, string>>,
): ApplyEditsResult {
	const errors: EditError[] = [];
	let allowedPaths: string[] = [];
	try {
		allowedPaths = validateEditablePaths(allowed);
	} catch (error) {
		return { ok: false, errors: [{ path: '', message: (error as Error).message }] };
	}
	for (const key of Object.keys(submitted)) {
		if (!allowedPaths.includes(key)) errors.push({ path: key, message: `"${key}" is not an editable field.` });
	}
	// A JSON round trip: the draft is JSON anyway, own "__proto__" keys stay plain data, and the copy
	// belongs to this realm (structuredClone would build objects of the host realm under jest's vm).
	const final = JSON.parse(JSON.stringify(draft)) as Record<string, unknown>;
	const edits: FieldEdit[] = [];
	for (const path of allowedPaths) {
		if (!Object.prototype.hasOwnProperty.call(submitted, path)) continue;
		const text = submitted[path];
		if (typeof text !== 'string') {
			errors.push({ path, message: `"${path}" must be text.` });
			continue;
		}
		if (text.length > MAX_EDIT_LENGTH) {
			errors.push({ path, message: `"${path}" is longer than ${MAX_EDIT_LENGTH} characters.` });
			continue;
		}
		const segments = parseFieldPath(path);
		const original = readPath(draft, segments);
		const parsed = parseSubmitted(path, original, text);
		if (!parsed.ok) {
			errors.push({ path, message: parsed.message });
			continue;
		}
		if (!parsed.changed) continue;
		const unhashable = canonicalProblem(segments, parsed.value);
		if (unhashable) {
			errors.push({ path, message: `"${path}" cannot be recorded: ${unhashable}.` });
			continue;
		}
		const problem = writePath(final, segments, parsed.value);
		if (problem) {
			errors.push({ path, message: `Cannot edit ${problem}.` });
			continue;
		}
		edits.push({ path, before: original.found ? original.value : null, after: parsed.value });
	}
	return errors.length > 0 ? { ok: false, errors } : { ok: true, final, edits };
}

/** SHA-256 (hex) of the RFC 8785 canonical JSON of a value: the draft and final hashes in the log. */
export function sha256Json(value: unknown): string {
	return createHash('sha256').update(canonicalize(value), 'utf8').digest('hex');
}
