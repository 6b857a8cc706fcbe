/**
 * Reading a batch link's group: the run's review requests, authenticated one by one as the single
 * page authenticates its one request (request MAC, draft hash, terminal record in the chain), and
 * checked as a set against the link (the group digest its `dh` names, so no request was added to or
 * dropped from the group in the store). The result says which items still wait — by what the chain
 * says, never by a stored status — which are settled, or which page to answer with instead.
 */
import { isRequester } from './separationOfDuties';
import { reviewersAt } from '../../core/deadline';
import type { GroupLinkClaims, SigningKey } from '../../core/links';
import type { RequestErasure, ReviewRequest, ReviewStore } from '../../core/store';
import { reportTamper, verdictsFor, type Verdict } from './ledger';
import { groupDigest, inItemOrder } from './links';
import { asGatePayload, type GatePayload } from './types';

export interface GroupMember {
	request: ReviewRequest;
	payload: GatePayload;
	verdict: Verdict;
}

export type GroupState =
	| {
			kind: 'open';
			/** Every request of the group, in item order. */
			members: GroupMember[];
			/** Members whose request has no terminal record in the chain: what the page offers. */
			open: GroupMember[];
			/** Members that ended in a verified decision. */
			settled: GroupMember[];
			expiresAt: string;
	  }
	| { kind: 'invalid' }
	| { kind: 'tampered' }
	| { kind: 'erased'; erasure: RequestErasure }
	| { kind: 'forbidden' }
	| { kind: 'own_item'; members: GroupMember[] }
	| { kind: 'expired' }
	| { kind: 'done' };

export async function readGroup(
	store: ReviewStore,
	claims: GroupLinkClaims,
	keys: readonly SigningKey[],
	now: Date,
	where: { executionId: string; nodeId: string },
): Promise<GroupState> {
	const requests = inItemOrder(await store.listReviewRequests(claims.grp));
	// The token is genuine, so an empty or foreign group means lost state or a link for another run.
	if (requests.length === 0 || requests.some((r) => r.executionId !== where.executionId || r.nodeId !== where.nodeId || r.groupId !== claims.grp)) {
		return { kind: 'invalid' };
	}
	if (groupDigest(requests) !== claims.dh) {
		await reportTamper(store, requests[0], 'the stored group of requests differs from the one the batch link was issued for', { reviewerId: claims.rev });
		return { kind: 'tampered' };
	}
	const members: GroupMember[] = [];
	let tampered = false;
	const verdicts = await verdictsFor(store, requests, keys);
	for (const [i, request] of requests.entries()) {
		const verdict = verdicts[i];
		if (verdict.kind === 'tampered') {
			await reportTamper(store, request, verdict.reason, { reviewerId: claims.rev });
			tampered = true;
		} else if (verdict.kind === 'pending' && verdict.inconsistent) {
			// The stored status is not what decides: the item is still open, and the log says what was forged.
			await reportTamper(store, request, verdict.inconsistent, { reviewerId: claims.rev });
		}
		members.push({ request, payload: asGatePayload(request.payload) as GatePayload, verdict });
	}
	if (tampered) return { kind: 'tampered' };
	const erased = members.find((m) => m.verdict.kind === 'erased');
	if (erased && erased.verdict.kind === 'erased') return { kind: 'erased', erasure: erased.verdict.erasure };
	if (members.some((m) => isRequester(m.payload, claims.rev))) return { kind: 'own_item', members: members.filter((m) => isRequester(m.payload, claims.rev)) };
	if (!members.every((m) => reviewersAt(m.request.reviewers, m.payload.deadlinePlan, now).includes(claims.rev))) return { kind: 'forbidden' };
	const expiresAt = members[0].request.expiresAt;
	if (members.some((m) => m.verdict.kind === 'expired' || now.getTime() >= new Date(m.request.expiresAt).getTime())) return { kind: 'expired' };
	const open = members.filter((m) => m.verdict.kind === 'pending');
	if (open.length === 0) return { kind: 'done' };
	return { kind: 'open', members, open, settled: members.filter((m) => m.verdict.kind === 'decided'), expiresAt };
}

/** High risk for "Approve all": tier high, or not classified (unknown risk is high). */
export function isHighRisk(payload: GatePayload): boolean {
	return payload.tier === 'high' || payload.tier === null;
}
