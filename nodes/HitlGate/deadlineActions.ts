/**
 * The gate acting on the deadline worker's signed orders (core/deadline/action.ts), POSTed to the
 * run's waiting webhook: a reminder to everyone who may still decide, an escalation level (backups get
 * their own personal links), or the deadline (undecided items expire; the run resumes with every item
 * through its own outcome). The order only says "now"; what is done comes from the run's signed state
 * (the request MACs cover the plan, reviewers and deadline), so an order for something not yet due is
 * refused (425, retried later) and one for an ended event is a no-op.
 *
 * Once only, and never unlogged: a reminder or escalation is marked done (under the worker's claim),
 * then its `reminded` / `escalated` records are appended, and only then do its mails go out. A retried
 * or doubled order never mails twice, and no mail leaves without its record in the chain: a crash
 * between recording and sending leaves a record of a reminder that was not delivered (the same as a
 * mail lost after SMTP took it), never a mail the chain does not show. A failed delivery is appended as
 * a `note` record naming the step. The deadline is idempotent by itself (one terminal record per
 * request, one resume per run).
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { deriveDeadlineActionKey, verifyDeadlineOrder, type DeadlineOrder, addedAt, reviewersAt, type DeadlinePlan } from '../../core/deadline';
import type { SigningKey } from '../../core/links';
import { firstRefusal, resolveEach, type DeadlineEvent, type ReviewRecordInput, type ReviewRequest, type ReviewStore } from '../../core/store';
import { maxTier } from '../../core/tiers';
import { expiryResolution } from '../shared/expiry';
import { instanceEncryptionKey } from '../shared/instanceKey';
import { deliveryFailedNote, requestRecordFields } from '../shared/requestRecords';
import { openReviewStore } from '../shared/reviewStore';
import { resumeIfComplete } from './decide';
import { verdictsFor } from './ledger';
import { issueLinks } from './links';
import { sendNotifications, type IssuedLink } from './notify/send';
import { currentTurn, readVotes } from './quorum';
import { webhookChannel } from './sequential';
import { asGatePayload, type GatePayload } from './types';

const WAIT: IWebhookResponseData = { noWebhookResponse: true };

/** A POST body that is a deadline order rather than a reviewer's form. */
export function isDeadlineOrderBody(body: unknown): boolean {
	return body !== null && typeof body === 'object' && 'order' in body && 'mac' in body;
}

function answer(ctx: IWebhookFunctions, status: number, body: Record<string, unknown>): void {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'application/json; charset=utf-8');
	res.setHeader('Cache-Control', 'no-store');
	res.end(JSON.stringify(body));
}

export async function handleDeadlineOrder(ctx: IWebhookFunctions, keys: readonly SigningKey[], now: Date): Promise<IWebhookResponseData> {
	const instanceKey = instanceEncryptionKey();
	if (instanceKey === null) {
		answer(ctx, 503, { ok: false, error: 'this n8n process has no instance encryption key to check deadline orders with' });
		return WAIT;
	}
	const node = ctx.getNode();
	const check = verifyDeadlineOrder(ctx.getBodyData(), deriveDeadlineActionKey(instanceKey), { executionId: String(ctx.getExecutionId()), nodeId: node.id, now });
	if (!check.ok) {
		answer(ctx, 403, { ok: false, error: `deadline order refused: ${check.reason}` });
		return WAIT;
	}
	const order = check.order;
	const store = await openReviewStore(ctx);
	try {
		const event = (await store.listDeadlineEvents(order.groupId)).find((e) => e.id === order.eventId);
		if (!event || event.kind !== order.kind || event.step !== order.step || event.executionId !== order.executionId || event.nodeId !== order.nodeId) {
			answer(ctx, 200, { ok: true, skipped: 'unknown_event' });
			return WAIT;
		}
		if (event.status !== 'scheduled') {
			answer(ctx, 200, { ok: true, skipped: `event_${event.status}` });
			return WAIT;
		}
		const group = await authenticGroup(store, order.groupId, keys);
		if (group === null) {
			answer(ctx, 200, { ok: true, skipped: 'no_authentic_requests' });
			return WAIT;
		}
		if (order.kind === 'deadline') return await actOnDeadline(ctx, store, event, order, group, keys, now);
		return await notifyStep(ctx, store, event, order, group, keys, now);
	} finally {
		await store.close();
	}
}

interface GroupMember {
	request: ReviewRequest;
	payload: GatePayload;
	pending: boolean;
}

