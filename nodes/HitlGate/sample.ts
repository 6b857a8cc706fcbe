/**
 * Sample review (Review Mode "Sample Review"), the gate's half: for the Blast Radius Router's "Low –
 * sampled for review" items, which go on at once while a person checks a sample of them later. Why a
 * mode of the gate and not a sub-workflow: the request, its MAC, the personal signed links, the mail and
 * the review page are the gate's, so a sampled item's later verdict is recorded and verified exactly like
 * a decision (HITL Review Links serves it: nodes/HitlReviewLinks/sampleReview.ts).
 *
 * What this file decides:
 * - that only Low items, as a Blast Radius Router of this run classified them, may pass unreviewed; any
 *   other item fails the run (unknown risk is high risk);
 * - which settings cannot work without a waiting run, refused before anything is recorded or sent (fail
 *   closed, never silently ignored): quorum and sequential sign-off, one-time codes, reminders and
 *   escalation (all need the run's waiting webhook), and links that do not go through Review Links;
 * - that sample review needs an active HITL Review Links node: without one the links would be dead
 *   (nothing waits for them), so the run fails with what to do, and no item leaves;
 * - the `sampled` record per item (item key = request id, as every gate record), which Review Log
 *   Metrics counts for the skip rate and, with the later `decided` record, the problem rate;
 * - the one output's items: the item unchanged plus `hitl` saying it went on unreviewed.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ReviewRecordInput } from '../../core/records';
import type { ReviewRequest } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import type { GatePayload } from './types';

/** The `hitl.status` of an item sample review passed on: nobody has looked at it yet. */
export const SAMPLE_STATUS = 'pending_sample_review';

function refuse(ctx: IExecuteFunctions, message: string, description: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { description: `${description} Nothing was sent for review and no item left the gate.` });
}

/** Settings sample review cannot honour without a waiting run: refused, never dropped silently. */
export function checkSampleSettings(ctx: IExecuteFunctions): void {
	if (String(ctx.getNodeParameter('approvalPolicy', 0, 'first')) !== 'first') {
		refuse(ctx, 'Sample review takes one verdict per item', 'Set "Approval Policy" to "First Reviewer Decides", or use "One Request per Item" for a quorum or sign-off.');
	}
	if (String(ctx.getNodeParameter('requireOneTimeCode', 0, 'off')) !== 'off') {
		refuse(ctx, 'Sample review asks no one-time code', 'Set "Require One-Time Code" to "Off": a sampled item has already gone on, and a code cannot stop it.');
	}
	const levels = ctx.getNodeParameter('escalation.levels', 0, []) as unknown;
	if (Number(ctx.getNodeParameter('remindEveryAmount', 0, 0)) > 0 || (Array.isArray(levels) && levels.length > 0)) {
		refuse(ctx, 'Sample review sends no reminders or escalation', 'Set "Remind Every" to 0 and remove the escalation levels; the skip rate in Review Log Metrics shows samples nobody checked.');
	}
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	if (options.reviewLinks === 'off') {
		refuse(ctx, 'Sample review needs HITL Review Links', 'Set the option "Review Links" to "Through HITL Review Links When Active": the run does not wait, so its own links would be dead.');
	}
}

/** Sample review's links must go through an active Review Links node; without one, fail closed. */
export function requireReviewLinks(ctx: IExecuteFunctions, reviewLinksUrl: string | null): string {
	if (reviewLinksUrl) return reviewLinksUrl;
	return refuse(
		ctx,
		'Sample review needs an active HITL Review Links workflow',
		'Activate a workflow with the HITL Review Links node for this review store and signing key (examples/hitl-review-links.json), with the same path as the gate\'s option "Review Links Path". The run does not wait, so only HITL Review Links can take the reviewer\'s later verdict.',
	);
}

/**
 * Only Low items may pass unreviewed: each item's tier must be Low, from a Blast Radius Router of this
 * run (riskProvenance `router`). A High, Medium, unclassified or unverified item in a sample-review gate
 * is a wiring mistake that would let a risky item through without a person; the run fails instead.
 */
export function checkSampleTiers(ctx: IExecuteFunctions, requests: readonly ReviewRequest[]): void {
	for (const request of requests) {
		const payload = request.payload as unknown as GatePayload;
		if (payload.tier === 'low' && payload.riskProvenance === 'router') continue;
		const what = payload.riskProvenance === 'unverified' ? 'a risk annotation no Blast Radius Router of this run produced' : payload.tier === null ? 'no risk tier' : `tier ${payload.tier}`;
		throw new NodeOperationError(ctx.getNode(), `Sample review passes on only Low items; item ${request.itemIndex + 1} has ${what}`, {
			itemIndex: request.itemIndex,
			description:
				'Wire the Blast Radius Router\'s "Low – sampled for review" output to this gate, and High, Medium and unclassified items to a gate that holds them ("One Request per Item" or "Whole Run as One Batch"). Nothing was sent for review and no item left the gate.',
		});
	}
}

/** One `sampled` record per item, with the item key (= request id) its later `decided` record carries. */
export function sampledRecords(requests: readonly ReviewRequest[]): ReviewRecordInput[] {
	return requests.map((request) => ({
		event: 'sampled' as const,
		...requestRecordFields(request, request.payload as unknown as GatePayload),
		details: { requestId: request.id, groupId: request.groupId, mode: 'sample', reviewers: request.reviewers, expiresAt: request.expiresAt },
	}));
}

/** The gate's one output in sample mode: every item as it came in, with `hitl` saying it went on unreviewed. */
export function sampleOutputs(requests: readonly ReviewRequest[], reviewLinksUrl: string): INodeExecutionData[][] {
	const sorted = [...requests].sort((a, b) => a.itemIndex - b.itemIndex);
	return [
		sorted.map((request) => {
			const payload = request.payload as unknown as GatePayload;
			const item = payload.items[0];
			return {
				json: {
					...item.json,
					hitl: {
						mode: 'sample',
						status: SAMPLE_STATUS,
						decision: null,
						requestId: request.id,
						itemIndex: item.index,
						reviewers: request.reviewers,
						requestedAt: request.createdAt,
						reviewBy: request.expiresAt,
						draftSha256: request.draftSha256,
						linkKeyId: payload.linkKeyId,
						reviewLinksUrl,
						...(payload.blastRadius ? { blastRadius: payload.blastRadius } : {}),
					} as IDataObject,
				},
				...(item.binary ? { binary: item.binary as INodeExecutionData['binary'] } : {}),
				pairedItem: { item: item.index },
			};
		}),
	];
}
