import { recomputeSample } from '../../../core/router';
import { loadFixture, runWorkflow, type WorkflowRunResult } from '../harness';

const ROUTER = 'Blast Radius Router';
const OUT = { high: 0, medium: 1, lowSampled: 2, low: 3, error: 4 } as const;
const SEED = 'wf-test-seed';

/** Finds ids whose deterministic sampling decision at 50% is `sampled`. */
function idWith(sampled: boolean, prefix: string): string {
	for (let i = 0; ; i++) if (recomputeSample(SEED, `${prefix}${i}`, 50).sampled === sampled) return `${prefix}${i}`;
}

function ids(result: WorkflowRunResult, output: number): string[] {
	return result.json(ROUTER, output).map((j) => String(j.id));
}

function expectPaired(result: WorkflowRunResult, inputIds: string[]) {
	for (const items of result.outputs(ROUTER)) {
		for (const item of items) {
			expect(item.pairedItem).toEqual({ item: expect.any(Number) });
			const index = (item.pairedItem as { item: number }).item;
			if (item.json.id !== undefined) expect(item.json.id).toBe(inputIds[index]);
		}
	}
}

describe('Blast Radius Router in real n8n execution', () => {
	const sampledId = idWith(true, 'note-');
	const unsampledId = idWith(false, 'note-');
	const items = [
		{ id: 'pay-1', amount: 25000, kind: 'payment' },
		{ id: 'sms-1', kind: 'internal-note', channel: 'sms' },
		{ id: sampledId, kind: 'internal-note' },
		{ id: unsampledId, kind: 'internal-note' },
		{ id: 'unknown-1', kind: 'something else' },
		{ id: 'vip-1', kind: 'internal-note', tags: ['vip'] },
		{ id: 'conf-1', kind: 'internal-note', confidence: 0.2 },
		{ id: 'bad-1', kind: 'internal-note', amount: 'a lot' },
		{ kind: 'internal-note' },
	];
	const inputIds = items.map((i) => String(i.id));
	let result: WorkflowRunResult;

	beforeAll(async () => {
		result = await runWorkflow({ workflow: loadFixture('router/every-output.json'), items });
	});

	test('the execution succeeds and every output node runs', () => {
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		for (const n of ['On High', 'On Medium', 'On Low Sampled', 'On Low']) expect(result.ran(n)).toBe(true);
	});

	test('each item leaves through the right output', () => {
		expect(ids(result, OUT.high)).toEqual(['pay-1', 'unknown-1', 'bad-1', 'undefined']);
		expect(ids(result, OUT.medium)).toEqual(['sms-1', 'vip-1', 'conf-1']);
		expect(ids(result, OUT.lowSampled)).toEqual([sampledId]);
		expect(ids(result, OUT.low)).toEqual([unsampledId]);
		// Downstream nodes receive exactly those items.
		expect(result.json('On Low Sampled').map((j) => j.id)).toEqual([sampledId]);
	});

	test('High: matched rule is the reason', () => {
		const a = result.json(ROUTER, OUT.high)[0].blastRadius as Record<string, unknown>;
		expect(a).toMatchObject({ tier: 'high', sampled: false, sampling: null, routerVersion: '1.0.0' });
		expect(a.reasons).toEqual([{ label: 'Large payment', tier: 'high', source: 'rule', ruleId: 'rule 1' }]);
		expect(Date.parse(a.evaluatedAt as string)).not.toBeNaN();
	});

	test('Medium: every matching rule is listed, highest wins (field expression read natively)', () => {
		const [sms, vip, conf] = result.json(ROUTER, OUT.medium).map((j) => j.blastRadius as { reasons: Array<{ label: string; tier: string }> });
		expect(sms.reasons.map((r) => `${r.label}/${r.tier}`)).toEqual(['Internal note/low', 'SMS/medium']);
		expect(vip.reasons.map((r) => r.label)).toEqual(['Internal note', 'VIP customer']);
		expect(conf.reasons.map((r) => r.label)).toEqual(['Internal note', 'Model confidence below 0.5']);
	});

	test('Low sampled / not sampled: decision recorded and recomputable', () => {
		type Annotation = { sampled: boolean; sampling: { seed: string; key: string; rate: number; value: number } };
		const s = result.json(ROUTER, OUT.lowSampled)[0].blastRadius as unknown as Annotation;
		const n = result.json(ROUTER, OUT.low)[0].blastRadius as unknown as Annotation;
		expect(s).toMatchObject({ tier: 'low', sampled: true, sampling: { rate: 50, seed: SEED, key: sampledId } });
		expect(n).toMatchObject({ tier: 'low', sampled: false, sampling: { rate: 50, seed: SEED, key: unsampledId } });
		for (const a of [s, n]) {
			expect(recomputeSample(a.sampling.seed, a.sampling.key, a.sampling.rate)).toEqual({ sampled: a.sampled, value: a.sampling.value });
		}
	});

	test('fallback: no rule matched → High with a fallback reason', () => {
		const a = result.json(ROUTER, OUT.high)[1].blastRadius as Record<string, unknown>;
		expect(a.reasons).toEqual([{ label: 'No rule matched', tier: 'high', source: 'fallback' }]);
	});

	test('fail closed: a throwing rule → High with the error, never Low', () => {
		const a = result.json(ROUTER, OUT.high)[2].blastRadius as { reasons: Array<Record<string, unknown>> };
		expect(a.reasons).toContainEqual({ label: 'Large payment', tier: 'high', source: 'error', ruleId: 'rule 1', error: 'Field "amount" is not a number (got string "a lot")' });
	});

	test('fail closed: a missing sampling key on a Low item → High', () => {
		const a = result.json(ROUTER, OUT.high)[3].blastRadius as { reasons: Array<Record<string, unknown>> };
		expect(a.reasons.at(-1)).toMatchObject({ label: 'Sampling', source: 'error', tier: 'high' });
	});

	test('items keep their data; pairedItem points at the input item', () => {
		expect(result.json(ROUTER, OUT.high)[0]).toMatchObject({ id: 'pay-1', amount: 25000, kind: 'payment' });
		expectPaired(result, inputIds);
		const total = result.outputs(ROUTER).reduce((n, o) => n + o.length, 0);
		expect(total).toBe(items.length);
	});
});

