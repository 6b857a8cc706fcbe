/**
 * The gate's working state for the file backend — an index of the chain, never a second source of truth.
 *
 * Files in `<chain>.requests/`, each replaced atomically (temp + fsync + rename + fsync dir; the files a
 * put creates are written, fsynced, renamed and the folder fsynced together: fsUtil.ts writeFilesAtomic;
 * a put's id files of one group are hard links to one written inode: writeSameContentFiles):
 * - `g-<sha256(groupId)>.json`: the requests of one gate run, plus, per ended request, where its
 *   terminal record sits in the log (seq, byte offset, length);
 * - `i-<sha256(id)>`: request id → group id;
 * - `o-<sha256(groupId)>`: marks a group that still has pending requests (the expiry sweep lists these),
 *   with the earliest deadline among them when the marker was written (OpenMarker): the sweep skips a
 *   group whose earliest deadline is still ahead without reading its group file;
 * - `c-<sha256>.json`: approved content, by the SHA-256 of its canonical JSON (the record's finalSha256),
 *   written before the terminal record so a crash right after the record loses nothing;
 * - `watermark.json`: how far the log has been replayed into this index.
 *
 * An erasure (requestErasure.ts) redacts the requests it reaches in their group files and deletes
 * the content files nothing unerased names.
 *
 * Every mutation runs under the log's lock. Ending a request appends the terminal record (the commit
 * point) and then updates the group file; a crash in between is repaired by the next lock holder,
 * which replays the log from the watermark and applies any terminal record the index lacks.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

import { canonicalize } from '../../canonicalJson';
import { MAX_RECORD_BYTES, parseRecordLine, sha256Hex } from '../../chain';
import { readLines } from '../../lineReader';
import { StoreCorruptError, StoreUsageError } from '../errors';
import { type checkErasureScope, erasureReaches, redactRequest } from '../requestErasure';
import { checkReviewRequest, isRequestTerminalRecord, outcomeFromRecord, requestBindingOf } from '../requests';
import type { RequestErasure, RequestErasureResult, ReviewOutcome, ReviewRecord, ReviewRequest } from '../types';
import { fsyncDir, readFileOrNull, writeFileAtomic, writeFilesAtomic, writeSameContentFiles } from './fsUtil';

/** Where a request's terminal record sits in the log. */
export interface TerminalPointer {
	seq: number;
	offset: number;
	length: number;
}

interface GroupFile {
	groupId: string;
	resumeClaimed: boolean;
	requests: ReviewRequest[];
	terminals?: Record<string, TerminalPointer>;
}

/** The log as the caller holds it under the lock. */
export interface LogPosition {
	path: string;
	ino: number;
	size: number;
}

interface Watermark {
	ino: number;
	size: number;
}

/** A terminal record to apply to the index, where it sits in the log, and the outcome its writer gave (if any). */
export interface TerminalEntry {
	record: ReviewRecord;
	pointer: TerminalPointer;
	outcome?: ReviewOutcome | null;
}

/**
 * An open marker's content. Deadlines never change after a put and ending requests only removes
 * pending ones, so the earliest deadline a marker names is never later than the group's real earliest
 * pending deadline: skipping a group whose marker deadline is ahead never hides an overdue request.
 * Markers written before this field held the bare group id; those groups are always read.
 */
interface OpenMarker {
	groupId: string;
	earliestExpiresAt: string;
}

/** Terminal records replayed into the index per write of its group files. */
const REPLAY_CHUNK = 1000;
/** Replay progress is saved at least every this many bytes (a restart then replays at most that). */
const WATERMARK_SAVE_BYTES = 1 << 20;
const HEX64 = /^[0-9a-f]{64}$/;
/** Id index files a put looks up at once. */
const PARALLEL_LOOKUPS = 32;

export class FileRequestState {
	private ready = false;
	/** Replay progress of this process; the file copy may lag behind it. */
	private watermark: Watermark | null = null;
	private savedWatermark: Watermark | null = null;

	constructor(private readonly dir: string) {}

	private groupPath(groupId: string): string {
		return join(this.dir, `g-${sha256Hex(groupId)}.json`);
	}

	private idPath(id: string): string {
		return join(this.dir, `i-${sha256Hex(id)}`);
	}

	private openPath(groupId: string): string {
		return join(this.dir, `o-${sha256Hex(groupId)}`);
	}

	private contentPath(sha256: string): string {
		return join(this.dir, `c-${sha256}.json`);
	}

