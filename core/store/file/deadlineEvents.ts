/**
 * The deadline mechanism's schedule (see DeadlineEvent in ../types.ts): the input checks both backends
 * share, and the file backend's copy of it.
 *
 * Two files beside the chain, each one JSON document replaced atomically (temp + fsync + rename +
 * fsync dir) and only ever read-modified-written under the log's inter-process lock (jsonlStore.ts
 * holds it around every call that writes here):
 * - `<chain>.deadlines.json`: `{ v: 1, chain, events: [...] }` — every scheduled event, and ended ones
 *   for ENDED_KEEP_MS after they ended (older ended events are dropped whenever the file is rewritten);
 * - `<chain>.deadline-workers.json`: `{ v: 1, chain, workers: [...] }` — one beat per worker name
 *   (beats older than ENDED_KEEP_MS are dropped when the file is rewritten: worker names carry a pid).
 *
 * Working state, never evidence: what a worker did is recorded in the chain. A file that does not
 * parse as such a document is refused (StoreCorruptError), never reset: a reset would re-arm or lose
 * deadlines silently.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { StoreCorruptError, StoreUsageError } from '../errors';
import type { DeadlineActionKind, DeadlineClaim, DeadlineEvent, DeadlineEventStatus, DeadlineWorkerBeat } from '../types';
import { readFileOrNull, writeFileAtomic } from './fsUtil';

// ---------------------------------------------------------------------------------------------------
// Input checks, shared by both backends (postgres/pgDeadlines.ts imports them).

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

const byDue = (a: DeadlineEvent, b: DeadlineEvent) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Scheduled, due (at or before `now`, or strictly before with `strict`) and held by nobody (no claim, or an expired one). */
function claimable(e: DeadlineEvent, nowMs: number, strict: boolean): boolean {
	if (e.status !== 'scheduled') return false;
	const due = Date.parse(e.dueAt);
	if (strict ? !(due < nowMs) : due > nowMs) return false;
	return e.claim === null || Date.parse(e.claim.until) <= nowMs;
}

// ---------------------------------------------------------------------------------------------------
// The file backend's schedule.

interface EventsFile {
	v: 1;
	chain: string;
	events: DeadlineEvent[];
}

interface WorkersFile {
	v: 1;
	chain: string;
	workers: DeadlineWorkerBeat[];
}

export class FileDeadlineSchedule {
	readonly eventsPath: string;
	readonly workersPath: string;

	constructor(
		directory: string,
		private readonly chain: string,
	) {
		this.eventsPath = join(directory, `${chain}.deadlines.json`);
		this.workersPath = join(directory, `${chain}.deadline-workers.json`);
	}

	private corrupt(path: string, why: string): never {
		throw new StoreCorruptError(
			`The deadline schedule file ${path} is damaged (${why}). Nothing is written to it; restore it from a backup, or move it aside (every deadline it held is then lost: the gates' runs wait for their reviewers without reminders, escalations or expiry).`,
		);
	}

	/** Every stored event (order as stored). A missing file is an empty schedule. */
	private async readEvents(): Promise<DeadlineEvent[]> {
		const text = await readFileOrNull(this.eventsPath);
		if (text === null) return [];
		let doc: EventsFile;
		try {
			doc = JSON.parse(text) as EventsFile;
		} catch (error) {
			this.corrupt(this.eventsPath, `not JSON: ${(error as Error).message}`);
		}
		if (doc === null || typeof doc !== 'object' || doc.v !== 1 || !Array.isArray(doc.events)) this.corrupt(this.eventsPath, 'not a deadline schedule');
		if (doc.chain !== this.chain) this.corrupt(this.eventsPath, `it belongs to chain ${JSON.stringify(doc.chain)}`);
		const ids = new Set<string>();
		return doc.events.map((e, i) => {
			let checked: DeadlineEvent;
			try {
				checked = checkDeadlineEvent(e);
			} catch (error) {
				this.corrupt(this.eventsPath, `event ${i}: ${(error as Error).message}`);
			}
			if (ids.has(checked.id)) this.corrupt(this.eventsPath, `event id ${checked.id} appears twice`);
			ids.add(checked.id);
			return checked;
		});
	}

	/** Replaces the file (under the lock), dropping events that ended more than ENDED_KEEP_MS before `now`. */
	private async writeEvents(events: DeadlineEvent[], now: Date): Promise<void> {
		const cutoff = new Date(now.getTime() - ENDED_KEEP_MS).toISOString();
		const kept = events.filter((e) => e.status === 'scheduled' || (e.endedAt ?? '') >= cutoff);
		await writeFileAtomic(this.eventsPath, JSON.stringify({ v: 1, chain: this.chain, events: kept } satisfies EventsFile));
	}

