/**
 * Turns the builder's "Fields to Show" entries and the legacy comma lists into one checked list,
 * before any request exists: a path that cannot be read or edited stops the run with a message saying
 * which entry and what to do, instead of showing "(missing)" to every reviewer later.
 *
 * Pure (no n8n) and throws nothing: it answers with a problem and a hint, which settings.ts turns into
 * a NodeOperationError.
 */
import { validateEditablePaths } from '../../../core/edits';
import { canonicalPath, type DisplayField, type DisplayFormat } from './fields';

/** A refused setting: `message` names the entry, `hint` says what to do (the node error's description). */
export interface DisplayProblem {
	message: string;
	hint: string;
}

export interface ResolvedDisplay {
	/** The "Fields to Show" list, legacy paths merged in; empty when only the legacy lists (or nothing) are set. */
	displayFields: DisplayField[];
	/** Canonical paths shown (legacy meaning: empty = the whole item). */
	shown: string[];
	/** Canonical paths the reviewer may edit; also the keys `edit.<path>` of the form. */
	editable: string[];
}

export type ResolveDisplayResult = ({ ok: true } & ResolvedDisplay) | ({ ok: false } & DisplayProblem);

const FORMATS: ReadonlySet<string> = new Set<DisplayFormat>(['auto', 'text', 'html', 'markdown']);

const PATH_HINT = 'Use a path like body, candidate.stage or to[0].email (names, dots and [index]), or remove the entry.';

function entriesOf(raw: unknown): Array<Record<string, unknown>> {
	if (raw === null || typeof raw !== 'object') return [];
	const list = (raw as { field?: unknown }).field;
	if (!Array.isArray(list)) return [];
	return list.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object');
}

function entryField(entry: Record<string, unknown>, n: number): DisplayField | DisplayProblem {
	const written = typeof entry.path === 'string' ? entry.path.trim() : '';
	const label = typeof entry.label === 'string' ? entry.label.trim() : '';
	const name = label !== '' ? `Field ${n} ("${label}")` : `Field ${n}`;
	if (written === '') return { message: `${name} in "Fields to Show" has no field path`, hint: PATH_HINT };
	let canonical: { path: string; dotted: boolean };
	try {
		canonical = canonicalPath(written);
	} catch (error) {
		return { message: `${name} in "Fields to Show": ${(error as Error).message}`, hint: PATH_HINT };
	}
	const format = typeof entry.format === 'string' && entry.format !== '' ? entry.format : 'auto';
	if (!FORMATS.has(format)) {
		return { message: `${name} in "Fields to Show" has an unknown format "${format}"`, hint: 'Pick Auto, Plain Text, HTML or Markdown.' };
	}
	const editable = entry.editable === true;
	if (editable && !canonical.dotted) {
		return {
			message: `${name} in "Fields to Show" cannot be editable: a part of "${written}" holds a dot, a bracket or an edge space`,
			hint: 'Turn "Editable" off for this field, or rename the key in an earlier node so its path is plain names and [index].',
		};
	}
	return { label: label !== '' ? label : written, path: canonical.path, format: format as DisplayFormat, editable };
}

/** A legacy path in canonical form; an unreadable one is kept as written (it always showed as missing). */
function legacyCanonical(path: string): string {
	try {
		return canonicalPath(path).path;
	} catch {
		return path;
	}
}

/**
 * Checks and merges the display settings. `collection` is the raw "Fields to Show" parameter;
 * `legacyShown`/`legacyEditable` the split comma lists. Legacy paths are added after the listed
 * fields (labelled with their path); a legacy editable path makes its listed field editable.
 */
export function resolveDisplay(collection: unknown, legacyShown: readonly string[], legacyEditable: readonly string[]): ResolveDisplayResult {
	const fields: DisplayField[] = [];
	const seen = new Set<string>();
	for (const [i, entry] of entriesOf(collection).entries()) {
		const field = entryField(entry, i + 1);
		if ('hint' in field) return { ok: false, ...field };
		if (seen.has(field.path)) return { ok: false, message: `"${field.path}" is listed twice in "Fields to Show"`, hint: 'Keep one entry per field path.' };
		seen.add(field.path);
		fields.push(field);
	}
	const shown = legacyShown.map(legacyCanonical);
	const editable = legacyEditable.map(legacyCanonical);
	if (fields.length > 0) {
		for (const f of fields) if (editable.includes(f.path)) f.editable = true;
		for (const path of [...shown, ...editable]) {
			if (seen.has(path)) continue;
			seen.add(path);
			fields.push({ label: path, path, format: 'auto', editable: editable.includes(path) });
		}
	}
	const editablePaths = fields.length > 0 ? fields.filter((f) => f.editable).map((f) => f.path) : editable;
	try {
		validateEditablePaths(editablePaths);
	} catch (error) {
		return {
			ok: false,
			message: (error as Error).message,
			hint: 'Fix the editable fields: paths like subject, candidate.stage or to[0].email, each once, none inside another.',
		};
	}
	return { ok: true, displayFields: fields, shown: fields.length > 0 ? fields.map((f) => f.path) : shown, editable: editablePaths };
}
