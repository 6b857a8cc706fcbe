/**
 * The deadline mechanism's schedule (see DeadlineEvent in ../types.ts): the file backend's copy of it
 * (the input checks both backends share are in ../deadlineChecks.ts).
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
import { join } from 'node:path';

import { checkBeat, checkDeadlineEvent, ENDED_KEEP_MS, newClaim, type CheckedFinish } from '../deadlineChecks';
import { StoreCorruptError } from '../errors';
import type { DeadlineEvent, DeadlineWorkerBeat } from '../types';
import { readFileOrNull, writeFileAtomic } from './fsUtil';
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
