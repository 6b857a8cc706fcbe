import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { compileRouter, recomputeSample, samplingValue } from '../../../core/router';

const lowRouter = (rate: number, seed = 'audit-seed-2026') => compileRouter({ fallbackTier: 'low', sampling: { rate, seed } });

describe('deterministic sampling', () => {
	test('the value is HMAC-SHA256(seed, key), first 48 bits / 2^48 (recomputable by hand)', () => {
		const mac = createHmac('sha256', 'audit-seed-2026').update('cand-42').digest('hex');
		expect(samplingValue('audit-seed-2026', 'cand-42')).toBe(parseInt(mac.slice(0, 12), 16) / 2 ** 48);
	});
	test('same seed and key → same decision on every run; the annotation lets an auditor recompute it', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), fc.string({ minLength: 1 }).filter((k) => k.trim() !== ''), fc.double({ min: 0.01, max: 99.99, noNaN: true }), (seed, key, rate) => {
				const r1 = compileRouter({ fallbackTier: 'low', sampling: { rate, seed } }).route({}, { samplingKey: () => key });
				const r2 = compileRouter({ fallbackTier: 'low', sampling: { rate, seed } }).route({}, { samplingKey: () => key });
				expect(r1.annotation.sampled).toBe(r2.annotation.sampled);
				const s = r1.annotation.sampling!;
				const again = recomputeSample(s.seed, s.key!, s.rate);
				expect(again.sampled).toBe(r1.annotation.sampled);
				expect(again.value).toBe(s.value);
				expect(r1.output).toBe(again.sampled ? 'lowSampled' : 'low');
			}),
		);
	});
	test('a different seed gives a different (independent) selection', () => {
		const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
		const a = keys.map((k) => recomputeSample('seed-a', k, 50).sampled);
		const b = keys.map((k) => recomputeSample('seed-b', k, 50).sampled);
		const same = a.filter((x, i) => x === b[i]).length;
		// Independent 50% draws agree about half the time: 1000 ± 5σ (σ ≈ 22.4).
		expect(same).toBeGreaterThan(1000 - 112);
		expect(same).toBeLessThan(1000 + 112);
	});
	test('number keys hash as their text', () => {
		expect(recomputeSample('s', '42', 50)).toEqual(recomputeSample('s', String(42), 50));
		const r = lowRouter(50).route({}, { samplingKey: () => 42 });
		expect(r.annotation.sampling!.key).toBe('42');
	});
});

describe('sampling rate', () => {
	test.each([1, 20, 50, 90])('%s%% of 10,000 keys are sampled, within a binomial 5-sigma band', (rate) => {
		const router = lowRouter(rate);
		const n = 10_000;
		let sampled = 0;
		for (let i = 0; i < n; i++) {
			if (router.route({}, { samplingKey: () => `candidate-${i}` }).output === 'lowSampled') sampled++;
		}
		const p = rate / 100;
		const sigma = Math.sqrt(n * p * (1 - p));
		expect(Math.abs(sampled - n * p)).toBeLessThan(5 * sigma);
	});
	test('rate 0 never samples and needs no key; rate 100 always samples', () => {
		const zero = compileRouter({ fallbackTier: 'low', sampling: { rate: 0, seed: '' } });
		expect(zero.needsSamplingKey).toBe(false);
		expect(zero.route({}).output).toBe('low');
		expect(compileRouter({ fallbackTier: 'low', sampling: { rate: 100, seed: '' } }).route({}).output).toBe('lowSampled');
	});
	test('invalid rate or empty seed is refused when compiling', () => {
		expect(() => lowRouter(101)).toThrow(/0 to 100/);
		expect(() => lowRouter(-1)).toThrow(/0 to 100/);
		expect(() => lowRouter(Number.NaN)).toThrow(/0 to 100/);
		expect(() => lowRouter(10, ' ')).toThrow(/Sampling seed is empty/);
	});
	test('only Low items are sampled; others carry sampled=false and no sampling record', () => {
		const r = compileRouter({ fallbackTier: 'medium', sampling: { rate: 100, seed: 's' } }).route({});
		expect(r.annotation).toMatchObject({ tier: 'medium', sampled: false, sampling: null });
	});
});

describe('sampling key failures fail closed', () => {
	test.each([
		['missing', () => undefined, /missing or not text/],
		['empty', () => '  ', /empty/],
		['object', () => ({ id: 1 }), /not text\/number/],
		['throws', () => {
			throw new Error('expression broke');
		}, /expression broke/],
	])('%s key → High with the reason', (_name, key, message) => {
		const r = lowRouter(30).route({}, { samplingKey: key });
		expect(r.output).toBe('high');
		expect(r.annotation.sampled).toBe(false);
		expect(r.annotation.reasons.at(-1)).toMatchObject({ label: 'Sampling', source: 'error', tier: 'high' });
		expect(r.annotation.reasons.at(-1)!.error).toMatch(message);
	});
	test('no key function at all → High', () => {
		expect(lowRouter(30).route({}).output).toBe('high');
	});
});
