/**
 * Review metrics (core/metrics.ts) checked against logs whose every figure was worked out by hand:
 * the numbers a team uses to decide whether review is working must be exactly what the docblock of
 * core/metrics.ts defines — requests counted once however many reviewers got a link, unrecorded
 * expiries reconciled, duplicates of one outcome counted once.
 */
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

/** Figures added later (time on page, volume, escalation) are checked in their own test below. */
type LaterFigure = 'reviewTimeMedianMs' | 'reviewTimeP90Ms' | 'decisionsPerHour' | 'peakDecisionsPerHour' | 'escalated' | 'reminders' | 'sampledProblems' | 'problemRate';
type Expect = Omit<MetricsRow, 'dimension' | 'key' | LaterFigure>;
async function metricsOf(...args: Parameters<typeof computeMetrics>) {
	return (await computeMetrics(...args)).map(({ reviewTimeMedianMs, reviewTimeP90Ms, decisionsPerHour, peakDecisionsPerHour, escalated, reminders, sampledProblems, problemRate, ...rest }) => {
		void [reviewTimeMedianMs, reviewTimeP90Ms, decisionsPerHour, peakDecisionsPerHour, escalated, reminders, sampledProblems, problemRate];
		return rest;
	});
}
function row(dimension: string, key: string, e: Expect) {
	return { dimension, key, ...e };
}
const zero: Expect = {
	requests: 0, outcomes: 0, approved: 0, approvedWithEdits: 0, rejected: 0, expired: 0, expiredUnrecorded: 0, pending: 0,
	approvalRate: null, rejectionRate: null, editRate: null, expiryRate: null,
	queueTimeMedianMs: null, queueTimeP90Ms: null, fastDecisions: 0, fastDecisionRate: null,
	sampled: 0, sampledUnreviewed: 0, skipRate: null, tamperSuspected: 0, decisionsTooFast: 0, selfApprovalRefused: 0, bypassed: 0,
};

