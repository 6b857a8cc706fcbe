/**
 * Recording a decision: form edits → final item, one atomic store step that writes the MAC'd
 * `decided` record and marks the request decided (or neither), and — for exactly one caller — resuming
 * the execution once every request of the group has a verified terminal record in the chain. The
 * reviewer may be answered between the two: once the record is durable, not before.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { assertStorable, normaliseInput, RecordError } from '../../core/chain';
import { applyEdits, sha256Json, type EditError } from '../../core/edits';
import type { AnyLinkClaims, SigningKey } from '../../core/links';
import type { FieldEdit, ReviewDecision } from '../../core/records';
import { firstRefusal, resolveEach, type Resolution, type ResolveResult, type ReviewOutcome, type ReviewRequest, type ReviewStore } from '../../core/store';
import { maxTier, type Tier } from '../../core/tiers';
import { expiryResolution, type ExpiryReason } from '../shared/expiry';
import type { ClientInfo } from './clientInfo';
import { keepEvidence } from './evidence';
import { decisionResolution, draftOf, reportTamper, verdictsFor, withDecisionDetails, type Verdict } from './ledger';
import { buildOutputs, type ReleasedRequest } from './resume';
import { asGatePayload, type GatePayload } from './types';

export interface DecisionInput {
	decision: 'approve' | 'reject';
	/** Trimmed; '' = none. */
	comment: string;
	/** Submitted texts by field path, from the page's form. */
	edits: Record<string, string>;
	/** The link used: its reviewer, key id and nonce go into the record. */
	claims: AnyLinkClaims;
	client: ClientInfo;
	/** When the page the decision came from was served (its CSRF token says); null for a token without it. */
	servedAt?: Date | null;
}

export type DecisionResult =
	| { kind: 'already'; reviewer: string; at: string }
	/** The guard (e.g. the one-time code) refused: nothing was decided. */
	| { kind: 'guard_refused'; refusal: GuardRefusal }
	| { kind: 'expired' }
	| { kind: 'bad_edit'; errors: EditError[] }
	| { kind: 'too_large'; message: string }
	| { kind: 'decided'; resume: IWebhookResponseData | null };

/** What a guard of {@link decide} refused with (the caller's to show). */
export type GuardRefusal = { status: number; [key: string]: unknown };

/**
 * A last check run after the decision was prepared and right before it is recorded (the one-time code:
 * checking a code spends it, so nothing that could still refuse the form may come after it). Its
 * `details` are added to the decided record.
 */
export type DecisionGuard = () => Promise<{ ok: true; details: Record<string, unknown> } | { ok: false; refusal: GuardRefusal }>;

/** A decision checked and ready to record, or why it cannot be. */
export type PreparedDecision =
	| { kind: 'ready'; resolution: Resolution }
	| { kind: 'bad_edit'; errors: EditError[] }
	| { kind: 'too_large'; message: string };

/** The largest note a one-time code adds to a decided record (oneTimeCode.ts verifyCode). */
const CODE_NOTE_ROOM = { oneTimeCode: true, oneTimeCodeAcceptedSeq: Number.MAX_SAFE_INTEGER };

/** What recording one prepared decision did. */
export type CommitResult = { kind: 'decided' } | { kind: 'already'; reviewer: string; at: string } | { kind: 'expired' };

export async function decide(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	input: DecisionInput,
	keys: readonly SigningKey[],
	now: Date,
	guard: DecisionGuard | undefined,
	/**
	 * Called once the decided record is durable in the chain and before the group is checked for
	 * resuming: the reviewer's "recorded" answer need not wait for the resume bookkeeping.
	 */
	onRecorded: () => void,
): Promise<DecisionResult> {
	const prepared = await prepareDecision(ctx, store, request, payload, input, keys, now);
	if (prepared.kind !== 'ready') return prepared;
	let resolution = prepared.resolution;
	if (guard) {
		const passed = await guard();
		if (!passed.ok) return { kind: 'guard_refused', refusal: passed.refusal };
		// Signed again with the guard's details: the accepted code's seq is under the decision MAC.
		resolution = withDecisionDetails(resolution, request, passed.details, keys[0]);
	}
	const committed = await commitDecision(store, request, resolution, now);
	if (committed.kind !== 'decided') return committed;
	onRecorded();
	return { kind: 'decided', resume: await resumeIfComplete(ctx, store, request.groupId, keys, now) };
}

