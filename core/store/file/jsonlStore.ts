/**
 * The embedded backend: one append-only JSON Lines file per chain, `<directory>/<chain>.jsonl`.
 *
 * Append = under the inter-process lock: check the cached head against the file (size and inode,
 * else re-read the tail), one write(2) of the whole line on an O_APPEND descriptor, fsync, then
 * acknowledge. Appends made at the same time in this process share that work (group commit,
 * ../groupCommit.ts): everything queued when the lock is taken is written with one write (per 4 Mi
 * characters of lines) and one fsync, and its callers are answered after that fsync; the lock is kept
 * between back-to-back groups of this process (lock.ts), so a durable append is one write and one fsync.
 * A failed or short write or a failed fsync makes the store unusable (never retried:
 * after a failed fsync the kernel may have dropped the dirty pages, so a retry could "succeed"
 * without the data). A cut-off last line (a crash mid-write: no line break at the end) is moved to a
 * quarantine file and recorded with a `repaired` record; a complete line that does not check out, and
 * damage anywhere else, fail closed — only a torn tail is ever repaired. A store opened `readOnly`
 * (Review Log's Verify) never writes, not even that repair.
 *
 * Gate requests: ending one appends its terminal record and updates the request index under the same
 * lock (see fileRequests.ts); the index is replayed from the log, so the chain alone decides.
 *
 * The deadline schedule (`<chain>.deadlines.json`, `<chain>.deadline-workers.json`, see
 * deadlineEvents.ts) is working state beside the chain, changed only under the same lock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fstatSync, promises as fs, statSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { assertChainName, createRecord, MAX_RECORD_BYTES, normaliseInput, parseRecordLine, ZERO_HASH } from '../../chain';
import { checkErasureScope, checkRequestErasure } from '../requestErasure';
import { GroupCommitQueue, type GroupMember, chainBodies, chainGroup } from '../groupCommit';
import { checkResolution, checkResolutionList, normaliseAppendInputs, requestBindingOf } from '../requests';
import { type CheckpointKey, type CheckpointKeyConfig, checkpointKeyList, signCheckpoint } from '../../checkpoint';
import { readLines } from '../../lineReader';
import { verifyFile } from '../../verify';
import { StoreCorruptError, StoreFatalError, StoreUsageError } from '../errors';
import { encodeCursor, matchesQuery, normaliseQuery } from '../query';
import type {
	DeadlineEvent, DeadlineEventStatus, DeadlineWorkerBeat,
	QueryFilter, QueryPage, QueryResult, RequestResolution, Resolution, ResolveResult, ReviewOutcome, ReviewRecord, ReviewRecordBody, ReviewRecordInput,
	RequestErasure, RequestErasureResult, RequestErasureScope, ReviewRequest, ReviewStore, SignedCheckpoint,
	StoredCheckpointNote, VerifyResult,
} from '../types';
import { type TreeConsistencyProof, type TreeInclusionProof, LogTree, type TreeRoot } from '../../tlog/logTree';
import { checkBeat, checkCancel, checkClaimArgs, checkDate, checkDeadlineEvents, checkDeadlineId, checkFinish, checkLimit } from '../deadlineChecks';
import { FileDeadlineSchedule } from './deadlineEvents';
import { FileRequestState, type TerminalPointer } from './fileRequests';
import { fileChainLines, FileTreeStorage } from './fileTree';
import { fsyncDir } from './fsUtil';
import { FileLock } from './lock';
import { readTail } from './tail';

export interface FileStoreOptions {
	directory: string;
	chain: string;
	checkpointKey?: CheckpointKeyConfig;
	/** Verify the whole chain when the store opens (default true); see the README on large logs. */
	verifyOnOpen?: boolean;
	/**
	 * Open for reading only (Review Log's Verify): no directory or file is created, a torn tail is not
	 * repaired, and every write is refused. A missing log reads as empty.
	 */
	readOnly?: boolean;
	lockTimeoutMs?: number;
	now?: () => Date;
}

