/**
 * What an auditor runs, with the log's public key(s) and nothing secret: check one record's proof
 * bundle, a consistency proof between two checkpoints, or a whole exported log against a checkpoint.
 *
 * Every check names what failed in words an auditor can act on (`reason`), because "invalid" alone
 * cannot tell a forged checkpoint from a wrong key or a log that was cut off. A checkpoint proves
 * what the log looked like when it was signed, by whoever holds the private key; an external copy of
 * it (mailed to an auditor, kept by a second party) is what makes later truncation or rewriting
 * detectable — a log operator can always re-sign a rewritten log with the same key, but cannot make
 * the new checkpoint consistent with one already held by someone else.
 */
import { promises as fs } from 'node:fs';

import { MAX_RECORD_BYTES, parseRecordLine } from '../chain';
import { readLines } from '../lineReader';
import { REQUEST_BINDING_KEY, type ReviewRecord } from '../records';
import { openCheckpoint, type TreeHead } from './checkpoint';
import { type ChainLines, type LineLocation, LogTree, TreeIndexError, type TreeStorage } from './logTree';
import { checkRecord, checkTree, type Hash, MemoryHashStore, recordHash, storedHashCount } from './merkle';
import { NoteError, type NoteVerifier } from './note';
import { formatConsistencyProof, formatTlogProof, parseConsistencyProof, parseTlogProof } from './proofBundle';

export type AuditFailureReason =
	| 'malformed' // a file is not in the expected format
	| 'unverified' // no signature by a given public key
	| 'invalid_signature' // a signature by a given key that does not verify: the checkpoint was altered
	| 'wrong_origin' // a checkpoint of another log
	| 'bad_record' // the record in the bundle is damaged or not the one at that index
	| 'not_included' // the inclusion path does not lead to the checkpoint's root
	| 'inconsistent' // the new checkpoint does not extend the old one
	| 'fork' // two checkpoints of the same size with different roots: the log forked
	| 'truncated' // the log is shorter than a checkpoint says it was
	| 'rewritten' // the log's records differ from what the checkpoint signed
	| 'damaged_log'; // the log itself does not verify (hash chain)

export interface AuditFailure {
	ok: false;
	reason: AuditFailureReason;
	message: string;
}

export interface CheckpointInfo {
	origin: string;
	size: number;
	root: string;
	verifiedBy: string[];
}

function failure(reason: AuditFailureReason, message: string): AuditFailure {
	return { ok: false, reason, message };
}

function info(head: TreeHead, verifiedBy: string[]): CheckpointInfo {
	return { origin: head.origin, size: head.size, root: head.root.toString('base64'), verifiedBy };
}

/** Opens a checkpoint with the auditor's keys; a NoteError becomes a reason. */
function openChecked(note: string, verifiers: readonly NoteVerifier[], origin: string | undefined, what: string): { head: TreeHead; verifiedBy: string[] } | AuditFailure {
	try {
		const opened = openCheckpoint(note, verifiers, origin);
		return { head: opened.head, verifiedBy: opened.verifiedBy };
	} catch (error) {
		if (error instanceof NoteError) {
			const reason = error.code === 'bad_key' ? 'malformed' : error.code;
			return failure(reason, `${what}: ${error.message}`);
		}
		throw error;
	}
}

export type RecordProofResult = ({ ok: true; record: ReviewRecord; index: number; checkpoint: CheckpointInfo }) | AuditFailure;

/**
 * Checks a c2sp.org/tlog-proof bundle: the checkpoint is signed by one of `verifiers` (and is for
 * `origin` when given), the record (the bundle's `extra`, or `leaf` when given) is intact and is
 * record seq index + 1, and its inclusion path leads to the checkpoint's root.
 */
export function verifyRecordProof(text: string, verifiers: readonly NoteVerifier[], options: { origin?: string; leaf?: Buffer } = {}): RecordProofResult {
	let proof;
	try {
		proof = parseTlogProof(text);
	} catch (error) {
		if (error instanceof NoteError) return failure('malformed', error.message);
		throw error;
	}
	const opened = openChecked(proof.checkpoint, verifiers, options.origin, 'checkpoint in the proof');
	if ('ok' in opened) return opened;
	const leaf = options.leaf ?? proof.extra;
	if (!leaf) return failure('bad_record', 'the proof carries no record (no extra line) and none was given');
	let line: string;
	try {
		line = new TextDecoder('utf-8', { fatal: true }).decode(leaf);
	} catch {
		return failure('bad_record', 'the record is not UTF-8 text');
	}
	const parsed = parseRecordLine(line);
	if (!parsed.ok) return failure('bad_record', `the record is damaged: ${parsed.message}`);
	if (parsed.computedHash !== parsed.record.hash) return failure('bad_record', `record seq ${parsed.record.seq} was altered: its hash does not match its content`);
	if (parsed.record.seq !== proof.index + 1) return failure('bad_record', `the record is seq ${parsed.record.seq}, but the proof is for index ${proof.index} (seq ${proof.index + 1})`);
	if (!checkRecord(proof.hashes, opened.head.size, opened.head.root, proof.index, recordHash(leaf))) {
		return failure('not_included', `the inclusion path of seq ${proof.index + 1} does not lead to the checkpoint's root: the record or the proof was altered`);
	}
	return { ok: true, record: parsed.record, index: proof.index, checkpoint: info(opened.head, opened.verifiedBy) };
}

