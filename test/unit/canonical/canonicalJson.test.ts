import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

import { canonicalize, CanonicalJsonError, MAX_CANONICAL_DEPTH } from '../../../core/canonicalJson';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'rfc8785');

describe('canonical JSON (RFC 8785)', () => {
	const names = readdirSync(join(FIXTURES, 'input')).filter((n) => n.endsWith('.json'));

	it('has the reference vectors', () => {
		expect(names.length).toBeGreaterThanOrEqual(9);
	});

	it.each(names)('%s matches the expected output byte for byte', (name) => {
		const input = JSON.parse(readFileSync(join(FIXTURES, 'input', name), 'utf8')) as unknown;
		const expected = readFileSync(join(FIXTURES, 'output', name));
		expect(Buffer.from(canonicalize(input), 'utf8').equals(expected)).toBe(true);
	});

	const numbers = readFileSync(join(FIXTURES, 'numbers.csv'), 'utf8')
		.trim()
		.split('\n')
		.map((line) => line.split(','));
	it.each(numbers)('IEEE-754 %s serialises as "%s" (Appendix B)', (hex, expected) => {
		const buf = Buffer.from(hex.padStart(16, '0'), 'hex');
		const value = buf.readDoubleBE(0);
		if (expected === '') {
			expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
		} else {
			expect(canonicalize(value)).toBe(expected);
		}
	});

	it('rejects lone surrogates in strings and keys, with the path', () => {
		expect(() => canonicalize({ a: 'x\uD800y' })).toThrow(/lone UTF-16 surrogate \(not valid Unicode\) at \$\.a/);
		expect(() => canonicalize({ ['\uDC00']: 1 })).toThrow(CanonicalJsonError);
		expect(() => canonicalize(['ok', '\uDBFF'])).toThrow(/\$\[1\]/);
		expect(canonicalize('\uD83D\uDE00')).toBe('"\uD83D\uDE00"');
	});

	it('rejects values that are not JSON', () => {
		for (const bad of [undefined, () => 1, Symbol('s'), 10n, new Date(0), new Map(), NaN, -Infinity]) {
			expect(() => canonicalize({ x: bad })).toThrow(CanonicalJsonError);
		}
		let deep: unknown = 1;
		for (let i = 0; i < MAX_CANONICAL_DEPTH + 1; i++) deep = [deep];
		expect(() => canonicalize(deep)).toThrow(/Nesting deeper/);
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(() => canonicalize(cyclic)).toThrow(CanonicalJsonError);
	});

	it('keeps an own __proto__ key as data and never touches Object.prototype', () => {
		const parsed = JSON.parse('{"__proto__":{"polluted":true},"b":1}') as Record<string, unknown>;
		expect(canonicalize(parsed)).toBe('{"__proto__":{"polluted":true},"b":1}');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(canonicalize(Object.assign(Object.create(null), { z: 1, a: 2 }))).toBe('{"a":2,"z":1}');
	});

	it('is idempotent and independent of key order (property)', () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				const text = canonicalize(value);
				expect(canonicalize(JSON.parse(text))).toBe(text);
				if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
					const reversed = Object.fromEntries(Object.entries(value).reverse());
					expect(canonicalize(reversed)).toBe(text);
				}
			}),
			{ numRuns: 300 },
		);
	});
});
