/**
 * The embedded backend: one append-only JSON Lines file per chain, `<directory>/<chain>.jsonl`.
 *
 * Append = under the inter-process lock: check the cached head against the file (size and inode,
 * else re-read the tail), one write(2) of the whole line on an O_APPEND descriptor, fsync, then
 * acknowledge. A failed or short write or a failed fsync makes the store unusable (never retried:
 * after a failed fsync the kernel may have dropped the dirty pages, so a retry could "succeed"
 * without the data). A cut-off last line (crash mid-write) is moved to a quarantine file and
 * recorded with a `repaired` record; damage anywhere else fails closed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { assertChainName, createRecord, MAX_RECORD_BYTES, normaliseInput, parseRecordLine, ZERO_HASH } from '../../chain';
import { type CheckpointKey, type CheckpointKeyConfig, checkpointKeyList, signCheckpoint } from '../../checkpoint';
import { readLines } from '../../lineReader';
import { verifyFile } from '../../verify';
import { StoreCorruptError, StoreFatalError, StoreUsageError } from '../errors';
import { encodeCursor, matchesQuery, normaliseQuery } from '../query';
import type {
	QueryFilter, QueryPage, QueryResult, ReviewOutcome, ReviewRecord, ReviewRecordBody, ReviewRecordInput,
	ReviewRequest, ReviewStore, SignedCheckpoint, VerifyResult,
} from '../types';
import { FileRequestState } from './fileRequests';
import { fsyncDir } from './fsUtil';
import { FileLock } from './lock';
import { readTail } from './tail';

export interface FileStoreOptions {
	directory: string;
	chain: string;
	checkpointKey?: CheckpointKeyConfig;
	/** Verify the whole chain when the store opens (default true); see the README on large logs. */
	verifyOnOpen?: boolean;
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
	private readonly keys: CheckpointKey[] | null;
	private readonly now: () => Date;

	private constructor(
		readonly chain: string,
		readonly directory: string,
		private readonly fd: FileHandle,
		options: FileStoreOptions,
	) {
		this.path = join(directory, `${chain}.jsonl`);
		this.lock = new FileLock(`${this.path}.lock`, options.lockTimeoutMs);
		this.requests = new FileRequestState(join(directory, `${chain}.requests`));
		this.keys = options.checkpointKey ? checkpointKeyList(options.checkpointKey) : null;
		this.now = options.now ?? (() => new Date());
	}

	static async open(options: FileStoreOptions): Promise<JsonlReviewStore> {
		assertChainName(options.chain);
		await fs.mkdir(options.directory, { recursive: true, mode: 0o700 });
		const path = join(options.directory, `${options.chain}.jsonl`);
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
		const [st, onDisk] = await Promise.all([this.fd.stat(), fs.stat(this.path).catch(() => null)]);
		if (!onDisk || onDisk.ino !== st.ino) {
			throw new StoreCorruptError(`The review log ${this.path} was moved or replaced while open; restart n8n to reopen it`);
		}
		if (this.cached && this.cached.size === st.size && this.cached.ino === st.ino) return this.cached;
		const tail = await readTail(this.fd, st.size);
		let broken: { offset: number; reason: string } | null = null;
		let record: ReviewRecord | null = null;
		let computedHash = '';
		if (tail.last) {
			const parsed = tail.last.text === null ? { ok: false as const, message: 'invalid UTF-8' } : parseRecordLine(tail.last.text);
			if (parsed.ok) ({ record, computedHash } = parsed);
			else if (!tail.torn) broken = { offset: tail.last.offset, reason: `unreadable last line (${parsed.message})` };
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
		const bytes = Buffer.alloc(size - offset);
		await this.fd.read(bytes, 0, bytes.length, offset);
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
			await this.fd.truncate(offset);
			await this.fd.sync();
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

	private async appendLocked(body: ReviewRecordBody): Promise<ReviewRecord> {
		const head = await this.refreshHead(true);
		const { record, line } = createRecord(body, {
			chain: this.chain,
			seq: head.seq + 1,
			prevHash: head.hash,
			recordedAt: this.now().toISOString(),
		});
		const buf = Buffer.from(`${line}\n`, 'utf8');
		let written = 0;
		try {
			({ bytesWritten: written } = await this.fd.write(buf, 0, buf.length));
		} catch (error) {
			this.die('Writing', error);
		}
		if (written !== buf.length) this.die('Writing', new Error(`only ${written} of ${buf.length} bytes written`));
		try {
			await this.fd.sync();
		} catch (error) {
			this.die('fsync', error);
		}
		this.cached = { seq: record.seq, hash: record.hash, size: head.size + buf.length, ino: head.ino };
		const known = verifiedPrefix.get(this.path);
		if (known && known.ino === head.ino && known.size === head.size) {
			verifiedPrefix.set(this.path, { ino: head.ino, size: this.cached.size, seq: record.seq, hash: record.hash, line: known.line + 1 });
		}
		return record;
	}

	async append(input: ReviewRecordInput): Promise<ReviewRecord> {
		this.usable();
		const body = normaliseInput(input);
		return this.lock.run(async () => {
			this.usable();
			return this.appendLocked(body);
		});
	}

	async head(): Promise<{ seq: number; hash: string }> {
		this.usable();
		const head = await this.lock.run(() => this.refreshHead(true));
		return { seq: head.seq, hash: head.hash };
	}

	async *readAll(): AsyncIterable<ReviewRecord> {
		this.usable();
		const end = (await this.fd.stat()).size;
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
		const end = (await this.fd.stat()).size;
		return verifyFile(this.path, { chain: this.chain, end, checkpoint: options.checkpoint, checkpointKeys: this.keys ?? undefined });
	}

	async checkpoint(): Promise<SignedCheckpoint> {
		if (!this.keys) throw new StoreUsageError('No checkpoint key configured: add one to the store credential to sign checkpoints');
		const head = await this.head();
		return signCheckpoint({ chain: this.chain, seq: head.seq, headHash: head.hash, time: this.now().toISOString() }, this.keys[0]);
	}

	async putReviewRequests(requests: ReviewRequest[]): Promise<void> {
		this.usable();
		await this.lock.run(() => this.requests.put(requests));
	}

	async getReviewRequest(id: string): Promise<ReviewRequest | null> {
		this.usable();
		return this.requests.get(id);
	}

	async listReviewRequests(groupId: string): Promise<ReviewRequest[]> {
		this.usable();
		return this.requests.list(groupId);
	}

	async resolveReviewRequest(id: string, status: 'decided' | 'expired', outcome: ReviewOutcome | null) {
		this.usable();
		return this.lock.run(() => this.requests.resolve(id, status, outcome));
	}

	async claimGroupResume(groupId: string): Promise<boolean> {
		this.usable();
		return this.lock.run(() => this.requests.claimResume(groupId));
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.lock.run(async () => undefined).catch(() => undefined);
		await this.fd.close();
	}
}
