/**
 * The deadline schedule's input checks and claim tokens (see DeadlineEvent in types.ts), shared by both
 * backends (file/deadlineEvents.ts, postgres/pgDeadlines.ts) so they refuse the same inputs the same way.
 */
import { randomUUID } from 'node:crypto';

import { StoreUsageError } from './errors';
import type { DeadlineActionKind, DeadlineClaim, DeadlineEvent, DeadlineEventStatus, DeadlineWorkerBeat } from './types';

export const DEADLINE_KINDS: readonly DeadlineActionKind[] = ['remind', 'escalate', 'deadline'];
export const DEADLINE_STATUSES: readonly DeadlineEventStatus[] = ['scheduled', 'done', 'cancelled'];
/** Ended events (and silent workers' beats) are kept this long, then dropped. */
export const ENDED_KEEP_MS = 7 * 24 * 3600_000;
/** Most events one claim (or one overdue listing) returns. */
export const MAX_DEADLINE_LIMIT = 1000;
const MAX_ID = 512;
const MAX_TARGET = 4096;
const MAX_TEXT = 512;
/** A worker's error is kept for people to read; a longer one is cut, not refused. */
const MAX_ERROR = 4000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function fail(what: string): never {
	throw new StoreUsageError(`Invalid deadline schedule input: ${what}`);
}

function str(value: unknown, name: string, max = MAX_ID): string {
	if (typeof value !== 'string' || value.length === 0 || value.length > max) fail(`${name} must be a non-empty string of at most ${max} characters`);
	return value;
}

function optText(value: unknown, name: string): string | null {
	return value === null || value === undefined ? null : str(value, name, MAX_TEXT);
}

/** An ISO 8601 date-time with a zone, normalised to `toISOString()` (UTC, milliseconds). */
export function checkIso(value: unknown, name: string): string {
	if (typeof value !== 'string' || !ISO.test(value) || !Number.isFinite(Date.parse(value))) fail(`${name} must be an ISO 8601 date-time with a time zone`);
	return new Date(Date.parse(value)).toISOString();
}

export function checkDate(value: unknown, name: string): Date {
	if (!(value instanceof Date) || !Number.isFinite(value.getTime())) fail(`${name} must be a valid Date`);
	return value;
}

export function checkDeadlineId(value: unknown, name = 'id'): string {
	return str(value, name);
}

export function checkLimit(value: unknown, name = 'limit'): number {
	if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_DEADLINE_LIMIT) fail(`${name} must be an integer from 1 to ${MAX_DEADLINE_LIMIT}`);
	return value as number;
}

export function checkLeaseMs(value: unknown): number {
	// At most a day: a longer lease would hide a crashed worker's events for longer than any deadline is worth.
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 24 * 3600_000) fail('leaseMs must be a positive number of milliseconds (at most a day)');
	return Math.ceil(value);
}

function checkTarget(value: unknown): string {
	const text = str(value, 'target', MAX_TARGET);
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		fail('target must be an http(s) URL');
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('target must be an http(s) URL');
	return text;
}

function checkClaim(value: unknown): DeadlineClaim | null {
	if (value === null || value === undefined) return null;
	if (typeof value !== 'object' || Array.isArray(value)) fail('claim must be an object or null');
	const c = value as Record<string, unknown>;
	return { by: str(c.by, 'claim.by'), token: str(c.token, 'claim.token'), until: checkIso(c.until, 'claim.until') };
}