/**
 * What this process has already verified (or written itself) per log file: reopening the store
 * (the factory closes idle stores) then checks only the bytes added since, not the whole file.
 */
interface Verified {
	ino: number;
	size: number;
	seq: number;
	hash: string;
	line: number;
}
const verifiedPrefix = new Map<string, Verified>();
/**
 * Lines of a group go out in one write(2) per this many characters (UTF-16 code units; a buffer at most
 * three times that in UTF-8 bytes, plus one record): bounds the buffer; one fsync per group.
 */
const APPEND_BATCH_CHARS = 4 * 1024 * 1024;

/**
 * Lines [from, to) of `lines`, each followed by "\n", in UTF-8: the bytes of
 * `Buffer.from(lines.slice(from, to).join('\n') + '\n')`, each line encoded straight into one buffer
 * (no joined copy of the whole group as a string first: measured ~2 µs a record of a 1,000-record batch).
 */
export function linesBuffer(lines: readonly string[], from: number, to: number): Buffer {
	let bytes = 0;
	for (let i = from; i < to; i++) bytes += Buffer.byteLength(lines[i], 'utf8') + 1;
	const buf = Buffer.allocUnsafe(bytes);
	let at = 0;
	for (let i = from; i < to; i++) {
		at += buf.write(lines[i], at, 'utf8');
		buf[at++] = 10;
	}
	// Every byte written (allocUnsafe leaves old memory otherwise): a line cut short would be caught here.
	if (at !== bytes) throw new Error(`linesBuffer wrote ${at} of ${bytes} bytes`);
	return buf;
}

interface Head {
	seq: number;
	hash: string;
	size: number;
	ino: number;
}

export class JsonlReviewStore implements ReviewStore {
	readonly path: string;
	private cached: Head | null = null;
	private fatal: Error | null = null;
	private closed = false;
	private readonly lock: FileLock;
	private readonly requests: FileRequestState;
	private readonly deadlines: FileDeadlineSchedule;
	private readonly keys: CheckpointKey[] | null;
	private readonly now: () => Date;

	private readonly readOnly: boolean;
	private readonly appends = new GroupCommitQueue((take) => this.lock.run(() => this.appendGroupLocked(take)));

	private constructor(
		readonly chain: string,
		readonly directory: string,
		/** null: opened read-only on a log that does not exist yet. */
		private readonly fd: FileHandle | null,
		options: FileStoreOptions,
	) {
		this.readOnly = options.readOnly === true;
		this.path = join(directory, `${chain}.jsonl`);
		this.lock = new FileLock(`${this.path}.lock`, options.lockTimeoutMs, true);
		this.requests = new FileRequestState(join(directory, `${chain}.requests`));
		this.deadlines = new FileDeadlineSchedule(directory, chain);
		this.keys = options.checkpointKey ? checkpointKeyList(options.checkpointKey) : null;
		this.now = options.now ?? (() => new Date());
	}

