/** Where a quorum's votes stand (nodes/HitlGate/quorum.ts `tally`), at every boundary. */
import { tally, type Vote } from '../../../nodes/HitlGate/quorum';

const v = (reviewerId: string, decision: Vote['decision'], seq: number): Vote => ({ reviewerId, decision, at: '2026-12-01T10:00:00.000Z', comment: null, seq });

describe('tally', () => {
	test('approved exactly at the required number of approvals', () => {
		expect(tally([v('a', 'approved', 1)], { required: 2, mode: 'veto' }, 3).state).toBe('open');
		expect(tally([v('a', 'approved', 1), v('b', 'approved', 2)], { required: 2, mode: 'veto' }, 3).state).toBe('approved');
		expect(tally([v('a', 'approved', 1), v('b', 'approved', 2)], { required: 3, mode: 'majority' }, 3).state).toBe('open');
	});

	test('veto: one rejection rejects, unless the approvals were already enough', () => {
		expect(tally([v('a', 'rejected', 1)], { required: 2, mode: 'veto' }, 5).state).toBe('rejected');
		expect(tally([v('a', 'approved', 1), v('b', 'approved', 2), v('c', 'rejected', 3)], { required: 2, mode: 'veto' }, 3).state).toBe('approved');
	});

	test('majority: rejected only once the reviewers left cannot reach the quorum', () => {
		const policy = { required: 2, mode: 'majority' as const };
		expect(tally([v('a', 'rejected', 1)], policy, 3).state).toBe('open');
		expect(tally([v('a', 'rejected', 1), v('b', 'rejected', 2)], policy, 3).state).toBe('rejected');
		expect(tally([v('a', 'rejected', 1), v('b', 'rejected', 2)], policy, 4).state).toBe('open');
		expect(tally([v('a', 'rejected', 1), v('b', 'approved', 2), v('c', 'rejected', 3)], policy, 4).state).toBe('open');
		const t = tally([v('a', 'rejected', 1), v('b', 'approved', 2), v('c', 'rejected', 3)], policy, 3);
		expect([t.state, t.approvals.map((x) => x.reviewerId), t.rejections.map((x) => x.reviewerId)]).toEqual(['rejected', ['b'], ['a', 'c']]);
	});
});