export type ConsistencyResult = { ok: true; old: CheckpointInfo; new: CheckpointInfo } | AuditFailure;

/** Checks that `newNote`'s tree extends `oldNote`'s, with an n8n-nodes-hitl/consistency-proof@v1 text. */
export function verifyConsistencyProof(
	oldNote: string,
	newNote: string,
	proofText: string,
	verifiers: readonly NoteVerifier[],
	options: { origin?: string } = {},
): ConsistencyResult {
	const before = openChecked(oldNote, verifiers, options.origin, 'old checkpoint');
	if ('ok' in before) return before;
	const after = openChecked(newNote, verifiers, options.origin ?? before.head.origin, 'new checkpoint');
	if ('ok' in after) return after;
	if (before.head.size === after.head.size && !before.head.root.equals(after.head.root)) {
		return failure('fork', `two checkpoints of ${after.head.size} records with different roots: the log was forked or rewritten and both versions were signed`);
	}
	let proof;
	try {
		proof = parseConsistencyProof(proofText);
	} catch (error) {
		if (error instanceof NoteError) return failure('malformed', error.message);
		throw error;
	}
	if (proof.oldSize !== before.head.size || proof.newSize !== after.head.size) {
		return failure('malformed', `the proof is from ${proof.oldSize} to ${proof.newSize} records, the checkpoints are of ${before.head.size} and ${after.head.size}`);
	}
	if (before.head.size > after.head.size) return failure('inconsistent', 'the old checkpoint covers more records than the new one');
	const consistent =
		before.head.size === 0 ||
		(before.head.size === after.head.size ? proof.hashes.length === 0 : checkTree(proof.hashes, after.head.size, after.head.root, before.head.size, before.head.root));
	if (!consistent) return failure('inconsistent', `the log of ${after.head.size} records does not extend the log of ${before.head.size} records: earlier records were changed`);
	return { ok: true, old: info(before.head, before.verifiedBy), new: info(after.head, after.verifiedBy) };
}

/** A tree index in memory over an exported log file (the auditor's side: no store). */
class MemoryTreeStorage implements TreeStorage {
	readonly hashes = new MemoryHashStore();
	private readonly offsets: number[] = [];
	private readonly lengths: number[] = [];

	async leafCount(): Promise<number> {
		return this.offsets.length;
	}

	readHashes(indexes: readonly number[]): Promise<Hash[]> {
		return this.hashes.readHashes(indexes);
	}

	async appendLeaves(from: number, hashes: Hash[], lines: LineLocation[]): Promise<void> {
		if (from !== this.offsets.length || this.hashes.count !== storedHashCount(from)) throw new TreeIndexError('memory tree append out of order');
		this.hashes.append(hashes);
		for (const loc of lines) {
			this.offsets.push(loc.offset);
			this.lengths.push(loc.length);
		}
	}

	location(seq: number): { offset: number; length: number } | null {
		return seq >= 1 && seq <= this.offsets.length ? { offset: this.offsets[seq - 1], length: this.lengths[seq - 1] } : null;
	}
}

/**
 * The Merkle tree of an exported log file, built in memory (about 100 bytes per record at its peak, measured by npm run bench -- tlog) while checking
 * the chain as it goes (each record's hash, seq and link). Stops after `upTo` records when given.
 */
export async function treeOfLogFile(path: string, upTo?: number): Promise<{ tree: LogTree; size: number; root: Hash; close: () => Promise<void> }> {
	const storage = new MemoryTreeStorage();
	const handle = await fs.open(path, 'r');
	try {
		const lines: ChainLines = {
			async *linesAfter(seq: number) {
				const start = seq === 0 ? 0 : (() => {
					const loc = storage.location(seq);
					return loc ? loc.offset + loc.length : 0;
				})();
				let next = seq + 1;
				for await (const raw of readLines(path, { maxLineBytes: MAX_RECORD_BYTES, start })) {
					if (upTo !== undefined && next > upTo) return;
					if (raw.text === null || !raw.terminated) throw new TreeIndexError(`line ${next}: ${raw.error ?? 'last line has no newline'}`);
					yield { line: raw.text, seq: next++, offset: raw.offset, length: Buffer.byteLength(raw.text, 'utf8') + 1 };
				}
			},
			async lineAt(seq: number) {
				const loc = storage.location(seq);
				if (!loc) return null;
				const bytes = Buffer.alloc(loc.length);
				await handle.read(bytes, 0, loc.length, loc.offset);
				return bytes.subarray(0, loc.length - 1).toString('utf8');
			},
		};
		const tree = new LogTree(storage, lines);
		const head = await tree.catchUp();
		// The handle stays open for lineAt while the caller builds proofs; the caller closes it.
		return { tree, size: head.size, root: head.root, close: () => handle.close() };
	} catch (error) {
		await handle.close();
		throw error;
	}
}