/** Validates an event and returns a plain copy with normalised dates. */
export function checkDeadlineEvent(e: DeadlineEvent): DeadlineEvent {
	if (e === null || typeof e !== 'object' || Array.isArray(e)) fail('an event must be an object');
	const kind = e.kind;
	if (!DEADLINE_KINDS.includes(kind)) fail(`kind must be one of ${DEADLINE_KINDS.join(', ')}`);
	if (!Number.isInteger(e.step) || e.step < 0) fail('step must be a non-negative integer');
	const status = e.status ?? 'scheduled';
	if (!DEADLINE_STATUSES.includes(status)) fail(`status must be one of ${DEADLINE_STATUSES.join(', ')}`);
	const attempts = e.attempts ?? 0;
	if (!Number.isInteger(attempts) || attempts < 0) fail('attempts must be a non-negative integer');
	const lastError = e.lastError === null || e.lastError === undefined ? null : cutError(e.lastError, 'lastError');
	const endedAt = e.endedAt === null || e.endedAt === undefined ? null : checkIso(e.endedAt, 'endedAt');
	const result = optText(e.result, 'result');
	if (status === 'scheduled' && (endedAt !== null || result !== null)) fail('a scheduled event has no endedAt or result');
	if (status !== 'scheduled' && endedAt === null) fail('an ended event needs endedAt');
	return {
		id: str(e.id, 'id'),
		groupId: str(e.groupId, 'groupId'),
		kind,
		step: e.step,
		dueAt: checkIso(e.dueAt, 'dueAt'),
		target: checkTarget(e.target),
		executionId: str(e.executionId, 'executionId'),
		nodeId: str(e.nodeId, 'nodeId'),
		status,
		claim: status === 'scheduled' ? checkClaim(e.claim) : null,
		attempts,
		lastError,
		endedAt,
		result,
	};
}

/** Checks a batch; an id given twice keeps its first (as an id already stored does). */
export function checkDeadlineEvents(events: DeadlineEvent[]): DeadlineEvent[] {
	if (!Array.isArray(events)) fail('events must be an array');
	const seen = new Set<string>();
	const out: DeadlineEvent[] = [];
	for (const e of events) {
		const checked = checkDeadlineEvent(e);
		if (seen.has(checked.id)) continue;
		seen.add(checked.id);
		out.push(checked);
	}
	return out;
}

function cutError(value: unknown, name: string): string {
	if (typeof value !== 'string') fail(`${name} must be a string`);
	return value.length > MAX_ERROR ? `${value.slice(0, MAX_ERROR - 1)}…` : value;
}

export interface CheckedFinish {
	id: string;
	token: string | null;
	status: DeadlineEventStatus;
	result: string | null;
	error: string | null;
	at: string;
}

export function checkFinish(
	id: unknown,
	token: unknown,
	end: { status: DeadlineEventStatus; result?: string; error?: string; at: Date },
): CheckedFinish {
	if (end === null || typeof end !== 'object') fail('end must be an object');
	if (!DEADLINE_STATUSES.includes(end.status)) fail(`status must be one of ${DEADLINE_STATUSES.join(', ')}`);
	return {
		id: checkDeadlineId(id),
		token: token === null || token === undefined ? null : str(token, 'token'),
		status: end.status,
		result: end.status === 'scheduled' ? null : optText(end.result, 'result'),
		error: end.error === undefined || end.error === null ? null : cutError(end.error, 'error'),
		at: checkDate(end.at, 'at').toISOString(),
	};
}

export function checkCancel(groupId: unknown, at: unknown, result: unknown): { groupId: string; at: string; result: string } {
	return { groupId: str(groupId, 'groupId'), at: checkDate(at, 'at').toISOString(), result: str(result, 'result', MAX_TEXT) };
}

export function checkClaimArgs(now: unknown, worker: unknown, leaseMs: unknown, limit: unknown): { now: Date; worker: string; leaseMs: number; limit: number } {
	return { now: checkDate(now, 'now'), worker: str(worker, 'worker'), leaseMs: checkLeaseMs(leaseMs), limit: checkLimit(limit) };
}

export function checkBeat(beat: DeadlineWorkerBeat): DeadlineWorkerBeat {
	if (beat === null || typeof beat !== 'object') fail('a worker beat must be an object');
	if (typeof beat.intervalMs !== 'number' || !Number.isFinite(beat.intervalMs) || beat.intervalMs <= 0) fail('intervalMs must be a positive number');
	return { worker: str(beat.worker, 'worker'), seenAt: checkIso(beat.seenAt, 'seenAt'), intervalMs: beat.intervalMs };
}

/** A fresh claim for `worker` from `now` for `leaseMs`. */
export function newClaim(worker: string, now: Date, leaseMs: number): DeadlineClaim {
	return { by: worker, token: randomUUID(), until: new Date(now.getTime() + leaseMs).toISOString() };
}
