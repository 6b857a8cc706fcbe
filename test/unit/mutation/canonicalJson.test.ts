// Tests added from mutation testing (docs/mutation-testing.md) for core/canonicalJson.ts: exact depth
// limit, the JSON path named in every refusal, lone-surrogate detection at every position, and
// canonicalizePair (the one-pass "with and without the hash" encoding the hash chain relies on).
import {
	canonicalize,
	CanonicalJsonError,
	canonicalizePair,
	canonicalizeSealed,
	hasLoneSurrogate,
	MAX_CANONICAL_DEPTH,
} from '../../../core/canonicalJson';

function errorOf(fn: () => unknown): CanonicalJsonError {
	try {
		fn();
	} catch (error) {
		if (error instanceof CanonicalJsonError) return error;
		throw error;
	}
	throw new Error('expected a CanonicalJsonError');
}

function nested(depth: number, leaf: unknown = 1, asObject = false): unknown {
	let value = leaf;
	for (let i = 0; i < depth; i++) value = asObject ? { k: value } : [value];
	return value;
}

describe('canonical JSON (mutation-found gaps)', () => {
	test('nesting: exactly 64 levels are accepted, 65 refused with the path of the 65th', () => {
		expect(MAX_CANONICAL_DEPTH).toBe(64);
		expect(canonicalize(nested(64))).toBe(`${'['.repeat(64)}1${']'.repeat(64)}`);
		expect(canonicalize(nested(64, 1, true))).toBe(`${'{"k":'.repeat(64)}1${'}'.repeat(64)}`);
		const error = errorOf(() => canonicalize(nested(65)));
		expect(error.message).toBe(`Nesting deeper than 64 levels at $${'[0]'.repeat(64)}`);
		expect(error.path).toBe(`$${'[0]'.repeat(64)}`);
		expect(errorOf(() => canonicalize(nested(65, 1, true))).path).toBe(`$${'.k'.repeat(64)}`);
	});

	test('the path names keys as .name when they are identifiers, else as ["key"]', () => {
		const pathOf = (value: unknown) => errorOf(() => canonicalize(value)).path;
		expect(pathOf({ a: undefined })).toBe('$.a');
		// Array positions as [n], also between names.
		expect(pathOf({ a: [1, undefined] })).toBe('$.a[1]');
		expect(pathOf([0, { b: [undefined] }])).toBe('$[1].b[0]');
		expect(pathOf({ _a$1: undefined })).toBe('$._a$1');
		expect(pathOf({ $: undefined })).toBe('$.$');
		expect(pathOf({ Z9: undefined })).toBe('$.Z9');
		expect(pathOf({ '1a': undefined })).toBe('$["1a"]');
		expect(pathOf({ 'a b': undefined })).toBe('$["a b"]');
		expect(pathOf({ 'a-b': undefined })).toBe('$["a-b"]');
		expect(pathOf({ 'a.b': undefined })).toBe('$["a.b"]');
		expect(pathOf({ 'ab\n': undefined })).toBe('$["ab\\n"]');
		expect(pathOf({ '\nab': undefined })).toBe('$["\\nab"]');
		expect(pathOf({ '': undefined })).toBe('$[""]');
		expect(pathOf({ é: undefined })).toBe('$["é"]');
		expect(pathOf({ a: [0, { b: [NaN] }] })).toBe('$.a[1].b[0]');
		expect(pathOf(undefined)).toBe('$');
	});

	test('each refusal names what is wrong', () => {
		expect(errorOf(() => canonicalize({ x: Infinity })).message).toBe('Number Infinity is not valid JSON at $.x');
		expect(errorOf(() => canonicalize({ x: 1n })).message).toBe('Value of type bigint is not JSON at $.x');
		expect(errorOf(() => canonicalize({ x: new Date(0) })).message).toBe('Only plain objects are JSON (got a class instance) at $.x');
		expect(errorOf(() => canonicalize(['\uDFFF'])).message).toBe('String contains a lone UTF-16 surrogate (not valid Unicode) at $[0]');
		expect(errorOf(() => canonicalize({ x: NaN })).name).toBe('CanonicalJsonError');
	});

	test('booleans, null, numbers and strings', () => {
		expect(canonicalize([true, false, null, -0, 1e21, 0.1, 'a"\\\n'])).toBe('[true,false,null,0,1e+21,0.1,"a\\"\\\\\\n"]');
		expect(canonicalize([])).toBe('[]');
		expect(canonicalize({})).toBe('{}');
		expect(canonicalize([[], {}, [1, 2]])).toBe('[[],{},[1,2]]');
	});

	test('lone surrogates are found anywhere; pairs are fine', () => {
		for (const lone of ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD800', '\uD800a', 'a\uDC00b', '\uDC00\uD800', '\uD83D\uDE00\uD800', '\uDE00\uD83D\uDE00']) {
			expect(hasLoneSurrogate(lone)).toBe(true);
			expect(() => canonicalize(lone)).toThrow(CanonicalJsonError);
			expect(() => canonicalize({ [lone]: 1 })).toThrow(CanonicalJsonError);
		}
		for (const fine of ['', 'abc', '\uD83D\uDE00', '\uDBFF\uDFFF', '\uD800\uDC00x', 'x\uD800\uDC00', '\uD7FF\uE000', '\uFFFF']) {
			expect(hasLoneSurrogate(fine)).toBe(false);
			expect(canonicalize(fine)).toBe(JSON.stringify(fine));
		}
	});

	test('canonicalizePair: the full encoding and the one without a member, in one pass', () => {
		const value = { b: 2, hash: 'h', a: [1, { d: null, c: true }], z: 'x' };
		const pair = canonicalizePair(value, 'hash');
		expect(pair.full).toBe(canonicalize(value));
		expect(pair.full).toBe('{"a":[1,{"c":true,"d":null}],"b":2,"hash":"h","z":"x"}');
		expect(pair.without).toBe('{"a":[1,{"c":true,"d":null}],"b":2,"z":"x"}');
		// The omitted member may sort first, last or be alone.
		expect(canonicalizePair({ a: 1, b: 2 }, 'a')).toEqual({ full: '{"a":1,"b":2}', without: '{"b":2}' });
		expect(canonicalizePair({ a: 1, b: 2 }, 'b')).toEqual({ full: '{"a":1,"b":2}', without: '{"a":1}' });
		expect(canonicalizePair({ a: 1 }, 'a')).toEqual({ full: '{"a":1}', without: '{}' });
		expect(canonicalizePair({}, 'a')).toEqual({ full: '{}', without: '{}' });
		expect(canonicalizePair({ a: 1, b: 2, c: 3 }, 'x')).toEqual({ full: '{"a":1,"b":2,"c":3}', without: '{"a":1,"b":2,"c":3}' });
		expect(canonicalizePair(Object.assign(Object.create(null), { b: 1, a: 2 }), 'b')).toEqual({ full: '{"a":2,"b":1}', without: '{"a":2}' });
	});

	test('canonicalizePair refuses what is not a plain object and names bad members', () => {
		class Thing {
			a = 1;
		}
		for (const bad of [[1], new Thing(), new Date(0)]) {
			const error = errorOf(() => canonicalizePair(bad as unknown as Record<string, unknown>, 'a'));
			expect(error.message).toBe('Expected a plain object at $');
		}
		expect(() => canonicalizePair('text' as unknown as Record<string, unknown>, 'a')).toThrow(CanonicalJsonError);
		// Neither an array nor a function passes as an object, even with a plain or null prototype.
		const unusual = [Object.setPrototypeOf([1, 2], null), Object.setPrototypeOf([1], Object.prototype), Object.setPrototypeOf(() => 1, null)];
		for (const bad of unusual) {
			expect(errorOf(() => canonicalizePair(bad as Record<string, unknown>, 'a')).message).toBe('Expected a plain object at $');
		}
		expect(errorOf(() => canonicalizePair({ a: { b: undefined } }, 'x')).path).toBe('$.a.b');
		expect(errorOf(() => canonicalizePair({ ['\uD800']: 1 }, 'x')).message).toMatch(/lone UTF-16 surrogate/);
		expect(errorOf(() => canonicalizePair({ ['\uD800']: 1 }, 'x')).path).toBe(`$[${JSON.stringify('\uD800')}]`);
		expect(errorOf(() => canonicalizePair({ ok: 1, ['a\uDC00']: 1 }, 'x')).path).toBe(`$[${JSON.stringify('a\uDC00')}]`);
		// Depth counts from the object itself, as in canonicalize.
		expect(() => canonicalizePair({ a: nested(63) }, 'x')).not.toThrow();
		expect(() => canonicalizePair({ a: nested(64) }, 'x')).toThrow(/Nesting deeper than 64 levels/);
	});

	test('canonicalizeSealed refuses null and what is not a plain object, and names bad members from the root', () => {
		const seal = (without: string) => without.length;
		for (const bad of [null, [1], new Date(0), 'text']) {
			expect(errorOf(() => canonicalizeSealed(bad as unknown as Record<string, unknown>, 'hash', seal)).message).toBe('Expected a plain object at $');
		}
		// The path starts at the object: no member of the sealed value is named before the bad one.
		expect(errorOf(() => canonicalizeSealed({ a: { b: undefined } }, 'hash', seal)).path).toBe('$.a.b');
		expect(errorOf(() => canonicalizeSealed({ z: [1, NaN] }, 'hash', seal)).path).toBe('$.z[1]');
		// The sealed value itself is checked under its own name.
		expect(errorOf(() => canonicalizeSealed({ a: 1 }, 'hash', () => undefined)).path).toBe('$.hash');
	});
});