const W45: Expect = {
	...zero, requests: 2, outcomes: 2, approved: 2, approvedWithEdits: 1,
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
		const rows = await metricsOf(LOG, { period: 'week', fastThresholdSeconds: 5 });
		expect(rows).toEqual([
			row('total', 'all', {
				// 5 requests: k1 was sent to alice and bob (two `requested` records, one request)
				...zero, requests: 5, outcomes: 6, approved: 4, approvedWithEdits: 1, rejected: 1, expired: 1,
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
				...zero, requests: 2, outcomes: 3, approved: 2, rejected: 1,
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
		const rows = await metricsOf(LOG, {
			period: 'week', fastThresholdSeconds: 5, from: '2026-11-09T00:00:00Z', dimensions: ['period'],
		});
		expect(rows).toEqual([row('total', 'all', W46), row('period', '2026-W46', W46)]);
		const early = await metricsOf(LOG, {
			period: 'week', fastThresholdSeconds: 5, to: '2026-11-03T00:00:00Z', dimensions: [],
		});
		// k5 was sampled in W45 and decided in W46 (outside the range): still reviewed.
		expect(early).toEqual([row('total', 'all', W45)]);
	});

	it('time on page, decisions per hour and the busiest hour, per reviewer', async () => {
		// Window: the first record (2026-11-02T09:00Z) to asOf (2026-11-10T14:00Z) = 197 h.
		const rows = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5, asOf: '2026-11-10T14:00:00Z', dimensions: ['reviewer'] });
		const pick = ({ key, reviewTimeMedianMs, reviewTimeP90Ms, decisionsPerHour, peakDecisionsPerHour }: MetricsRow) => ({ key, reviewTimeMedianMs, reviewTimeP90Ms, decisionsPerHour, peakDecisionsPerHour });
		expect(rows.map(pick)).toEqual([
			// review times: 2 s (k1), 1,800 s (k2, queue time), 1 s (k3), 1,500 s (k5, queue time); carol's has none
			{ key: 'all', reviewTimeMedianMs: (2000 + 1500000) / 2, reviewTimeP90Ms: 1800000, decisionsPerHour: 5 / 197, peakDecisionsPerHour: 1 },
			{ key: '(none)', reviewTimeMedianMs: null, reviewTimeP90Ms: null, decisionsPerHour: 0, peakDecisionsPerHour: 0 },
			{ key: 'alice', reviewTimeMedianMs: 1500000, reviewTimeP90Ms: 1800000, decisionsPerHour: 3 / 197, peakDecisionsPerHour: 1 },
			{ key: 'bob', reviewTimeMedianMs: 1000, reviewTimeP90Ms: 1000, decisionsPerHour: 1 / 197, peakDecisionsPerHour: 1 },
			{ key: 'carol', reviewTimeMedianMs: null, reviewTimeP90Ms: null, decisionsPerHour: 1 / 197, peakDecisionsPerHour: 1 },
		]);
		// From and To set the window; a window under an hour counts as one hour (one decision, rec 8).
		const short = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5, from: '2026-11-10T08:30:00Z', to: '2026-11-10T09:00:00Z', dimensions: [] });
		expect(short[0].decisionsPerHour).toBe(1);
		// Without To, decisions after asOf still count, and the window runs to the last of them (13:00).
		const late = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5, from: '2026-11-10T07:00:00Z', asOf: '2026-11-10T09:00:00Z', dimensions: [] });
		expect(late[0].decisionsPerHour).toBe(3 / 6);
		// Three decisions in one clock hour, one in the next: the peak is 3.
		const burst = await computeMetrics(
			[0, 1, 2, 61].map((minute, n) =>
				rec(n + 1, { event: 'decided', decision: 'approved', reviewerId: 'dan', executionId: 'b', itemKey: `b${n}`, decidedAt: new Date(Date.UTC(2026, 10, 3, 10, minute)).toISOString() }),
			),
			{ period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-03T12:00:00Z', dimensions: [] },
		);
		expect(burst[0]).toMatchObject({ peakDecisionsPerHour: 3, decisionsPerHour: 4 / 2 });
	});

	it('counts escalated requests once per request and row, and reminders per record; pending per reviewer is their load', async () => {
		const at = (h: number) => `2026-11-04T${String(h).padStart(2, '0')}:00:00Z`;
		const base = { tier: 'high' as const, executionId: 'x' };
		const rows = await computeMetrics(
			[
				rec(1, { ...base, event: 'requested', reviewerId: 'ann', itemKey: 'r1', requestedAt: at(8), details: { expiresAt: at(20) } }),
				rec(2, { ...base, event: 'requested', reviewerId: 'ann', itemKey: 'r2', requestedAt: at(8), details: { expiresAt: at(20) } }),
				rec(3, { ...base, event: 'reminded', reviewerId: 'ann', itemKey: 'r1', recordedAt: at(9) }),
				rec(4, { ...base, event: 'escalated', reviewerId: 'bob', itemKey: 'r1', recordedAt: at(10) }),
				rec(5, { ...base, event: 'escalated', reviewerId: 'carol', itemKey: 'r1', recordedAt: at(11) }),
				rec(6, { ...base, event: 'reminded', reviewerId: 'ann', itemKey: 'r1', recordedAt: at(11) }),
				rec(7, { ...base, event: 'escalated', reviewerId: 'bob', itemKey: 'r2', recordedAt: at(12) }),
				// the same escalation logged twice (a retried step) is still one escalated request
				rec(8, { ...base, event: 'escalated', reviewerId: 'bob', itemKey: 'r2', recordedAt: at(12) }),
				rec(9, { ...base, event: 'decided', decision: 'approved', reviewerId: 'bob', itemKey: 'r2', decidedAt: at(13) }),
			],
			{ period: 'day', fastThresholdSeconds: 5, asOf: at(14), dimensions: ['reviewer'] },
		);
		const pick = ({ key, escalated, reminders, pending }: MetricsRow) => ({ key, escalated, reminders, pending });
		expect(rows.map(pick)).toEqual([
			{ key: 'all', escalated: 2, reminders: 2, pending: 1 },
			{ key: 'ann', escalated: 0, reminders: 2, pending: 1 },
			{ key: 'bob', escalated: 2, reminders: 0, pending: 0 },
			{ key: 'carol', escalated: 1, reminders: 0, pending: 0 },
		]);
	});

	it('sample review: problems are samples whose later review rejected them; the problem rate is over reviewed samples', async () => {
		const at = (h: number) => `2026-11-05T${String(h).padStart(2, '0')}:00:00Z`;
		const rows = await computeMetrics(
			[
				rec(1, { event: 'sampled', tier: 'low', itemKey: 'n1', recordedAt: at(8) }),
				rec(2, { event: 'sampled', tier: 'low', itemKey: 'n2', recordedAt: at(8) }),
				rec(3, { event: 'sampled', tier: 'low', itemKey: 'n3', recordedAt: at(8) }),
				rec(4, { event: 'sampled', tier: 'low', itemKey: 'n4', recordedAt: at(8) }),
				rec(5, { event: 'decided', decision: 'approved', reviewerId: 'qa', tier: 'low', itemKey: 'n1', decidedAt: at(9) }),
				rec(6, { event: 'decided', decision: 'rejected', reviewerId: 'qa', tier: 'low', itemKey: 'n2', decidedAt: at(9) }),
				rec(7, { event: 'decided', decision: 'approved_with_edits', reviewerId: 'qa', tier: 'low', itemKey: 'n3', decidedAt: at(10) }),
				// a second decision on an already reviewed sample changes nothing
				rec(8, { event: 'decided', decision: 'rejected', reviewerId: 'qa', tier: 'low', itemKey: 'n1', decidedAt: at(11) }),
			],
			{ period: 'day', fastThresholdSeconds: 0, asOf: at(12), dimensions: ['tier'] },
		);
		const pick = ({ key, sampled, sampledUnreviewed, skipRate, sampledProblems, problemRate }: MetricsRow) => ({ key, sampled, sampledUnreviewed, skipRate, sampledProblems, problemRate });
		expect(rows.map(pick)).toEqual([
			{ key: 'all', sampled: 4, sampledUnreviewed: 1, skipRate: 1 / 4, sampledProblems: 1, problemRate: 1 / 3 },
			{ key: 'low', sampled: 4, sampledUnreviewed: 1, skipRate: 1 / 4, sampledProblems: 1, problemRate: 1 / 3 },
		]);
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
		expect(months.map((r) => [r.key, r.requests])).toEqual([['all', 5], ['2026-11', 5]]);
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
		// A fixed asOf: decisions per hour runs to "now", which moves between the two calls.
		const a = await computeMetrics(gen(), { period: 'week', fastThresholdSeconds: 5, asOf: '2026-11-20T00:00:00Z' });
		const b = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5, asOf: '2026-11-20T00:00:00Z' });
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