	private async ensureDir(): Promise<void> {
		if (this.ready) return;
		const created = await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
		if (created) await fsyncDir(join(this.dir, '..'));
		this.ready = true;
	}

	private async readGroup(groupId: string): Promise<GroupFile | null> {
		const text = await readFileOrNull(this.groupPath(groupId));
		if (text === null) return null;
		try {
			const group = JSON.parse(text) as GroupFile;
			if (group.groupId !== groupId || !Array.isArray(group.requests)) throw new Error('unexpected content');
			return group;
		} catch (error) {
			throw new StoreCorruptError(`Review request file for group ${groupId} is damaged (${(error as Error).message})`);
		}
	}

	private async dropOpenMarker(groupId: string): Promise<void> {
		await fs.unlink(this.openPath(groupId)).catch((error: NodeJS.ErrnoException) => {
			if (error.code !== 'ENOENT') throw error;
		});
	}

	private async findGroup(id: string): Promise<{ group: GroupFile; request: ReviewRequest } | null> {
		const groupId = await readFileOrNull(this.idPath(id));
		if (groupId === null) return null;
		const group = await this.readGroup(groupId);
		const request = group?.requests.find((r) => r.id === id);
		return group && request ? { group, request } : null;
	}

	/** Under the lock. */
	async put(requests: ReviewRequest[]): Promise<void> {
		const checked = requests.map((r) => checkReviewRequest(r));
		const ids = new Set<string>();
		for (const r of checked) {
			if (ids.has(r.id)) throw new StoreUsageError(`Review request id ${r.id} appears twice`);
			ids.add(r.id);
		}
		// Looked up several at a time (a 1,000-item run: 1,000 lookups, each a miss).
		for (let start = 0; start < checked.length; start += PARALLEL_LOOKUPS) {
			const slice = checked.slice(start, start + PARALLEL_LOOKUPS);
			const found = await Promise.all(slice.map(async (r) => (await readFileOrNull(this.idPath(r.id))) !== null));
			const taken = slice.find((_, k) => found[k]);
			if (taken) throw new StoreUsageError(`Review request id ${taken.id} already exists; request ids must be unique`);
		}
		await this.ensureDir();
		const byGroup = new Map<string, ReviewRequest[]>();
		for (const r of checked) {
			const list = byGroup.get(r.groupId);
			if (list) list.push(r);
			else byGroup.set(r.groupId, [r]);
		}
		// Id index first (every request's, durable together: one inode per group, linked under each id's
		// name, fsUtil.ts writeSameContentFiles), then each group, open marker
		// last: a crash part-way leaves requests nobody can find (their run crashed with them), never a
		// marker naming a request that cannot be looked up and resolved.
		for (const [groupId, list] of byGroup) await writeSameContentFiles(this.dir, list.map((r) => this.idPath(r.id)), groupId);
		const groups: GroupFile[] = [];
		for (const [groupId, list] of byGroup) {
			const group = (await this.readGroup(groupId)) ?? { groupId, resumeClaimed: false, requests: [] };
			group.requests.push(...list);
			groups.push(group);
		}
		await writeFilesAtomic(groups.map((group) => ({ path: this.groupPath(group.groupId), data: JSON.stringify(group) })));
		const isOpen = (group: GroupFile): boolean => group.requests.some((r) => r.status === 'pending');
		const open = groups.filter(isOpen);
		for (const group of groups) if (!isOpen(group)) await this.dropOpenMarker(group.groupId);
		await writeFilesAtomic(open.map((group) => ({ path: this.openPath(group.groupId), data: JSON.stringify(openMarkerOf(group)) })));
	}

	async get(id: string): Promise<ReviewRequest | null> {
		return (await this.findGroup(id))?.request ?? null;
	}

	async list(groupId: string): Promise<ReviewRequest[]> {
		return (await this.readGroup(groupId))?.requests ?? [];
	}

	/** The request and where its terminal record is (if the index knows one). */
	async lookup(id: string): Promise<{ request: ReviewRequest; terminal: TerminalPointer | null } | null> {
		const found = await this.findGroup(id);
		if (!found) return null;
		return { request: found.request, terminal: found.group.terminals?.[id] ?? null };
	}

