import fc from 'fast-check';
import { compileRouter, getOwn, inspectItem, parsePath, type RuleSpec } from '../../../core/router';

const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
	// Nothing in these tests may add to (pollute) Object.prototype.
	expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysBefore);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(({} as Record<string, unknown>).x).toBeUndefined();
});

const lowRule: RuleSpec = { condition: { kind: 'field', left: { path: 'kind' }, type: 'string', operation: 'equals', value: 'note' }, tier: 'low' };
const router = compileRouter({ rules: [lowRule], fallbackTier: 'low', sampling: { rate: 0, seed: '' } });

describe('items that are not JSON objects', () => {
	test.each([[undefined], [null], [42], ['text'], [[1, 2]], [true]])('%j → High, bad input', (json) => {
		const r = router.route(json);
		expect(r.output).toBe('high');
		expect(r.annotation.reasons).toEqual([expect.objectContaining({ label: 'Bad input', source: 'error' })]);
		expect(r.errors[0].error).toMatch(/item has no JSON object/);
	});
});

describe('prototype keys', () => {
	test('an item with an own __proto__ key (as JSON.parse makes it) → High, no pollution', () => {
		const json = JSON.parse('{"kind":"note","__proto__":{"polluted":true}}');
		const r = router.route(json);
		expect(r.output).toBe('high');
		expect(r.errors[0].error).toBe('item contains the forbidden key "__proto__"');
	});
	test.each(['constructor', 'prototype'])('nested "%s" key → High', (key) => {
		const json = JSON.parse(`{"kind":"note","a":{"b":[{"${key}":{"x":1}}]}}`);
		expect(router.route(json).errors[0].error).toBe(`item contains the forbidden key "${key}"`);
	});
	test.each(['__proto__', 'constructor.prototype', 'a.__proto__.x', 'a["__proto__"]', 'prototype'])('path "%s" is refused; the rule fails closed', (path) => {
		expect(() => parsePath(path)).toThrow(/forbidden key/);
		const r = compileRouter({ rules: [{ condition: { kind: 'field', left: { path }, type: 'presence', operation: 'exists' }, tier: 'low' }], fallbackTier: 'low' }).route({ a: {} });
		expect(r.output).toBe('high');
		expect(r.errors[0].error).toMatch(/misconfigured.*forbidden key/);
	});
	test('lookups see own properties only, never inherited ones', () => {
		expect(getOwn({}, ['toString'])).toBeUndefined();
		expect(getOwn({ a: [] }, ['a', 'map'])).toBeUndefined();
		// `length` is an array's own property: reachable on purpose (e.g. `recipients.length`).
		expect(getOwn({ a: [1, 2] }, ['a', 'length'])).toBe(2);
		expect(getOwn(Object.create({ inherited: 1 }), ['inherited'])).toBeUndefined();
		const r = compileRouter({ rules: [{ condition: { kind: 'field', left: { path: 'hasOwnProperty' }, type: 'presence', operation: 'exists' }, tier: 'high' }], fallbackTier: 'low' }).route({});
		expect(r.output).toBe('low');
	});
	test('property: any JSON object (with any keys) routes without throwing or polluting', () => {
		fc.assert(
			fc.property(fc.jsonValue(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'kind', 'x'), (value, key) => {
				const json = JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value) ?? 'null'}}`);
				const r = router.route(json);
				expect(['high', 'low', 'lowSampled', 'medium']).toContain(r.output);
				if (['__proto__', 'constructor', 'prototype'].includes(key)) expect(r.output).toBe('high');
			}),
		);
	});
	test('malformed paths are refused with a clear message', () => {
		for (const p of ['', '.', 'a.', 'a..b', 'a[', 'a[x]', ' ']) expect(() => parsePath(p)).toThrow();
		expect(parsePath('a.b[2]["c d"]')).toEqual(['a', 'b', 2, 'c d']);
	});
});

describe('deep, huge and circular items', () => {
	test('nesting deeper than the limit → High, no stack overflow even at 100,000 levels', () => {
		let deep: Record<string, unknown> = { kind: 'note' };
		for (let i = 0; i < 100_000; i++) deep = { d: deep };
		const r = router.route({ kind: 'note', deep });
		expect(r.output).toBe('high');
		expect(r.errors[0].error).toBe('item is nested deeper than 64 levels');
	});
	test('nesting within the limit is fine', () => {
		let deep: Record<string, unknown> = {};
		for (let i = 0; i < 60; i++) deep = { d: deep };
		expect(router.route({ kind: 'note', deep }).output).toBe('low');
	});
	test('a huge string → High (regex guard)', () => {
		const r = router.route({ kind: 'note', body: 'x'.repeat(1_000_001) });
		expect(r.output).toBe('high');
		expect(r.errors[0].error).toMatch(/string longer than 1000000/);
	});
	test('too many values → High', () => {
		const r = compileRouter({ rules: [lowRule], fallbackTier: 'low', limits: { maxNodes: 1000 } }).route({ kind: 'note', list: new Array(2000).fill(1) });
		expect(r.errors[0].error).toMatch(/too large or circular/);
	});
	test('circular data → High, not an endless loop', () => {
		const a: Record<string, unknown> = { kind: 'note' };
		a.self = a;
		expect(router.route(a).errors[0].error).toMatch(/deeper than 64|too large or circular/);
	});
	test('limits must be positive whole numbers', () => {
		expect(() => compileRouter({ limits: { maxDepth: 0 } })).toThrow(/positive whole number/);
	});
	test('inspectItem accepts ordinary items', () => {
		expect(inspectItem({ a: [1, { b: 'c' }], n: null })).toBeNull();
	});
});