	static async open(options: FileStoreOptions): Promise<JsonlReviewStore> {
		assertChainName(options.chain);
		const path = join(options.directory, `${options.chain}.jsonl`);
		if (options.readOnly) {
			const fd = await fs.open(path, 'r').catch((error: NodeJS.ErrnoException) => {
				if (error.code === 'ENOENT') return null;
				throw error;
			});
			return new JsonlReviewStore(options.chain, options.directory, fd, options);
		}
		await fs.mkdir(options.directory, { recursive: true, mode: 0o700 });
		const existed = await fs.stat(path).then(() => true, () => false);
		// 'a+' = O_APPEND | O_CREAT | O_RDWR: every write lands at the end, whatever other processes do.
		const fd = await fs.open(path, 'a+', 0o600);
		const store = new JsonlReviewStore(options.chain, options.directory, fd, options);
		try {
			if (!existed) await fsyncDir(options.directory);
			const head = await store.lock.run(() => store.refreshHead(true));
			if (options.verifyOnOpen !== false) {
				const known = verifiedPrefix.get(path);
				const from = known && known.ino === head.ino && known.size <= head.size ? known : null;
				const result = await verifyFile(path, {
					chain: options.chain,
					start: from?.size,
					end: head.size,
					resumeFrom: from ?? undefined,
				});
				if (result.ok) {
					const line = (from?.line ?? 0) + result.recordsChecked;
					verifiedPrefix.set(path, { ino: head.ino, size: head.size, seq: result.headSeq, hash: result.headHash, line });
				}
				if (!result.ok && result.firstBad) {
					throw new StoreCorruptError(
						`The review log ${path} is damaged at line ${result.firstBad.line} (seq ${result.firstBad.seq}): ${result.firstBad.message}. Nothing is written to a damaged log; restore it from a backup or move it aside (a new log then starts).`,
						result.firstBad.line,
					);
				}
			}
		} catch (error) {
			await fd.close().catch(() => undefined);
			throw error;
		}
		return store;
	}

	private usable(): void {
		if (this.closed) throw new StoreUsageError('The review store is closed');
		if (this.fatal) throw new StoreFatalError(`The review store is unusable after an earlier failure: ${this.fatal.message}`, { cause: this.fatal });
	}

	/** The open log for writing; refuses in read-only mode. */
	private writable(): FileHandle {
		this.usable();
		if (this.readOnly || this.fd === null) throw new StoreUsageError('The review store was opened read-only (for verification); it cannot be written');
		return this.fd;
	}

	/** Size of the log as open now (0 for a read-only store without a log). */
	private async size(): Promise<number> {
		return this.fd === null ? 0 : (await this.fd.stat()).size;
	}

	private die(what: string, cause: unknown): never {
		const error = new StoreFatalError(
			`${what} of the review log ${this.path} failed (${(cause as Error)?.message ?? String(cause)}). The store refuses further writes; check the disk, then restart n8n.`,
			{ cause },
		);
		this.fatal = error;
		throw error;
	}

	/** The current head, repairing a cut-off tail if `allowRepair`. Call under the lock. */
	private async refreshHead(allowRepair: boolean): Promise<Head> {
		const fd = this.writable();
		// Synchronous: two stat calls take microseconds, less than a thread-pool round trip each.
		const st = fstatSync(fd.fd);
		let onDisk: { ino: number } | null = null;
		try {
			onDisk = statSync(this.path);
		} catch {
			onDisk = null;
		}
		if (!onDisk || onDisk.ino !== st.ino) {
			throw new StoreCorruptError(`The review log ${this.path} was moved or replaced while open; restart n8n to reopen it`);
		}
		if (this.cached && this.cached.size === st.size && this.cached.ino === st.ino) return this.cached;
		const tail = await readTail(fd, st.size);
		let broken: { offset: number; reason: string } | null = null;
		let record: ReviewRecord | null = null;
		let computedHash = '';
		if (tail.last) {
			const parsed = tail.last.text === null ? { ok: false as const, message: 'invalid UTF-8' } : parseRecordLine(tail.last.text);
			if (parsed.ok) ({ record, computedHash } = parsed);
			// A complete line ends with its line break: it was written whole, so damage to it is not a
			// crash's doing. Refuse it (restore from a backup) rather than "repair" the evidence away.
			else if (!tail.torn) throw new StoreCorruptError(`The last record of ${this.path} is damaged (${parsed.message}); it is complete, so it was altered, not cut off. Restore the file from a backup.`);
			else throw new StoreCorruptError(`The review log ${this.path} is damaged before its cut-off last line: ${parsed.message}`);
		}
		if (tail.torn) broken = { offset: tail.torn.offset, reason: 'last line cut off (no line break)' };
		if (broken) {
			if (!allowRepair) throw new StoreCorruptError(`The review log ${this.path} is damaged at its end after a repair: ${broken.reason}`);
			await this.repair(broken.offset, st.size, broken.reason);
			return this.cached as unknown as Head;
		}
		if (record) {
			if (record.chain !== this.chain) throw new StoreCorruptError(`The review log ${this.path} ends with a record of chain "${record.chain}"`);
			if (computedHash !== record.hash) {
				throw new StoreCorruptError(`The last record of ${this.path} (seq ${record.seq}) was altered: its hash does not match. Restore the file from a backup.`);
			}
		}
		this.cached = { seq: record?.seq ?? 0, hash: record?.hash ?? ZERO_HASH, size: st.size, ino: st.ino };
		return this.cached;
	}

