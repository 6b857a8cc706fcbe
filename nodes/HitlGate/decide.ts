/**
 * Recording a decision: form edits → final item, atomic compare-and-set in the store, the `decided`
 * record, and — for exactly one caller — resuming the execution once every request of the group is
 * resolved.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { applyEdits, type EditError } from '../../core/edits';
import type { LinkClaims } from '../../core/links';
import type { FieldEdit, ReviewDecision, ReviewOutcome, ReviewRequest, ReviewStore } from '../../core/store/types';
import { maxTier, type Tier } from '../../core/tiers';
import type { ClientInfo } from './clientInfo';
import { draftSha256 } from './draft';
import { requestRecordFields } from './records';
import { buildOutputs } from './resume';
import { asGatePayload, type GatePayload } from './types';

export interface DecisionInput {
	decision: 'approve' | 'reject';
	/** Trimmed; '' = none. */
	comment: string;
	/** Submitted texts by field path, from the page's form. */
	edits: Record<string, string>;
	claims: LinkClaims;
	client: ClientInfo;
}

export type DecisionResult =
	| { kind: 'already'; reviewer: string; at: string }
	| { kind: 'expired' }
	| { kind: 'bad_edit'; errors: EditError[] }
	| { kind: 'decided'; resume: IWebhookResponseData | null };

export async function decide(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	input: DecisionInput,
	now: Date,
): Promise<DecisionResult> {
	let edits: FieldEdit[] = [];
	let finalJson: Record<string, unknown> | null = null;
	if (input.decision === 'approve') {
		// Batch requests carry several items; reviewers approve them as shown (edits are per item).
		const original = payload.items.length === 1 ? payload.items[0].json : null;
		if (original) {
			const applied = applyEdits(original, payload.editable, input.edits);
			if (!applied.ok) return { kind: 'bad_edit', errors: applied.errors };
			edits = applied.edits;
			finalJson = applied.final;
		}
	}
	const decision: ReviewDecision =
		input.decision === 'reject' ? 'rejected' : edits.length > 0 ? 'approved_with_edits' : 'approved';
	const outcome: ReviewOutcome = {
		decision,
		reviewerId: input.claims.rev,
		decidedAt: now.toISOString(),
		comment: input.comment === '' ? null : input.comment,
		edits,
		finalJson,
	};
	const cas = await store.resolveReviewRequest(request.id, 'decided', outcome);
	if (!cas.applied) {
		if (cas.request.status === 'expired') return { kind: 'expired' };
		return {
			kind: 'already',
			reviewer: cas.request.outcome?.reviewerId ?? 'another reviewer',
			at: cas.request.outcome?.decidedAt ?? now.toISOString(),
		};
	}
	await store.append({
		event: 'decided',
		decision,
		reviewerId: input.claims.rev,
		...requestRecordFields(request, payload),
		decidedAt: outcome.decidedAt,
		queueTimeMs: now.getTime() - new Date(request.createdAt).getTime(),
		finalSha256: draftSha256(finalJson ?? (payload.items.length === 1 ? payload.items[0].json : payload.items.map((i) => i.json))),
		edits,
		comment: outcome.comment,
		linkKeyId: input.claims.kid,
		linkNonce: input.claims.nonce,
		clientIp: input.client.clientIp,
		userAgent: input.client.userAgent,
	});
	return { kind: 'decided', resume: await resumeIfComplete(ctx, store, request.groupId, now) };
}

/** Expires the group's pending requests whose deadline passed; resumes through Timed Out if that completes it. */
export async function expireGroup(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	groupId: string,
	now: Date,
): Promise<IWebhookResponseData | null> {
	for (const r of await store.listReviewRequests(groupId)) {
		if (r.status !== 'pending' || now.getTime() < new Date(r.expiresAt).getTime()) continue;
		const cas = await store.resolveReviewRequest(r.id, 'expired', null);
		if (!cas.applied) continue;
		const payload = asGatePayload(r.payload);
		await store.append({
			event: 'expired',
			...requestRecordFields(r, payload),
			details: { expiresAt: r.expiresAt, reviewers: r.reviewers },
		});
	}
	return await resumeIfComplete(ctx, store, groupId, now);
}

async function resumeIfComplete(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	groupId: string,
	now: Date,
): Promise<IWebhookResponseData | null> {
	const group = await store.listReviewRequests(groupId);
	if (group.length === 0 || group.some((r) => r.status === 'pending')) return null;
	if (!(await store.claimGroupResume(groupId))) return null;
	setCustomData(ctx, group);
	return { noWebhookResponse: true, workflowData: buildOutputs(group, now) };
}

/** Execution custom data (shown in n8n's execution list): decision, reviewer(s), tier. */
function setCustomData(ctx: IWebhookFunctions, group: ReviewRequest[]): void {
	const decisions = new Set<string>();
	const reviewers = new Set<string>();
	let tier: Tier | null = null;
	let unclassified = false;
	for (const r of group) {
		decisions.add(r.status === 'decided' && r.outcome ? r.outcome.decision : 'timed_out');
		if (r.outcome && r.status === 'decided') reviewers.add(r.outcome.reviewerId);
		const t = asGatePayload(r.payload)?.tier ?? null;
		if (t === null) unclassified = true;
		else tier = tier === null ? t : maxTier(tier, t);
	}
	const timedOut = decisions.has('timed_out');
	const decision = timedOut ? 'timed_out' : decisions.size === 1 ? [...decisions][0] : `mixed: ${[...decisions].sort().join(', ')}`;
	const clip = (s: string) => (s.length > 255 ? `${s.slice(0, 254)}…` : s);
	try {
		ctx.customData.setAll({
			hitl_decision: clip(decision),
			hitl_reviewer: clip(timedOut ? '' : [...reviewers].sort().join(', ')),
			hitl_tier: unclassified ? 'unclassified' : (tier ?? 'unclassified'),
		});
	} catch (error) {
		// Custom data is a convenience for the execution list; the decision itself is already stored.
		ctx.logger.warn(`HITL Gate could not set execution custom data: ${(error as Error).message}`);
	}
}
