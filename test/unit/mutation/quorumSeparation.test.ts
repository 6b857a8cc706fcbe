/**
 * The pure rules of approval policies, for mutation testing (docs/mutation-testing.md): the quorum's
 * final decision and what it names, the sequential turn, the per-item policy, and separation of duties —
 * who counts as the requester, and a gate whose only reviewer is the requester failing closed. The tally
 * itself is tested at its boundaries in test/unit/gate/quorumTally.test.ts.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { currentTurn, finalDecision, policyForItem, tally, type Vote } from '../../../nodes/HitlGate/quorum';
import { isRequester, requesterReader, withoutRequester } from '../../../nodes/HitlGate/separationOfDuties';

/** One item's requester, as the gate reads it. */
const requesterOf = (ctx: IExecuteFunctions, itemIndex: number) => requesterReader(ctx)(itemIndex);

const v = (reviewerId: string, decision: Vote['decision'], comment: string | null = null): Vote => ({ reviewerId, decision, at: '2026-12-01T10:00:00.000Z', comment, seq: 1 });

/** Enough of n8n's execute context for the separation-of-duties helpers: the node and its parameters. */
function ctxWith(params: Record<string, unknown>): IExecuteFunctions {
	return {
		getNode: () => ({ id: 'n1', name: 'HITL Gate', type: 'n8n-nodes-hitl.hitlGate', typeVersion: 1.1, position: [0, 0], parameters: {} }),
		getNodeParameter: (name: string, _i: number, fallback: unknown) => (name in params ? params[name] : fallback),
	} as unknown as IExecuteFunctions;
}

describe('tally edges', () => {
	test('a rejection after enough approvals does not veto; majority counts rejections against the reviewers left', () => {
		expect(tally([v('a', 'approved'), v('b', 'rejected')], { required: 1, mode: 'veto' }, 3).state).toBe('approved');
		expect(tally([v('a', 'rejected')], { required: 2, mode: 'majority' }, 2).state).toBe('rejected');
		expect(tally([v('a', 'rejected')], { required: 2, mode: 'majority' }, 3).state).toBe('open');
		expect(tally([], { required: 1, mode: 'veto' }, 1).state).toBe('open');
		expect(tally([], { required: 2, mode: 'majority' }, 1).state).toBe('rejected');
	});
});

describe('finalDecision', () => {
	test('approved: names the approvers and who rejected, no comment', () => {
		const t = tally([v('a', 'approved', 'fine'), v('b', 'rejected', 'no'), v('c', 'approved')], { required: 2, mode: 'majority' }, 3);
		expect(finalDecision(t as Exclude<typeof t, { state: 'open' }>)).toEqual({
			decision: 'approved',
			comment: null,
			details: { quorum: { approvers: ['a', 'c'], rejectedBy: ['b'], votes: 3 } },
		});
	});

	test('rejected: every given reason, named, joined; reasons left empty are skipped', () => {
		const t = tally([v('a', 'rejected', 'over budget'), v('b', 'rejected'), v('c', 'rejected', 'wrong person')], { required: 2, mode: 'veto' }, 4);
		expect(finalDecision(t as Exclude<typeof t, { state: 'open' }>)).toEqual({
			decision: 'rejected',
			comment: 'a: over budget | c: wrong person',
			details: { quorum: { approvers: [], rejectedBy: ['a', 'b', 'c'], votes: 3 } },
		});
	});

	test('rejected without any reason: no comment; a long one is cut at 2,000 characters', () => {
		const none = tally([v('a', 'rejected')], { required: 1, mode: 'veto' }, 2);
		expect(finalDecision(none as Exclude<typeof none, { state: 'open' }>).comment).toBeNull();
		const long = tally([v('a', 'rejected', 'x'.repeat(3000))], { required: 1, mode: 'veto' }, 2);
		expect(finalDecision(long as Exclude<typeof long, { state: 'open' }>).comment).toBe(`a: ${'x'.repeat(1997)}`);
	});
});

describe('sequential sign-off', () => {
	test('everyone listed must approve; the turn is the next one in the list, none after the last', () => {
		expect(policyForItem({ required: 1, mode: 'veto', sequential: true }, ['a', 'b', 'c'])).toEqual({ required: 3, mode: 'veto', sequential: true });
		expect(policyForItem({ required: 2, mode: 'majority' }, ['a', 'b', 'c'])).toEqual({ required: 2, mode: 'majority' });
		expect(policyForItem(null, ['a'])).toBeNull();
		expect(currentTurn({ reviewers: ['a', 'b'] }, 0)).toBe('a');
		expect(currentTurn({ reviewers: ['a', 'b'] }, 1)).toBe('b');
		expect(currentTurn({ reviewers: ['a', 'b'] }, 2)).toBeNull();
	});
});

describe('separation of duties', () => {
	test('the requester and every alias count as the requester; nobody else does; no policy, nobody', () => {
		const payload = { requester: { ids: ['rec@x.test', 'rec.alias@x.test'] } };
		expect(isRequester(payload, 'rec@x.test')).toBe(true);
		expect(isRequester(payload, 'rec.alias@x.test')).toBe(true);
		expect(isRequester(payload, 'other@x.test')).toBe(false);
		expect(isRequester({}, 'rec@x.test')).toBe(false);
	});

	test('requesterReader reads requester and aliases, once each; none given is no policy; a bad address fails the item', () => {
		expect(requesterOf(ctxWith({ requester: 'Rec@X.test', requesterAliases: 'alias@x.test, rec@x.test' }), 0)).toEqual({ ids: ['rec@x.test', 'alias@x.test'] });
		expect(requesterOf(ctxWith({ requester: '', requesterAliases: 'alias@x.test' }), 0)).toEqual({ ids: ['alias@x.test'] });
		expect(requesterOf(ctxWith({}), 0)).toBeNull();
		expect(() => requesterOf(ctxWith({ requester: 'not-an-address' }), 3)).toThrow(expect.objectContaining({ message: 'Invalid Requester: not-an-address', context: expect.objectContaining({ itemIndex: 3 }) }));
		expect(() => requesterOf(ctxWith({ requesterAliases: 'bad1, bad2' }), 0)).toThrow(
			expect.objectContaining({ message: 'Invalid Requester Aliases: bad1, bad2', description: 'Requester Aliases must be plain email addresses separated by commas.' }),
		);
	});

	test('the requester\'s addresses leave the reviewers; none left fails closed, naming the requester and the item', () => {
		const ctx = ctxWith({});
		expect(withoutRequester(ctx, 0, ['a@x.test', 'rec@x.test', 'b@x.test'], { ids: ['rec@x.test'] })).toEqual(['a@x.test', 'b@x.test']);
		expect(withoutRequester(ctx, 0, ['a@x.test'], null)).toEqual(['a@x.test']);
		expect(() => withoutRequester(ctx, 2, ['rec@x.test', 'alias@x.test'], { ids: ['rec@x.test', 'alias@x.test'] })).toThrow(
			expect.objectContaining({
				message: 'The only reviewer of this item is its requester (rec@x.test)',
				description: expect.stringMatching(/^Separation of duties: the requester can never approve their own item\..*Nothing was sent for review\.$/),
				context: expect.objectContaining({ itemIndex: 2 }),
			}),
		);
	});
});