	/** `lookup` for many ids, in order: each id file read once, each group file read once. */
	async lookupMany(ids: readonly string[]): Promise<Array<{ request: ReviewRequest; terminal: TerminalPointer | null } | null>> {
		const groupIds: Array<string | null> = [];
		for (let start = 0; start < ids.length; start += PARALLEL_LOOKUPS) {
			groupIds.push(...(await Promise.all(ids.slice(start, start + PARALLEL_LOOKUPS).map((id) => readFileOrNull(this.idPath(id))))));
		}
		const groups = new Map<string, Map<string, ReviewRequest> & { terminals?: Record<string, TerminalPointer> }>();
		for (const groupId of new Set(groupIds)) {
			if (groupId === null) continue;
			const group = await this.readGroup(groupId);
			if (group) groups.set(groupId, Object.assign(new Map(group.requests.map((r) => [r.id, r])), { terminals: group.terminals }));
		}
		return ids.map((id, i) => {
			const groupId = groupIds[i];
			const group = groupId === null ? undefined : groups.get(groupId);
			const request = group?.get(id);
			return group && request ? { request, terminal: group.terminals?.[id] ?? null } : null;
		});
	}

	/** Pending requests past their deadline, from the groups marked open. Read-only. */
	async overdue(now: Date, limit: number): Promise<ReviewRequest[]> {
		let names: string[];
		try {
			names = await fs.readdir(this.dir);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw error;
		}
		const due: ReviewRequest[] = [];
		for (const name of names) {
			if (!name.startsWith('o-') || name.includes('.tmp-')) continue;
			const text = await readFileOrNull(join(this.dir, name));
			if (text === null) continue;
			const marker = parseOpenMarker(text);
			// Not one request of this group is due yet: its group file (all its requests) is not read.
			if (marker.earliestExpiresAt !== null && Date.parse(marker.earliestExpiresAt) >= now.getTime()) continue;
			const group = await this.readGroup(marker.groupId);
			for (const r of group?.requests ?? []) {
				if (r.status === 'pending' && Date.parse(r.expiresAt) < now.getTime()) due.push(r);
			}
		}
		return due.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt)).slice(0, limit);
	}

	/** Under the lock: keeps approved content beside the chain before the record that names it is written. */
	async putContent(json: Record<string, unknown>): Promise<string> {
		return (await this.putContents([json]))[0];
	}

	/** `putContent` for many: the missing files written and fsynced together (fsUtil.ts writeFilesAtomic). */
	async putContents(jsons: ReadonlyArray<Record<string, unknown>>): Promise<string[]> {
		if (jsons.length === 0) return [];
		await this.ensureDir();
		const texts = new Map<string, string>();
		const shas = jsons.map((json) => {
			const text = canonicalize(json);
			const sha = sha256Hex(text);
			texts.set(sha, text);
			return sha;
		});
		const missing: Array<{ path: string; data: string }> = [];
		for (const [sha, text] of texts) {
			if ((await readFileOrNull(this.contentPath(sha))) !== text) missing.push({ path: this.contentPath(sha), data: text });
		}
		await writeFilesAtomic(missing);
		return shas;
	}

	/** Approved content by its SHA-256; null when missing or when the file does not hash to its name. */
	async content(sha256: string | null): Promise<Record<string, unknown> | null> {
		if (sha256 === null || !HEX64.test(sha256)) return null;
		const text = await readFileOrNull(this.contentPath(sha256));
		if (text === null || sha256Hex(text) !== sha256) return null;
		return JSON.parse(text) as Record<string, unknown>;
	}

	/**
	 * Under the lock: records that a terminal record now ends its request, and returns the request —
	 * or null when the request is unknown or already ended by an earlier record (the first one wins). The
	 * request takes its status and outcome from the record (the outcome given by the caller that just
	 * wrote it, or else rebuilt from the record and the content beside the chain).
	 */
	async applyTerminal(record: ReviewRecord, pointer: TerminalPointer, outcome?: ReviewOutcome | null): Promise<ReviewRequest | null> {
		return (await this.applyTerminals([{ record, pointer, outcome }]))[0];
	}

	/**
	 * `applyTerminal` for many records, in chain order: each group file read once and, if changed,
	 * replaced once — all of them written and fsynced together (a 1,000-item "Approve all" rewrote its
	 * 1,000-request group file 1,000 times before). Open markers of groups left with nothing pending go last.
	 */
	async applyTerminals(entries: ReadonlyArray<TerminalEntry>): Promise<Array<ReviewRequest | null>> {
		const groups = new Map<string, { file: GroupFile; byId: Map<string, ReviewRequest> } | null>();
		const changed = new Set<GroupFile>();
		const applied: Array<ReviewRequest | null> = [];
		for (const { record, pointer, outcome } of entries) {
			const binding = requestBindingOf(record);
			if (!binding) {
				applied.push(null);
				continue;
			}
			if (!groups.has(binding.groupId)) {
				const file = await this.readGroup(binding.groupId);
				groups.set(binding.groupId, file && { file, byId: new Map(file.requests.map((r) => [r.id, r])) });
			}
			const group = groups.get(binding.groupId);
			const request = group?.byId.get(binding.id);
			if (!group || !request) {
				applied.push(null);
				continue;
			}
			group.file.terminals ??= {};
			// The first terminal record of a request wins; one already applied changes nothing.
			if (group.file.terminals[binding.id]) {
				applied.push(null);
				continue;
			}
			group.file.terminals[binding.id] = pointer;
			// The record is the truth: the index takes its status and outcome from it.
			request.status = record.event === 'decided' ? 'decided' : 'expired';
			request.outcome = outcome !== undefined ? outcome : outcomeFromRecord(record, await this.content(record.finalSha256));
			changed.add(group.file);
			applied.push(request);
		}
		if (changed.size > 0) {
			await writeFilesAtomic([...changed].map((group) => ({ path: this.groupPath(group.groupId), data: JSON.stringify(group) })));
			for (const group of changed) if (!group.requests.some((r) => r.status === 'pending')) await this.dropOpenMarker(group.groupId);
		}
		return applied;
	}

	private async loadWatermark(ino: number): Promise<Watermark | null> {
		if (this.watermark?.ino === ino) return this.watermark;
		const text = await readFileOrNull(join(this.dir, 'watermark.json'));
		if (text === null) return null;
		try {
			const w = JSON.parse(text) as Watermark;
			if (w.ino !== ino || !Number.isSafeInteger(w.size) || w.size < 0) return null;
			this.savedWatermark = w;
			return w;
		} catch {
			return null;
		}
	}

	private async saveWatermark(w: Watermark): Promise<void> {
		await this.ensureDir();
		await writeFileAtomic(join(this.dir, 'watermark.json'), JSON.stringify(w));
		this.savedWatermark = w;
	}

	/** True when every record up to `log.size` has been applied to the index. */
	inSync(log: Pick<LogPosition, 'ino' | 'size'>): boolean {
		return this.watermark?.ino === log.ino && this.watermark.size === log.size;
	}

	/** After this process appended a record that needs no applying: the index stays in sync. */
	advance(from: LogPosition, to: number): void {
		if (this.inSync(from)) this.watermark = { ino: from.ino, size: to };
	}

	/** After a failure between writing a record and applying it: replay from `offset` next time. */
	rewind(ino: number, offset: number): void {
		if (this.watermark?.ino === ino && this.watermark.size > offset) this.watermark = { ino, size: offset };
	}

	/**
	 * Under the lock: applies every terminal record between the watermark and the end of the log (written
	 * by another process, or by one that crashed before updating the index). The first call on a log
	 * without a watermark rebuilds the index from the whole chain.
	 */
	async catchUp(log: LogPosition): Promise<void> {
		let mark = await this.loadWatermark(log.ino);
		if (mark === null || mark.size > log.size) mark = { ino: log.ino, size: 0 };
		if (mark.size === log.size) {
			this.watermark = mark;
			return;
		}
		let applied = 0;
		// Applied a chunk at a time: each group file rewritten once per chunk, memory bounded.
		let pending: TerminalEntry[] = [];
		const flush = async (): Promise<void> => {
			applied += (await this.applyTerminals(pending)).filter((r) => r !== null).length;
			pending = [];
		};
		for await (const raw of readLines(log.path, { maxLineBytes: MAX_RECORD_BYTES, start: mark.size, end: log.size })) {
			const parsed = raw.text === null || !raw.terminated ? null : parseRecordLine(raw.text);
			if (!parsed?.ok || parsed.computedHash !== parsed.record.hash) {
				throw new StoreCorruptError(`The review log ${log.path} is damaged at byte ${raw.offset}; run verify for details`);
			}
			if (isRequestTerminalRecord(parsed.record)) {
				const length = Buffer.byteLength(raw.text as string, 'utf8') + 1;
				pending.push({ record: parsed.record, pointer: { seq: parsed.record.seq, offset: raw.offset, length } });
				if (pending.length >= REPLAY_CHUNK) await flush();
			}
		}
		if (pending.length > 0) await flush();
		this.watermark = { ino: log.ino, size: log.size };
		const saved = this.savedWatermark?.ino === log.ino ? this.savedWatermark.size : 0;
		if (applied > 0 || log.size - saved >= WATERMARK_SAVE_BYTES) await this.saveWatermark(this.watermark);
	}

	/**
	 * Under the lock, with every terminal record applied: redacts each request the erasure reaches
	 * (requestErasure.ts), then deletes every approved-content file no unerased request still names —
	 * including leftovers of resolutions that failed before their record — so no copy of the content
	 * stays beside the chain. Group files are replaced atomically; the old inode goes with the rename.
	 */
	async erase(scope: ReturnType<typeof checkErasureScope>, erasure: RequestErasure): Promise<RequestErasureResult> {
		let names: string[];
		try {
			names = await fs.readdir(this.dir);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { requestIds: [], requests: 0, pending: 0, contents: 0 };
			throw error;
		}
		const stillNamed = new Set<string>();
		const requestIds: string[] = [];
		let pending = 0;
		for (const name of names) {
			if (!name.startsWith('g-') || !name.endsWith('.json') || name.includes('.tmp-')) continue;
			const group = await this.readGroupFile(join(this.dir, name));
			let changed = false;
			group.requests = group.requests.map((r) => {
				if (!erasureReaches(r, scope)) {
					if (!r.erased && r.outcome?.finalJson) stillNamed.add(sha256Hex(canonicalize(r.outcome.finalJson)));
					return r;
				}
				changed = true;
				requestIds.push(r.id);
				if (r.status === 'pending') pending++;
				return redactRequest(r, erasure);
			});
			if (changed) await writeFileAtomic(join(this.dir, name), JSON.stringify(group));
		}
		let contents = 0;
		for (const name of names) {
			const match = /^c-([0-9a-f]{64})\.json$/.exec(name);
			if (!match || stillNamed.has(match[1])) continue;
			await fs.unlink(join(this.dir, name)).then(
				() => contents++,
				(error: NodeJS.ErrnoException) => {
					if (error.code !== 'ENOENT') throw error;
				},
			);
		}
		if (contents > 0) await fsyncDir(this.dir);
		return { requestIds: requestIds.sort(), requests: requestIds.length, pending, contents };
	}

	private async readGroupFile(path: string): Promise<GroupFile> {
		const text = await readFileOrNull(path);
		try {
			const group = JSON.parse(text ?? 'null') as GroupFile;
			if (group === null || typeof group.groupId !== 'string' || !Array.isArray(group.requests)) throw new Error('unexpected content');
			return group;
		} catch (error) {
			throw new StoreCorruptError(`Review request file ${path} is damaged (${(error as Error).message}); nothing was erased from it`);
		}
	}

	/** Under the lock. */
	async claimResume(groupId: string): Promise<boolean> {
		const group = await this.readGroup(groupId);
		if (!group || group.resumeClaimed) return false;
		group.resumeClaimed = true;
		await writeFileAtomic(this.groupPath(groupId), JSON.stringify(group));
		return true;
	}
}

function openMarkerOf(group: GroupFile): OpenMarker {
	let earliest: ReviewRequest | null = null;
	for (const r of group.requests) {
		if (r.status === 'pending' && (earliest === null || Date.parse(r.expiresAt) < Date.parse(earliest.expiresAt))) earliest = r;
	}
	return { groupId: group.groupId, earliestExpiresAt: (earliest as ReviewRequest).expiresAt };
}

/**
 * A marker as written now, or one from before (the bare group id). A missing or unreadable deadline
 * counts as "maybe due": the group is read, and a damaged group file is reported there.
 */
function parseOpenMarker(text: string): { groupId: string; earliestExpiresAt: string | null } {
	if (text.startsWith('{')) {
		try {
			const parsed = JSON.parse(text) as Partial<OpenMarker>;
			if (typeof parsed.groupId === 'string') {
				// An unreadable date parses to NaN, which is never ahead of now: the group is read.
				return { groupId: parsed.groupId, earliestExpiresAt: typeof parsed.earliestExpiresAt === 'string' ? parsed.earliestExpiresAt : null };
			}
		} catch {
			// Not a marker of this format: a bare group id that happens to start with "{".
		}
	}
	return { groupId: text, earliestExpiresAt: null };
}
