/**
 * The native fast path for simple per-item expressions (core/textTemplate.ts) and the gate's reader
 * over it (nodes/HitlGate/itemParameters.ts): which expressions it takes, what it answers, and that it
 * asks n8n for everything else. Whether its answers are n8n's own is tested against n8n's real
 * expression engine in test/workflow/textTemplate.workflow.test.ts.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compileTextTemplate, renderTextTemplate } from '../../../core/textTemplate';
import { itemParameterReader, reviewersReader, textReader } from '../../../nodes/HitlGate/itemParameters';
import { countingContext } from '../../support/countingContext';
import { subjectIdsFor } from '../../../nodes/HitlGate/evidence';
import { requesterReader } from '../../../nodes/HitlGate/separationOfDuties';
import type { StoreSettings } from '../../../nodes/shared/reviewStore';

describe('compileTextTemplate: what the fast path takes', () => {
	test.each([
		['=Offer for {{ $json.name }}', ['Offer for ', { path: ['name'] }]],
		['={{ $json.a.b }}', [{ path: ['a', 'b'] }]],
		['={{$json.list[0]}} and {{ $json["first name"] }}!', [{ path: ['list', 0] }, ' and ', { path: ['first name'] }, '!']],
		["={{ $json['x-y'] }}", [{ path: ['x-y'] }]],
	])('%s', (raw, parts) => {
		expect(compileTextTemplate(raw)).toEqual(parts);
	});

	test.each([
		['not an expression', 'Offer for {{ $json.name }}'],
		['not text', 42],
		['another variable', '={{ $node.Set.json.name }}'],
		['a method call', '={{ $json.name.toUpperCase() }}'],
		['an operator', '={{ $json.a + 1 }}'],
		['$json alone', '={{ $json }}'],
		['another item', "={{ $('Set').item.json.name }}"],
		['an unclosed placeholder', '=Offer {{ $json.name'],
		['a stray closing brace pair', '=Offer }} {{ $json.name }}'],
		['a third closing brace', '=Offer {{ $json.name }}}'],
		['a third opening brace', '=Offer {{{ $json.name }}'],
		['a lone brace in the text', '=Offer {draft} for {{ $json.name }}'],
		['a backslash', '=Offer \\{{ $json.name }}'],
		['a prototype key', '={{ $json.__proto__ }}'],
		['a constructor key', '={{ $json.a.constructor }}'],
		['an empty placeholder', '=Offer {{ }}'],
		['text without a placeholder (n8n evaluates some: `=toString`)', '=Plain text'],
		['an identifier n8n evaluates', '=toString'],
		['nothing after the =', '='],
	])('refuses %s', (_what, raw) => {
		expect(compileTextTemplate(raw)).toBeNull();
	});
});

describe('renderTextTemplate: an answer only where it is a string or a finite number', () => {
	const template = compileTextTemplate('=Offer for {{ $json.name }} ({{ $json.amount }})')!;

	test('strings as they are, numbers as JavaScript writes them', () => {
		expect(renderTextTemplate(template, { name: 'Ada Lovelace', amount: 5000 })).toBe('Offer for Ada Lovelace (5000)');
		expect(renderTextTemplate(template, { name: '', amount: -0 })).toBe('Offer for  (0)');
		expect(renderTextTemplate(template, { name: 'Zoë 🎉', amount: 1e21 })).toBe('Offer for Zoë 🎉 (1e+21)');
	});

	test.each([
		['a missing field', { name: 'Ada' }],
		['null', { name: 'Ada', amount: null }],
		['a boolean', { name: 'Ada', amount: true }],
		['an object', { name: 'Ada', amount: { v: 1 } }],
		['an array', { name: 'Ada', amount: [1] }],
		['NaN', { name: 'Ada', amount: Number.NaN }],
		['Infinity', { name: 'Ada', amount: Number.POSITIVE_INFINITY }],
	])('no answer for %s', (_what, json) => {
		expect(renderTextTemplate(template, json)).toBeNull();
	});

	test('own properties only: nothing inherited is read', () => {
		const only = compileTextTemplate('={{ $json.toString }}')!;
		expect(renderTextTemplate(only, {})).toBeNull();
		expect(renderTextTemplate(only, Object.create({ toString: 'inherited' }))).toBeNull();
	});

	test('array indexes and nested paths', () => {
		const nested = compileTextTemplate('={{ $json.people[1].name }}')!;
		expect(renderTextTemplate(nested, { people: [{ name: 'A' }, { name: 'B' }] })).toBe('B');
		expect(renderTextTemplate(nested, { people: [{ name: 'A' }] })).toBeNull();
	});
});

const context = countingContext;

describe('the gate reads per-item parameters once each, and asks n8n only where the fast path cannot answer', () => {
	const items: INodeExecutionData[] = [{ json: { name: 'Ada', amount: 5 } }, { json: { name: { first: 'Bob' } } }, { json: { name: 'Cy' } }];

	test('a simple template: n8n is asked only for the item whose field is not text or a number', () => {
		const { ctx, asked } = context({ subject: '=Offer for {{ $json.name }}' }, items, (_name, i) => `n8n's answer for item ${i}`);
		const subjectOf = textReader(ctx, 'subject', 'Review needed');
		expect([0, 1, 2, 1, 0].map(subjectOf)).toEqual(['Offer for Ada', "n8n's answer for item 1", 'Offer for Cy', "n8n's answer for item 1", 'Offer for Ada']);
		expect(asked).toEqual([['subject', 1]]);
	});

	test('one placeholder alone: n8n\'s own value, type included; text readers write it as n8n\'s would be written', () => {
		const { ctx, asked } = context({ subject: '={{ $json.amount }}' }, items, () => 'n8n');
		expect(itemParameterReader(ctx, 'subject', '')(0)).toBe(5);
		expect(textReader(ctx, 'subject', '')(0)).toBe('5');
		expect(asked).toEqual([]);
	});

	test('any other expression: n8n, once per item', () => {
		const { ctx, asked } = context({ subject: '={{ $json.name.toUpperCase() }}' }, items, (_name, i) => `N8N ${i}`);
		const subjectOf = textReader(ctx, 'subject', 'Review needed');
		expect([2, 0, 2].map(subjectOf)).toEqual(['N8N 2', 'N8N 0', 'N8N 2']);
		expect(asked).toEqual([['subject', 2], ['subject', 0]]);
	});

	test('not an expression: read once, the same for every item', () => {
		const { ctx, asked } = context({ message: 'Please review' }, items, () => 'Please review');
		const messageOf = textReader(ctx, 'message', '');
		expect([0, 1, 2].map(messageOf)).toEqual(['Please review', 'Please review', 'Please review']);
		expect(asked).toEqual([['message', 0]]);
		const { ctx: empty } = context({ message: 'x' }, items, () => undefined);
		expect(itemParameterReader(empty, 'message', 'fallback')(0)).toBe('fallback');
	});

	test('reviewers from a field: parsed and checked per item, failing closed with the item named', () => {
		const people: INodeExecutionData[] = [{ json: { reviewer: 'ann@hitl.test' } }, { json: { reviewer: 'not an address' } }, { json: { reviewer: '' } }];
		const { ctx, asked } = context({ reviewers: '={{ $json.reviewer }}' }, people, () => null);
		const reviewersOf = reviewersReader(ctx);
		expect(reviewersOf(0)).toEqual(['ann@hitl.test']);
		expect(() => reviewersOf(1)).toThrow(NodeOperationError);
		expect(() => reviewersOf(1)).toThrow('Invalid reviewer email: not');
		try {
			reviewersOf(2);
			throw new Error('an empty reviewer list passed');
		} catch (error) {
			expect(error).toBeInstanceOf(NodeOperationError);
			expect((error as NodeOperationError).message).toBe('No reviewer for this item');
			expect((error as NodeOperationError).context.itemIndex).toBe(2);
		}
		expect(asked).toEqual([]);
	});
});

describe('the requester and the data subject: read once per item, by the lookup where it answers', () => {
	const people: INodeExecutionData[] = [
		{ json: { requestedBy: 'rec@hitl.test', aliases: 'rec.alt@hitl.test', candidate: ' cand-1 ' } },
		{ json: { requestedBy: 'not an address', candidate: 42 } },
		{ json: { requestedBy: ['list@hitl.test'], candidate: '' } },
	];
	const sod = { requester: '={{ $json.requestedBy }}', requesterAliases: '={{ $json.aliases }}' };

	test('requester and aliases from fields: n8n asked only for what the lookup cannot answer, each item once', () => {
		const { ctx, asked } = countingContext(sod, people, (name, i) => (name === 'requester' && i === 2 ? ['list@hitl.test'] : name === 'requesterAliases' ? '' : undefined));
		const requesterOf = requesterReader(ctx);
		expect(requesterOf(0)).toEqual({ ids: ['rec@hitl.test', 'rec.alt@hitl.test'] });
		expect(requesterOf(2)).toEqual({ ids: ['list@hitl.test'] });
		expect(() => requesterOf(1)).toThrow(expect.objectContaining({ message: 'Invalid Requester: not, an, address', context: expect.objectContaining({ itemIndex: 1 }) }));
		// A batch asks for item 0's requester for every item: read once.
		for (let k = 0; k < 5; k++) expect(requesterOf(0)).toEqual({ ids: ['rec@hitl.test', 'rec.alt@hitl.test'] });
		// Item 1's bad requester fails it before its aliases are read.
		expect(asked).toEqual([['requester', 2], ['requesterAliases', 2]]);
	});

	test('no requester configured: read once for the run, no policy for any item', () => {
		const { ctx, asked } = countingContext({}, people, () => '');
		const requesterOf = requesterReader(ctx);
		expect([0, 1, 2, 0].map(requesterOf)).toEqual([null, null, null, null]);
		expect(asked).toEqual([['requester', 0], ['requesterAliases', 0]]);
	});

	test('Data Subject ID from a field: trimmed, numbers as text, an empty one fails its item; n8n not asked', () => {
		const evidence = { evidence: { secret: 'x' } } as unknown as StoreSettings;
		const { ctx, asked } = countingContext({ dataSubjectId: '={{ $json.candidate }}' }, people.slice(0, 2), () => undefined);
		expect(subjectIdsFor(ctx, evidence, 2)).toEqual(['cand-1', '42']);
		expect(asked).toEqual([]);
		const { ctx: withEmpty } = countingContext({ dataSubjectId: '={{ $json.candidate }}' }, people, () => undefined);
		expect(() => subjectIdsFor(withEmpty, evidence, 3)).toThrow(expect.objectContaining({ message: 'Data Subject ID is empty', context: expect.objectContaining({ itemIndex: 2 }) }));
		const { ctx: noEvidence, asked: none } = countingContext({ dataSubjectId: '={{ $json.candidate }}' }, people, () => undefined);
		expect(subjectIdsFor(noEvidence, { evidence: null } as unknown as StoreSettings, 3)).toEqual([null, null, null]);
		expect(none).toEqual([]);
	});
});
