/**
 * Review Log Append's mapped Fields reader (nodes/ReviewLog/helpers/mappedFieldsReader.ts) and the typed
 * lookup under it (core/textTemplate.ts renderTemplateValue): what it answers, and that it asks n8n for
 * the whole collection of exactly the items it cannot answer. Whether its answers are n8n's own is tested
 * against n8n's real expression engine in test/workflow/reviewlog/mappedFields.workflow.test.ts.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { compileTextTemplate, renderTemplateValue } from '../../../core/textTemplate';
import { mappedFieldsReader } from '../../../nodes/ReviewLog/helpers/mappedFieldsReader';
import { countingContext } from '../../support/countingContext';

describe('renderTemplateValue: n8n\'s value with its type', () => {
	test('one placeholder alone gives the field\'s own string or number', () => {
		const whole = compileTextTemplate('={{ $json.amount }}')!;
		expect(renderTemplateValue(whole, { amount: 5000 })).toBe(5000);
		expect(Object.is(renderTemplateValue(whole, { amount: -0 }), -0)).toBe(true);
		expect(renderTemplateValue(whole, { amount: '5000' })).toBe('5000');
		expect(renderTemplateValue(whole, { amount: '' })).toBe('');
	});

	test.each([
		['a boolean', true],
		['null', null],
		['an object', { v: 1 }],
		['an array', [1]],
		['NaN', Number.NaN],
		['Infinity', Number.NEGATIVE_INFINITY],
	])('one placeholder holding %s: no answer', (_what, amount) => {
		expect(renderTemplateValue(compileTextTemplate('={{ $json.amount }}')!, { amount })).toBeNull();
	});

	test('no answer for a missing field', () => {
		expect(renderTemplateValue(compileTextTemplate('={{ $json.amount }}')!, {})).toBeNull();
	});

	test('anything around the placeholder makes it text', () => {
		expect(renderTemplateValue(compileTextTemplate('= {{ $json.amount }}')!, { amount: 5 })).toBe(' 5');
		expect(renderTemplateValue(compileTextTemplate('={{ $json.a }}{{ $json.b }}')!, { a: 1, b: 2 })).toBe('12');
		expect(renderTemplateValue(compileTextTemplate('=Total {{ $json.a }}')!, { a: true })).toBeNull();
	});
});

const context = (fields: unknown, items: INodeExecutionData[], evaluate: (name: string, i: number) => unknown) =>
	countingContext({ operation: 'append', fields }, items, evaluate);

describe('mappedFieldsReader: n8n is asked only for what the lookup cannot answer', () => {
	const items: INodeExecutionData[] = [
		{ json: { id: 'cand-1', amount: 5 } },
		{ json: { id: { nested: true }, amount: 6 } },
		{ json: { id: 'cand-3', amount: 'seven' } },
	];

	test('simple mappings: every item by the lookup, constants read once each from n8n, in the node\'s order', () => {
		const fields = { tier: 'high', itemKey: '={{ $json.id }}', comment: '=Amount {{ $json.amount }}' };
		const { ctx, asked } = context(fields, [items[0], items[2]], (name) => (name === 'fields.tier' ? 'high (from n8n)' : undefined));
		const read = mappedFieldsReader(ctx, 'fields');
		expect(read(0)).toStrictEqual({ tier: 'high (from n8n)', itemKey: 'cand-1', comment: 'Amount 5' });
		expect(Object.keys(read(1))).toEqual(['tier', 'itemKey', 'comment']);
		expect(read(1)).toStrictEqual({ tier: 'high (from n8n)', itemKey: 'cand-3', comment: 'Amount seven' });
		expect(asked).toEqual([['fields.tier', 0]]);
	});

	test('an item whose field the lookup cannot answer is read whole by n8n; the others are not', () => {
		const { ctx, asked } = context({ itemKey: '={{ $json.id }}', workflowVersion: '={{ $json.amount }}' }, items, (name, i) =>
			name === 'fields' ? { itemKey: `n8n ${i}` } : undefined,
		);
		const read = mappedFieldsReader(ctx, 'fields');
		expect([0, 1, 2].map(read)).toStrictEqual([{ itemKey: 'cand-1', workflowVersion: 5 }, { itemKey: 'n8n 1' }, { itemKey: 'cand-3', workflowVersion: 'seven' }]);
		expect(asked).toEqual([['fields', 1]]);
	});

	test.each([
		['an expression the lookup does not take', { itemKey: '={{ $json.id.toUpperCase() }}' }],
		['one such expression beside simple ones', { itemKey: '={{ $json.id }}', comment: '={{ $json.amount + 1 }}' }],
		['an expression nested in a member', { details: { inner: '={{ $json.id }}' } }],
		['a member named "__proto__"', JSON.parse('{"itemKey":"={{ $json.id }}","__proto__":"={{ $json.id }}"}') as Record<string, unknown>],
	])('%s: n8n for every item', (_what, fields) => {
		const { ctx, asked } = context(fields, items, (name, i) => (name === 'fields' ? { n8n: i } : undefined));
		const read = mappedFieldsReader(ctx, 'fields');
		expect([0, 1, 2].map(read)).toStrictEqual([{ n8n: 0 }, { n8n: 1 }, { n8n: 2 }]);
		expect(asked).toEqual([['fields', 0], ['fields', 1], ['fields', 2]]);
	});

	test('no expression at all: one read serves every item', () => {
		const { ctx, asked } = context({ tier: 'low', comment: 'fixed' }, items, () => ({ tier: 'low', comment: 'fixed' }));
		const read = mappedFieldsReader(ctx, 'fields');
		expect([0, 1, 2].map(read)).toStrictEqual([{ tier: 'low', comment: 'fixed' }, { tier: 'low', comment: 'fixed' }, { tier: 'low', comment: 'fixed' }]);
		expect(asked).toEqual([['fields', 0]]);
	});

	test('no Fields parameter: n8n\'s fallback, read once', () => {
		const { ctx, asked } = context(undefined, items, () => undefined);
		expect(mappedFieldsReader(ctx, 'fields')(2)).toStrictEqual({});
		expect(asked).toEqual([['fields', 0]]);
	});
});
