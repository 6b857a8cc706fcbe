/**
 * One tick of the deadline worker (the HITL Deadlines trigger runs it on a timer): say it is alive,
 * claim the due events nobody holds, and for each POST a signed order to the gate's waiting webhook
 * of that run. The gate does the acting (it has the run's credentials and its signed state) and ends
 * the event; the worker only interprets the answer:
 * - 2xx: the gate acted or found nothing left to do (it ended the event itself);
 * - 404, or 409 "finished": the run is gone or over — the event is cancelled;
 * - 401 with n8n's `{"error":"Invalid token"}`: n8n no longer knows the resume token the order was sent
 *   with — after a crash it ends the run and empties its wait (docs/queue-mode.md) — so no later tick can
 *   reach it: cancelled too. (The gate itself refuses an order with 403, which is retried.)
 * - anything else (409 "running", 5xx, network): the claim is released with the error, and the next
 *   tick retries. A worker that dies after claiming loses the lease; another retries.
 * No n8n import: the HTTP call is passed in.
 */
import { randomUUID } from 'node:crypto';

import type { DeadlineEvent, DeadlineWorkerBeat, ReviewStore } from '../store/types';
import { orderFor, signDeadlineOrder, type DeadlineActionKey, type SignedDeadlineOrder } from './action';

/** A worker whose last beat is older than this many of its intervals (and at least STALE_MIN_MS) has stopped. */
export const STALE_INTERVALS = 3;
export const STALE_MIN_MS = 2 * 60_000;
/** How long a claim holds: long enough for the gate to send a round of mails. */
export const CLAIM_LEASE_MS = 2 * 60_000;
/** Few per claim: the events of one claim are POSTed one after another, each within the lease. */
export const CLAIM_BATCH = 10;
/** After this many failed attempts an event is given up (a deadline then falls to n8n's own timer: Timed Out). */
export const MAX_ATTEMPTS = 10;

export interface HttpAnswer {
	status: number;
	body: string;
}

export type PostOrder = (url: string, order: SignedDeadlineOrder) => Promise<HttpAnswer>;

export interface TickOptions {
	worker: string;
	intervalMs: number;
	key: DeadlineActionKey;
	post: PostOrder;
	now?: () => Date;
}

export interface TickOutcome {
	eventId: string;
	kind: DeadlineEvent['kind'];
	groupId: string;
	executionId: string;
	/** `acted`: the gate answered 2xx; `cancelled`: the run is gone; `retry`: released for a later tick. */
	result: 'acted' | 'cancelled' | 'retry';
	status: number | null;
	detail: string;
}

/** A worker name: the trigger node's id and a random part per activation, so beats and claims say who held them. */
export function defaultWorkerName(node: string): string {
	return `${node.slice(0, 100)}:${randomUUID().slice(0, 8)}`;
}

export function liveWorkers(beats: readonly DeadlineWorkerBeat[], now: Date): DeadlineWorkerBeat[] {
	return beats.filter((b) => now.getTime() - new Date(b.seenAt).getTime() <= Math.max(STALE_MIN_MS, STALE_INTERVALS * b.intervalMs));
}

function isRunOver(answer: HttpAnswer): boolean {
	if (answer.status === 404 || answer.status === 410) return true;
	if (answer.status === 401 && /"error"\s*:\s*"invalid token"/i.test(answer.body)) return true;
	// n8n answers 409 both for a finished run (never coming back) and a running one (retry later).
	return answer.status === 409 && /finished/i.test(answer.body);
}

export async function runDeadlineTick(store: ReviewStore, options: TickOptions): Promise<TickOutcome[]> {
	const now = options.now ?? (() => new Date());
	await store.recordDeadlineWorker({ worker: options.worker, seenAt: now().toISOString(), intervalMs: options.intervalMs });
	const claimed = await store.claimDueDeadlineEvents(now(), options.worker, CLAIM_LEASE_MS, CLAIM_BATCH);
	const outcomes: TickOutcome[] = [];
	const goneGroups = new Set<string>();
	for (const event of claimed) {
		const token = event.claim?.token ?? null;
		const base = { eventId: event.id, kind: event.kind, groupId: event.groupId, executionId: event.executionId };
		// Its run is over (learnt from an earlier event of this claim): already cancelled with the group.
		if (goneGroups.has(event.groupId)) continue;
		// The lease ran out while earlier events were posted: another worker may hold it now; leave it.
		if (event.claim && now().getTime() >= new Date(event.claim.until).getTime()) continue;
		let answer: HttpAnswer;
		try {
			answer = await options.post(event.target, signDeadlineOrder(orderFor(event, options.worker, now()), options.key));
		} catch (error) {
			const detail = `could not reach the gate: ${(error as Error).message}`.slice(0, 500);
			const giveUp = event.attempts >= MAX_ATTEMPTS;
			await store.finishDeadlineEvent(event.id, token, giveUp ? { status: 'cancelled', result: 'gave_up', error: detail, at: now() } : { status: 'scheduled', error: detail, at: now() });
			outcomes.push({ ...base, result: giveUp ? 'cancelled' : 'retry', status: null, detail });
			continue;
		}
		const snippet = answer.body.replace(/\s+/g, ' ').slice(0, 300);
		if (answer.status >= 200 && answer.status < 300) {
			// The gate ended the event itself under our claim; if it could not (an old gate, or it found the
			// event already ended), end it here so it is not retried for ever.
			await store.finishDeadlineEvent(event.id, token, { status: 'done', result: 'acted', at: now() });
			outcomes.push({ ...base, result: 'acted', status: answer.status, detail: snippet });
		} else if (isRunOver(answer)) {
			goneGroups.add(event.groupId);
			await store.cancelDeadlineEvents(event.groupId, now(), 'execution_gone');
			await store.finishDeadlineEvent(event.id, token, { status: 'cancelled', result: 'execution_gone', at: now() });
			outcomes.push({ ...base, result: 'cancelled', status: answer.status, detail: snippet });
		} else {
			const detail = `the gate answered HTTP ${answer.status}: ${snippet}`.slice(0, 500);
			const giveUp = event.attempts >= MAX_ATTEMPTS;
			await store.finishDeadlineEvent(event.id, token, giveUp ? { status: 'cancelled', result: 'gave_up', error: detail, at: now() } : { status: 'scheduled', error: detail, at: now() });
			outcomes.push({ ...base, result: giveUp ? 'cancelled' : 'retry', status: answer.status, detail });
		}
	}
	return outcomes;
}
