import fc from 'fast-check';
import { computeMetrics, median, percentile, periodKey, type MetricsRow } from '../../../core/metrics';
import type { ReviewRecord } from '../../../core/store/types';
import { rec } from './records';

// A hand-built log; every expected figure below was computed by hand from it (see the comments).
const LOG: ReviewRecord[] = [
	rec(1, { event: 'requested', reviewerId: 'alice', tier: 'high', executionId: 'e1', itemKey: 'k1', requestedAt: '2026-11-02T09:00:00Z' }),
	rec(2, { event: 'requested', reviewerId: 'bob', tier: 'high', executionId: 'e1', itemKey: 'k1', requestedAt: '2026-11-02T09:00:00Z' }),
	rec(3, { event: 'viewed', reviewerId: 'alice', tier: 'high', executionId: 'e1', itemKey: 'k1', viewedAt: '2026-11-02T09:10:00Z' }),
	// viewed 2 s before deciding → fast at a 5 s threshold
	rec(4, { event: 'decided', decision: 'approved', reviewerId: 'alice', tier: 'high', executionId: 'e1', itemKey: 'k1', decidedAt: '2026-11-02T09:10:02Z', queueTimeMs: 602000 }),
	rec(5, { event: 'requested', reviewerId: 'alice', tier: 'medium', executionId: 'e2', itemKey: 'k2', requestedAt: '2026-11-02T10:00:00Z' }),
	// no view known → review time falls back to the queue time (1800 s): not fast
	rec(6, { event: 'decided', decision: 'approved_with_edits', reviewerId: 'alice', tier: 'medium', executionId: 'e2', itemKey: 'k2', decidedAt: '2026-11-02T10:30:00Z', queueTimeMs: 1800000 }),
	rec(7, { event: 'requested', reviewerId: 'bob', tier: 'high', executionId: 'e3', itemKey: 'k3', requestedAt: '2026-11-10T08:00:00Z' }),
	// viewedAt on the record itself, 1 s before → fast
	rec(8, { event: 'decided', decision: 'rejected', reviewerId: 'bob', tier: 'high', executionId: 'e3', itemKey: 'k3', viewedAt: '2026-11-10T08:59:59Z', decidedAt: '2026-11-10T09:00:00Z', queueTimeMs: 3600000 }),
	rec(9, { event: 'requested', reviewerId: 'bob', tier: 'medium', executionId: 'e4', itemKey: 'k4', requestedAt: '2026-11-10T08:00:00Z' }),
	rec(10, { event: 'expired', tier: 'medium', executionId: 'e4', itemKey: 'k4', recordedAt: '2026-11-10T12:00:00Z' }),
	rec(11, { event: 'sampled', tier: 'low', itemKey: 'k5', recordedAt: '2026-11-02T11:00:00Z' }),
	rec(12, { event: 'sampled', tier: 'low', itemKey: 'k6', recordedAt: '2026-11-10T11:00:00Z' }),
	rec(13, { event: 'requested', reviewerId: 'alice', tier: 'low', executionId: 'e5', itemKey: 'k5', requestedAt: '2026-11-10T11:05:00Z' }),
	// decides the sampled k5 → k5 reviewed; k6 never decided
	rec(14, { event: 'decided', decision: 'approved', reviewerId: 'alice', tier: 'low', executionId: 'e5', itemKey: 'k5', decidedAt: '2026-11-10T11:30:00Z', queueTimeMs: 1500000 }),
	// sampled without an item key: cannot be matched → unreviewed
	rec(15, { event: 'sampled', tier: 'low', recordedAt: '2026-11-10T12:00:00Z' }),
	// no queue time, no view → neither a queue-time value nor fast
	rec(16, { event: 'decided', decision: 'approved', reviewerId: 'carol', tier: 'high', itemKey: 'k7', decidedAt: '2026-11-10T13:00:00Z' }),
];

type Expect = Omit<MetricsRow, 'dimension' | 'key'>;
function row(dimension: string, key: string, e: Expect) {
	return { dimension, key, ...e };
}
const zero: Expect = {
	requests: 0, outcomes: 0, approved: 0, approvedWithEdits: 0, rejected: 0, expired: 0,
	approvalRate: null, rejectionRate: null, editRate: null, expiryRate: null,
	queueTimeMedianMs: null, queueTimeP90Ms: null, fastDecisions: 0, fastDecisionRate: null,
	sampled: 0, sampledUnreviewed: 0, skipRate: null,
};