/**
 * What HITL Gate writes (nodes/HitlGate/execute.ts): one `requested` record per reviewer link, item
 * key = the request id, the deadline in details.expiresAt; then one `decided` / `expired` record per
 * request (nodes/HitlGate/decide.ts), or nothing when n8n's own timer releases the run.
 */
const GATE_EXECUTION = 'exec-1';
function gateRequested(seq: number, requestId: string, reviewer: string, over: { tier?: 'low' | 'medium' | 'high'; requestedAt: string; expiresAt: string }) {
	return rec(seq, {
		event: 'requested', executionId: GATE_EXECUTION, itemKey: requestId, reviewerId: reviewer, tier: over.tier ?? 'high',
		requestedAt: over.requestedAt, details: { itemIndexes: [0], expiresAt: over.expiresAt, groupId: `${GATE_EXECUTION}:node:g` },
	});
}
function gateDecided(seq: number, requestId: string, reviewer: string, decidedAt: string, decision: 'approved' | 'rejected' = 'approved') {
	return rec(seq, { event: 'decided', decision, executionId: GATE_EXECUTION, itemKey: requestId, reviewerId: reviewer, tier: 'high', decidedAt, queueTimeMs: 60000 });
}
function gateExpired(seq: number, requestId: string, recordedAt: string) {
	return rec(seq, { event: 'expired', executionId: GATE_EXECUTION, itemKey: requestId, tier: 'high', recordedAt });
}
const totalOf = async (log: ReviewRecord[], asOf: string, extra: Partial<Parameters<typeof computeMetrics>[1]> = {}) =>
	(await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, dimensions: [], asOf, ...extra }))[0];

