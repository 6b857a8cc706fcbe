/**
 * Metrics over the gate's per-record rubber-stamp flags (core/metrics.ts, `fastDecisions`): a decided
 * record carrying the gate's judgement (`details.possibleRubberStamp` with `rubberStampThresholdSeconds`,
 * judged by its tier's threshold when it was decided) counts as its judgement says — it supersedes the
 * run-level Fast Decision Threshold for that record, flagged or not; records without a judgement still
 * count by the run-level threshold. Per reviewer and tier, on a log whose every figure is worked out by
 * hand in the comments.
 */
import { computeMetrics } from '../../../core/metrics';
import type { ReviewRecord } from '../../../core/store/types';
import { rec } from './records';

const judged = (flag: boolean, threshold: number, seconds: number) => ({ possibleRubberStamp: flag, rubberStampThresholdSeconds: threshold, secondsOnPage: seconds });
const decided = (seq: number, reviewerId: string, tier: 'low' | 'medium' | 'high' | null, viewedAt: string, decidedAt: string, details: Record<string, unknown> | null) =>
	rec(seq, { event: 'decided', decision: 'approved', reviewerId, tier, executionId: `e${seq}`, itemKey: `k${seq}`, viewedAt, decidedAt, queueTimeMs: 60_000, details });

const LOG: ReviewRecord[] = [
	// ann, High, 12 s on page: the gate flagged it (High threshold 30 s); the run-level 5 s would not.
	decided(1, 'ann', 'high', '2026-11-02T09:00:00Z', '2026-11-02T09:00:12Z', judged(true, 30, 12)),
	// ann, Low, 12 s: not flagged (Low threshold 10 s).
	decided(2, 'ann', 'low', '2026-11-02T09:10:00Z', '2026-11-02T09:10:12Z', judged(false, 10, 12)),
	// ann, Low, 3 s: the gate judged it with threshold 0 (never flags): not fast, though under the run-level 5 s.
	decided(3, 'ann', 'low', '2026-11-02T09:20:00Z', '2026-11-02T09:20:03Z', judged(false, 0, 3)),
	// bob, Medium, 15 s: flagged (Medium threshold 20 s).
	decided(4, 'bob', 'medium', '2026-11-02T09:30:00Z', '2026-11-02T09:30:15Z', judged(true, 20, 15)),
	// bob, unclassified, 2 s, no judgement (an Append record, or an older gate): the run-level 5 s → fast.
	decided(5, 'bob', null, '2026-11-02T09:40:00Z', '2026-11-02T09:40:02Z', null),
	// bob, High, 8 s, no judgement: not fast at 5 s.
	decided(6, 'bob', 'high', '2026-11-02T09:50:00Z', '2026-11-02T09:50:08Z', null),
	// A flag without its threshold is not the gate's judgement: run-level (1 s < 5 s) → fast.
	decided(7, 'bob', 'high', '2026-11-02T10:00:00Z', '2026-11-02T10:00:01Z', { possibleRubberStamp: false }),
];

describe('rubber-stamp flags in metrics', () => {
	test('per reviewer and tier: the gate\'s flags where it judged, the run-level threshold elsewhere', async () => {
		const rows = await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: 5, dimensions: ['reviewer', 'tier'] });
		expect(rows.map((r) => [r.dimension, r.key, r.approved, r.fastDecisions, r.fastDecisionRate])).toEqual([
			// fast: 1 (flag), 4 (flag), 5 (run-level), 7 (run-level) = 4 of 7
			['total', 'all', 7, 4, 4 / 7],
			['reviewer', 'ann', 3, 1, 1 / 3],
			['reviewer', 'bob', 4, 3, 3 / 4],
			// high: 1 (flag), 6 (not), 7 (run-level)
			['tier', 'high', 3, 2, 2 / 3],
			['tier', 'medium', 1, 1, 1],
			// low: 2 and 3 judged not flagged
			['tier', 'low', 2, 0, 0],
			['tier', 'unknown', 1, 1, 1],
		]);
	});

	test('the run-level threshold changes only the decisions the gate did not judge', async () => {
		const at = async (seconds: number) => (await computeMetrics(LOG, { period: 'week', fastThresholdSeconds: seconds, dimensions: [] }))[0].fastDecisions;
		// 0 s: only the two flags. 60 s: the flags and the three unjudged ones; the judged-unflagged 2 and 3 never.
		expect(await at(0)).toBe(2);
		expect(await at(60)).toBe(5);
	});
});
