/**
 * Group commit, shared by both backends: appends made at the same time in one process (single records
 * and batches) wait in one queue, and whoever holds the log's lock takes everything queued and writes
 * it with one write + fsync (file) or one commit (Postgres: a transaction, or one autocommit statement
 * when the head is known — postgres/fastAppend.ts). Why: a durable append costs one fsync or commit
 * whatever it carries, so sixteen callers sharing one pay a sixteenth each.
 *
 * What it keeps: the chain order (a group is chained from the head read under the lock, callers in
 * the order they called, each caller's records contiguous); "acknowledged means durable" (no caller's
 * promise resolves before the fsync/commit that covers its records, and callers are answered in seq
 * order); one failure fails the whole group, never a part of it. A record the store cannot take (too
 * large, say) fails its own caller only: it is dropped before anything is written. Records that end a
 * review request never come through here (they are refused before; see requests.ts).
 */
import { createRecord } from '../chain';
import type { ReviewRecord, ReviewRecordBody } from './types';

/** One caller waiting in the queue. */
export interface GroupMember {
	readonly bodies: ReviewRecordBody[];
	/** Set while chaining: the caller's records, or why its records were refused. */
	records: ReviewRecord[] | null;
	error: unknown;
	resolve(records: ReviewRecord[]): void;
	reject(error: unknown): void;
}

/** A group as chained: every accepted record's stored line, in seq order, and the new head. */
export interface ChainedGroup {
	lines: string[];
	records: ReviewRecord[];
	head: { seq: number; hash: string };
}

/** Callers taken into one group stop being added once it holds this many records (one caller is never split). */
export const GROUP_MAX_RECORDS = 4096;

/**
 * Chains a group's records from `head`, caller by caller. A caller one of whose records cannot be
 * stored gets that error and none of its records is kept; the others go on from the same head.
 */
export function chainGroup(members: GroupMember[], chain: string, head: { seq: number; hash: string }, recordedAt: string): ChainedGroup {
	const lines: string[] = [];
	const records: ReviewRecord[] = [];
	let prev = head;
	for (const member of members) {
		let mine: ChainedGroup;
		try {
			mine = chainBodies(member.bodies, chain, prev, recordedAt);
		} catch (error) {
			member.error = error;
			continue;
		}
		member.records = mine.records;
		records.push(...mine.records);
		lines.push(...mine.lines);
		prev = mine.head;
	}
	return { lines, records, head: prev };
}

/** Chains `bodies` from `head` in order; a body that cannot be stored throws (nothing is kept). */
export function chainBodies(bodies: readonly ReviewRecordBody[], chain: string, head: { seq: number; hash: string }, recordedAt: string): ChainedGroup {
	const lines: string[] = [];
	const records: ReviewRecord[] = [];
	let at = head;
	for (const body of bodies) {
		const created = createRecord(body, { chain, seq: at.seq + 1, prevHash: at.hash, recordedAt });
		records.push(created.record);
		lines.push(created.line);
		at = { seq: created.record.seq, hash: created.record.hash };
	}
	return { lines, records, head: at };
}

/**
 * The queue. `write(take)` runs one group at a time: it takes the lock, calls `take()` for the callers
 * queued by then, chains them (chainGroup), writes and makes them durable, and returns; only then are
 * the callers answered. If it throws, every caller it took fails with that error.
 */
export class GroupCommitQueue {
	private queue: GroupMember[] = [];
	private running: Promise<void> | null = null;

	constructor(private readonly write: (take: () => GroupMember[]) => Promise<void>) {}

	submit(bodies: ReviewRecordBody[]): Promise<ReviewRecord[]> {
		return new Promise<ReviewRecord[]>((resolve, reject) => {
			this.queue.push({ bodies, records: null, error: null, resolve, reject });
			this.running ??= this.drain();
		});
	}

	private take(): GroupMember[] {
		let n = 0;
		let records = 0;
		while (n < this.queue.length && (n === 0 || records + this.queue[n].bodies.length <= GROUP_MAX_RECORDS)) {
			records += this.queue[n].bodies.length;
			n++;
		}
		return this.queue.splice(0, n);
	}

	/** Resolves when every append queued so far has been answered (a closing store waits for them). */
	async idle(): Promise<void> {
		while (this.running) await this.running;
	}

	private async drain(): Promise<void> {
		try {
			while (this.queue.length > 0) {
				const taken: { group: GroupMember[] | null } = { group: null };
				try {
					await this.write(() => (taken.group = this.take()));
				} catch (error) {
					// Failed before it took anyone (no lock, a store already unusable): the next callers get it.
					for (const member of taken.group ?? this.take()) member.reject(error);
					continue;
				}
				// Answered in seq order, after the fsync/commit that covers them.
				for (const member of taken.group ?? []) {
					if (member.records) member.resolve(member.records);
					else member.reject(member.error);
				}
			}
		} finally {
			this.running = null;
		}
	}
}