/** The run's requests whose MAC verifies (anything else is never acted on), with whether each is still open. */
async function authenticGroup(store: ReviewStore, groupId: string, keys: readonly SigningKey[]): Promise<GroupMember[] | null> {
	const members: GroupMember[] = [];
	const requests = await store.listReviewRequests(groupId);
	const verdicts = await verdictsFor(store, requests, keys);
	for (const [i, request] of requests.entries()) {
		const verdict = verdicts[i];
		if (verdict.kind === 'tampered' || verdict.kind === 'erased') continue;
		members.push({ request, payload: asGatePayload(request.payload) as GatePayload, pending: verdict.kind === 'pending' });
	}
	return members.length === 0 ? null : members;
}

function dueAt(plan: DeadlinePlan | undefined, request: ReviewRequest, kind: DeadlineEvent['kind'], step: number): Date | null {
	if (kind === 'deadline') return new Date(request.expiresAt);
	const at = kind === 'remind' ? plan?.reminders[step - 1] : plan?.escalation.find((s) => s.level === step)?.at;
	return at === undefined ? null : new Date(at);
}

async function actOnDeadline(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	event: DeadlineEvent,
	order: DeadlineOrder,
	group: GroupMember[],
	keys: readonly SigningKey[],
	now: Date,
): Promise<IWebhookResponseData> {
	if (group.some((m) => m.pending && now.getTime() < new Date(m.request.expiresAt).getTime())) {
		answer(ctx, 425, { ok: false, error: 'the deadline has not passed yet' });
		return WAIT;
	}
	// Every pending request of the run in one store step (a refused one alone is retried by itself).
	const refused = firstRefusal(
		await resolveEach(
			store,
			group.filter((m) => m.pending).map((member) => ({
				id: member.request.id,
				resolution: expiryResolution(member.request, 'deadline_passed', keys[0], {
					actedBy: 'deadline_worker',
					worker: order.worker,
					rejectOnTimeout: member.payload.deadlinePlan?.rejectOnTimeout === true,
				}),
			})),
		),
	);
	if (refused !== null) throw refused;
	await store.finishDeadlineEvent(event.id, order.claimToken, { status: 'done', result: 'acted', at: now });
	const resume = await resumeIfComplete(ctx, store, order.groupId, keys, now);
	answer(ctx, 200, { ok: true, acted: 'deadline', expired: group.filter((m) => m.pending).length, resumed: resume !== null });
	return resume ?? WAIT;
}