describe('requests are counted per request, not per reviewer link', () => {
	const twoReviewers = [
		gateRequested(1, 'req-1', 'alice', { requestedAt: '2026-11-02T09:00:00Z', expiresAt: '2026-11-03T09:00:00Z' }),
		gateRequested(2, 'req-1', 'bob', { requestedAt: '2026-11-02T09:00:00Z', expiresAt: '2026-11-03T09:00:00Z' }),
		gateDecided(3, 'req-1', 'bob', '2026-11-02T10:00:00Z'),
	];

	it('a request sent to two reviewers is one request with one outcome', async () => {
		expect(await totalOf(twoReviewers, '2026-11-04T00:00:00Z')).toMatchObject({ requests: 1, outcomes: 1, approved: 1, pending: 0, expired: 0 });
	});

	it('counts it once per row: once per tier and period, once for each reviewer it was sent to', async () => {
		const rows = await computeMetrics(twoReviewers, { period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-04T00:00:00Z' });
		expect(rows.map((r) => [r.dimension, r.key, r.requests])).toEqual([
			['total', 'all', 1], ['period', '2026-11-02', 1], ['reviewer', 'alice', 1], ['reviewer', 'bob', 1], ['tier', 'high', 1],
		]);
	});

	it('the same request id in another execution is another request', async () => {
		const other: ReviewRecord = { ...twoReviewers[0], seq: 4, executionId: 'exec-2' };
		expect((await totalOf([...twoReviewers, other], '2026-11-02T12:00:00Z')).requests).toBe(2);
	});

	it('a request named by details.requestId (e.g. logged by an Append) is the same request as its gate item key', async () => {
		const viaAppend = rec(4, { event: 'requested', executionId: GATE_EXECUTION, itemKey: 'cand-1', reviewerId: 'carol', details: { requestId: 'req-1' }, requestedAt: '2026-11-02T09:00:00Z' });
		expect((await totalOf([...twoReviewers, viaAppend], '2026-11-04T00:00:00Z')).requests).toBe(1);
	});

	it('`requested` records without an execution id or a key cannot be matched and count once each', async () => {
		const log = [
			rec(1, { event: 'requested', itemKey: 'k', reviewerId: 'alice', requestedAt: '2026-11-02T09:00:00Z' }),
			rec(2, { event: 'requested', itemKey: 'k', reviewerId: 'bob', requestedAt: '2026-11-02T09:00:00Z' }),
			rec(3, { event: 'requested', executionId: 'e', reviewerId: 'alice', requestedAt: '2026-11-02T09:00:00Z', details: { expiresAt: '2026-11-02T10:00:00Z' } }),
			rec(4, { event: 'requested', executionId: 'e', reviewerId: 'bob', requestedAt: '2026-11-02T09:00:00Z', details: { expiresAt: '2026-11-02T10:00:00Z' } }),
		];
		// Nothing can close them, so they are neither pending nor unrecorded expiries.
		expect(await totalOf(log, '2026-11-03T00:00:00Z')).toMatchObject({ requests: 4, outcomes: 0, pending: 0, expiredUnrecorded: 0 });
	});

	it('an outcome logged before its `requested` records still makes one request, already closed', async () => {
		const log = [twoReviewers[2], { ...twoReviewers[0], seq: 2 }, { ...twoReviewers[1], seq: 3 }];
		expect(await totalOf(log, '2026-11-04T00:00:00Z')).toMatchObject({ requests: 1, outcomes: 1, pending: 0, expiredUnrecorded: 0 });
	});
});

describe('open requests are reconciled as of a time: unrecorded expiries and pending', () => {
	// Four gate requests on 2026-11-02, each sent to alice and bob:
	// A decided (its deadline has passed too, so the decision must close it), B expired with a record,
	// C past its deadline (crossing into 11-03) with no record, D with a deadline after asOf.
	const AS_OF = '2026-11-03T12:00:00Z';
	const both = (seq: number, id: string, tier: 'low' | 'medium' | 'high', requestedAt: string, expiresAt: string) => [
		gateRequested(seq, id, 'alice', { tier, requestedAt, expiresAt }),
		gateRequested(seq + 1, id, 'bob', { tier, requestedAt, expiresAt }),
	];
	const log = [
		...both(1, 'A', 'high', '2026-11-02T09:00:00Z', '2026-11-02T21:00:00Z'),
		...both(3, 'B', 'high', '2026-11-02T10:00:00Z', '2026-11-02T22:00:00Z'),
		...both(5, 'C', 'medium', '2026-11-02T11:00:00Z', '2026-11-03T11:00:00Z'),
		...both(7, 'D', 'low', '2026-11-02T12:00:00Z', '2026-11-04T12:00:00Z'),
		gateDecided(9, 'A', 'alice', '2026-11-02T09:30:00Z'),
		gateExpired(10, 'B', '2026-11-02T22:00:05Z'),
	];

	it('a passed deadline without an outcome record is an expiry; one still ahead is pending', async () => {
		expect(await totalOf(log, AS_OF)).toMatchObject({
			requests: 4, outcomes: 3, approved: 1, rejected: 0, expired: 2, expiredUnrecorded: 1, pending: 1,
			approvalRate: 1 / 3, rejectionRate: 0, expiryRate: 2 / 3,
		});
	});

	it('attributes an unrecorded expiry to its request\'s period and tier, under reviewer (none); pending to every row the request is in', async () => {
		const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, asOf: AS_OF });
		const pick = (r: MetricsRow) => [r.dimension, r.key, { requests: r.requests, outcomes: r.outcomes, expired: r.expired, expiredUnrecorded: r.expiredUnrecorded, pending: r.pending }];
		expect(rows.map(pick)).toEqual([
			['total', 'all', { requests: 4, outcomes: 3, expired: 2, expiredUnrecorded: 1, pending: 1 }],
			// C was requested on 11-02 and its deadline passed on 11-03: counted with its request, on 11-02
			['period', '2026-11-02', { requests: 4, outcomes: 3, expired: 2, expiredUnrecorded: 1, pending: 1 }],
			['reviewer', '(none)', { requests: 0, outcomes: 2, expired: 2, expiredUnrecorded: 1, pending: 0 }],
			['reviewer', 'alice', { requests: 4, outcomes: 1, expired: 0, expiredUnrecorded: 0, pending: 1 }],
			['reviewer', 'bob', { requests: 4, outcomes: 0, expired: 0, expiredUnrecorded: 0, pending: 1 }],
			['tier', 'high', { requests: 2, outcomes: 2, expired: 1, expiredUnrecorded: 0, pending: 0 }],
			['tier', 'medium', { requests: 1, outcomes: 1, expired: 1, expiredUnrecorded: 1, pending: 0 }],
			['tier', 'low', { requests: 1, outcomes: 0, expired: 0, expiredUnrecorded: 0, pending: 1 }],
		]);
	});

	it('the deadline itself is expired (a link is valid only while now < deadline); one millisecond before it is pending', async () => {
		expect(await totalOf(log, '2026-11-04T12:00:00Z')).toMatchObject({ expiredUnrecorded: 2, pending: 0, outcomes: 4 });
		expect(await totalOf(log, '2026-11-04T11:59:59.999Z')).toMatchObject({ expiredUnrecorded: 1, pending: 1, outcomes: 3 });
	});

	it('asOf defaults to now', async () => {
		const past = [gateRequested(1, 'P', 'alice', { requestedAt: '2000-01-01T00:00:00Z', expiresAt: '2000-01-02T00:00:00Z' })];
		const future = [gateRequested(1, 'F', 'alice', { requestedAt: '2000-01-01T00:00:00Z', expiresAt: '2999-01-01T00:00:00Z' })];
		const run = async (l: ReviewRecord[]) => (await computeMetrics(l, { period: 'day', fastThresholdSeconds: 5, dimensions: [] }))[0];
		expect(await run(past)).toMatchObject({ expiredUnrecorded: 1, pending: 0 });
		expect(await run(future)).toMatchObject({ expiredUnrecorded: 0, pending: 1 });
	});

	it('an earlier To is the time requests are judged at: outcomes after it do not close them', async () => {
		const later = [
			...log,
			// D decided after To: as of To it was still pending
			gateDecided(11, 'D', 'bob', '2026-11-04T09:00:00Z', 'rejected'),
			// C's expiry only recorded after To: as of To its deadline had passed and nobody had recorded it
			gateExpired(12, 'C', '2026-11-03T20:00:00Z'),
		];
		expect(await totalOf(later, '2026-11-05T00:00:00Z', { to: '2026-11-03T12:00:00Z' })).toMatchObject({
			requests: 4, outcomes: 3, rejected: 0, expired: 2, expiredUnrecorded: 1, pending: 1,
		});
		// Without To, the same records are recorded outcomes.
		expect(await totalOf(later, '2026-11-05T00:00:00Z')).toMatchObject({
			requests: 4, outcomes: 4, rejected: 1, expired: 2, expiredUnrecorded: 0, pending: 0,
		});
	});

	it('requests outside the range are neither pending nor expired', async () => {
		expect(await totalOf(log, AS_OF, { from: '2026-11-02T11:30:00Z' })).toMatchObject({ requests: 1, pending: 1, expiredUnrecorded: 0 });
	});

	it('an Append duplicate of the outcome closes the request like the gate\'s own record', async () => {
		const appendOnly = [
			...both(1, 'A', 'high', '2026-11-02T09:00:00Z', '2026-11-02T21:00:00Z'),
			rec(3, { event: 'decided', decision: 'approved', executionId: GATE_EXECUTION, itemKey: 'cand-1', details: { requestId: 'A' }, decidedAt: '2026-11-02T09:30:00Z' }),
		];
		expect(await totalOf(appendOnly, AS_OF)).toMatchObject({ requests: 1, outcomes: 1, approved: 1, expiredUnrecorded: 0, pending: 0 });
	});

	it('a request without a readable deadline stays pending', async () => {
		const noDeadline = [rec(1, { event: 'requested', executionId: 'e', itemKey: 'r', requestedAt: '2026-11-02T09:00:00Z', details: { expiresAt: 'soon' } })];
		expect(await totalOf(noDeadline, AS_OF)).toMatchObject({ requests: 1, pending: 1, expiredUnrecorded: 0 });
	});

	it('rejects an unreadable asOf', async () => {
		await expect(totalOf(log, 'tomorrow')).rejects.toThrow(/As of "tomorrow" is not a valid date/);
	});

	it('every request counted ends as exactly one outcome or pending (property over gate-shaped logs)', async () => {
		const fate = fc.constantFrom('approved', 'rejected', 'expiredRecord', 'timerOnly', 'open');
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(fate, fc.integer({ min: 1, max: 3 }), fc.boolean()), { maxLength: 25 }), async (spec) => {
				const records: ReviewRecord[] = [];
				const outcomes: ReviewRecord[] = [];
				spec.forEach(([f, reviewers, duplicate], i) => {
					const id = `r${i}`;
					const expiresAt = f === 'open' ? '2026-11-20T00:00:00Z' : '2026-11-05T00:00:00Z';
					for (let n = 0; n < reviewers; n++) records.push(gateRequested(0, id, `rev${n}`, { requestedAt: '2026-11-02T09:00:00Z', expiresAt }));
					const closing = f === 'approved' || f === 'rejected' ? gateDecided(0, id, 'rev0', '2026-11-03T00:00:00Z', f) : f === 'expiredRecord' ? gateExpired(0, id, '2026-11-05T00:00:01Z') : null;
					if (closing) outcomes.push(closing, ...(duplicate ? [closing] : []));
				});
				const log = [...records, ...outcomes].map((r, i) => ({ ...r, seq: i + 1 }));
				const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-10T00:00:00Z' });
				const total = rows[0];
				expect(total.requests).toBe(spec.length);
				expect(total.requests).toBe(total.outcomes + total.pending);
				expect(total.expiredUnrecorded).toBe(spec.filter(([f]) => f === 'timerOnly').length);
				expect(total.pending).toBe(spec.filter(([f]) => f === 'open').length);
				for (const r of rows) expect(r.expiredUnrecorded).toBeLessThanOrEqual(r.expired);
				expect(rows.filter((r) => r.dimension === 'reviewer').reduce((s, r) => s + r.outcomes, 0)).toBe(total.outcomes);
			}),
		);
	});
});

