// Tests added from mutation testing (docs/mutation-testing.md) for core/router/router.ts: configuration
// that must be refused at compile time, and the fail-closed merge — only Low items are sampled, and a
// sampling key that is missing or throws sends the item to High.
import { compileRouter, type RuleSpec } from '../../../core/router';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../../../core/router/inputGuard';
import type { Tier } from '../../../core/tiers';

const numberRule = (tier: Tier, label?: string): RuleSpec => ({
	condition: { kind: 'field', left: { path: 'a.b' }, type: 'number', operation: 'gte', value: 3 },
	tier,
	...(label === undefined ? {} : { label }),
});

describe('router configuration', () => {
	test('every input limit must be a positive whole number', () => {
		for (const key of Object.keys(DEFAULT_INPUT_LIMITS) as Array<keyof InputLimits>) {
			for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '5', null]) {
				expect(() => compileRouter({ limits: { [key]: bad } as unknown as Partial<InputLimits> })).toThrow(
					new RangeError(`Input limit ${key} must be a positive whole number`),
				);
			}
			expect(() => compileRouter({ limits: { [key]: 1 } })).not.toThrow();
		}
	});

	test('no sampling by default; a seed is needed only when some Low items are sampled', () => {
		const plain = compileRouter({});
		expect(plain.sampling).toEqual({ rate: 0, seed: '' });
		expect(plain.needsSamplingKey).toBe(false);
		expect(plain.fallbackTier).toBe('high');
		const all = compileRouter({ fallbackTier: 'low', sampling: { rate: 100 } as { rate: number; seed: string } });
		expect(all.sampling).toEqual({ rate: 100, seed: '' });
		expect(all.route({}).annotation).toMatchObject({ sampled: true, sampling: { rate: 100, seed: '', key: null, value: null } });
		for (const seed of [undefined, '', '   ']) {
			expect(() => compileRouter({ sampling: { rate: 50, seed } as { rate: number; seed: string } })).toThrow(
				'Sampling seed is empty: set a seed (any text you keep) or set the rate to 0 or 100',
			);
		}
		expect(compileRouter({ sampling: { rate: 50, seed: 's' } }).needsSamplingKey).toBe(true);
	});

	test('rule labels are trimmed; a blank label falls back to the condition text', () => {
		const router = compileRouter({ rules: [numberRule('medium', '  Big refund  '), numberRule('high', '   '), numberRule('low')] });
		expect(router.rules.map((r) => [r.id, r.label, r.tier, r.source])).toEqual([
			['rule 1', 'Big refund', 'medium', 'rule'],
			['rule 2', 'a.b ≥ 3', 'high', 'rule'],
			['rule 3', 'a.b ≥ 3', 'low', 'rule'],
		]);
		expect(router.route({ a: { b: 3 } }).annotation.reasons.map((r) => r.label)).toEqual(['Big refund', 'a.b ≥ 3', 'a.b ≥ 3']);
	});
});

describe('fail-closed merge and sampling', () => {
	test('only Low items are sampled: a Medium or High item is never marked sampled', () => {
		for (const tier of ['medium', 'high'] as const) {
			const r = compileRouter({ rules: [numberRule(tier)], fallbackTier: 'low', sampling: { rate: 100, seed: 's' } }).route({ a: { b: 5 } });
			expect(r.output).toBe(tier);
			expect(r.annotation).toMatchObject({ tier, sampled: false, sampling: null });
			expect(r.errors).toEqual([]);
		}
	});

	test('the sampling key is asked for only for Low items', () => {
		const samplingKey = jest.fn(() => 'key-1');
		const router = compileRouter({ rules: [numberRule('high')], fallbackTier: 'low', sampling: { rate: 50, seed: 's' } });
		const high = router.route({ a: { b: 5 } }, { samplingKey });
		expect(high.annotation).toMatchObject({ tier: 'high', sampled: false, sampling: null });
		expect(samplingKey).not.toHaveBeenCalled();
		const low = router.route({ a: { b: 1 } }, { samplingKey });
		expect(samplingKey).toHaveBeenCalledTimes(1);
		expect(low.annotation.sampling).toMatchObject({ rate: 50, seed: 's', key: 'key-1' });
		expect(['low', 'lowSampled']).toContain(low.output);
	});

	test('a Low item without a sampling key goes to High, saying why', () => {
		const r = compileRouter({ fallbackTier: 'low', sampling: { rate: 50, seed: 's' } }).route({});
		expect(r.output).toBe('high');
		expect(r.errors).toEqual([{ label: 'Sampling', tier: 'high', source: 'error', error: 'No sampling key was supplied' }]);
		expect(r.annotation).toMatchObject({ tier: 'high', sampled: false, sampling: null });
		expect(r.annotation.reasons).toEqual([{ label: 'No rule matched', tier: 'low', source: 'fallback' }, ...r.errors]);
	});

	test('a sampling key that throws sends the item to High with the error', () => {
		const r = compileRouter({ fallbackTier: 'low', sampling: { rate: 50, seed: 's' } }).route(
			{},
			{
				samplingKey: () => {
					throw new Error('no id on this item');
				},
			},
		);
		expect(r.output).toBe('high');
		expect(r.errors).toEqual([{ label: 'Sampling', tier: 'high', source: 'error', error: 'no id on this item' }]);
		expect(r.annotation).toMatchObject({ sampled: false, sampling: null });
	});

	test('bad input is High without a fallback reason, whatever the fallback', () => {
		const r = compileRouter({ fallbackTier: 'low', sampling: { rate: 100, seed: 's' } }).route([1, 2]);
		expect(r.output).toBe('high');
		expect(r.annotation.reasons).toEqual(r.errors);
		expect(r.errors).toEqual([{ label: 'Bad input', tier: 'high', source: 'error', error: expect.stringMatching(/^item has no JSON object/) }]);
		expect(r.annotation).toMatchObject({ sampled: false, sampling: null });
	});
});
