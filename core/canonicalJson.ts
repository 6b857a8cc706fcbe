/**
 * Canonical JSON per RFC 8785 (JSON Canonicalization Scheme, JCS).
 *
 * - Objects: members sorted by key, comparing UTF-16 code units (JavaScript's default string order).
 * - Numbers: the ECMAScript Number-to-String algorithm (what `JSON.stringify` does for finite numbers);
 *   NaN and ±Infinity are not JSON and are rejected.
 * - Strings: the minimal escaping of ECMAScript `JSON.stringify` (only `"`, `\`, and control characters).
 * - Lone surrogates are rejected: RFC 8785 requires I-JSON (RFC 7493), where strings must be valid
 *   Unicode; accepting them would make two different inputs hash alike after any UTF-8 round trip.
 *
 * Only plain JSON values are accepted (no `undefined`, functions, symbols, BigInt, Dates or class
 * instances), so the output never depends on `toJSON` methods or prototype getters.
 */

export class CanonicalJsonError extends Error {
	constructor(
		message: string,
		/** JSON path of the offending value, e.g. `$.details.amount`. */
		readonly path: string,
	) {
		super(`${message} at ${path}`);
		this.name = 'CanonicalJsonError';
	}
}

/** Nesting deeper than this is refused: it protects the stack and no record needs it. */
export const MAX_CANONICAL_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
	return LONE_SURROGATE.test(text);
}

function pathOf(parent: string, key: string | number): string {
	if (typeof key === 'number') return `${parent}[${key}]`;
	return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function serialiseString(value: string, path: string): string {
	if (LONE_SURROGATE.test(value)) {
		throw new CanonicalJsonError('String contains a lone UTF-16 surrogate (not valid Unicode)', path);
	}
	return JSON.stringify(value);
}

function serialise(value: unknown, path: string, depth: number, out: string[]): void {
	if (value === null) {
		out.push('null');
		return;
	}
	switch (typeof value) {
		case 'boolean':
			out.push(value ? 'true' : 'false');
			return;
		case 'number':
			if (!Number.isFinite(value)) {
				throw new CanonicalJsonError(`Number ${String(value)} is not valid JSON`, path);
			}
			// JSON.stringify applies ECMAScript Number::toString, which RFC 8785 adopts; -0 becomes 0.
			out.push(JSON.stringify(value));
			return;
		case 'string':
			out.push(serialiseString(value, path));
			return;
		case 'object':
			break;
		default:
			throw new CanonicalJsonError(`Value of type ${typeof value} is not JSON`, path);
	}
	if (depth >= MAX_CANONICAL_DEPTH) {
		throw new CanonicalJsonError(`Nesting deeper than ${MAX_CANONICAL_DEPTH} levels`, path);
	}
	if (Array.isArray(value)) {
		out.push('[');
		for (let i = 0; i < value.length; i++) {
			if (i > 0) out.push(',');
			serialise(value[i], pathOf(path, i), depth + 1, out);
		}
		out.push(']');
		return;
	}
	const proto = Object.getPrototypeOf(value) as unknown;
	if (proto !== Object.prototype && proto !== null) {
		throw new CanonicalJsonError('Only plain objects are JSON (got a class instance)', path);
	}
	// Object.keys lists own enumerable string keys, including an own "__proto__" created by JSON.parse.
	// The default sort compares UTF-16 code units, exactly as RFC 8785 section 3.2.3 requires.
	const keys = Object.keys(value).sort();
	const record = value as Record<string, unknown>;
	out.push('{');
	for (let i = 0; i < keys.length; i++) {
		const key = keys[i];
		if (i > 0) out.push(',');
		out.push(serialiseString(key, pathOf(path, key)));
		out.push(':');
		serialise(record[key], pathOf(path, key), depth + 1, out);
	}
	out.push('}');
}

/** Canonical JSON text of `value` (RFC 8785). Throws {@link CanonicalJsonError} on non-JSON input. */
export function canonicalize(value: unknown): string {
	const out: string[] = [];
	serialise(value, '$', 0, out);
	return out.join('');
}
