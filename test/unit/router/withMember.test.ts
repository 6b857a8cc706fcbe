/**
 * core/withMember.ts against the object spread it stands for: `withMember(base, key, value)` must be
 * `{ ...base, [key]: value }` — the same members, values, order (Reflect.ownKeys), property
 * attributes and prototype — for generated objects, JSON.parse'd ones with an own "__proto__",
 * integer-like keys, symbols, getters and non-enumerable members.
 */
import fc from 'fast-check';

import { withMember } from '../../../core/withMember';

/** Everything about an object the spread decides: its prototype and each own member's descriptor, in order. */
function shape(o: object): unknown {
	return {
		proto: Object.getPrototypeOf(o) as unknown,
		members: Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)]),
	};
}

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', '0', '10', '2', 'blastRadius', 'toString'));

describe('withMember is the spread with one member added', () => {
	test('generated objects, keys and values', () => {
		fc.assert(
			fc.property(fc.dictionary(key, fc.jsonValue(), { maxKeys: 8 }), key, fc.jsonValue(), (dict, name, value) => {
				// Through JSON text: "__proto__" becomes an own data member, as in items n8n parsed.
				const base = JSON.parse(JSON.stringify(dict)) as object;
				expect(shape(withMember(base, name, value))).toEqual(shape({ ...base, [name]: value }));
			}),
			{ numRuns: 500 },
		);
	});

	test('an own "__proto__" stays data, on both sides of the copy', () => {
		const base = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
		const out = withMember(base, '__proto__', { again: true });
		expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
		expect(Object.keys(out)).toEqual(['__proto__', 'a']);
		expect((out as Record<string, unknown>).polluted).toBeUndefined();
		expect(shape(out)).toEqual(shape({ ...base, ['__proto__']: { again: true } }));
	});

	test('symbols, getters, non-enumerable and inherited members as the spread treats them', () => {
		const hidden = Symbol('hidden');
		const shown = Symbol('shown');
		const base = Object.create({ inherited: 1 }) as Record<string | symbol, unknown>;
		base.b = 2;
		base[shown] = 'yes';
		Object.defineProperty(base, 'quiet', { value: 3, enumerable: false });
		Object.defineProperty(base, hidden, { value: 4, enumerable: false });
		let reads = 0;
		Object.defineProperty(base, 'computed', { enumerable: true, get: () => ++reads });
		base[10] = 'ten';
		const out = withMember(base, 'b', 'replaced');
		reads = 0;
		expect(shape(out)).toEqual(shape({ ...base, b: 'replaced' }));
		expect(out).toEqual({ 10: 'ten', b: 'replaced', computed: 1, [shown]: 'yes' });
		expect(Object.keys(out)).toEqual(['10', 'b', 'computed']);
	});

	test('the base is not changed', () => {
		const base = { a: 1 };
		withMember(base, 'b', 2);
		expect(base).toEqual({ a: 1 });
	});
});
