/**
 * Review Log Append's mapped Fields read by a field lookup (nodes/ReviewLog/helpers/mappedFieldsReader.ts)
 * against n8n's own expression engine: a test node with Append's real Fields property reads the
 * collection both ways in a real n8n run (WorkflowExecute, n8n-workflow's expressions) — n8n's
 * `getNodeParameter('fields', i)` and the reader — and wherever the reader answered without asking n8n,
 * its value must be n8n's exactly, type included (Append writes it into the audit record). Collections,
 * templates and items are generated (fast-check), unicode and odd values included; the Append node
 * itself is run on the lookup and on n8n to show the records are the same.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { description as appendDescription } from '../../../nodes/ReviewLog/actions/append.operation';
import { mappedFieldsReader } from '../../../nodes/ReviewLog/helpers/mappedFieldsReader';
import { DIST, runWorkflow, type WorkflowJson } from '../harness';
import { anyValue, itemOf, literal, placeholder } from '../expressionArbitraries';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const distStore = require(path.join(DIST, 'core/store/index.js')) as typeof import('../../../core/store');

/** Per item: n8n's value of `fields`, the reader's, and whether the reader asked n8n for that item. */
class ReadFieldsNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Read Fields',
		name: 'readFields',
		group: ['transform'],
		version: 1,
		description: 'Test node: Review Log Append\'s Fields, read by n8n and by the lookup',
		defaults: { name: 'Read Fields' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Operation', name: 'operation', type: 'options', default: 'append', options: [{ name: 'Append', value: 'append' }] },
			...appendDescription,
		],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const asked = new Set<number>();
		// The reader's context: this run's own, with its whole-collection reads per item noted.
		const ctx = new Proxy(this, {
			get: (target, prop) => {
				if (prop === 'getNodeParameter') {
					return (name: string, i: number, fallback?: unknown) => {
						if (name === 'fields') asked.add(i);
						return target.getNodeParameter(name, i, fallback);
					};
				}
				const value = Reflect.get(target, prop) as unknown;
				return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
			},
		});
		const read = mappedFieldsReader(ctx, 'fields');
		return [
			this.getInputData().map((_, i) => {
				const ours = read(i);
				return { json: { n8n: this.getNodeParameter('fields', i, {}) as IDataObject, ours, asked: asked.has(i) }, pairedItem: { item: i } };
			}),
		];
	}
}

function workflowFor(fields: IDataObject): WorkflowJson {
	return {
		nodes: [
			{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'r', name: 'Read Fields', type: 'test.readFields', typeVersion: 1, position: [200, 0], parameters: { operation: 'append', fields } },
		],
		connections: { Start: { main: [[{ node: 'Read Fields', type: 'main', index: 0 }]] } },
	} as unknown as WorkflowJson;
}

interface Read {
	n8n: IDataObject;
	ours: IDataObject;
	asked: boolean;
}

async function readBothWays(fields: IDataObject, items: IDataObject[]): Promise<Read[]> {
	const result = await runWorkflow({ workflow: workflowFor(fields), items, nodeTypes: { 'test.readFields': new ReadFieldsNode() } });
	expect(result.error).toBeUndefined();
	return result.json('Read Fields') as unknown as Read[];
}

/** Mostly one placeholder alone (the usual mapping, n8n's value with its type), else text around placeholders. */
const expression = fc.oneof(
	{ weight: 3, arbitrary: placeholder.map((p) => `=${p}`) },
	{ weight: 2, arbitrary: fc.array(fc.oneof(literal, placeholder), { minLength: 1, maxLength: 4 }).map((parts) => `=${parts.join('')}`) },
	{ weight: 1, arbitrary: fc.constantFrom('={{ $json.name + "" }}', '={{ String($json.amount) }}', '={{ $json.name }}}') },
);
const member = fc.oneof({ weight: 3, arbitrary: expression }, { weight: 1, arbitrary: literal });
const MEMBER_NAMES = ['itemKey', 'reviewerId', 'comment', 'modelName', 'workflowVersion', 'details', 'tier'] as const;
/** One to three members (with more, one odd placeholder sends nearly every item to n8n and little is tested). */
const collection = fc
	.uniqueArray(fc.constantFrom(...MEMBER_NAMES), { minLength: 1, maxLength: 3 })
	.chain((names) => fc.tuple(...names.map(() => member)).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]])) as IDataObject))
	.filter((c) => Object.values(c).some((v) => String(v).startsWith('=')));
/** Mostly text and integers (what Fields map), often enough anything else. */
const item = itemOf(fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) }, { weight: 2, arbitrary: fc.integer() }, anyValue));