const W45: Expect = {
	...zero, requests: 3, outcomes: 2, approved: 2, approvedWithEdits: 1,
	approvalRate: 1, rejectionRate: 0, editRate: 0.5, expiryRate: 0,
	queueTimeMedianMs: 1201000, queueTimeP90Ms: 1800000, fastDecisions: 1, fastDecisionRate: 0.5,
	sampled: 1, sampledUnreviewed: 0, skipRate: 0,
};
const W46: Expect = {
	...zero, requests: 3, outcomes: 4, approved: 2, rejected: 1, expired: 1,
	approvalRate: 0.5, rejectionRate: 0.25, editRate: 0, expiryRate: 0.25,
	queueTimeMedianMs: 2550000, queueTimeP90Ms: 3600000, fastDecisions: 1, fastDecisionRate: 1 / 3,
	sampled: 2, sampledUnreviewed: 2, skipRate: 1,
};

describe('computeMetrics on a hand-computed log', () => {
	it('computes total, per-week, per-reviewer and per-tier figures', async () => {
		const rows = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5 });
		expect(rows).toEqual([
			row('total', 'all', {
				...zero, requests: 6, outcomes: 6, approved: 4, approvedWithEdits: 1, rejected: 1, expired: 1,
				approvalRate: 4 / 6, rejectionRate: 1 / 6, editRate: 1 / 4, expiryRate: 1 / 6,
				queueTimeMedianMs: 1650000, queueTimeP90Ms: 3600000, fastDecisions: 2, fastDecisionRate: 2 / 5,
				sampled: 3, sampledUnreviewed: 2, skipRate: 2 / 3,
			}),
			row('period', '2026-W45', W45),
			row('period', '2026-W46', W46),
			row('reviewer', '(none)', { ...zero, outcomes: 1, expired: 1, approvalRate: 0, rejectionRate: 0, expiryRate: 1, sampled: 3, sampledUnreviewed: 2, skipRate: 2 / 3 }),
			row('reviewer', 'alice', {
				...zero, requests: 3, outcomes: 3, approved: 3, approvedWithEdits: 1,
				approvalRate: 1, rejectionRate: 0, editRate: 1 / 3, expiryRate: 0,
				queueTimeMedianMs: 1500000, queueTimeP90Ms: 1800000, fastDecisions: 1, fastDecisionRate: 1 / 3,
			}),
			row('reviewer', 'bob', {
				...zero, requests: 3, outcomes: 1, rejected: 1, approvalRate: 0, rejectionRate: 1, expiryRate: 0,
				queueTimeMedianMs: 3600000, queueTimeP90Ms: 3600000, fastDecisions: 1, fastDecisionRate: 1,
			}),
			row('reviewer', 'carol', {
				...zero, outcomes: 1, approved: 1, approvalRate: 1, rejectionRate: 0, editRate: 0, expiryRate: 0, fastDecisionRate: 0,
			}),
			row('tier', 'high', {
				...zero, requests: 3, outcomes: 3, approved: 2, rejected: 1,
				approvalRate: 2 / 3, rejectionRate: 1 / 3, editRate: 0, expiryRate: 0,
				queueTimeMedianMs: 2101000, queueTimeP90Ms: 3600000, fastDecisions: 2, fastDecisionRate: 2 / 3,
			}),
			row('tier', 'medium', {
				...zero, requests: 2, outcomes: 2, approved: 1, approvedWithEdits: 1, expired: 1,
				approvalRate: 0.5, rejectionRate: 0, editRate: 1, expiryRate: 0.5,
				queueTimeMedianMs: 1800000, queueTimeP90Ms: 1800000, fastDecisions: 0, fastDecisionRate: 0,
			}),
			row('tier', 'low', {
				...zero, requests: 1, outcomes: 1, approved: 1, approvalRate: 1, rejectionRate: 0, editRate: 0, expiryRate: 0,
				queueTimeMedianMs: 1500000, queueTimeP90Ms: 1500000, fastDecisionRate: 0,
				sampled: 3, sampledUnreviewed: 2, skipRate: 2 / 3,
			}),
		]);
	});

	it('restricts counting to the time range but still lets later decisions resolve samples', async () => {
		const rows = await computeMetrics(LOG, {
			period: 'week', fastThresholdSeconds: 5, from: '2026-11-09T00:00:00Z', dimensions: ['period'],
		});
		expect(rows).toEqual([row('total', 'all', W46), row('period', '2026-W46', W46)]);
		const early = await computeMetrics(LOG, {
			period: 'week', fastThresholdSeconds: 5, to: '2026-11-03T00:00:00Z', dimensions: [],
		});
		// k5 was sampled in W45 and decided in W46 (outside the range): still reviewed.
		expect(early).toEqual([row('total', 'all', W45)]);
	});

	it('uses the threshold: at 0 s nothing is fast, at 2 h every timed decision is', async () => {
		const none = await computeMetrics(LOG, { period: 'day', fastThresholdSeconds: 0, dimensions: [] });
		expect(none[0].fastDecisions).toBe(0);
		const all = await computeMetrics(LOG, { period: 'day', fastThresholdSeconds: 7200, dimensions: [] });
		expect(all[0].fastDecisions).toBe(4); // carol's decision has neither a view nor a queue time
	});

	it('groups by day and month', async () => {
		const days = await computeMetrics(LOG, { period: 'day', fastThresholdSeconds: 5, dimensions: ['period'] });
		expect(days.map((r) => r.key)).toEqual(['all', '2026-11-02', '2026-11-10']);
		const months = await computeMetrics(LOG, { period: 'month', fastThresholdSeconds: 5, dimensions: ['period'] });
		expect(months.map((r) => [r.key, r.requests])).toEqual([['all', 6], ['2026-11', 6]]);
	});

	it('does not count a decision made before the sample as a review of it', async () => {
		const rows = await computeMetrics(
			[
				rec(1, { event: 'decided', decision: 'approved', itemKey: 'x', decidedAt: '2026-11-01T00:00:00Z' }),
				rec(2, { event: 'sampled', tier: 'low', itemKey: 'x', recordedAt: '2026-11-02T00:00:00Z' }),
			],
			{ period: 'day', fastThresholdSeconds: 5, dimensions: [] },
		);
		expect(rows[0]).toMatchObject({ sampled: 1, sampledUnreviewed: 1, skipRate: 1 });
	});

	it('streams from an async iterable', async () => {
		async function* gen() {
			for (const r of LOG) yield r;
		}
		const a = await computeMetrics(gen(), { period: 'week', fastThresholdSeconds: 5 });
		const b = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5 });
		expect(a).toEqual(b);
	});

	it('rejects bad bounds and thresholds with a clear message', async () => {
		await expect(computeMetrics(LOG, { period: 'day', fastThresholdSeconds: 5, from: 'yesterday' })).rejects.toThrow(
			/From "yesterday" is not a valid date/,
		);
		await expect(
			computeMetrics(LOG, { period: 'day', fastThresholdSeconds: 5, from: '2026-12-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }),
		).rejects.toThrow(/is after To/);
		await expect(computeMetrics(LOG, { period: 'day', fastThresholdSeconds: -1 })).rejects.toThrow(/≥ 0/);
	});

	it('outcome rates always sum to 1 and counts add up (property)', async () => {
		const ev = fc.constantFrom('approved', 'rejected', 'approved_with_edits', 'expired', 'requested', 'sampled');
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(ev, fc.constantFrom('a', 'b', null), fc.nat(10)), { maxLength: 60 }), async (spec) => {
				const log = spec.map(([e, reviewer, key], i) =>
					e === 'requested' || e === 'expired' || e === 'sampled'
						? rec(i + 1, { event: e, reviewerId: reviewer, itemKey: `k${key}` })
						: rec(i + 1, { event: 'decided', decision: e, reviewerId: reviewer, itemKey: `k${key}`, queueTimeMs: key * 1000 }),
				);
				const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5 });
				for (const r of rows) {
					expect(r.outcomes).toBe(r.approved + r.rejected + r.expired);
					if (r.outcomes > 0) expect(r.approvalRate! + r.rejectionRate! + r.expiryRate!).toBeCloseTo(1, 10);
					expect(r.sampledUnreviewed).toBeLessThanOrEqual(r.sampled);
				}
				const reviewerRows = rows.filter((r) => r.dimension === 'reviewer');
				expect(reviewerRows.reduce((s, r) => s + r.outcomes, 0)).toBe(rows[0].outcomes);
			}),
		);
	});
});