	/** Under the lock. */
	async schedule(events: DeadlineEvent[], now: Date): Promise<void> {
		const stored = await this.readEvents();
		const ids = new Set(stored.map((e) => e.id));
		const added = events.filter((e) => !ids.has(e.id));
		if (added.length === 0) return;
		await this.writeEvents([...stored, ...added], now);
	}

	/** Under the lock. */
	async claim(args: { now: Date; worker: string; leaseMs: number; limit: number }, storeNow: Date): Promise<DeadlineEvent[]> {
		const events = await this.readEvents();
		const due = events.filter((e) => claimable(e, args.now.getTime(), false)).sort(byDue).slice(0, args.limit);
		if (due.length === 0) return [];
		for (const e of due) {
			e.claim = newClaim(args.worker, args.now, args.leaseMs);
			e.attempts += 1;
		}
		await this.writeEvents(events, storeNow);
		return due.map((e) => structuredClone(e));
	}

	/** Under the lock. */
	async finish(f: CheckedFinish, storeNow: Date): Promise<boolean> {
		const events = await this.readEvents();
		const e = events.find((x) => x.id === f.id);
		if (!e || e.status !== 'scheduled') return false;
		if (f.token !== null && e.claim?.token !== f.token) return false;
		e.claim = null;
		if (f.error !== null) e.lastError = f.error;
		if (f.status !== 'scheduled') {
			e.status = f.status;
			e.endedAt = f.at;
			e.result = f.result;
		}
		await this.writeEvents(events, storeNow);
		return true;
	}

	/** Under the lock. */
	async cancel(c: { groupId: string; at: string; result: string }, storeNow: Date): Promise<number> {
		const events = await this.readEvents();
		let n = 0;
		for (const e of events) {
			if (e.groupId !== c.groupId || e.status !== 'scheduled') continue;
			e.status = 'cancelled';
			e.claim = null;
			e.endedAt = c.at;
			e.result = c.result;
			n++;
		}
		if (n > 0) await this.writeEvents(events, storeNow);
		return n;
	}

	/** Lock-free: the file is only ever replaced whole. */
	async list(groupId: string): Promise<DeadlineEvent[]> {
		return (await this.readEvents()).filter((e) => e.groupId === groupId).sort(byDue);
	}

	/** Lock-free. */
	async overdue(now: Date, limit: number): Promise<DeadlineEvent[]> {
		return (await this.readEvents()).filter((e) => claimable(e, now.getTime(), true)).sort(byDue).slice(0, limit);
	}

	private async readWorkers(): Promise<DeadlineWorkerBeat[]> {
		const text = await readFileOrNull(this.workersPath);
		if (text === null) return [];
		let doc: WorkersFile;
		try {
			doc = JSON.parse(text) as WorkersFile;
		} catch (error) {
			this.corrupt(this.workersPath, `not JSON: ${(error as Error).message}`);
		}
		if (doc === null || typeof doc !== 'object' || doc.v !== 1 || !Array.isArray(doc.workers)) this.corrupt(this.workersPath, 'not a list of deadline workers');
		if (doc.chain !== this.chain) this.corrupt(this.workersPath, `it belongs to chain ${JSON.stringify(doc.chain)}`);
		return doc.workers.map((w, i) => {
			try {
				return checkBeat(w);
			} catch (error) {
				this.corrupt(this.workersPath, `entry ${i}: ${(error as Error).message}`);
			}
		});
	}

	/** Under the lock. */
	async recordWorker(beat: DeadlineWorkerBeat, storeNow: Date): Promise<void> {
		const cutoff = new Date(storeNow.getTime() - ENDED_KEEP_MS).toISOString();
		const workers = (await this.readWorkers()).filter((w) => w.worker !== beat.worker && w.seenAt >= cutoff);
		workers.push(beat);
		await writeFileAtomic(this.workersPath, JSON.stringify({ v: 1, chain: this.chain, workers } satisfies WorkersFile));
	}

	/** Lock-free; newest first. */
	async workers(): Promise<DeadlineWorkerBeat[]> {
		return (await this.readWorkers()).sort((a, b) => (a.seenAt < b.seenAt ? 1 : a.seenAt > b.seenAt ? -1 : a.worker < b.worker ? -1 : 1));
	}
}
