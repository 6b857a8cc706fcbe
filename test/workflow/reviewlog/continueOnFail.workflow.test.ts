/**
 * Review Log's one per-item error policy (nodes/ReviewLog/helpers/perItem.ts) in real n8n execution:
 * for Query, Verify, Export and Metrics, an item whose own parameters are bad
 * - with the node's "Continue On Fail" goes out as `{ error, description }` paired with it, and the
 *   items before and after it are still handled (each output keeps its pairedItem);
 * - without it fails the run with that item's index and what to do.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { DIST, loadFixture, runWorkflow, type WorkflowJson } from '../harness';

// The built nodes use dist's module instances, so the store cache to reset is dist's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const distStore = require(path.join(DIST, 'core/store/index.js')) as typeof import('../../../core/store');

const NODE = 'Review Log';
const SECRET = 'checkpoint-secret-for-tests-0123456789abcdef';

let dir: string;
beforeEach(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'hitl-rl-cof-'));
	// Two records to work on.
	const seeded = await runWorkflow({ workflow: workflow('append', { event: 'note', fields: { note: 'seed' } }), items: [{}, {}], credentials: cred() });
	expect(seeded.status).toBe('success');
});
afterEach(async () => {
	await distStore.closeAllReviewStores();
	rmSync(dir, { recursive: true, force: true });
});

const cred = () => ({ hitlStoreApi: { backend: 'file', directory: dir, chain: 'default', checkpointKid: 'ck1', checkpointSecret: SECRET } });

/** A Review Log fixture with its parameters overridden and, optionally, one of n8n's node-level error settings. */
function workflow(name: string, params: IDataObject, onFail?: Pick<INode, 'onError' | 'continueOnFail'>): WorkflowJson {
	const wf = loadFixture(`reviewlog/${name}.json`);
	const node = wf.nodes.find((n) => n.name === NODE)!;
	node.parameters = { ...node.parameters, ...params } as INodeParameters;
	Object.assign(node, onFail);
	return wf;
}

/** The checkpoint of the current head, as Export attaches it. */
async function currentCheckpoint(): Promise<IDataObject> {
	const exported = await runWorkflow({ workflow: workflow('export', {}), items: [{}], credentials: cred() });
	return exported.json(NODE)[0].checkpoint as IDataObject;
}

interface Case {
	operation: string;
	/** What makes item 1 bad; items 0 and 2 are good. */
	bad: string;
	params: IDataObject;
	items: () => Promise<IDataObject[]>;
	message: RegExp;
	description: RegExp;
	/** Checks one output item of a good input item. */
	good: (json: IDataObject) => void;
}

