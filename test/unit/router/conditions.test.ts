import { compileRouter, type ConditionSpec, type RuleSpec } from '../../../core/router';

const rule = (condition: ConditionSpec, tier: RuleSpec['tier'] = 'high', label?: string): RuleSpec => ({ condition, tier, label });
const field = (path: string) => ({ path });

/** Routes one item through a single rule (fallback Low, sampling off) and returns the tier. */
function tierOf(json: unknown, condition: ConditionSpec): string {
	return compileRouter({ rules: [rule(condition, 'high')], fallbackTier: 'low' }).route(json).annotation.tier;
}
function errorOf(json: unknown, condition: ConditionSpec): string | undefined {
	const r = compileRouter({ rules: [rule(condition, 'medium')], fallbackTier: 'low' }).route(json);
	return r.errors[0]?.error;
}

describe('string conditions', () => {
	const s = (operation: string, value: string, caseSensitive = true): ConditionSpec =>
		({ kind: 'field', left: field('name'), type: 'string', operation, value, caseSensitive }) as ConditionSpec;
	test.each([
		['equals', 'Ada', 'Ada', true],
		['equals', 'Ada', 'ada', false],
		['notEquals', 'Ada', 'Bob', true],
		['contains', 'Ada Lovelace', 'Love', true],
		['contains', 'Ada Lovelace', 'Babbage', false],
		['notContains', 'Ada Lovelace', 'Babbage', true],
		['startsWith', 'Ada Lovelace', 'Ada', true],
		['startsWith', 'Ada Lovelace', 'Love', false],
		['endsWith', 'Ada Lovelace', 'lace', true],
		['endsWith', 'Ada Lovelace', 'Ada', false],
		['regex', 'order-123', '^order-\\d+$', true],
		['regex', 'order-abc', '/^order-\\d+$/', false],
		['notRegex', 'order-abc', '^order-\\d+$', true],
	])('%s: "%s" vs "%s" → %s', (op, actual, value, match) => {
		expect(tierOf({ name: actual }, s(op, value))).toBe(match ? 'high' : 'low');
	});
	test('case-insensitive compare and regex', () => {
		expect(tierOf({ name: 'ADA' }, s('equals', 'ada', false))).toBe('high');
		expect(tierOf({ name: 'ADA' }, s('regex', '^ada$', false))).toBe('high');
		expect(tierOf({ name: 'ADA' }, s('regex', '/^ada$/i'))).toBe('high');
	});
	test('numbers and booleans are compared as their text', () => {
		expect(tierOf({ name: 42 }, s('equals', '42'))).toBe('high');
	});
	test('regex with g flag is not stateful across items', () => {
		const router = compileRouter({ rules: [rule(s('regex', '/a/g'))], fallbackTier: 'low' });
		expect(router.route({ name: 'a' }).annotation.tier).toBe('high');
		expect(router.route({ name: 'a' }).annotation.tier).toBe('high');
	});
	test('bad regex fails closed with the cause as reason', () => {
		const r = compileRouter({ rules: [rule(s('regex', '(unclosed'), 'low')], fallbackTier: 'low' }).route({ name: 'x' });
		expect(r.output).toBe('high');
		expect(r.errors[0].error).toMatch(/Bad regex \(unclosed/);
	});
	test('object value is a type error', () => {
		expect(errorOf({ name: { a: 1 } }, s('equals', 'x'))).toMatch(/not text \(got object\)/);
	});
});

describe('number conditions', () => {
	const n = (operation: string, value: number | string): ConditionSpec =>
		({ kind: 'field', left: field('amount'), type: 'number', operation, value }) as ConditionSpec;
	test.each([
		['eq', 5, 5, true],
		['eq', 5, 6, false],
		['neq', 5, 6, true],
		['gt', 6, 5, true],
		['gt', 5, 5, false],
		['gte', 5, 5, true],
		['lt', 4, 5, true],
		['lt', 5, 5, false],
		['lte', 5, 5, true],
	])('%s: %s vs %s → %s', (op, actual, value, match) => {
		expect(tierOf({ amount: actual }, n(op, value))).toBe(match ? 'high' : 'low');
	});
	test('numeric text is accepted, other text is a type error', () => {
		expect(tierOf({ amount: ' 1200.50 ' }, n('gte', 1000))).toBe('high');
		expect(errorOf({ amount: '12 apples' }, n('gte', 1000))).toMatch(/not a number/);
		expect(errorOf({ amount: true }, n('gte', 1000))).toMatch(/not a number \(got boolean\)/);
	});
	test('bad compare value fails closed', () => {
		expect(errorOf({ amount: 1 }, n('gte', 'lots'))).toMatch(/misconfigured.*Compare value is not a number/);
	});
});

describe('boolean, date and presence conditions', () => {
	test('boolean is true / is false, with "true"/"false" text', () => {
		const b = (operation: string): ConditionSpec => ({ kind: 'field', left: field('flag'), type: 'boolean', operation }) as ConditionSpec;
		expect(tierOf({ flag: true }, b('isTrue'))).toBe('high');
		expect(tierOf({ flag: false }, b('isTrue'))).toBe('low');
		expect(tierOf({ flag: 'FALSE' }, b('isFalse'))).toBe('high');
		expect(errorOf({ flag: 1 }, b('isTrue'))).toMatch(/not a boolean/);
	});
	test('date before / after, ISO text, epoch ms, zone-less read as UTC', () => {
		const d = (operation: string, value: unknown): ConditionSpec => ({ kind: 'field', left: field('at'), type: 'date', operation, value }) as ConditionSpec;
		expect(tierOf({ at: '2026-01-01' }, d('before', '2026-02-01T00:00:00Z'))).toBe('high');
		expect(tierOf({ at: '2026-03-01T10:00:00+02:00' }, d('after', '2026-03-01T07:59:59Z'))).toBe('high');
		expect(tierOf({ at: '2026-03-01T10:00:00' }, d('after', '2026-03-01T10:00:00Z'))).toBe('low');
		expect(tierOf({ at: Date.UTC(2026, 0, 1) }, d('after', '2025-12-31'))).toBe('high');
		expect(errorOf({ at: 'next tuesday' }, d('after', '2025-12-31'))).toMatch(/not an ISO-8601 date/);
		expect(errorOf({ at: '2026-01-01' }, d('after', 'someday'))).toMatch(/misconfigured/);
	});
	test.each([
		['exists', { v: 0 }, true],
		['exists', { v: null }, false],
		['exists', {}, false],
		['notExists', {}, true],
		['isEmpty', { v: '  ' }, true],
		['isEmpty', { v: [] }, true],
		['isEmpty', { v: {} }, true],
		['isEmpty', {}, true],
		['isEmpty', { v: 0 }, false],
		['isNotEmpty', { v: 'x' }, true],
		['isNotEmpty', { v: [] }, false],
	])('presence %s on %j → %s', (operation, json, match) => {
		expect(tierOf(json, { kind: 'field', left: field('v'), type: 'presence', operation } as ConditionSpec)).toBe(match ? 'high' : 'low');
	});
	test('nested paths and array indexes', () => {
		const c: ConditionSpec = { kind: 'field', left: field('to[1].email'), type: 'string', operation: 'endsWith', value: '@x.org' };
		expect(tierOf({ to: [{ email: 'a@y.org' }, { email: 'b@x.org' }] }, c)).toBe('high');
		expect(tierOf({ to: [{ email: 'a@y.org' }, { email: 'b@x.org' }] }, { ...c, left: field('$json.to[0].email') } as ConditionSpec)).toBe('low');
	});
});

describe('missing fields', () => {
	const c = (ifMissing?: 'fail' | 'noMatch'): ConditionSpec => ({ kind: 'field', left: field('amount'), type: 'number', operation: 'gte', value: 10, ifMissing });
	test('fail (default) routes High with the field named', () => {
		const r = compileRouter({ rules: [rule(c(), 'low')], fallbackTier: 'low' }).route({});
		expect(r.output).toBe('high');
		expect(r.annotation.reasons).toEqual([expect.objectContaining({ source: 'error', error: 'Field "amount" is missing', tier: 'high' })]);
	});
	test('noMatch lets other rules / fallback decide', () => {
		expect(tierOf({}, c('noMatch'))).toBe('low');
	});
});

describe('boolean expression conditions and external values', () => {
	const router = compileRouter({ rules: [rule({ kind: 'expression' }, 'medium', 'Builder expression')], fallbackTier: 'low' });
	test('true matches, false does not', () => {
		expect(router.route({}, { externals: [{ bool: true }] }).annotation.tier).toBe('medium');
		expect(router.route({}, { externals: [{ bool: false }] }).annotation.tier).toBe('low');
	});
	test('non-boolean result, missing value and expression errors fail closed', () => {
		expect(router.route({}, { externals: [{ bool: 'yes' }] }).errors[0].error).toMatch(/returned "yes"/);
		expect(router.route({}).errors[0].error).toMatch(/No value was supplied/);
		const r = router.route({}, { externals: [{ error: new Error('$json.x is not defined') }] });
		expect(r.output).toBe('high');
		expect(r.annotation.reasons[0]).toMatchObject({ label: 'Builder expression', source: 'error', error: '$json.x is not defined' });
	});
	test('external left and right values for field conditions', () => {
		const ext = compileRouter({
			rules: [rule({ kind: 'field', left: { external: true }, type: 'number', operation: 'gt', value: { external: true } }, 'high')],
			fallbackTier: 'low',
		});
		expect(ext.rules[0].needs).toEqual({ left: true, value: true, bool: false });
		expect(ext.route({}, { externals: [{ left: 5, value: 4 }] }).output).toBe('high');
		expect(ext.route({}, { externals: [{ left: 3, value: 4 }] }).output).toBe('low');
	});
});