export type LogCheckpointResult = { ok: true; records: number; checkpoint: CheckpointInfo } | AuditFailure;

/** The log's tree up to the checkpoint, or why the log does not match it. The caller closes the tree. */
async function treeMatching(path: string, head: TreeHead): Promise<Awaited<ReturnType<typeof treeOfLogFile>> | AuditFailure> {
	let built;
	try {
		built = await treeOfLogFile(path, head.size);
	} catch (error) {
		if (error instanceof TreeIndexError) return failure('damaged_log', `the log does not verify: ${error.message}`);
		throw error;
	}
	if (built.size < head.size) {
		await built.close();
		return failure('truncated', `the log has ${built.size} records but the checkpoint covers ${head.size}: records were removed from the end`);
	}
	if (!built.root.equals(head.root)) {
		await built.close();
		return failure('rewritten', `the log's first ${head.size} records do not match the checkpoint's root: the log was changed after it was signed`);
	}
	return built;
}

/**
 * Checks an exported log against a signed checkpoint: the checkpoint verifies with the public key,
 * the log has at least its records, and its first `size` records have exactly the checkpoint's root.
 * (The whole chain is checked by verifyFile, which the CLI runs beside this.)
 */
export async function verifyLogAgainstCheckpoint(path: string, note: string, verifiers: readonly NoteVerifier[], options: { origin?: string } = {}): Promise<LogCheckpointResult> {
	const opened = openChecked(note, verifiers, options.origin, 'checkpoint');
	if ('ok' in opened) return opened;
	const built = await treeMatching(path, opened.head);
	if ('ok' in built) return built;
	await built.close();
	return { ok: true, records: built.size, checkpoint: info(opened.head, opened.verifiedBy) };
}

/** A tlog-proof bundle for record `seq` of an exported log, against a checkpoint the log matches. */
export async function proveFromLogFile(path: string, seq: number, note: string, verifiers: readonly NoteVerifier[], options: { origin?: string } = {}): Promise<string | AuditFailure> {
	const opened = openChecked(note, verifiers, options.origin, 'checkpoint');
	if ('ok' in opened) return opened;
	if (!Number.isSafeInteger(seq) || seq < 1 || seq > opened.head.size) return failure('malformed', `seq ${seq} is not among the checkpoint's ${opened.head.size} records`);
	const built = await treeMatching(path, opened.head);
	if ('ok' in built) return built;
	try {
		const proof = await built.tree.proveInclusion(seq, opened.head.size);
		return formatTlogProof({ index: proof.index, hashes: proof.hashes, checkpoint: note, extra: Buffer.from(proof.line, 'utf8') });
	} finally {
		await built.close();
	}
}

/** A consistency proof between two checkpoints the exported log matches (both checked with the public key). */
export async function proveConsistencyFromLogFile(path: string, oldNote: string, newNote: string, verifiers: readonly NoteVerifier[], options: { origin?: string } = {}): Promise<string | AuditFailure> {
	const before = openChecked(oldNote, verifiers, options.origin, 'old checkpoint');
	if ('ok' in before) return before;
	const after = openChecked(newNote, verifiers, options.origin ?? before.head.origin, 'new checkpoint');
	if ('ok' in after) return after;
	if (before.head.size > after.head.size) return failure('malformed', `the old checkpoint (${before.head.size} records) is larger than the new one (${after.head.size})`);
	const built = await treeMatching(path, after.head);
	if ('ok' in built) return built;
	try {
		const proof = await built.tree.proveConsistency(before.head.size, after.head.size);
		if (!proof.oldRoot.equals(before.head.root)) {
			return failure('inconsistent', `the log's first ${before.head.size} records do not match the old checkpoint: the log was changed between the two checkpoints`);
		}
		return formatConsistencyProof({ oldSize: before.head.size, newSize: after.head.size, hashes: proof.hashes });
	} finally {
		await built.close();
	}
}

/**
 * The seq of the record to prove in an exported log: the terminal record (decided or expired) of a
 * gate request, or the newest terminal record with an item key; null when there is none.
 */
export async function findTerminalSeq(path: string, by: { requestId?: string; itemKey?: string }): Promise<number | null> {
	let found: number | null = null;
	for await (const raw of readLines(path, { maxLineBytes: MAX_RECORD_BYTES })) {
		if (raw.text === null) continue;
		const parsed = parseRecordLine(raw.text);
		if (!parsed.ok || (parsed.record.event !== 'decided' && parsed.record.event !== 'expired')) continue;
		const record = parsed.record;
		const binding = record.details?.[REQUEST_BINDING_KEY] as { id?: unknown } | undefined;
		if (by.requestId !== undefined && binding?.id === by.requestId) return record.seq;
		if (by.itemKey !== undefined && record.itemKey === by.itemKey) found = record.seq;
	}
	return found;
}
