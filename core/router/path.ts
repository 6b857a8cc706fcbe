/**
 * Field paths like `candidate.emails[0].address`, resolved over own properties only, so a path can
 * never reach `Object.prototype` (or anything else inherited) and never pollutes it.
 */

/** Keys that could reach or alter a prototype; refused in paths and flagged in items. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type PathSegment = string | number;

export class PathError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PathError';
	}
}

const IDENT = /^[^.[\]]+$/;

/**
 * Parses `a.b[0]["c d"]` into segments. A leading `$json.` (as users copy it from n8n) is accepted.
 * Throws {@link PathError} for empty, malformed or forbidden paths.
 */
export function parsePath(path: string): PathSegment[] {
	if (typeof path !== 'string') throw new PathError('Field path must be text');
	let rest = path.trim();
	if (rest.startsWith('$json.')) rest = rest.slice(6);
	else if (rest.startsWith('$json[')) rest = rest.slice(5);
	if (rest === '') throw new PathError('Field path is empty');
	const segments: PathSegment[] = [];
	let i = 0;
	let expectSeparator = false;
	while (i < rest.length) {
		const ch = rest[i];
		if (ch === '[') {
			const close = rest.indexOf(']', i);
			if (close < 0) throw new PathError(`Unclosed "[" in field path "${path}"`);
			const inner = rest.slice(i + 1, close).trim();
			if (/^\d+$/.test(inner)) segments.push(Number(inner));
			else if (/^"[^"]*"$/.test(inner) || /^'[^']*'$/.test(inner)) segments.push(inner.slice(1, -1));
			else throw new PathError(`Bad index "[${inner}]" in field path "${path}"`);
			i = close + 1;
			expectSeparator = true;
			continue;
		}
		if (ch === '.') {
			if (!expectSeparator) throw new PathError(`Empty segment in field path "${path}"`);
			expectSeparator = false;
			i++;
			continue;
		}
		if (expectSeparator && segments.length > 0 && rest[i - 1] !== '.') {
			throw new PathError(`Missing "." in field path "${path}"`);
		}
		let end = i;
		while (end < rest.length && rest[end] !== '.' && rest[end] !== '[') end++;
		const name = rest.slice(i, end).trim();
		if (!IDENT.test(name)) throw new PathError(`Empty segment in field path "${path}"`);
		segments.push(name);
		i = end;
		expectSeparator = true;
	}
	if (!expectSeparator) throw new PathError(`Field path "${path}" ends with "."`);
	for (const s of segments) {
		if (typeof s === 'string' && FORBIDDEN_KEYS.has(s)) {
			throw new PathError(`Field path "${path}" uses the forbidden key "${s}"`);
		}
	}
	return segments;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Own-property lookup; `undefined` when any step is missing or not an object/array. */
export function getOwn(root: unknown, segments: readonly PathSegment[]): unknown {
	let current: unknown = root;
	for (const segment of segments) {
		if (current === null || typeof current !== 'object') return undefined;
		if (typeof segment === 'number') {
			if (!Array.isArray(current) || segment >= current.length) return undefined;
			current = current[segment];
		} else {
			if (!hasOwn.call(current, segment)) return undefined;
			current = (current as Record<string, unknown>)[segment];
		}
	}
	return current;
}

export function formatPath(segments: readonly PathSegment[]): string {
	return segments
		.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`))
		.join('');
}