describe('Review Log Append mapped fields: the lookup answers with n8n\'s value, type included, or asks n8n', () => {
	test('generated collections and items', async () => {
		let answered = 0;
		let asked = 0;
		await fc.assert(
			fc.asyncProperty(collection, fc.array(item, { minLength: 1, maxLength: 6 }), async (fields, items) => {
				// What n8n itself stores for the items (its JSON round trip of pinned data: -0 → 0, no undefined).
				const stored = items.map((json) => JSON.parse(JSON.stringify(json)) as IDataObject);
				const reads = await readBothWays(fields, stored);
				reads.forEach((read, i) => {
					if (read.asked) asked++;
					else answered++;
					// Strict: 5000 and "5000" differ, as do a missing and an undefined member.
					expect({ fields, json: stored[i], value: read.ours }).toStrictEqual({ fields, json: stored[i], value: read.n8n });
				});
			}),
			{ numRuns: 120 },
		);
		// Not vacuous: the lookup answered often, and n8n was asked where it could not.
		expect(answered).toBeGreaterThan(60);
		expect(asked).toBeGreaterThan(10);
	}, 180_000);

	test.each([
		['a whole placeholder keeps the number', { itemKey: '={{ $json.amount }}' }, { amount: 5000 }, { itemKey: 5000 }, false],
		['a whole placeholder keeps the text', { reviewerId: '={{ $json.name }}' }, { name: 'ann@example.com' }, { reviewerId: 'ann@example.com' }, false],
		['text around a number is text', { comment: '=Amount {{ $json.amount }}' }, { amount: 0.1 + 0.2 }, { comment: 'Amount 0.30000000000000004' }, false],
		['a constant beside an expression', { tier: 'low', itemKey: '={{ $json.name }}' }, { name: 'c-1' }, { tier: 'low', itemKey: 'c-1' }, false],
		['an object is n8n\'s to give', { details: '={{ $json.nested }}' }, { nested: { a: 1 } }, { details: { a: 1 } }, true],
		['a boolean is n8n\'s to give', { itemKey: '={{ $json.flag }}' }, { flag: true }, { itemKey: true }, true],
		['-0 stays -0, as in n8n', { itemKey: '={{ $json.x }}' }, { x: -0 }, { itemKey: -0 }, false],
		['a missing field is n8n\'s to give', { itemKey: '={{ $json.none }}' }, { name: 'x' }, null, true],
		['another expression is n8n\'s', { itemKey: '={{ $json.name.toUpperCase() }}' }, { name: 'abc' }, { itemKey: 'ABC' }, true],
	])('%s', async (_what, fields, json, expected, askedN8n) => {
		const [read] = await readBothWays(fields, [json]);
		expect(read.asked).toBe(askedN8n);
		expect(read.ours).toStrictEqual(read.n8n);
		if (expected) expect(read.ours).toStrictEqual(expected);
	});
});

describe('Review Log Append writes the same records by the lookup as by n8n', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'hitl-mapped-'));
	});
	afterEach(async () => {
		await distStore.closeAllReviewStores();
		rmSync(dir, { recursive: true, force: true });
	});

	function appendWorkflow(fields: IDataObject): WorkflowJson {
		return {
			nodes: [
				{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'l',
					name: 'Review Log',
					type: 'n8n-nodes-hitl.reviewLog',
					typeVersion: 1,
					position: [200, 0],
					parameters: { operation: 'append', event: 'note', fields },
					credentials: { hitlStoreApi: { id: 'c', name: 'Store' } },
				},
			],
			connections: { Start: { main: [[{ node: 'Review Log', type: 'main', index: 0 }]] } },
		} as unknown as WorkflowJson;
	}

	async function recordsFor(fields: IDataObject, chain: string, items: IDataObject[]): Promise<IDataObject[]> {
		const credentials = { hitlStoreApi: { backend: 'file', directory: dir, chain } };
		const result = await runWorkflow({ workflow: appendWorkflow(fields), items, credentials: credentials as never });
		expect(result.error).toBeUndefined();
		return readFileSync(path.join(dir, `${chain}.jsonl`), 'utf8')
			.split('\n')
			.filter((l) => l !== '')
			.map((l) => JSON.parse(l) as IDataObject);
	}

	test('Item Key, Reviewer, Comment, Workflow Version mapped by `{{ $json.x }}` (lookup) and by `{{ $json.x + "" }}`-style expressions n8n evaluates: the same record bodies', async () => {
		const items = Array.from({ length: 25 }, (_, i) => ({ id: `cand-${i}`, reviewer: `r${i % 3}@example.com`, note: `Offer ${i} — Zoë 🎉`, version: i }));
		const byLookup = await recordsFor(
			{ itemKey: '={{ $json.id }}', reviewerId: '={{ $json.reviewer }}', comment: '=Checked: {{ $json.note }}', workflowVersion: '={{ $json.version }}' },
			'lookup',
			items,
		);
		const byN8n = await recordsFor(
			{ itemKey: '={{ $json.id.toString() }}', reviewerId: '={{ $json.reviewer.trim() }}', comment: '={{ "Checked: " + $json.note }}', workflowVersion: '={{ $json.version * 1 }}' },
			'engine',
			items,
		);
		// The record body: what the Fields and the item decide (chain position, time and execution differ).
		const body = (r: IDataObject) => Object.fromEntries(Object.entries(r).filter(([k]) => !['chain', 'seq', 'recordedAt', 'prevHash', 'hash', 'executionId'].includes(k)));
		expect(byLookup).toHaveLength(25);
		expect(byLookup.map(body)).toStrictEqual(byN8n.map(body));
		expect(byLookup[7]).toMatchObject({ itemKey: 'cand-7', reviewerId: 'r1@example.com', comment: 'Checked: Offer 7 — Zoë 🎉', workflowVersion: '7' });
	});
});