	/** Moves bytes [offset, size) to a quarantine file, truncates, and logs a `repaired` record. */
	private async repair(offset: number, size: number, reason: string): Promise<void> {
		const fd = this.writable();
		const bytes = Buffer.alloc(size - offset);
		await fd.read(bytes, 0, bytes.length, offset);
		const stamp = this.now().toISOString().replace(/[:.]/g, '-');
		const name = `${this.chain}.quarantine.${stamp}.${randomBytes(3).toString('hex')}.jsonl`;
		try {
			const q = await fs.open(join(this.directory, name), 'wx', 0o600);
			try {
				await q.writeFile(bytes);
				await q.sync();
			} finally {
				await q.close();
			}
			await fsyncDir(this.directory);
			await fd.truncate(offset);
			await fd.sync();
		} catch (error) {
			this.die('Repairing the cut-off end', error);
		}
		this.cached = null;
		await this.refreshHead(false);
		await this.appendLocked(
			normaliseInput({
				event: 'repaired',
				details: { reason, quarantineFile: name, offset, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
			}),
		);
	}

	/** Writes one record at the end of the log (under the lock) and says where it landed. */
	private async appendLocked(body: ReviewRecordBody): Promise<{ record: ReviewRecord; pointer: TerminalPointer; head: Head }> {
		this.writable();
		const head = await this.refreshHead(true);
		const { record, line } = createRecord(body, {
			chain: this.chain,
			seq: head.seq + 1,
			prevHash: head.hash,
			recordedAt: this.now().toISOString(),
		});
		const buf = Buffer.from(`${line}\n`, 'utf8');
		await this.writeAtEnd(head, buf, record, 1);
		return { record, pointer: { seq: record.seq, offset: head.size, length: buf.length }, head };
	}

	/**
	 * Writes `buf` (`count` whole lines ending with record `last`) at the end of the log, fsyncs it, and
	 * moves the cached head and the verified prefix past it. Under the lock; any I/O failure is fatal.
	 */
	private async writeAtEnd(head: Head, buf: Buffer, last: Pick<ReviewRecord, 'seq' | 'hash'>, count: number): Promise<void> {
		this.writeBytes(buf);
		await this.syncLog();
		this.moveHead(head, head.size + buf.length, last, count);
	}

	/**
	 * Writes whole lines at the end of the log, one write(2) per APPEND_BATCH_CHARS of them (a 1,000-record
	 * batch of ordinary records: one write); returns the bytes written. Not durable until syncLog.
	 */
	private writeLines(lines: readonly string[]): number {
		let written = 0;
		let start = 0;
		let chars = 0;
		for (let i = 0; i < lines.length; i++) {
			chars += lines[i].length + 1;
			if (chars < APPEND_BATCH_CHARS && i + 1 < lines.length) continue;
			const buf = linesBuffer(lines, start, i + 1);
			this.writeBytes(buf);
			written += buf.length;
			start = i + 1;
			chars = 0;
		}
		return written;
	}

	/** One write(2) of whole lines on the O_APPEND descriptor; a failed or short write is fatal. */
	private writeBytes(buf: Buffer): void {
		const fd = this.writable();
		let written = 0;
		try {
			// Synchronous: a copy into the page cache, bounded by APPEND_BATCH_CHARS; the fsync below is not.
			written = writeSync(fd.fd, buf, 0, buf.length);
		} catch (error) {
			this.die('Writing', error);
		}
		if (written !== buf.length) this.die('Writing', new Error(`only ${written} of ${buf.length} bytes written`));
	}

	/** fsync of the log, on the thread pool (it waits for the disk); a failure is fatal. */
	private async syncLog(): Promise<void> {
		const fd = this.writable();
		try {
			await fd.sync();
		} catch (error) {
			this.die('fsync', error);
		}
	}

	/** After a durable write: the cached head and this process's verified prefix move to `size`. */
	private moveHead(head: Head, size: number, last: Pick<ReviewRecord, 'seq' | 'hash'>, count: number): void {
		this.cached = { seq: last.seq, hash: last.hash, size, ino: head.ino };
		const known = verifiedPrefix.get(this.path);
		if (known && known.ino === head.ino && known.size === head.size) {
			verifiedPrefix.set(this.path, { ino: head.ino, size, seq: last.seq, hash: last.hash, line: known.line + count });
		}
	}

	/**
	 * One group commit (under the lock): takes every append queued now, chains it from the head, writes
	 * it in bounded writes and fsyncs once. A crash part-way leaves a prefix of whole lines (and perhaps a
	 * cut-off one, repaired on the next open); nobody has been answered yet.
	 */
	private async appendGroupLocked(take: () => GroupMember[]): Promise<void> {
		this.writable();
		const head = await this.refreshHead(true);
		const group = chainGroup(take(), this.chain, head, this.now().toISOString());
		if (group.records.length === 0) return;
		const size = head.size + this.writeLines(group.lines);
		await this.syncLog();
		this.moveHead(head, size, group.head, group.records.length);
		// None of these ends a request (refused before): an index in sync stays in sync.
		this.requests.advance({ path: this.path, ino: head.ino, size: head.size }, size);
	}

	async appendMany(inputs: ReviewRecordInput[]): Promise<ReviewRecord[]> {
		this.writable();
		const bodies = normaliseAppendInputs(inputs);
		if (bodies.length === 0) return [];
		return this.appends.submit(bodies);
	}

	async append(input: ReviewRecordInput): Promise<ReviewRecord> {
		this.writable();
		const [record] = await this.appends.submit(normaliseAppendInputs([input]));
		return record;
	}

	async head(): Promise<{ seq: number; hash: string }> {
		if (this.readOnly) {
			let last: ReviewRecord | null = null;
			for await (const record of this.readAll()) last = record;
			return { seq: last?.seq ?? 0, hash: last?.hash ?? ZERO_HASH };
		}
		this.usable();
		const head = await this.lock.run(() => this.refreshHead(true));
		return { seq: head.seq, hash: head.hash };
	}

	async *readAll(): AsyncIterable<ReviewRecord> {
		this.usable();
		const end = await this.size();
		let line = 0;
		for await (const raw of readLines(this.path, { maxLineBytes: MAX_RECORD_BYTES, end })) {
			line++;
			const parsed = raw.text === null ? null : parseRecordLine(raw.text);
			if (!parsed?.ok || !raw.terminated) {
				throw new StoreCorruptError(`The review log ${this.path} is damaged at line ${line}; run verify for details`, line);
			}
			yield parsed.record;
		}
	}

	async query(filter: QueryFilter, page?: QueryPage): Promise<QueryResult> {
		const q = normaliseQuery(filter, page);
		// Forward scan keeping the newest `limit + 1` matches: memory bounded by the page size.
		const ring: ReviewRecord[] = [];
		for await (const record of this.readAll()) {
			if (!matchesQuery(record, q)) continue;
			ring.push(record);
			if (ring.length > q.limit + 1) ring.shift();
		}
		const more = ring.length > q.limit;
		const records = ring.slice(more ? 1 : 0).reverse();
		return { records, nextCursor: more ? encodeCursor(records[records.length - 1].seq) : null };
	}

	async verify(options: { checkpoint?: SignedCheckpoint } = {}): Promise<VerifyResult> {
		this.usable();
		if (options.checkpoint && !this.keys) {
			throw new StoreUsageError('Checking a checkpoint needs the checkpoint key: add it to the store credential');
		}
		const end = await this.size();
		return verifyFile(this.path, { chain: this.chain, end, checkpoint: options.checkpoint, checkpointKeys: this.keys ?? undefined });
	}

	async checkpoint(): Promise<SignedCheckpoint> {
		if (!this.keys) throw new StoreUsageError('No checkpoint key configured: add one to the store credential to sign checkpoints');
		const head = await this.head();
		return signCheckpoint({ chain: this.chain, seq: head.seq, headHash: head.hash, time: this.now().toISOString() }, this.keys[0]);
	}

	/** Under the lock: the current head, with the request index replayed up to it. */
	private async syncedHead(): Promise<Head> {
		const head = await this.refreshHead(true);
		await this.requests.catchUp({ path: this.path, ino: head.ino, size: head.size });
		return head;
	}

	/** Before a lock-free read of the index: replay what other processes (or a crash) left unapplied. */
	private async syncIndex(): Promise<void> {
		this.writable();
		const st = await (this.fd as FileHandle).stat();
		if (this.requests.inSync({ ino: st.ino, size: st.size })) return;
		await this.lock.run(async () => {
			this.writable();
			await this.syncedHead();
		});
	}

	async putReviewRequests(requests: ReviewRequest[]): Promise<void> {
		this.writable();
		await this.lock.run(async () => {
			await this.syncedHead();
			await this.requests.put(requests);
		});
	}

	async getReviewRequest(id: string): Promise<ReviewRequest | null> {
		await this.syncIndex();
		return this.requests.get(id);
	}

	async listReviewRequests(groupId: string): Promise<ReviewRequest[]> {
		await this.syncIndex();
		return this.requests.list(groupId);
	}

	async listOverdueRequests(now: Date, limit = 100): Promise<ReviewRequest[]> {
		await this.syncIndex();
		return this.requests.overdue(now, limit);
	}

	/** Reads the record a pointer names; null unless it is a genuine record ending request `id`. */
	private async readTerminal(id: string, pointer: TerminalPointer): Promise<ReviewRecord | null> {
		if (pointer.length <= 1 || pointer.length > MAX_RECORD_BYTES + 1) return null;
		const bytes = Buffer.alloc(pointer.length);
		const { bytesRead } = await (this.fd as FileHandle).read(bytes, 0, bytes.length, pointer.offset);
		if (bytesRead !== bytes.length || bytes[bytes.length - 1] !== 10) return null;
		const parsed = parseRecordLine(bytes.subarray(0, bytes.length - 1).toString('utf8'));
		if (!parsed.ok || parsed.computedHash !== parsed.record.hash || parsed.record.seq !== pointer.seq) return null;
		return requestBindingOf(parsed.record)?.id === id ? parsed.record : null;
	}

	async terminalRecord(id: string): Promise<ReviewRecord | null> {
		await this.syncIndex();
		const found = await this.requests.lookup(id);
		return found?.terminal ? this.readTerminal(id, found.terminal) : null;
	}

	async terminalRecords(ids: readonly string[]): Promise<Map<string, ReviewRecord>> {
		await this.syncIndex();
		const found = await this.requests.lookupMany(ids);
		const records = new Map<string, ReviewRecord>();
		for (let i = 0; i < ids.length; i++) {
			const terminal = found[i]?.terminal;
			const record = terminal ? await this.readTerminal(ids[i], terminal) : null;
			if (record) records.set(ids[i], record);
		}
		return records;
	}

	async resolveReviewRequest(id: string, resolution: Resolution): Promise<ResolveResult> {
		const [result] = await this.resolveReviewRequests([{ id, resolution }]);
		return result;
	}

	async resolveReviewRequests(resolutions: readonly RequestResolution[]): Promise<ResolveResult[]> {
		this.writable();
		// The store's own record checks (size, types) before anything changes: a record that cannot be
		// written must not leave a request decided.
		const bodies = checkResolutionList(resolutions, this.chain);
		if (bodies.length === 0) return [];
		return this.lock.run(async () => {
			this.writable();
			await this.syncedHead();
			const found = await this.requests.lookupMany(resolutions.map((r) => r.id));
			const results: Array<ResolveResult | null> = [];
			const toEnd: Array<{ index: number; outcome: ReviewOutcome | null }> = [];
			// Every resolution checked against its request before anything is written.
			for (let i = 0; i < resolutions.length; i++) {
				const entry = found[i];
				if (!entry) throw new StoreUsageError(`Unknown review request ${resolutions[i].id}`);
				const outcome = checkResolution(entry.request, resolutions[i].resolution);
				// The chain decides: only an existing terminal record ends a request (a status alone does not).
				if (entry.terminal) {
					results.push({ applied: false, request: entry.request, record: await this.readTerminal(entry.request.id, entry.terminal) });
				} else {
					results.push(null);
					toEnd.push({ index: i, outcome });
				}
			}
			if (toEnd.length === 0) return results as ResolveResult[];
			// Approved content first: once a record (the commit point) is written, nothing may be missing.
			await this.requests.putContents(toEnd.flatMap((e) => (e.outcome?.finalJson ? [e.outcome.finalJson] : [])));
			const head = await this.refreshHead(true);
			const chained = chainBodies(toEnd.map((e) => bodies[e.index]), this.chain, head, this.now().toISOString());
			const size = head.size + this.writeLines(chained.lines);
			await this.syncLog();
			this.moveHead(head, size, chained.head, chained.records.length);
			let offset = head.size;
			const entries = chained.records.map((record, k) => {
				const length = Buffer.byteLength(chained.lines[k], 'utf8') + 1;
				const pointer = { seq: record.seq, offset, length };
				offset += length;
				return { record, pointer, outcome: toEnd[k].outcome };
			});
			let applied: Array<ReviewRequest | null>;
			try {
				applied = await this.requests.applyTerminals(entries);
			} catch (error) {
				// The records stand (the log decides); the next lock holder replays them into the index.
				this.requests.rewind(head.ino, head.size);
				throw error;
			}
			this.requests.advance({ path: this.path, ino: head.ino, size: head.size }, size);
			toEnd.forEach(({ index, outcome }, k) => {
				const request = found[index]?.request as ReviewRequest;
				const status = resolutions[index].resolution.status;
				results[index] = { applied: true, request: applied[k] ?? { ...request, status, outcome }, record: chained.records[k] };
			});
			return results as ResolveResult[];
		});
	}

	async claimGroupResume(groupId: string): Promise<boolean> {
		this.writable();
		return this.lock.run(() => this.requests.claimResume(groupId));
	}

	async eraseRequestContent(scope: RequestErasureScope, erasure: RequestErasure): Promise<RequestErasureResult> {
		this.writable();
		const reach = checkErasureScope(scope);
		const checked = checkRequestErasure(erasure);
		return this.lock.run(async () => {
			this.writable();
			// Caught up first: every terminal record is applied, so no replay needs a content file deleted below.
			await this.syncedHead();
			return this.requests.erase(reach, checked);
		});
	}

	// The deadline schedule (deadlineEvents.ts): every read-modify-write under the log's lock; reads
	// without it (the files are only ever replaced whole).

	/** Runs a change of the deadline schedule under the lock; refused in read-only mode. */
	private withDeadlines<T>(fn: (schedule: FileDeadlineSchedule) => Promise<T>): Promise<T> {
		this.writable();
		return this.lock.run(async () => {
			this.writable();
			return fn(this.deadlines);
		});
	}

	async scheduleDeadlineEvents(events: DeadlineEvent[]): Promise<void> {
		this.writable();
		const checked = checkDeadlineEvents(events);
		if (checked.length === 0) return;
		await this.withDeadlines((d) => d.schedule(checked, this.now()));
	}

	async claimDueDeadlineEvents(now: Date, worker: string, leaseMs: number, limit: number): Promise<DeadlineEvent[]> {
		this.writable();
		const args = checkClaimArgs(now, worker, leaseMs, limit);
		return this.withDeadlines((d) => d.claim(args, this.now()));
	}

	async finishDeadlineEvent(id: string, token: string | null, end: { status: DeadlineEventStatus; result?: string; error?: string; at: Date }): Promise<boolean> {
		this.writable();
		const checked = checkFinish(id, token, end);
		return this.withDeadlines((d) => d.finish(checked, this.now()));
	}

	async cancelDeadlineEvents(groupId: string, at: Date, result: string): Promise<number> {
		this.writable();
		const checked = checkCancel(groupId, at, result);
		return this.withDeadlines((d) => d.cancel(checked, this.now()));
	}

	async listDeadlineEvents(groupId: string): Promise<DeadlineEvent[]> {
		this.usable();
		return this.deadlines.list(checkDeadlineId(groupId, 'groupId'));
	}

	async listOverdueDeadlineEvents(now: Date, limit = 100): Promise<DeadlineEvent[]> {
		this.usable();
		return this.deadlines.overdue(checkDate(now, 'now'), checkLimit(limit));
	}

	async recordDeadlineWorker(beat: DeadlineWorkerBeat): Promise<void> {
		this.writable();
		const checked = checkBeat(beat);
		await this.withDeadlines((d) => d.recordWorker(checked, this.now()));
	}

	async listDeadlineWorkers(): Promise<DeadlineWorkerBeat[]> {
		this.usable();
		return this.deadlines.workers();
	}

	/** Under the lock, with the tree index of the log as it is now (fileTree.ts); one storage object per call. */
	private withTree<T>(fn: (tree: LogTree, storage: FileTreeStorage) => Promise<T>): Promise<T> {
		this.writable();
		return this.lock.run(async () => {
			const head = await this.refreshHead(true);
			const storage = new FileTreeStorage(join(this.directory, `${this.chain}.tree`), head.ino);
			try {
				return await fn(new LogTree(storage, fileChainLines(this.path, this.fd as FileHandle, head.size, storage)), storage);
			} finally {
				await storage.close();
			}
		});
	}

	treeHead(): Promise<TreeRoot> {
		return this.withTree((tree) => tree.catchUp());
	}

	proveInclusion(seq: number, size: number): Promise<TreeInclusionProof> {
		return this.withTree(async (tree) => {
			await tree.catchUp();
			return tree.proveInclusion(seq, size);
		});
	}

	proveConsistency(oldSize: number, size: number): Promise<TreeConsistencyProof> {
		return this.withTree(async (tree) => {
			await tree.catchUp();
			return tree.proveConsistency(oldSize, size);
		});
	}

	listCheckpoints(limit = 100): Promise<StoredCheckpointNote[]> {
		return this.withTree((_tree, storage) => storage.checkpoints(limit));
	}

	saveCheckpoint(entry: StoredCheckpointNote): Promise<void> {
		return this.withTree((_tree, storage) => storage.saveCheckpoint(entry));
	}

	async close(): Promise<void> {
		if (this.closed) return;
		// Appends queued before close are written (or fail) first.
		await this.appends.idle();
		this.closed = true;
		// Waits for this process's writers to finish; a read-only store has none (and takes no lock file).
		if (!this.readOnly) {
			await this.lock.run(async () => undefined).catch(() => undefined);
			this.lock.dropLease();
		}
		await this.fd?.close();
	}
}