describe('metrics helpers', () => {
	it('median and nearest-rank p90', () => {
		expect(median([])).toBeNull();
		expect(median([5])).toBe(5);
		expect(median([1, 2, 3, 10])).toBe(2.5);
		expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
		expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
		expect(percentile([7], 90)).toBe(7);
		expect(percentile([], 90)).toBeNull();
	});

	it('ISO week keys, including year edges', () => {
		expect(periodKey(Date.parse('2026-11-02T00:00:00Z'), 'week')).toBe('2026-W45');
		expect(periodKey(Date.parse('2026-11-25T12:00:00Z'), 'week')).toBe('2026-W48');
		expect(periodKey(Date.parse('2027-01-01T00:00:00Z'), 'week')).toBe('2026-W53');
		expect(periodKey(Date.parse('2024-12-30T00:00:00Z'), 'week')).toBe('2025-W01');
		expect(periodKey(Date.parse('2021-01-03T23:59:59Z'), 'week')).toBe('2020-W53');
		expect(periodKey(Date.parse('2026-03-09T00:00:00Z'), 'month')).toBe('2026-03');
	});
});

describe('one outcome per request (the gate logs it, and an Append after the gate logs it again)', () => {
	const gate = (seq: number, over: Parameters<typeof rec>[1]) => rec(seq, { executionId: 'e9', reviewerId: 'alice', tier: 'high', ...over });
	const log = [
		gate(1, { event: 'requested', itemKey: 'req-A', requestedAt: '2026-11-02T09:00:00Z' }),
		gate(2, { event: 'viewed', itemKey: 'req-A', viewedAt: '2026-11-02T09:00:01Z' }),
		// the gate's own decided record: item key = request id
		gate(3, { event: 'decided', decision: 'approved', itemKey: 'req-A', decidedAt: '2026-11-02T09:00:03Z', queueTimeMs: 3000 }),
		// Review Log Append after the gate: business item key, request id in details
		gate(4, { event: 'decided', decision: 'approved', itemKey: 'cand-1', details: { requestId: 'req-A' }, decidedAt: '2026-11-02T09:00:03Z', queueTimeMs: 3000 }),
		gate(5, { event: 'expired', itemKey: 'req-B', recordedAt: '2026-11-02T10:00:00Z' }),
		gate(6, { event: 'expired', itemKey: 'cand-2', details: { requestId: 'req-B' }, recordedAt: '2026-11-02T10:00:01Z' }),
		// same request id in another execution is another request
		rec(7, { event: 'decided', decision: 'rejected', executionId: 'e10', itemKey: 'req-A', reviewerId: 'bob', decidedAt: '2026-11-02T11:00:00Z', queueTimeMs: 5000 }),
	];

	it('counts each request once, the first record in the log', async () => {
		const [total] = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, dimensions: [] });
		expect(total).toMatchObject({
			requests: 1, outcomes: 3, approved: 1, rejected: 1, expired: 1,
			// [3000, 5000]: without de-duplication it would be [3000, 3000, 5000] and the median 3000
			queueTimeMedianMs: 4000, queueTimeP90Ms: 5000, fastDecisions: 1, fastDecisionRate: 0.5,
		});
	});

	it('the duplicate still resolves a sample of its business item key', async () => {
		const rows = await computeMetrics(
			[rec(0, { event: 'sampled', tier: 'low', itemKey: 'cand-1', recordedAt: '2026-11-02T08:00:00Z' }), ...log],
			{ period: 'day', fastThresholdSeconds: 5, dimensions: [] },
		);
		expect(rows[0]).toMatchObject({ sampled: 1, sampledUnreviewed: 0, outcomes: 3 });
	});
});
