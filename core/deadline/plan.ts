/**
 * A gate run's deadline plan: when its reviewers are reminded, when backups are added (escalation
 * levels), and when it times out — fixed when the run starts, stored in every request's payload
 * (covered by the request MAC, so the webhook acts on what the builder chose, not on what a store
 * writer would like), and turned into scheduled events for the deadline worker. No n8n import.
 *
 * Rules the gate enforces from it: a backup may decide only once its level's time has come (their
 * link is mailed then, and the webhook refuses it before); the deadline is the only thing that ends a
 * request without a person, and ends it as timed out (or rejected, when the builder chose "reject on
 * timeout") — never approved.
 */
import type { DeadlineEvent } from '../store/types';

export interface EscalationStep {
	/** 1-based level. */
	level: number;
	/** When this level's backups are added (ISO). */
	at: string;
	/** Backups added at this level (this request's; they may come from an expression per item). */
	reviewers: string[];
}

export interface DeadlinePlan {
	v: 1;
	/** When undecided items time out (ISO); null: no deadline, the run waits until every item is decided. */
	deadline: string | null;
	/** The builder's deadline in words, for the page and mails ("2 business days (Mon–Fri 09:00–17:00 Europe/Berlin)"). */
	deadlineText: string;
	/** Undecided items leave through Rejected (decision `timed_out`, never approved) instead of Timed Out. */
	rejectOnTimeout: boolean;
	/** When reviewers who have not decided are reminded (ISO), each before the deadline. */
	reminders: string[];
	escalation: EscalationStep[];
}

/** At most this many reminders per run, whatever the interval: a typo must not mail people every second for a week. */
export const MAX_REMINDERS = 20;
export const MAX_ESCALATION_LEVELS = 5;

/** Reminder times: every `everyMs` after `start`, at most `count`, only before the deadline. */
export function reminderTimes(start: Date, everyMs: number, count: number, deadline: Date | null): Date[] {
	if (!(everyMs > 0) || !(count > 0)) return [];
	const out: Date[] = [];
	for (let k = 1; k <= Math.min(count, MAX_REMINDERS); k++) {
		const at = new Date(start.getTime() + k * everyMs);
		if (deadline !== null && at.getTime() >= deadline.getTime()) break;
		out.push(at);
	}
	return out;
}

/** Everyone who may decide the request at `now`: its reviewers, then the backups of every level whose time has come. */
export function reviewersAt(reviewers: readonly string[], plan: DeadlinePlan | null | undefined, now: Date): string[] {
	const out = [...reviewers];
	for (const step of plan?.escalation ?? []) {
		const at = new Date(step.at).getTime();
		// A time that does not parse is never reached (closed, not open).
		if (!Number.isFinite(at) || now.getTime() < at) continue;
		for (const r of step.reviewers) if (!out.includes(r)) out.push(r);
	}
	return out;
}

/** Who was added at `level` and was not already asked before it. */
export function addedAt(reviewers: readonly string[], plan: DeadlinePlan, level: number): string[] {
	const before = new Set(reviewers);
	for (const step of plan.escalation) if (step.level < level) step.reviewers.forEach((r) => before.add(r));
	const step = plan.escalation.find((s) => s.level === level);
	return step ? step.reviewers.filter((r) => !before.has(r)) : [];
}

export interface GroupTarget {
	groupId: string;
	executionId: string;
	nodeId: string;
	/** The gate's waiting-webhook URL of the run (with n8n's resume token). */
	target: string;
}

/** The scheduled events of a run: one per reminder, per escalation level that adds someone, and the deadline. */
export function deadlineEvents(group: GroupTarget, plans: readonly DeadlinePlan[]): DeadlineEvent[] {
	const first = plans[0];
	if (!first) return [];
	const event = (kind: DeadlineEvent['kind'], step: number, dueAt: string): DeadlineEvent => ({
		id: `${group.groupId}#${kind}#${step}`,
		groupId: group.groupId,
		kind,
		step,
		dueAt,
		target: group.target,
		executionId: group.executionId,
		nodeId: group.nodeId,
		status: 'scheduled',
		claim: null,
		attempts: 0,
		lastError: null,
		endedAt: null,
		result: null,
	});
	const events: DeadlineEvent[] = first.reminders.map((at, i) => event('remind', i + 1, at));
	// Levels share their times across the run (the delays are the builder's); backups may differ per item.
	for (const step of first.escalation) {
		if (plans.some((p) => p.escalation.some((s) => s.level === step.level && s.reviewers.length > 0))) events.push(event('escalate', step.level, step.at));
	}
	if (first.deadline !== null) events.push(event('deadline', 0, first.deadline));
	return events;
}

/** The waiting-webhook URL of the gate node from n8n's `$execution.resumeUrl` (…/webhook-waiting/<id>?signature=…). */
export function gateWebhookUrl(resumeUrl: string, nodeId: string): string {
	const url = new URL(resumeUrl);
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(nodeId)}`;
	return url.toString();
}
