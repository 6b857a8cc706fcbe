/**
 * Blast Radius Router inside a real n8n 2.41 server, installed the way users install it
 * (`n8n-nodes-hitl.blastRadiusRouter`). Workflows from test/server/fixtures: Webhook → Split Out →
 * Router → one NoOp per output. Items are posted to the production webhook and every check reads
 * n8n's own execution history through its REST API.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { readConnectionInfo } from '../harness/connectionInfo';
import {
	N8nClient,
	nodeOutput,
	nodeOutputs,
	nodeRan,
	uniqueSuffix,
	type ExecutionDetail,
	type OutputItem,
	type WorkflowJson,
} from '../harness/n8nClient';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);

const ROUTER = 'Blast Radius Router';
const OUTPUT_NODES = ['High', 'Medium', 'Low Sampled', 'Low'] as const;
const SEED = 'server-suite-seed';
const RATE = 50;

interface Reason {
	label: string;
	tier: string;
	source: string;
	error?: string;
}
interface Annotation {
	tier: string;
	reasons: Reason[];
	sampled: boolean;
	sampling: { rate: number; seed: string; key: string | null; value: number | null } | null;
	routerVersion: string;
	evaluatedAt: string;
}

/**
 * The auditor's recomputation, written here from the documented rule rather than imported from
 * the package: HMAC-SHA256 keyed by the seed over the key; the first 6 bytes / 2^48 is a uniform
 * number in [0, 1); sampled when it × 100 < rate.
 */
