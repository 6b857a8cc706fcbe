/**
 * The native fast path for simple per-item expressions (core/textTemplate.ts, used by the gate for its
 * reviewers, subject and message) against n8n's own expression engine: a test node reads the same
 * parameter with `getNodeParameter(name, i)` in a real n8n run (WorkflowExecute, n8n-workflow's
 * expressions), and wherever the fast path gives an answer it must be n8n's — as the gate uses it,
 * `String(value ?? '')`. Templates and items are generated (fast-check), unicode and odd values included.
 */
import fc from 'fast-check';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { compileTextTemplate, renderTextTemplate } from '../../../core/textTemplate';
import { runWorkflow, type WorkflowJson } from '../harness';
import { anyValue, itemOf, literal, placeholder } from '../expressionArbitraries';

/** Returns, per item, what n8n makes of its `text` parameter for that item. */
class EvaluateNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Evaluate',
		name: 'evaluate',
		group: ['transform'],
		version: 1,
		description: 'Test node: n8n evaluates the text parameter per item',
		defaults: { name: 'Evaluate' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((_, i) => ({ json: { value: this.getNodeParameter('text', i, '') as never }, pairedItem: { item: i } }))];
	}
}

function workflowFor(text: string): WorkflowJson {
	return {
		nodes: [
			{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'e', name: 'Evaluate', type: 'test.evaluate', typeVersion: 1, position: [200, 0], parameters: { text } },
		],
		connections: { Start: { main: [[{ node: 'Evaluate', type: 'main', index: 0 }]] } },
	} as unknown as WorkflowJson;
}

/** n8n's value of `text` for each item, as the gate reads it (String(value ?? '')). */
async function n8nValues(text: string, items: IDataObject[]): Promise<string[]> {
	const result = await runWorkflow({ workflow: workflowFor(text), items, nodeTypes: { 'test.evaluate': new EvaluateNode() } });
	expect(result.error).toBeUndefined();
	return result.json('Evaluate').map((j) => String(j.value ?? ''));
}

/** Text and placeholders, at least one placeholder (text alone is n8n's to read: the fixed cases below). */
const template = fc
	.tuple(fc.array(fc.oneof(literal, placeholder), { maxLength: 4 }), placeholder, fc.nat())
	.map(([parts, one, at]) => `=${[...parts.slice(0, at % (parts.length + 1)), one, ...parts.slice(at % (parts.length + 1))].join('')}`);
const item = itemOf(anyValue);

describe('simple per-item expressions: the fast path answers as n8n does, or not at all', () => {
	test('generated templates and items', async () => {
		let answered = 0;
		let deferred = 0;
		await fc.assert(
			fc.asyncProperty(template, fc.array(item, { minLength: 1, maxLength: 6 }), async (text, items) => {
				const compiled = compileTextTemplate(text);
				expect(compiled).not.toBeNull();
				// What n8n itself stores for the items (its JSON round trip of pinned data: -0 → 0, no undefined).
				const stored = items.map((json) => JSON.parse(JSON.stringify(json)) as IDataObject);
				const n8n = await n8nValues(text, stored);
				stored.forEach((json, i) => {
					const fast = renderTextTemplate(compiled!, json);
					if (fast === null) deferred++;
					else {
						answered++;
						expect({ text, json, value: fast }).toEqual({ text, json, value: n8n[i] });
					}
				});
			}),
			{ numRuns: 200 },
		);
		// Not vacuous: both kinds occurred.
		expect(answered).toBeGreaterThan(100);
		expect(deferred).toBeGreaterThan(10);
	}, 120_000);

	test.each([
		['=Offer for {{ $json.name }}', { name: 'Ada Lovelace' }, 'Offer for Ada Lovelace'],
		['={{ $json.amount }}', { amount: 5000 }, '5000'],
		['=Total {{ $json.amount }} EUR', { amount: 0.1 + 0.2 }, 'Total 0.30000000000000004 EUR'],
		['={{ $json.list[1] }}', { list: ['a', 'b'] }, 'b'],
		['=  {{ $json.name }}  ', { name: 'padded' }, '  padded  '],
		['=toString {{ $json.name }}', { name: 'x' }, 'toString x'],
	])('%s', async (text, json, expected) => {
		const [fromN8n] = await n8nValues(text, [json]);
		expect(fromN8n).toBe(expected);
		expect(renderTextTemplate(compileTextTemplate(text)!, json)).toBe(expected);
	});

	test.each([
		['=toString', '[object Object]'],
		['=Plain text', 'Plain text'],
		['=', ''],
	])('text without a placeholder is n8n\'s to read: %s', async (text, expected) => {
		const [fromN8n] = await n8nValues(text, [{ name: 'x' }]);
		expect(fromN8n).toBe(expected);
		expect(compileTextTemplate(text)).toBeNull();
	});
});