describe('per-item expression errors', () => {
	test('an expression that throws on an item routes that item High with the message', async () => {
		const wf = loadFixture('router/every-output.json');
		const router = wf.nodes.find((n) => n.name === ROUTER)!;
		(router.parameters.rules as { rule: Array<Record<string, unknown>> }).rule[3].expression = '={{ $json.tags.includes("vip") }}';
		const result = await runWorkflow({ workflow: wf, items: [{ id: 'x', kind: 'internal-note', tags: ['a'] }, { id: 'y', kind: 'internal-note' }] });
		expect(result.status).toBe('success');
		const high = result.json(ROUTER, OUT.high);
		expect(high.map((j) => j.id)).toEqual(['y']);
		const reason = (high[0].blastRadius as { reasons: Array<Record<string, unknown>> }).reasons.find((r) => r.source === 'error')!;
		expect(reason.label).toBe('VIP customer');
		expect(String(reason.error)).toMatch(/includes|undefined/i);
	});
});

describe('error output (onError: continueErrorOutput)', () => {
	test('items that could not be judged go to the error output; the others route normally', async () => {
		const result = await runWorkflow({
			workflow: loadFixture('router/error-output.json'),
			items: [
				{ id: 'ok-high', amount: 50000, kind: 'payment' },
				{ id: 'broken', amount: 'n/a', kind: 'internal-note' },
				{ id: unsampled(), kind: 'internal-note', amount: 5 },
			],
		});
		expect(result.status).toBe('success');
		const outs = result.outputs(ROUTER);
		expect(outs).toHaveLength(5);
		expect(outs[OUT.high].map((i) => i.json.id)).toEqual(['ok-high']);
		expect(outs[OUT.low].map((i) => i.json.id)).toEqual([unsampled()]);
		expect(outs[OUT.error]).toHaveLength(1);
		expect(outs[OUT.error][0].pairedItem).toEqual({ item: 1 });
		expect(String(outs[OUT.error][0].json.error)).toMatch(/Could not judge item 1: Large payment: Field "amount" is not a number/);
		// n8n merges the input item back in: the error output keeps the item's data.
		expect(outs[OUT.error][0].json).toMatchObject({ id: 'broken', amount: 'n/a', kind: 'internal-note' });
		expect(result.json('On Error')[0]).toMatchObject({ id: 'broken', error: expect.stringContaining('Could not judge item 1') });
		expect(result.ran('On Error')).toBe(true);
		// Nothing that failed reached a Low output.
		expect([...outs[OUT.low], ...outs[OUT.lowSampled]].map((i) => i.json.id)).not.toContain('broken');
	});
	function unsampled() {
		return idWith(false, 'eo-');
	}
});

