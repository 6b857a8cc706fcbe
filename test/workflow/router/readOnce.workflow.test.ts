import type { IExecuteFunctions, INodeType } from 'n8n-workflow';

import { loadFixture, loadPackageNodeTypes, runWorkflow } from '../harness';

const ROUTER = 'Blast Radius Router';

/** The built router, with getNodeParameter calls counted (the execution context itself is n8n's). */
function countingRouter(counter: { calls: string[] }): INodeType {
	const built = loadPackageNodeTypes()['n8n-nodes-hitl.blastRadiusRouter'] as INodeType;
	return {
		description: built.description,
		async execute(this: IExecuteFunctions) {
			const spy = new Proxy(this, {
				get(target, prop, receiver) {
					if (prop === 'getNodeParameter') {
						return (...args: Parameters<IExecuteFunctions['getNodeParameter']>) => {
							counter.calls.push(String(args[0]));
							return (target.getNodeParameter as (...a: unknown[]) => unknown).apply(target, args);
						};
					}
					const value = Reflect.get(target, prop, receiver);
					return typeof value === 'function' ? value.bind(target) : value;
				},
			});
			return await built.execute!.call(spy);
		},
	};
}

async function callsFor(fixture: string, n: number, edit?: (p: Record<string, unknown>) => void) {
	const counter = { calls: [] as string[] };
	const wf = loadFixture(fixture);
	const node = wf.nodes.find((x) => x.name === ROUTER)!;
	node.type = 'test.countingRouter';
	edit?.(node.parameters as Record<string, unknown>);
	const items = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, amount: i * 1000, kind: 'internal-note', channel: 'email', confidence: 0.9 }));
	const result = await runWorkflow({ workflow: wf, items, nodeTypes: { 'test.countingRouter': countingRouter(counter) } });
	expect(result.status).toBe('success');
	expect(result.outputs(ROUTER).reduce((s, o) => s + o.length, 0)).toBe(n);
	return counter.calls;
}

describe('settings are read once per run; only item-dependent expressions per item', () => {
	const nativeOnly = (p: Record<string, unknown>) => {
		const rules = (p.rules as { rule: Array<Record<string, unknown>> }).rule;
		rules.splice(3, 1); // drop the boolean-expression rule
		p.samplingKey = '={{ $json.id }}'; // recognised as a plain field reference
	};

	test('native rules: the number of parameter reads does not grow with the items', async () => {
		const few = await callsFor('router/every-output.json', 10, nativeOnly);
		const many = await callsFor('router/every-output.json', 500, nativeOnly);
		expect(many.length).toBe(few.length);
		expect(few.length).toBeLessThan(60);
	});

	test('a boolean-expression rule is evaluated once per item, nothing else is', async () => {
		const calls = await callsFor('router/every-output.json', 200);
		const perItem = calls.filter((c) => c === 'rules.rule[3].expression');
		expect(perItem).toHaveLength(200);
		const baseline = await callsFor('router/every-output.json', 10);
		expect(calls.length - perItem.length).toBe(baseline.length - 10);
	});
});