/**
 * Everything before the atomic step: edits applied and type-checked, evidence kept, the MAC'd record
 * built and checked against the store's limits. Nothing is decided here, so a batch can prepare every
 * chosen item and record none of them when one fails.
 */
export async function prepareDecision(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	input: DecisionInput,
	keys: readonly SigningKey[],
	now: Date,
): Promise<PreparedDecision> {
	let edits: FieldEdit[] = [];
	let finalJson: Record<string, unknown> | null = null;
	const single = payload.items.length === 1;
	if (!single && Object.keys(input.edits).length > 0) {
		// A batch request stored before each item had its own request is decided as shown.
		return { kind: 'bad_edit', errors: Object.keys(input.edits).map((path) => ({ path, message: `"${path}" is not an editable field: a batch is approved or rejected as shown.` })) };
	}
	if (input.decision === 'approve' && single) {
		const applied = applyEdits(payload.items[0].json, payload.editable, input.edits);
		if (!applied.ok) return { kind: 'bad_edit', errors: applied.errors };
		edits = applied.edits;
		finalJson = applied.final;
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
	// Kept before the record that names it (an unused entry is harmless; a record naming missing evidence is not).
	const evidence = await keepEvidence(ctx, payload, outcome, now);
	const resolution = decisionResolution({
		request,
		payload,
		outcome,
		evidence,
		finalSha256: sha256Json(finalJson ?? draftOf(payload)),
		queueTimeMs: now.getTime() - new Date(request.createdAt).getTime(),
		linkKeyId: input.claims.kid,
		linkNonce: input.claims.nonce,
		client: input.client,
		key: keys[0],
		servedAt: input.servedAt ?? null,
	});
	// The store's own checks, before anything is decided: a record it cannot take is the reviewer's to shorten.
	// A decision that needs a code gets the code's note later (decide()'s guard): checked with room for it.
	const record = payload.oneTimeCode ? { ...resolution.record, details: { ...resolution.record.details, ...CODE_NOTE_ROOM } } : resolution.record;
	let unstorable: string | null = null;
	try {
		assertStorable(normaliseInput(record), store.chain);
	} catch (error) {
		unstorable = error instanceof RecordError ? error.message.split(';')[0] : String(error);
	}
	if (unstorable !== null) {
		return { kind: 'too_large', message: `Your decision cannot be recorded (${unstorable}). Shorten your comment or edits. Nothing was decided.` };
	}
	return { kind: 'ready', resolution };
}

/** The one atomic step: the MAC'd record and the request's new state, or neither (someone else was first). */
export async function commitDecision(store: ReviewStore, request: ReviewRequest, resolution: Resolution, now: Date): Promise<CommitResult> {
	return commitResultOf(await store.resolveReviewRequest(request.id, resolution), now);
}

/**
 * Several decisions of one reviewer (a batch page's submit) in one store step — each its own MAC'd
 * record and atomic change — in the order given. A request the store refuses alone (erased since the
 * page was served) does not hold the others; the first refusal is thrown once every other is recorded.
 */
export async function commitDecisions(store: ReviewStore, decisions: ReadonlyArray<{ request: ReviewRequest; resolution: Resolution }>, now: Date): Promise<CommitResult[]> {
	const outcomes = await resolveEach(store, decisions.map((d) => ({ id: d.request.id, resolution: d.resolution })));
	return outcomes.map((o) => {
		if (!o.ok) throw o.error;
		return commitResultOf(o.result, now);
	});
}

/** What a resolution's result means for the reviewer: recorded, too late (expired), or someone else's. */
function commitResultOf(result: ResolveResult, now: Date): CommitResult {
	if (result.applied) return { kind: 'decided' };
	if (result.record?.event === 'expired' || (!result.record && result.request.status === 'expired')) return { kind: 'expired' };
	return {
		kind: 'already',
		reviewer: result.record?.reviewerId ?? 'another reviewer',
		at: result.record?.decidedAt ?? result.record?.recordedAt ?? now.toISOString(),
	};
}

/**
 * Expires the group's pending requests whose deadline passed (each with its own `expired` record);
 * resumes through Timed Out if that completes the group.
 */
export async function expireGroup(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	groupId: string,
	keys: readonly SigningKey[],
	now: Date,
	reason: ExpiryReason = 'expired_link_posted',
): Promise<IWebhookResponseData | null> {
	// Whether a request ended is the chain's to say (a stored status could be forged): every request past
	// its deadline goes to the store, which writes nothing for one that already has its terminal record.
	const due = (await store.listReviewRequests(groupId)).filter((r) => now.getTime() >= new Date(r.expiresAt).getTime());
	const refused = firstRefusal(await resolveEach(store, due.map((r) => ({ id: r.id, resolution: expiryResolution(r, reason, keys[0]) }))));
	if (refused !== null) throw refused;
	return await resumeIfComplete(ctx, store, groupId, keys, now);
}

/**
 * Resumes the run once every request of the group has ended in a verified terminal record; exactly one
 * caller gets to. A request whose stored state cannot be backed by the chain holds the whole run (it
 * may still time out) and is reported as `tamper_suspected`.
 */
export async function resumeIfComplete(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	groupId: string,
	keys: readonly SigningKey[],
	now: Date,
): Promise<IWebhookResponseData | null> {
	const group = await store.listReviewRequests(groupId);
	if (group.length === 0) return null;
	const released: ReleasedRequest[] = [];
	let complete = true;
	const verdicts = await verdictsFor(store, group, keys);
	for (const [i, request] of group.entries()) {
		const verdict: Verdict = verdicts[i];
		if (verdict.kind === 'tampered') {
			await reportTamper(store, request, verdict.reason);
			complete = false;
		} else if (verdict.kind === 'pending') {
			if (verdict.inconsistent) await reportTamper(store, request, verdict.inconsistent);
			complete = false;
		} else if (verdict.kind === 'erased') {
			// Nothing left to release: the run leaves only through n8n's own timer, by Timed Out.
			complete = false;
		} else {
			released.push({ request, payload: asGatePayload(request.payload) as GatePayload, verdict });
		}
	}
	if (!complete) return null;
	if (!(await store.claimGroupResume(groupId))) return null;
	// The run is leaving: nothing scheduled for it (reminders, escalation, the deadline) may act any more.
	await store.cancelDeadlineEvents(groupId, now, 'group_ended').catch((error: Error) => {
		ctx.logger.warn(`HITL Gate could not cancel the run's scheduled reminders: ${error.message}`);
	});
	setCustomData(ctx, released);
	return { noWebhookResponse: true, workflowData: buildOutputs(released, now) };
}

/** Execution custom data (shown in n8n's execution list): decision, reviewer(s), tier. */
function setCustomData(ctx: IWebhookFunctions, group: ReleasedRequest[]): void {
	const decisions = new Set<string>();
	const reviewers = new Set<string>();
	let tier: Tier | null = null;
	let unclassified = false;
	for (const { payload, verdict } of group) {
		const record = verdict.record;
		decisions.add(verdict.kind === 'decided' && record.decision ? record.decision : 'timed_out');
		if (verdict.kind === 'decided' && record.reviewerId) reviewers.add(record.reviewerId);
		const t = payload.tier;
		if (t === null) unclassified = true;
		else tier = tier === null ? t : maxTier(tier, t);
	}
	const timedOut = decisions.size === 1 && decisions.has('timed_out');
	const decision = decisions.size === 1 ? [...decisions][0] : `mixed: ${[...decisions].sort().join(', ')}`;
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