describe('tamper_suspected records', () => {
	// A new event (core/store/types.ts); built by hand here so this test does not depend on its type.
	const suspected = (seq: number, recordedAt: string, tier: 'high' | null) =>
		({ ...rec(seq, { event: 'note', tier, recordedAt }), event: 'tamper_suspected' }) as unknown as ReviewRecord;

	it('are counted in the total and in the rows they fall into, within the range', async () => {
		const log = [suspected(1, '2026-11-02T09:00:00Z', 'high'), suspected(2, '2026-11-03T09:00:00Z', null), rec(3, { event: 'note', recordedAt: '2026-11-03T10:00:00Z' })];
		const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-04T00:00:00Z' });
		expect(rows.map((r) => [r.dimension, r.key, r.tamperSuspected])).toEqual([
			['total', 'all', 2], ['period', '2026-11-02', 1], ['period', '2026-11-03', 1], ['reviewer', '(none)', 2], ['tier', 'high', 1], ['tier', 'unknown', 1],
		]);
		expect((await totalOf(log, '2026-11-04T00:00:00Z', { from: '2026-11-03T00:00:00Z' })).tamperSuspected).toBe(1);
	});
});

describe('decision_too_fast records', () => {
	it('are counted per reviewer and tier, within the range, and never as decisions', async () => {
		const log = [
			rec(1, { event: 'decision_too_fast', reviewerId: 'kim@example.com', tier: 'high', recordedAt: '2026-11-03T09:00:00Z' }),
			rec(2, { event: 'decision_too_fast', reviewerId: 'kim@example.com', tier: 'high', recordedAt: '2026-11-03T09:00:02Z' }),
			rec(3, { event: 'decision_too_fast', reviewerId: 'lee@example.com', tier: 'low', recordedAt: '2026-11-01T09:00:00Z' }),
		];
		const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-04T00:00:00Z', from: '2026-11-02T00:00:00Z' });
		expect(rows.map((r) => [r.dimension, r.key, r.decisionsTooFast])).toEqual([
			['total', 'all', 2], ['period', '2026-11-03', 2], ['reviewer', 'kim@example.com', 2], ['tier', 'high', 2],
		]);
		const total = rows[0];
		expect([total.approved, total.rejected, total.fastDecisions]).toEqual([0, 0, 0]);
	});
});

