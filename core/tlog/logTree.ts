/**
 * The Merkle tree over a review store's chain (RFC 6962; hashing and proofs in merkle.ts), kept as an
 * index beside the chain: leaf i is the stored line of record seq i + 1, and a backend keeps the
 * tree's stored hashes (the Go tlog layout) so a root or a proof reads O(log n) hashes, never the log.
 *
 * Why an index and not part of the append: the log decides. Appending a record stays exactly what it
 * was (one line, one fsync); the tree catches up from the chain when a checkpoint or proof is asked
 * for, and only over records that check out — each line's own hash, its seq and its link to the record
 * before it. So the tree can lag the log but never disagree with it, and whatever a backend keeps
 * can be thrown away and rebuilt from the chain.
 *
 * What the stored hashes are trusted for, and what not: a proof is re-checked against the root before
 * it is handed out, and a record's leaf is compared with the stored leaf hash, so a damaged index makes
 * proofs fail here rather than at the auditor. A new checkpoint is signed only when the tree is
 * consistent with the last checkpoint this store signed (see checkpointSigner.ts).
 */
import { parseRecordLine, ZERO_HASH } from '../chain';
import {
	checkRecord, checkTree, type Hash, type HashReader, proveRecord, proveTree, recordHash, storedHashCount, storedHashes, storedHashIndex, treeHash,
} from './merkle';

/** Where a backend keeps the tree. Implementations serialise writers (a lock or a transaction). */
export interface TreeStorage extends HashReader {
	/** Leaves whose stored hashes are complete (a crash mid-append is repaired to a whole leaf). */
	leafCount(): Promise<number>;
	/** Adds leaves `from`..`from + lines.length - 1`: their stored hashes in order, and their lines' locations. */
	appendLeaves(from: number, hashes: Hash[], lines: LineLocation[]): Promise<void>;
}

/** Where a record's line is, for backends that cannot look a record up by seq cheaply (file: byte range). */
export interface LineLocation {
	seq: number;
	offset: number;
	length: number;
}

/** The chain as the tree reads it. */
export interface ChainLines {
	/** Stored lines of the records after `seq`, in seq order, with their locations. */
	linesAfter(seq: number): AsyncIterable<{ line: string } & LineLocation>;
	/** The stored line of record `seq`, or null when there is none. */
	lineAt(seq: number): Promise<string | null>;
}

export class TreeIndexError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TreeIndexError';
	}
}

export interface TreeRoot {
	size: number;
	root: Hash;
}

export interface TreeInclusionProof {
	/** Leaf index (seq − 1). */
	index: number;
	/** Tree size the proof is for. */
	size: number;
	root: Hash;
	hashes: Hash[];
	/** The record's stored line: the leaf data. */
	line: string;
}

/** Leaves written per storage call while catching up: bounds memory on a long catch-up. */
const CATCH_UP_BATCH = 4096;

/** Stored hashes written but not yet in storage, readable by index while a batch is built. */
class PendingHashes implements HashReader {
	readonly hashes: Hash[] = [];
	constructor(
		private readonly storage: TreeStorage,
		private readonly firstIndex: number,
	) {}

	async readHashes(indexes: readonly number[]): Promise<Hash[]> {
		const out: Hash[] = new Array(indexes.length);
		const stored: number[] = [];
		indexes.forEach((index, i) => {
			if (index >= this.firstIndex) out[i] = this.hashes[index - this.firstIndex];
			else stored.push(i);
		});
		if (stored.length > 0) {
			const read = await this.storage.readHashes(stored.map((i) => indexes[i]));
			stored.forEach((i, k) => (out[i] = read[k]));
		}
		for (const hash of out) if (!Buffer.isBuffer(hash) || hash.length !== 32) throw new TreeIndexError('the tree index returned a damaged hash');
		return out;
	}
}

export interface TreeConsistencyProof {
	oldSize: number;
	size: number;
	oldRoot: Hash;
	root: Hash;
	hashes: Hash[];
}

export class LogTree {
	constructor(
		private readonly storage: TreeStorage,
		private readonly chain: ChainLines,
	) {}