describe('configuration errors', () => {
	test('an empty sampling key stops the run with a NodeOperationError telling what to do', async () => {
		const result = await runWorkflow({ workflow: loadFixture('router/misconfigured.json') });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Sampling key is empty');
		expect((result.error as { description?: string }).description).toMatch(/Set Sampling Key/);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.ran('On Low')).toBe(false);
		expect(result.ran('On Low Sampled')).toBe(false);
	});
	test('with continue-on-fail, a broken configuration sends every item to High', async () => {
		const wf = loadFixture('router/misconfigured.json');
		wf.nodes.find((n) => n.name === ROUTER)!.onError = 'continueRegularOutput';
		const result = await runWorkflow({ workflow: wf });
		expect(result.status).toBe('success');
		const high = result.json(ROUTER, OUT.high);
		expect(high.map((j) => j.id)).toEqual(['p1', 'p2']);
		expect((high[0].blastRadius as { reasons: Array<Record<string, unknown>> }).reasons[0]).toMatchObject({ label: 'Router configuration', error: 'Sampling key is empty' });
		expect(result.ran('On Low')).toBe(false);
	});
	test('a per-item expression in a run-level setting is refused', async () => {
		const wf = loadFixture('router/every-output.json');
		wf.nodes.find((n) => n.name === ROUTER)!.parameters.fallbackTier = '={{ $json.tier }}';
		const result = await runWorkflow({ workflow: wf });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/"fallbackTier" uses an expression that depends on the item/);
	});
});

describe('defaults', () => {
	test('no rules: every item goes High (unknown means risky), with the default annotation field', async () => {
		const result = await runWorkflow({ workflow: loadFixture('router/defaults.json') });
		expect(result.status).toBe('success');
		expect(result.json(ROUTER, OUT.high).map((j) => j.id)).toEqual(['p1', 'p2']);
		expect(result.json(ROUTER, OUT.high)[0].blastRadius).toMatchObject({ tier: 'high', reasons: [{ source: 'fallback' }] });
		expect(result.ran('On Low')).toBe(false);
	});
	test('bad input items (__proto__ key) → High, no pollution', async () => {
		const json = JSON.parse('{"id":"evil","__proto__":{"polluted":true}}');
		const result = await runWorkflow({ workflow: loadFixture('router/every-output.json'), items: [{ json }] });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(result.status).toBe('success');
		const high = result.json(ROUTER, OUT.high);
		expect(high).toHaveLength(1);
		expect((high[0].blastRadius as { reasons: Array<Record<string, unknown>> }).reasons[0]).toMatchObject({ label: 'Bad input', error: 'item contains the forbidden key "__proto__"' });
	});
});

describe('annotation details', () => {
	test('an existing annotation on the input is replaced, and all items of a run share one evaluation time', async () => {
		const result = await runWorkflow({
			workflow: loadFixture('router/defaults.json'),
			items: [
				{ id: 'forged', blastRadius: { tier: 'low', sampled: false } },
				{ id: 'plain' },
			],
		});
		const high = result.json(ROUTER, OUT.high);
		expect(high.map((j) => j.id)).toEqual(['forged', 'plain']);
		const [a, b] = high.map((j) => j.blastRadius as { tier: string; evaluatedAt: string });
		expect(a.tier).toBe('high');
		expect(a.evaluatedAt).toBe(b.evaluatedAt);
	});
	test.each(['__proto__', 'constructor', ' '])('annotation field %j is refused with a clear error', async (field) => {
		const wf = loadFixture('router/defaults.json');
		wf.nodes.find((n) => n.name === ROUTER)!.parameters.options = { annotationField: field };
		const result = await runWorkflow({ workflow: wf });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Annotation field .* cannot be used/);
		expect(({} as Record<string, unknown>).tier).toBeUndefined();
	});
	test('a configuration error with the error output enabled sends every item to Error, none to Low', async () => {
		const wf = loadFixture('router/misconfigured.json');
		const router = wf.nodes.find((n) => n.name === ROUTER)!;
		router.onError = 'continueErrorOutput';
		const result = await runWorkflow({ workflow: wf });
		expect(result.status).toBe('success');
		const outs = result.outputs(ROUTER);
		expect(outs[OUT.error].map((i) => i.json.id)).toEqual(['p1', 'p2']);
		expect(outs[OUT.error][0].json.error).toBe('Sampling key is empty');
		expect([0, 1, 2, 3].map((o) => outs[o].length)).toEqual([0, 0, 0, 0]);
	});
});
