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

/** Builds the JSON path of a value only when an error needs it (paths cost time on every value). */
function pathOf(keys: ReadonlyArray<string | number>): string {
	let path = '$';
	for (const key of keys) {
		if (typeof key === 'number') path += `[${key}]`;
		else path += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
	}
	return path;
}

function serialiseString(value: string, keys: Array<string | number>): string {
	if (LONE_SURROGATE.test(value)) {
		throw new CanonicalJsonError('String contains a lone UTF-16 surrogate (not valid Unicode)', pathOf(keys));
	}
	return JSON.stringify(value);
}

function serialise(value: unknown, keys: Array<string | number>): string {
	if (value === null) return 'null';
	switch (typeof value) {
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			if (!Number.isFinite(value)) {
				throw new CanonicalJsonError(`Number ${String(value)} is not valid JSON`, pathOf(keys));
			}
			// JSON.stringify applies ECMAScript Number::toString, which RFC 8785 adopts; -0 becomes 0.
			return JSON.stringify(value);
		case 'string':
			return serialiseString(value, keys);
		case 'object':
			break;
		default:
			throw new CanonicalJsonError(`Value of type ${typeof value} is not JSON`, pathOf(keys));
	}
	if (keys.length >= MAX_CANONICAL_DEPTH) {
		throw new CanonicalJsonError(`Nesting deeper than ${MAX_CANONICAL_DEPTH} levels`, pathOf(keys));
	}
	// Strings are built by concatenation: V8 keeps them as ropes, cheaper than arrays + join here.
	if (Array.isArray(value)) {
		let out = '[';
		for (let i = 0; i < value.length; i++) {
			if (i > 0) out += ',';
			keys.push(i);
			out += serialise(value[i], keys);
			keys.pop();
		}
		return `${out}]`;
	}
	const proto = Object.getPrototypeOf(value) as unknown;
	if (proto !== Object.prototype && proto !== null) {
		throw new CanonicalJsonError('Only plain objects are JSON (got a class instance)', pathOf(keys));
	}
	// Object.keys lists own enumerable string keys, including an own "__proto__" created by JSON.parse.
	// The default sort compares UTF-16 code units, exactly as RFC 8785 section 3.2.3 requires.
	const names = Object.keys(value).sort();
	const record = value as Record<string, unknown>;
	let out = '{';
	for (let i = 0; i < names.length; i++) {
		const name = names[i];
		if (i > 0) out += ',';
		keys.push(name);
		out += `${serialiseString(name, keys)}:${serialise(record[name], keys)}`;
		keys.pop();
	}
	return `${out}}`;
}

/** Canonical JSON text of `value` (RFC 8785). Throws {@link CanonicalJsonError} on non-JSON input. */
export function canonicalize(value: unknown): string {
	return serialise(value, []);
}

/**
 * {@link canonicalize} of a value that sits at `at` in a larger document: the same text, error paths
 * start there (`canonicalizeAt(v, ['details'])` reports `$.details.x`).
 */
export function canonicalizeAt(value: unknown, at: ReadonlyArray<string | number>): string {
	// A valid string or finite number is what serialise gives without a path (only an error needs
	// one): no copy of `at` for the fields of every record a store writes.
	if (typeof value === 'string' && !LONE_SURROGATE.test(value)) return JSON.stringify(value);
	if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
	return serialise(value, [...at]);
}

function assertPlainObject(value: unknown): asserts value is Record<string, unknown> {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new CanonicalJsonError('Expected a plain object', '$');
	}
	const proto = Object.getPrototypeOf(value) as unknown;
	if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError('Expected a plain object', '$');
}

/**
 * Canonical JSON of a plain object whose member `name` is computed from the rest (a record's hash):
 * `without` is the canonical JSON of `value` without `name`, `full` that of `value` with `name` set to
 * `seal(without)`, byte for byte `canonicalize({ ...value, [name]: seal(without) })`. Every other member
 * is serialised once, for both texts. `value` is not changed; an own `name` in it is ignored.
 */
export function canonicalizeSealed<T>(
	value: Record<string, unknown>,
	name: string,
	seal: (without: string) => T,
): { full: string; without: string; sealed: T } {
	assertPlainObject(value);
	const names = Object.keys(value).sort();
	const keys: Array<string | number> = [];
	let without = '{';
	// Where `name`'s member goes in `without`: at the start of the first member sorting after it.
	let cut = -1;
	for (let i = 0; i < names.length; i++) {
		const key = names[i];
		if (key === name) continue;
		if (without.length > 1) without += ',';
		if (cut < 0 && key > name) cut = without.length;
		keys.push(key);
		without += `${serialiseString(key, keys)}:${serialise(value[key], keys)}`;
		keys.pop();
	}
	without += '}';
	const sealed = seal(without);
	keys.push(name);
	const own = `${serialiseString(name, keys)}:${serialise(sealed, keys)}`;
	// Slices of the (by now flat) `without`: no member is serialised or concatenated twice.
	let full: string;
	if (cut >= 0) full = `${without.slice(0, cut)}${own},${without.slice(cut)}`;
	else full = `${without.slice(0, -1)}${without.length > 2 ? ',' : ''}${own}}`;
	return { full, without, sealed };
}

/**
 * Canonical JSON of a plain object twice in one pass: with all members, and without the member
 * `omit` (e.g. a record with and without its own `hash`).
 */
export function canonicalizePair(value: Record<string, unknown>, omit: string): { full: string; without: string } {
	assertPlainObject(value);
	const names = Object.keys(value).sort();
	let full = '{';
	let without = '{';
	for (let i = 0; i < names.length; i++) {
		const name = names[i];
		const member = `${serialiseString(name, [name])}:${serialise(value[name], [name])}`;
		full += i > 0 ? `,${member}` : member;
		if (name !== omit) without += without.length > 1 ? `,${member}` : member;
	}
	return { full: `${full}}`, without: `${without}}` };
}