	/**
	 * Brings the tree up to the chain's head and returns it. Each new record must check out (its hash,
	 * its seq, its link to the record before): a log that does not is refused, not indexed.
	 */
	async catchUp(): Promise<TreeRoot> {
		let size = await this.storage.leafCount();
		let prevHash = ZERO_HASH;
		if (size > 0) {
			const line = await this.chain.lineAt(size);
			const parsed = line === null ? null : parseRecordLine(line);
			if (!parsed?.ok) throw new TreeIndexError(`the tree index covers seq ${size}, but that record is missing or damaged: run verify`);
			prevHash = parsed.record.hash;
			if (!recordHash(Buffer.from(line as string, 'utf8')).equals(await this.leafHash(size - 1))) {
				throw new TreeIndexError(`record seq ${size} differs from the tree index: the log was altered after it was indexed; run verify`);
			}
		}
		let pending = new PendingHashes(this.storage, storedHashCount(size));
		let locations: LineLocation[] = [];
		let batchStart = size;
		const flush = async (): Promise<void> => {
			if (locations.length === 0) return;
			await this.storage.appendLeaves(batchStart, pending.hashes, locations);
			batchStart = size;
			pending = new PendingHashes(this.storage, storedHashCount(size));
			locations = [];
		};
		for await (const { line, seq, offset, length } of this.chain.linesAfter(size)) {
			const parsed = parseRecordLine(line);
			if (!parsed.ok || parsed.computedHash !== parsed.record.hash) {
				throw new TreeIndexError(`record seq ${size + 1} is damaged (${parsed.ok ? 'its hash does not match' : parsed.message}): run verify`);
			}
			if (parsed.record.seq !== size + 1 || seq !== size + 1) throw new TreeIndexError(`expected seq ${size + 1}, found seq ${parsed.record.seq}: run verify`);
			if (parsed.record.prevHash !== prevHash) throw new TreeIndexError(`record seq ${size + 1} does not link to the record before it: run verify`);
			pending.hashes.push(...(await storedHashes(size, Buffer.from(line, 'utf8'), pending)));
			locations.push({ seq, offset, length });
			prevHash = parsed.record.hash;
			size++;
			if (locations.length >= CATCH_UP_BATCH) await flush();
		}
		await flush();
		return { size, root: await treeHash(size, this.storage) };
	}

	/** Root of the tree of `size` leaves (a size the index already covers). */
	async rootAt(size: number): Promise<Hash> {
		await this.assertCovered(size);
		return treeHash(size, this.storage);
	}

	/** Inclusion proof of record `seq` in the tree of `size` leaves, checked before it is returned. */
	async proveInclusion(seq: number, size: number): Promise<TreeInclusionProof> {
		if (!Number.isSafeInteger(seq) || seq < 1 || seq > size) throw new TreeIndexError(`seq ${seq} is not in a tree of ${size} records`);
		await this.assertCovered(size);
		const line = await this.chain.lineAt(seq);
		if (line === null) throw new TreeIndexError(`record seq ${seq} is missing from the log: run verify`);
		const leaf = recordHash(Buffer.from(line, 'utf8'));
		if (!leaf.equals(await this.leafHash(seq - 1))) {
			throw new TreeIndexError(`record seq ${seq} differs from the tree index: the log was altered after it was indexed; run verify`);
		}
		const root = await treeHash(size, this.storage);
		const hashes = await proveRecord(size, seq - 1, this.storage);
		if (!checkRecord(hashes, size, root, seq - 1, leaf)) throw new TreeIndexError('the tree index is damaged: a proof built from it does not check out; rebuild it');
		return { index: seq - 1, size, root, hashes, line };
	}

	/** Consistency proof that the tree of `oldSize` leaves is a prefix of the tree of `size`, checked before it is returned. */
	async proveConsistency(oldSize: number, size: number): Promise<TreeConsistencyProof> {
		if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > size) throw new TreeIndexError(`no consistency proof from ${oldSize} to ${size} records`);
		await this.assertCovered(size);
		const [oldRoot, root] = [await treeHash(oldSize, this.storage), await treeHash(size, this.storage)];
		// Every tree extends the empty one: nothing to prove (RFC 9162 defines proofs for 0 < oldSize ≤ size).
		if (oldSize === 0) return { oldSize, size, oldRoot, root, hashes: [] };
		const hashes = await proveTree(size, oldSize, this.storage);
		if (!checkTree(hashes, size, root, oldSize, oldRoot)) throw new TreeIndexError('the tree index is damaged: a proof built from it does not check out; rebuild it');
		return { oldSize, size, oldRoot, root, hashes };
	}

	private async leafHash(index: number): Promise<Hash> {
		const [hash] = await this.storage.readHashes([storedHashIndex(0, index)]);
		return hash;
	}

	private async assertCovered(size: number): Promise<void> {
		if (!Number.isSafeInteger(size) || size < 0) throw new TreeIndexError(`tree size ${size} is not a whole number`);
		const covered = await this.storage.leafCount();
		if (size > covered) throw new TreeIndexError(`the log has ${covered} indexed records, fewer than ${size}`);
	}
}

/** Leaves whose stored hashes fill exactly `count` stored hashes: the largest n with storedHashCount(n) ≤ count. */
export function leavesForStoredCount(count: number): number {
	let lo = 0;
	let hi = Math.max(0, Math.ceil(count / 2) + 64);
	while (lo < hi) {
		const mid = Math.ceil((lo + hi) / 2);
		if (storedHashCount(mid) <= count) lo = mid;
		else hi = mid - 1;
	}
	return lo;
}
