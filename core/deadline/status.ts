/**
 * The deadline mechanism's health as a report reads it: how many HITL Deadlines triggers beat recently
 * on this store, and which reminders, escalations and deadlines are overdue with nobody acting on them.
 * One computation for Review Log Metrics (its "deadlines" row) and Report, so the two never disagree.
 */
import type { ReviewStore } from '../store';
import { liveWorkers } from './worker';

export interface DeadlineStatus {
	deadlineTriggersLive: number;
	deadlineTriggerLastSeenAt: string | null;
	overdueUnattended: number;
	overdueReminders: number;
	overdueEscalations: number;
	overdueDeadlines: number;
	oldestOverdueDueAt: string | null;
	/** Executions with an overdue step (at most 100). */
	overdueExecutions: string[];
}

/** At most this many overdue steps are read (a report, not a queue). */
const OVERDUE_LIMIT = 1000;

export async function deadlineStatus(store: ReviewStore, now: Date): Promise<DeadlineStatus> {
	const [beats, overdue] = await Promise.all([store.listDeadlineWorkers(), store.listOverdueDeadlineEvents(now, OVERDUE_LIMIT)]);
	const byKind = { remind: 0, escalate: 0, deadline: 0 };
	for (const e of overdue) byKind[e.kind]++;
	return {
		deadlineTriggersLive: liveWorkers(beats, now).length,
		deadlineTriggerLastSeenAt: beats[0]?.seenAt ?? null,
		overdueUnattended: overdue.length,
		overdueReminders: byKind.remind,
		overdueEscalations: byKind.escalate,
		overdueDeadlines: byKind.deadline,
		oldestOverdueDueAt: overdue.reduce<string | null>((min, e) => (min === null || e.dueAt < min ? e.dueAt : min), null),
		overdueExecutions: [...new Set(overdue.map((e) => e.executionId))].slice(0, 100),
	};
}