function auditorSampleValue(seed: string, key: string): number {
	return createHmac('sha256', seed).update(key).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** The first key `low-<n>` whose sampling decision is `sampled`. */
function keyWithDecision(sampled: boolean): string {
	for (let n = 0; ; n++) {
		const key = `low-${n}`;
		if (auditorSampleValue(SEED, key) * 100 < RATE === sampled) return key;
	}
}

function loadFixture(webhookPath: string): WorkflowJson {
	const text = readFileSync(path.join(__dirname, 'fixtures', 'router.workflow.json'), 'utf8');
	const workflow = JSON.parse(text.replace('__WEBHOOK_PATH__', webhookPath)) as WorkflowJson;
	workflow.name = `${workflow.name} ${webhookPath}`;
	return workflow;
}

/** Where each item (by its `id`) came out: the NoOp that received it, with its annotation. */
function routedItems(execution: ExecutionDetail, nodes: readonly string[]): Map<string, { node: string; item: OutputItem }[]> {
	const found = new Map<string, { node: string; item: OutputItem }[]>();
	for (const node of nodes) {
		for (const item of nodeOutput(execution, node)) {
			const id = String(item.json.id);
			found.set(id, [...(found.get(id) ?? []), { node, item }]);
		}
	}
	return found;
}

const SAMPLED_KEY = keyWithDecision(true);
const UNSAMPLED_KEY = keyWithDecision(false);

/** The cases posted in one webhook call; `expect` is the NoOp each must reach. */
const CASES = [
	{ body: { id: 'big-payment', amount: 5000, kind: 'routine' }, expect: 'High', labels: ['Large payment', 'Routine update'] },
	{ body: { id: 'stage-change', stage: 'review', kind: 'routine' }, expect: 'Medium', labels: ['Stage change', 'Routine update'] },
	{ body: { id: SAMPLED_KEY, kind: 'Routine', amount: 10 }, expect: 'Low Sampled', labels: ['Routine update'] },
	{ body: { id: UNSAMPLED_KEY, kind: 'routine' }, expect: 'Low', labels: ['Routine update'] },
	{ body: { id: 'to-candidate', audience: 'Candidate', kind: 'routine' }, expect: 'High', labels: ['Goes to a candidate', 'Routine update'] },
	{ body: { id: 'no-rule-matches', kind: 'something else' }, expect: 'High', labels: [] },
	{ body: { id: 'amount-not-a-number', amount: 'lots', kind: 'routine' }, expect: 'High', labels: [] },
	{ body: { id: 'expression-throws', explode: true, kind: 'routine' }, expect: 'High', labels: [] },
] as const;

describe('Blast Radius Router on a real n8n server', () => {
	let execution: ExecutionDetail;
	let routed: Map<string, { node: string; item: OutputItem }[]>;
	let postedAt: number;

	beforeAll(async () => {
		const workflow = await n8n.deployWorkflow(loadFixture(`router-${uniqueSuffix()}`));
		postedAt = Date.now();
		const webhookPath = String(workflow.nodes.find((node) => node.name === 'Webhook')?.parameters.path);
		const response = await n8n.callWebhook(webhookPath, { body: { items: CASES.map((c) => c.body) } });
		expect(response.status).toBe(200);
		[execution] = await n8n.waitForExecutions(workflow.id, { count: 1 });
		routed = routedItems(execution, OUTPUT_NODES);
		await n8n.deactivateWorkflow(workflow.id);
	});

	it('runs the package node under its package name and finishes successfully', () => {
		expect(info.n8n.nodeTypes).toContain('n8n-nodes-hitl.blastRadiusRouter');
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('webhook');
		for (const node of ['Webhook', 'Split Items', ROUTER, ...OUTPUT_NODES]) expect(nodeRan(execution, node)).toBe(true);
	});

	it('sends every item through exactly one output, the one its rules call for', () => {
		const summary = Object.fromEntries([...routed].map(([id, hits]) => [id, hits.map((hit) => hit.node)]));
		expect(summary).toEqual(Object.fromEntries(CASES.map((c) => [c.body.id, [c.expect]])));
		// The router's own output lists agree with what the NoOps received, in the fixed order.
		const outputs = nodeOutputs(execution, ROUTER);
		expect(outputs).toHaveLength(4);
		OUTPUT_NODES.forEach((node, index) => {
			expect(outputs[index].map((item) => item.json.id)).toEqual(nodeOutput(execution, node).map((item) => item.json.id));
		});
	});

	it('keeps item lineage: each routed item is paired with its input item', () => {
		for (const [index, c] of CASES.entries()) {
			const [{ item }] = routed.get(c.body.id) ?? [];
			const routerItem = nodeOutputs(execution, ROUTER)
				.flat()
				.find((candidate) => candidate.json.id === c.body.id);
			expect(routerItem?.pairedItem).toEqual({ item: index });
			// The original fields pass through untouched next to the annotation.
			for (const [key, value] of Object.entries(c.body)) expect(item.json[key]).toEqual(value);
		}
	});

	it('annotates every item: tier, every matching rule as a reason, router version and time', () => {
		for (const c of CASES) {
			const [{ item, node }] = routed.get(c.body.id) ?? [];
			const annotation = item.json.blastRadius as Annotation;
			const tier = node === 'Low Sampled' ? 'low' : node.toLowerCase();
			expect(annotation.tier).toBe(tier);
			expect(annotation.routerVersion).toMatch(/\S/);
			const evaluatedAt = Date.parse(annotation.evaluatedAt);
			expect(evaluatedAt).toBeGreaterThanOrEqual(postedAt - 5_000);
			expect(evaluatedAt).toBeLessThanOrEqual(Date.now());
			if (c.labels.length > 0) {
				expect(annotation.reasons.map((reason) => reason.label).sort()).toEqual([...c.labels].sort());
			}
		}
		// A higher rule wins over a lower one that also matched, never the reverse.
		const big = routed.get('big-payment')?.[0].item.json.blastRadius as Annotation;
		expect(big.reasons.map((reason) => reason.tier).sort()).toEqual(['high', 'low']);
	});

	it('samples Low items deterministically, recording what an auditor needs to recompute it', () => {
		for (const [key, node, sampled] of [
			[SAMPLED_KEY, 'Low Sampled', true],
			[UNSAMPLED_KEY, 'Low', false],
		] as const) {
			const [{ item }] = routed.get(key) ?? [];
			expect(routed.get(key)?.[0].node).toBe(node);
			const annotation = item.json.blastRadius as Annotation;
			expect(annotation.sampled).toBe(sampled);
			expect(annotation.sampling).toEqual({ rate: RATE, seed: SEED, key, value: auditorSampleValue(SEED, key) });
		}
		// Items that are not Low are not sampled and carry no sampling record.
		for (const id of ['big-payment', 'stage-change', 'no-rule-matches']) {
			const annotation = routed.get(id)?.[0].item.json.blastRadius as Annotation;
			expect(annotation.sampled).toBe(false);
			expect(annotation.sampling).toBeNull();
		}
	});

	it('routes items no rule matches to the fallback tier (High), saying so', () => {
		const annotation = routed.get('no-rule-matches')?.[0].item.json.blastRadius as Annotation;
		expect(annotation.tier).toBe('high');
		expect(annotation.reasons).toEqual([expect.objectContaining({ source: 'fallback', tier: 'high' })]);
	});

	it('fails closed: a rule that throws on an item sends it to High with the error as reason', () => {
		const wrongType = routed.get('amount-not-a-number')?.[0].item.json.blastRadius as Annotation;
		const wrongTypeError = wrongType.reasons.find((reason) => reason.source === 'error');
		expect(wrongTypeError).toEqual(expect.objectContaining({ tier: 'high', label: 'Large payment' }));
		expect(wrongTypeError?.error).toMatch(/not a number/i);

		const thrown = routed.get('expression-throws')?.[0].item.json.blastRadius as Annotation;
		const thrownError = thrown.reasons.find((reason) => reason.source === 'error');
		expect(thrownError).toEqual(expect.objectContaining({ tier: 'high', label: 'Exploding expression' }));
		expect(thrownError?.error).toMatch(/deep|undefined/i);
		// Fail-closed items never reach a Low output.
		for (const id of ['amount-not-a-number', 'expression-throws']) {
			expect(routed.get(id)?.map((hit) => hit.node)).toEqual(['High']);
		}
	});
});

describe('Blast Radius Router with the error output enabled', () => {
	it('sends items whose rules throw to the error output, and only those', async () => {
		const workflow = loadFixture(`router-errors-${uniqueSuffix()}`);
		const router = workflow.nodes.find((node) => node.name === ROUTER);
		if (!router) throw new Error('fixture has no router node');
		router.onError = 'continueErrorOutput';
		workflow.nodes.push({
			id: '0b6a4d1e-0008-4000-8000-000000000008',
			name: 'Router Errors',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [700, 600],
			parameters: {},
		});
		const routerConnections = workflow.connections[ROUTER] as { main: unknown[][] };
		routerConnections.main.push([{ node: 'Router Errors', type: 'main', index: 0 }]);

		const deployed = await n8n.deployWorkflow(workflow);
		const webhookPath = String(deployed.nodes.find((node) => node.name === 'Webhook')?.parameters.path);
		const items = [
			{ id: 'fine-high', amount: 2000, kind: 'routine' },
			{ id: 'bad-amount', amount: 'lots', kind: 'routine' },
			{ id: 'fine-low', kind: 'routine' },
			{ id: 'boom', explode: true, kind: 'routine' },
		];
		const response = await n8n.callWebhook(webhookPath, { body: { items } });
		expect(response.status).toBe(200);
		const [execution] = await n8n.waitForExecutions(deployed.id, { count: 1 });
		await n8n.deactivateWorkflow(deployed.id);

		expect(execution.status).toBe('success');
		const errors = nodeOutput(execution, 'Router Errors');
		expect(errors.map((item) => item.json.id).sort()).toEqual(['bad-amount', 'boom']);
		// Each error item keeps its fields and says which rule failed and why.
		const byId = Object.fromEntries(errors.map((item) => [String(item.json.id), item.json]));
		expect(byId['bad-amount']).toMatchObject({ amount: 'lots', kind: 'routine' });
		expect(String(byId['bad-amount'].error)).toMatch(/Large payment.*not a number/);
		expect(String(byId.boom.error)).toMatch(/Exploding expression/);
		expect(nodeOutput(execution, 'High').map((item) => item.json.id)).toEqual(['fine-high']);
		const low = [...nodeOutput(execution, 'Low'), ...nodeOutput(execution, 'Low Sampled')].map((item) => item.json.id);
		expect(low).toEqual(['fine-low']);
	});
});
