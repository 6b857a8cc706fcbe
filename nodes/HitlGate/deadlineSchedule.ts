/**
 * Handing a run's deadline plan to the deadline mechanism when the gate puts the run on hold, and
 * choosing how long n8n itself waits. With a live HITL Deadlines worker the worker acts at the deadline
 * (each item through its own decision, undecided ones through Timed Out) and n8n's timer is only a
 * fallback some minutes later; without one, n8n's timer is the deadline, as it always was — every item
 * of the run through Timed Out, nothing approved — and the builder sees a warning on the node's output.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { deadlineEvents, gateWebhookUrl, type DeadlinePlan, liveWorkers } from '../../core/deadline';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { instanceEncryptionKey } from '../shared/instanceKey';
import type { RunDeadline } from './deadlineSettings';
import type { GatePayload } from './types';

/** How long after the deadline n8n's own timer releases a run a live worker has not acted on. */
export const FALLBACK_AFTER_DEADLINE_MS = 15 * 60_000;

export const NO_WORKER_HINT =
	'No active HITL Deadlines trigger uses this review store: reminders and escalation will not be sent, and at the deadline n8n\'s own timer sends every item of this run through Timed Out (decisions already made are kept in the review log, not in the output). Activate a workflow with the HITL Deadlines trigger on this n8n instance.';

export async function scheduleDeadlines(
	ctx: IExecuteFunctions,
	store: ReviewStore,
	requests: readonly ReviewRequest[],
	resumeUrl: string,
	run: RunDeadline,
	now: Date,
	orderUrl?: string,
): Promise<Date> {
	const first = requests[0];
	const plans = requests.map((r) => (r.payload as unknown as GatePayload).deadlinePlan).filter((p): p is DeadlinePlan => p !== undefined);
	const events = first ? deadlineEvents({ groupId: first.groupId, executionId: first.executionId, nodeId: first.nodeId, target: orderUrl ?? gateWebhookUrl(resumeUrl, first.nodeId) }, plans) : [];
	const ownTimer = run.deadline ?? WAIT_INDEFINITELY;
	if (events.length === 0) return ownTimer;
	await store.scheduleDeadlineEvents(events);
	const live = instanceEncryptionKey() !== null && liveWorkers(await store.listDeadlineWorkers(), now).length > 0;
	if (!live) {
		ctx.addExecutionHints({ message: NO_WORKER_HINT, type: 'warning', location: 'outputPane' });
		return ownTimer;
	}
	return run.deadline ? new Date(run.deadline.getTime() + FALLBACK_AFTER_DEADLINE_MS) : WAIT_INDEFINITELY;
}