describe('self_approval_refused records', () => {
	it('are counted per reviewer and tier and never as decisions or requests', async () => {
		const log = [
			rec(1, { event: 'self_approval_refused', reviewerId: 'ann@example.com', requesterId: 'ann@example.com', tier: 'high', recordedAt: '2026-11-03T09:00:00Z' }),
			rec(2, { event: 'self_approval_refused', reviewerId: 'ann.private@example.com', requesterId: 'ann@example.com', tier: 'high', recordedAt: '2026-11-03T09:05:00Z' }),
			rec(3, { event: 'decision_too_fast', reviewerId: 'lee@example.com', tier: 'low', recordedAt: '2026-11-03T09:10:00Z' }),
		];
		const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-04T00:00:00Z' });
		expect(rows.map((r) => [r.dimension, r.key, r.selfApprovalRefused])).toEqual([
			['total', 'all', 2], ['period', '2026-11-03', 2], ['reviewer', 'ann.private@example.com', 1], ['reviewer', 'ann@example.com', 1], ['reviewer', 'lee@example.com', 0], ['tier', 'high', 2], ['tier', 'low', 0],
		]);
		expect([rows[0].approved, rows[0].rejected, rows[0].requests, rows[0].decisionsTooFast]).toEqual([0, 0, 0, 1]);
	});
});