const cases: Case[] = [
	{
		operation: 'query',
		bad: 'a date filter that is not a date',
		params: { filters: { from: '={{ $json.since }}' }, returnAll: true, queryOutput: 'page' },
		items: async () => [{ since: '2000-01-01T00:00:00Z' }, { since: 'last tuesday' }, { since: '' }],
		message: /From "last tuesday" is not a valid date/,
		description: /ISO-8601/,
		good: (json) => expect(json.count).toBe(2),
	},
	{
		operation: 'verify',
		bad: 'checkpoint JSON that is not a checkpoint',
		params: { checkpointSource: 'json', checkpointJson: '={{ $json.checkpoint }}' },
		items: async () => {
			const checkpoint = JSON.stringify(await currentCheckpoint());
			return [{ checkpoint }, { checkpoint: '{"seq": 3}' }, { checkpoint }];
		},
		message: /The checkpoint is not usable/,
		description: /v, chain, seq, headHash, time, keyId and mac/,
		good: (json) => expect(json).toMatchObject({ ok: true, recordsChecked: 2, checkpoint: { seq: 2, verified: true } }),
	},
	{
		operation: 'export',
		bad: 'the export and its checkpoint put in the same binary field',
		params: { binaryPropertyName: '={{ $json.field }}' },
		items: async () => [{ field: 'data' }, { field: 'checkpoint' }, { field: 'file' }],
		message: /The export and the checkpoint cannot both go to the binary field "checkpoint"/,
		description: /Choose a different Checkpoint Field/,
		good: (json) => expect(json).toMatchObject({ format: 'jsonl', records: 2, headSeq: 2 }),
	},
	{
		operation: 'metrics',
		bad: 'From after To',
		params: { from: '={{ $json.from }}', to: '={{ $json.to }}' },
		items: async () => [
			{ from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' },
			{ from: '2999-01-01T00:00:00Z', to: '2000-01-01T00:00:00Z' },
			{ from: '', to: '' },
		],
		message: /From \(2999-01-01T00:00:00Z\) is after To \(2000-01-01T00:00:00Z\)/,
		description: /From before To/,
		good: (json) => expect(json).toMatchObject({ chain: 'default', periodUnit: 'week' }),
	},
];

describe.each(cases)('$operation, item 1 with $bad', (c) => {
	test.each([
		['onError: continueRegularOutput', { onError: 'continueRegularOutput' as const }],
		['the legacy continueOnFail flag', { continueOnFail: true }],
	])('with Continue On Fail (%s): item 1 goes out as its error, items 0 and 2 are handled', async (_how, setting) => {
		const result = await runWorkflow({ workflow: workflow(c.operation, c.params, setting), items: await c.items(), credentials: cred() });
		expect(result.status).toBe('success');
		const out = result.outputs(NODE)[0];
		const paired = out.map((item) => (item.pairedItem as { item: number }).item);
		expect(paired).toEqual([...paired].sort((a, b) => a - b)); // in item order
		expect([...new Set(paired)]).toEqual([0, 1, 2]);
		const failed = out.filter((item) => item.json.error !== undefined);
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(failed[0].json.error).toMatch(c.message);
		expect(failed[0].json.description).toMatch(c.description);
		for (const item of out) if (item !== failed[0]) c.good(item.json);
		expect(result.ran('After')).toBe(true);
	});

	test('without Continue On Fail: the run fails with item 1 named', async () => {
		const result = await runWorkflow({ workflow: workflow(c.operation, c.params), items: await c.items(), credentials: cred() });
		expect(result.status).toBe('error');
		const error = result.error as unknown as { name: string; message: string; description?: string; context?: { itemIndex?: number } };
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(c.message);
		expect(error.description).toMatch(c.description);
		expect(error.context?.itemIndex).toBe(1);
		expect(result.ran('After')).toBe(false);
	});
});

test('Export: a format that is neither JSON Lines nor CSV is that item’s error', async () => {
	const params = { format: '={{ $json.format }}', exportOptions: { attachCheckpoint: false } };
	const items = [{ format: 'csv' }, { format: 'xml' }];
	const result = await runWorkflow({ workflow: workflow('export', params, { onError: 'continueRegularOutput' }), items, credentials: cred() });
	const [csv, xml] = result.outputs(NODE)[0];
	expect(csv).toMatchObject({ json: { format: 'csv', records: 2 }, pairedItem: { item: 0 } });
	expect(xml).toMatchObject({ json: { error: expect.stringMatching(/"xml" is not jsonl or csv/) }, pairedItem: { item: 1 } });
});

test('Verify: with Continue On Fail, a failed verification is the item’s error, never a pass-through of the input', async () => {
	await distStore.closeAllReviewStores();
	const file = path.join(dir, 'default.jsonl');
	writeFileSync(file, readFileSync(file, 'utf8').replace('"seed"', '"seeD"'));
	const result = await runWorkflow({ workflow: workflow('verify', {}, { onError: 'continueRegularOutput' }), items: [{ mine: true }], credentials: cred() });
	expect(result.status).toBe('success');
	expect(result.outputs(NODE)[0]).toEqual([
		{
			json: { error: expect.stringMatching(/verification failed at seq 1: hash_mismatch/), description: expect.stringMatching(/Keep the file as evidence/) },
			pairedItem: { item: 0 },
		},
	]);
});
