/**
 * Quorum approval: a request needs N approvals from its listed reviewers. Each reviewer's vote is its
 * own `vote` record carrying the gate's MAC (the decision MAC, event `vote`); only votes whose MAC
 * verifies count, and each reviewer's first vote only. After each vote the gate recounts the votes in
 * the chain: once N approvals are there, or a rejection vetoes (policy "quorum"), or the rejections
 * leave too few reviewers to reach N (policy "majority"), it ends the request with one `decided`
 * record naming every approver — through the same atomic store step as a single decision, so
 * concurrent last votes end it once and resume the run once. Votes are appended before the recount:
 * the voter whose vote is appended last always sees every earlier one, so a reached quorum is never
 * missed. Reviewers approve the item as shown (no edits under a quorum: each approver must approve the
 * same content). Under a one-time code each vote's MAC also covers the acceptance of the voter's code,
 * and a vote counts only when the chain backs it (oneTimeCode.ts acceptanceUnbacked).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { signDecision, verifyDecisionMac, type DecisionFacts, type LinkClaims, type SigningKey } from '../../core/links';
import type { ReviewDecision, ReviewRecord } from '../../core/records';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import type { ClientInfo } from './clientInfo';
import { acceptanceUnbacked, codeNoteOf, type CodeNote } from './oneTimeCode';
import { asGatePayload, type GatePayload } from './types';

export type QuorumMode = 'veto' | 'majority';

/** The policy as stored in the payload (covered by the request MAC). */
export interface QuorumPolicy {
	required: number;
	mode: QuorumMode;
	/**
	 * Sequential sign-off: every listed reviewer must approve, in the listed order; only the reviewer whose
	 * turn it is gets a link and may vote, and the next one is mailed once the previous approved.
	 */
	sequential?: boolean;
}

export interface Vote {
	reviewerId: string;
	decision: 'approved' | 'rejected';
	at: string;
	comment: string | null;
	seq: number;
}

export type Tally =
	| { state: 'open'; approvals: Vote[]; rejections: Vote[] }
	| { state: 'approved'; approvals: Vote[]; rejections: Vote[] }
	| { state: 'rejected'; approvals: Vote[]; rejections: Vote[] };

function voteFacts(request: ReviewRequest, reviewerId: string | null, decision: string | null, at: string | null, comment: string | null, code: CodeNote): DecisionFacts {
	return {
		requestId: request.id,
		groupId: request.groupId,
		executionId: request.executionId,
		nodeId: request.nodeId,
		event: 'vote' as const,
		decision,
		reviewerId,
		decidedAt: at,
		comment,
		draftSha256: request.draftSha256,
		finalSha256: null,
		// A vote taken with a one-time code: its acceptance is under the MAC (version 2).
		...(code.kind === 'accepted' ? { oneTimeCodeAcceptedSeq: code.seq } : {}),
	};
}