/** Reminder or escalation: mail the people concerned their personal links, and record it. */
async function notifyStep(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	event: DeadlineEvent,
	order: DeadlineOrder,
	group: GroupMember[],
	keys: readonly SigningKey[],
	now: Date,
): Promise<IWebhookResponseData> {
	const first = group[0];
	const due = dueAt(first.payload.deadlinePlan, first.request, event.kind, event.step);
	if (due === null) {
		answer(ctx, 200, { ok: true, skipped: 'not_in_plan' });
		return WAIT;
	}
	if (now.getTime() < due.getTime()) {
		answer(ctx, 425, { ok: false, error: `not due before ${due.toISOString()}` });
		return WAIT;
	}
	const open = group.filter((m) => m.pending && now.getTime() < new Date(m.request.expiresAt).getTime());
	// Marked done before anything is mailed: a second order for the same step finds it ended and mails nobody.
	if (!(await store.finishDeadlineEvent(event.id, order.claimToken, { status: 'done', result: 'acted', at: now }))) {
		answer(ctx, 200, { ok: true, skipped: 'claimed_elsewhere' });
		return WAIT;
	}
	if (open.length === 0) {
		answer(ctx, 200, { ok: true, skipped: 'nothing_open' });
		return WAIT;
	}
	const escalation = event.kind === 'escalate';
	// Sequential sign-off: a reminder reaches only the reviewer whose turn it is.
	const turns = new Map<string, string | null>();
	for (const m of open.filter((o) => o.payload.quorum?.sequential === true)) {
		const votes = await readVotes(store, m.request, keys);
		turns.set(m.request.id, currentTurn(m.request, votes.filter((v) => v.decision === 'approved').length));
	}
	const recipientsOf = (m: Pick<GroupMember, 'request' | 'payload'>): string[] =>
		turns.has(m.request.id)
			? [turns.get(m.request.id)].filter((r): r is string => typeof r === 'string')
			: escalation
			? addedAt(m.request.reviewers, m.payload.deadlinePlan as DeadlinePlan, event.step)
			: // A reminder goes to the people asked before it was due: a level due at the same moment is
				// announced by its own escalation mail, not by a reminder first.
				reviewersAt(m.request.reviewers, m.payload.deadlinePlan, new Date(due.getTime() - 1));
	const key = keys.find((k) => k.keyId === first.payload.linkKeyId) ?? keys[0];
	const notify = first.payload.notify;
	if (!notify) {
		answer(ctx, 200, { ok: true, skipped: 'no_notification_settings' });
		return WAIT;
	}
	const batch = first.payload.mode === 'batch';
	// A batch link covers the whole run (its digest names every request), so it is issued over the group.
	const linked = batch ? group.map((m) => m.request) : open.map((m) => m.request);
	const byId = new Map(group.map((m) => [m.request.id, m]));
	const links = issueLinks(
		{
			mode: first.payload.mode,
			groupId: order.groupId,
			executionId: first.request.executionId,
			nodeId: first.request.nodeId,
			resumeUrl: notify.resumeUrl,
			...(notify.reviewLinksUrl ? { reviewLinksUrl: notify.reviewLinksUrl } : {}),
			// The link's times are the request's: the reviewer's existing link, token for token.
			now: new Date(first.request.createdAt),
			deadline: new Date(first.request.expiresAt),
			key,
			reviewersOf: (r) => recipientsOf(byId.get(r.id) as GroupMember),
			askedOf: (r) => reviewersAt(r.reviewers, (byId.get(r.id) as GroupMember).payload.deadlinePlan, now),
		},
		linked,
	);
	const payloads = new Map<string, GatePayload>(group.map((m) => [m.request.id, m.payload]));
	if (batch) payloads.set(order.groupId, batchSummary(group));
	const channel = webhookChannel(ctx);
	const prefix = escalation ? 'Escalated: ' : 'Reminder: ';
	// Recorded before anything is mailed: the chain shows every mail that may have left.
	await store.appendMany(links.flatMap((link) => link.requestIds.map((id) => stepRecord(byId.get(id) as GroupMember, link, event, now))));
	let delivery: string | null = null;
	try {
		// Each mail's subject as the run's first mail had it for that item (the subject may be an expression).
		const subjectOf = (itemIndex: number) => `${prefix}${group.find((m) => m.request.itemIndex === itemIndex)?.payload.notify?.subject ?? notify.subject}`;
		await sendNotifications(channel, notify, payloads, links, subjectOf, new Date(first.request.expiresAt));
	} catch (error) {
		const failure = (error as Error).message.slice(0, 300);
		delivery = failure;
		ctx.logger.warn(`HITL Gate could not send a ${event.kind} for run ${order.groupId}: ${failure}`);
		const announcedBy = escalation ? 'escalated' : 'reminded';
		await store.appendMany(
			links.flatMap((link) =>
				link.requestIds.map((id) => {
					const member = byId.get(id) as GroupMember;
					return deliveryFailedNote(member.request, member.payload, { reviewer: link.reviewer, nonce: link.nonce, announcedBy }, failure);
				}),
			),
		);
	}
	answer(ctx, 200, { ok: true, acted: event.kind, step: event.step, mailed: [...new Set(links.map((l) => l.reviewer))].length, delivery: delivery ?? 'sent' });
	return WAIT;
}

function stepRecord(member: GroupMember, link: IssuedLink, event: DeadlineEvent, now: Date): ReviewRecordInput {
	const plan = member.payload.deadlinePlan;
	return {
		event: event.kind === 'escalate' ? 'escalated' : 'reminded',
		reviewerId: link.reviewer,
		...requestRecordFields(member.request, member.payload),
		linkKeyId: member.payload.linkKeyId,
		linkNonce: link.nonce,
		details: {
			requestId: member.request.id,
			groupId: member.request.groupId,
			step: event.step,
			...(event.kind === 'escalate'
				? { level: event.step, reason: `no decision by ${plan?.escalation.find((s) => s.level === event.step)?.at ?? now.toISOString()}`, alsoAsked: member.request.reviewers }
				: {}),
			expiresAt: member.request.expiresAt,
		},
	};
}

/** The batch email's summary of the whole run (what the run's first email showed). */
function batchSummary(group: GroupMember[]): GatePayload {
	const first = group[0].payload;
	let tier = first.tier;
	for (const m of group) tier = tier === null || m.payload.tier === null ? null : maxTier(tier, m.payload.tier);
	return { ...first, tier, items: group.flatMap((m) => m.payload.items), tierReasons: [...new Set(group.flatMap((m) => m.payload.tierReasons))] };
}