describe('bypassed requests', () => {
	it('counts each request made with a visible bypass once, per tier: time on page off for High or unclassified, Approve all allowed for High', async () => {
		const requested = (seq: number, itemKey: string, reviewerId: string, tier: 'high' | 'low' | null, details: Record<string, unknown>) =>
			rec(seq, { event: 'requested', reviewerId, executionId: 'e1', itemKey, tier, requestedAt: '2026-11-03T09:00:00Z', details: { expiresAt: '2026-11-05T09:00:00Z', ...details } });
		const log = [
			// Two links (ann, bob) of one High request with time on page off: one bypassed request.
			requested(1, 'r1', 'ann', 'high', { minSecondsOnPage: 0 }),
			requested(2, 'r1', 'bob', 'high', { minSecondsOnPage: 0 }),
			// Unclassified counts as High.
			requested(3, 'r2', 'ann', null, { minSecondsOnPage: 0 }),
			// 0 on a Low item is the builder's ordinary choice, not a bypass of High review.
			requested(4, 'r3', 'ann', 'low', { minSecondsOnPage: 0 }),
			requested(5, 'r4', 'ann', 'high', { minSecondsOnPage: 4, batchLink: true, allowApproveAllHigh: true }),
			requested(6, 'r5', 'ann', 'high', { minSecondsOnPage: 4, allowApproveAllHigh: false }),
		];
		const rows = await computeMetrics(log, { period: 'day', fastThresholdSeconds: 5, asOf: '2026-11-04T00:00:00Z', dimensions: ['tier'] });
		expect(rows.map((r) => [r.dimension, r.key, r.requests, r.bypassed])).toEqual([
			['total', 'all', 5, 3], ['tier', 'high', 3, 2], ['tier', 'low', 1, 0], ['tier', 'unknown', 1, 1],
		]);
	});
});