/** The request's votes in the chain whose MAC verifies, each listed reviewer's first vote only, in log order. */
export async function readVotes(store: ReviewStore, request: ReviewRequest, keys: readonly SigningKey[]): Promise<Vote[]> {
	const records: ReviewRecord[] = [];
	let cursor: string | undefined;
	do {
		const page = await store.query({ itemKey: request.id, event: 'vote', executionId: request.executionId }, { limit: 1000, ...(cursor ? { cursor } : {}) });
		records.push(...page.records);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	const votes: Vote[] = [];
	const needsCode = asGatePayload(request.payload)?.oneTimeCode !== undefined;
	for (const r of records.sort((a, b) => a.seq - b.seq)) {
		const binding = r.details?.voteMac as { keyId?: unknown; mac?: unknown } | undefined;
		if (r.reviewerId === null || !request.reviewers.includes(r.reviewerId) || votes.some((v) => v.reviewerId === r.reviewerId)) continue;
		if (r.decision !== 'approved' && r.decision !== 'rejected') continue;
		const keyId = typeof binding?.keyId === 'string' ? binding.keyId : null;
		const code = codeNoteOf(r.details);
		if (code.kind === 'malformed') continue;
		if (!verifyDecisionMac(voteFacts(request, r.reviewerId, r.decision, r.decidedAt, r.comment, code), keyId, binding?.mac, keys)) continue;
		// A request that needs a code counts only votes whose code the chain backs (as the ledger does for decisions).
		if (needsCode && (code.kind !== 'accepted' || (await acceptanceUnbacked(store, request, r, code.seq)) !== null)) continue;
		votes.push({ reviewerId: r.reviewerId, decision: r.decision, at: r.decidedAt ?? r.recordedAt, comment: r.comment, seq: r.seq });
	}
	return votes;
}

/** Where the votes stand under the policy. */
export function tally(votes: readonly Vote[], policy: QuorumPolicy, reviewerCount: number): Tally {
	const approvals = votes.filter((v) => v.decision === 'approved');
	const rejections = votes.filter((v) => v.decision === 'rejected');
	if (approvals.length >= policy.required) return { state: 'approved', approvals, rejections };
	const vetoed = policy.mode === 'veto' && rejections.length > 0;
	// Majority: rejected once the reviewers who have not rejected can no longer make up the quorum.
	const impossible = reviewerCount - rejections.length < policy.required;
	if (vetoed || impossible) return { state: 'rejected', approvals, rejections };
	return { state: 'open', approvals, rejections };
}

/** Appends one reviewer's MAC'd vote. */
export async function appendVote(
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	vote: { decision: 'approved' | 'rejected'; comment: string | null; at: Date; claims: LinkClaims; client: ClientInfo; policy: QuorumPolicy; details?: Record<string, unknown> },
	key: SigningKey,
): Promise<void> {
	const at = vote.at.toISOString();
	const code = codeNoteOf(vote.details);
	if (code.kind === 'malformed') throw new TypeError('a vote names a one-time code without the seq of its acceptance');
	const mac = signDecision(voteFacts(request, vote.claims.rev, vote.decision, at, vote.comment, code), key);
	await store.append({
		event: 'vote',
		decision: vote.decision,
		reviewerId: vote.claims.rev,
		...requestRecordFields(request, payload),
		decidedAt: at,
		comment: vote.comment,
		linkKeyId: vote.claims.kid,
		linkNonce: vote.claims.nonce,
		clientIp: vote.client.clientIp,
		userAgent: vote.client.userAgent,
		details: { ...vote.details, requestId: request.id, quorum: vote.policy, voteMac: { keyId: key.keyId, mac } },
	});
}

/** The final decision's wording and what it names: the approvers, or the reviewers who rejected. */
export function finalDecision(t: Exclude<Tally, { state: 'open' }>): { decision: ReviewDecision; comment: string | null; details: Record<string, unknown> } {
	const names = (vs: Vote[]) => vs.map((v) => v.reviewerId);
	const reasons = t.rejections.map((v) => (v.comment ? `${v.reviewerId}: ${v.comment}` : null)).filter((c): c is string => c !== null);
	return {
		decision: t.state === 'approved' ? 'approved' : 'rejected',
		comment: t.state === 'rejected' && reasons.length > 0 ? reasons.join(' | ').slice(0, 2000) : null,
		details: { quorum: { approvers: names(t.approvals), rejectedBy: names(t.rejections), votes: t.approvals.length + t.rejections.length } },
	};
}

/** The Approval Policy of the run (read once), or null for "first reviewer decides". */
export function readQuorumPolicy(ctx: IExecuteFunctions, batch: boolean): QuorumPolicy | null {
	const policy = String(ctx.getNodeParameter('approvalPolicy', 0, 'first'));
	if (policy === 'sequential') {
		if (batch) {
			throw new NodeOperationError(ctx.getNode(), 'Sequential sign-off needs one request per item', {
				description: 'Set "Review Mode" to "One Request per Item", or the Approval Policy to "First Reviewer Decides".',
			});
		}
		const levels = ctx.getNodeParameter('escalation.levels', 0, []) as unknown;
		if (Array.isArray(levels) && levels.length > 0) {
			throw new NodeOperationError(ctx.getNode(), 'Sequential sign-off cannot add escalation backups', {
				description: 'The order of the sign-off is the reviewer list itself. Remove the escalation levels (reminders still work), or choose a quorum.',
			});
		}
		// The number needed is the item's reviewer count (policyForItem).
		return { required: 0, mode: 'veto', sequential: true };
	}
	if (policy !== 'quorum' && policy !== 'majority') return null;
	const required = ctx.getNodeParameter('requiredApprovals', 0, 2) as number;
	if (typeof required !== 'number' || !Number.isInteger(required) || required < 2 || required > 20) {
		throw new NodeOperationError(ctx.getNode(), `Invalid number of required approvals: ${String(required)}`, {
			description: 'Set "Required Approvals" to a whole number from 2 to 20.',
		});
	}
	if (batch) {
		throw new NodeOperationError(ctx.getNode(), 'A quorum needs one request per item', {
			description: 'Set "Review Mode" to "One Request per Item", or the Approval Policy to "First Reviewer Decides".',
		});
	}
	return { required, mode: policy === 'quorum' ? 'veto' : 'majority' };
}

/** The item's policy: a sequential sign-off needs every one of its reviewers. */
export function policyForItem(policy: QuorumPolicy | null, reviewers: readonly string[]): QuorumPolicy | null {
	return policy?.sequential ? { ...policy, required: reviewers.length } : policy;
}

/** The reviewer whose turn it is in a sequential sign-off, given the approvals so far (null when none is left). */
export function currentTurn(request: { reviewers: readonly string[] }, approvals: number): string | null {
	return request.reviewers[approvals] ?? null;
}

/** Fails the item when it has fewer reviewers (after separation of duties) than the quorum needs. */
export function checkQuorumReviewers(ctx: IExecuteFunctions, itemIndex: number, reviewers: readonly string[], policy: QuorumPolicy | null): void {
	if (policy && !policy.sequential && reviewers.length < policy.required) {
		throw new NodeOperationError(ctx.getNode(), `This item has ${reviewers.length} reviewer(s) but needs ${policy.required} approvals`, {
			itemIndex,
			description: 'Add reviewers (the requester does not count), or lower "Required Approvals". Nothing was sent for review.',
		});
	}
}
