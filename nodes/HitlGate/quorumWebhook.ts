/**
 * A reviewer's POST on a request under a quorum policy (quorum.ts): record their vote (their first
 * only), recount the chain's MAC-verified votes, and — when the quorum is reached, vetoed or made
 * impossible — end the request with one `decided` record naming every approver, through the same
 * atomic step and single resume as any decision. Until then the run keeps waiting.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { LinkClaims, SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import type { ClientInfo } from './clientInfo';
import { commitDecision, prepareDecision, resumeIfComplete } from './decide';
import { withDecisionDetails } from './ledger';
import { appendVote, currentTurn, finalDecision, readVotes, tally } from './quorum';
import { askNext } from './sequential';
import { sendMessage } from './respond';
import type { GatePayload } from './types';

const WAIT: IWebhookResponseData = { noWebhookResponse: true };

export interface VoteInput {
	decision: 'approve' | 'reject';
	comment: string;
	edits: Record<string, string>;
	claims: LinkClaims;
	client: ClientInfo;
	servedAt: Date | null;
	/** Added to the vote record and to the decided record this vote may write (e.g. `oneTimeCode: true`). */
	details?: Record<string, unknown>;
}

/** `refuse`: renders the review page again with a message (the caller's, so the page keeps what was typed). */
export async function postVote(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	input: VoteInput,
	keys: readonly SigningKey[],
	now: Date,
	refuse: (message: string) => IWebhookResponseData,
): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const policy = payload.quorum as NonNullable<GatePayload['quorum']>;
	if (Object.keys(input.edits).length > 0) return refuse('Under a quorum every approver approves the item as shown: edits are not taken. Nothing was recorded.');
	const before = await readVotes(store, request, keys);
	const earlier = before.find((v) => v.reviewerId === input.claims.rev);
	if (earlier) {
		sendMessage(res, { kind: 'already_voted', decision: earlier.decision, at: earlier.at });
		return WAIT;
	}
	if (policy.sequential) {
		// Only the reviewer whose turn it is may sign; nothing is recorded for anyone else.
		const turn = currentTurn(request, before.filter((v) => v.decision === 'approved').length);
		if (turn !== input.claims.rev) {
			sendMessage(res, { kind: 'not_your_turn', waitingFor: turn ?? 'nobody' });
			return WAIT;
		}
	}
	const comment = input.comment === '' ? null : input.comment;
	await appendVote(store, request, payload, { decision: input.decision === 'approve' ? 'approved' : 'rejected', comment, at: now, claims: input.claims, client: input.client, policy, ...(input.details ? { details: input.details } : {}) }, keys[0]);
	// Recounted after our vote is in the chain: whoever voted last sees every vote before theirs.
	const t = tally(await readVotes(store, request, keys), policy, request.reviewers.length);
	if (t.state === 'open') {
		const next = policy.sequential ? currentTurn(request, t.approvals.length) : null;
		if (next !== null) await askNext(ctx, store, request, payload, next, keys);
		sendMessage(res, { kind: 'vote_recorded', decision: input.decision, approvals: t.approvals.length, required: policy.required });
		return WAIT;
	}
	const final = finalDecision(t);
	const prepared = await prepareDecision(
		ctx,
		store,
		request,
		payload,
		{ decision: final.decision === 'rejected' ? 'reject' : 'approve', comment: final.comment ?? '', edits: {}, claims: input.claims, client: input.client, servedAt: input.servedAt },
		keys,
		now,
	);
	if (prepared.kind !== 'ready') return refuse(prepared.kind === 'too_large' ? prepared.message : 'The decision could not be recorded. Nothing was decided.');
	// Signed again with what the vote adds (the tally; the voter's accepted one-time code, under the MAC).
	const resolution = withDecisionDetails(prepared.resolution, request, { ...final.details, ...input.details }, keys[0]);
	const committed = await commitDecision(store, request, resolution, now);
	// Another voter's step ended it at the same moment: our vote stands, the run resumes once either way.
	if (committed.kind !== 'decided') {
		sendMessage(res, { kind: 'vote_recorded', decision: input.decision, approvals: t.approvals.length, required: policy.required });
		return WAIT;
	}
	sendMessage(res, { kind: 'recorded', decision: input.decision });
	return (await resumeIfComplete(ctx, store, request.groupId, keys, now)) ?? WAIT;
}
