/**
 * The file backend's Merkle tree index (core/tlog/logTree.ts), in `<chain>.tree/` beside the log:
 *
 * - `hashes.bin`: the tree's stored hashes, 32 bytes each, in Go tlog's stored-hash order;
 * - `leaves.bin`: per record, where its line is in the log (offset: 8 bytes, length: 4 bytes, big-endian),
 *   so a proof reads one line rather than the log;
 * - `committed.json`: `{leaves, ino}` — how many leaves both files hold completely, written (atomically)
 *   only after both files were fsynced. Bytes beyond it are leftovers of a crash and are overwritten.
 * - `checkpoints.jsonl`: every checkpoint (signed note) this store issued, one JSON line each.
 *
 * Everything here is an index rebuilt from the log: delete the folder and the next checkpoint or proof
 * rebuilds it. `ino` ties it to one log file: a log moved aside and restarted gets a fresh index.
 * Callers hold the store's lock for every method (one writer across processes).
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { MAX_RECORD_BYTES } from '../../chain';
import { readLines } from '../../lineReader';
import { type ChainLines, type LineLocation, TreeIndexError, type TreeStorage } from '../../tlog/logTree';
import { type Hash, storedHashCount } from '../../tlog/merkle';
import type { StoredCheckpointNote } from '../types';
import { readFileOrNull, writeFileAtomic } from './fsUtil';

const LEAF_BYTES = 12;
const HASH_BYTES = 32;

export class FileTreeStorage implements TreeStorage {
	private hashes: FileHandle | null = null;
	private leaves: FileHandle | null = null;
	/** Read once per storage object: the store makes one per locked operation, so it is never stale. */
	private committed: number | null = null;

	constructor(
		private readonly dir: string,
		/** Inode of the log file the index belongs to. */
		private readonly logIno: number,
	) {}

	private async open(): Promise<{ hashes: FileHandle; leaves: FileHandle }> {
		if (!this.hashes || !this.leaves) {
			await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
			this.hashes = await fs.open(join(this.dir, 'hashes.bin'), 'a+', 0o600);
			this.leaves = await fs.open(join(this.dir, 'leaves.bin'), 'a+', 0o600);
		}
		return { hashes: this.hashes, leaves: this.leaves };
	}

	async leafCount(): Promise<number> {
		if (this.committed !== null) return this.committed;
		const text = await readFileOrNull(join(this.dir, 'committed.json'));
		let leaves = 0;
		if (text !== null) {
			try {
				const value = JSON.parse(text) as { leaves?: unknown; ino?: unknown };
				if (value.ino === this.logIno && Number.isSafeInteger(value.leaves) && (value.leaves as number) >= 0) leaves = value.leaves as number;
			} catch {
				leaves = 0; // A damaged marker: rebuild from the log.
			}
		}
		const { hashes, leaves: leafFile } = await this.open();
		const [h, l] = await Promise.all([hashes.stat(), leafFile.stat()]);
		// Files shorter than the marker says were damaged or replaced: rebuild rather than trust them.
		if (h.size < storedHashCount(leaves) * HASH_BYTES || l.size < leaves * LEAF_BYTES) leaves = 0;
		this.committed = leaves;
		return leaves;
	}

	async readHashes(indexes: readonly number[]): Promise<Hash[]> {
		const limit = storedHashCount(await this.leafCount());
		const { hashes } = await this.open();
		return Promise.all(
			indexes.map(async (index) => {
				if (!Number.isSafeInteger(index) || index < 0 || index >= limit) {
					// Hashes being written by the current catch-up are served from memory (PendingHashes).
					throw new TreeIndexError(`stored hash ${index} is not in the tree index`);
				}
				const buf = Buffer.alloc(HASH_BYTES);
				const { bytesRead } = await hashes.read(buf, 0, HASH_BYTES, index * HASH_BYTES);
				if (bytesRead !== HASH_BYTES) throw new TreeIndexError(`stored hash ${index} is cut off: delete ${this.dir} to rebuild the tree index`);
				return buf;
			}),
		);
	}

	async appendLeaves(from: number, newHashes: Hash[], lines: LineLocation[]): Promise<void> {
		if (from !== (await this.leafCount())) throw new TreeIndexError(`tree index append at ${from}, but it holds ${this.committed} leaves`);
		if (newHashes.length !== storedHashCount(from + lines.length) - storedHashCount(from)) {
			throw new TreeIndexError('tree index append: hash count does not match the leaves');
		}
		const { hashes, leaves } = await this.open();
		const leafBytes = Buffer.alloc(lines.length * LEAF_BYTES);
		lines.forEach((loc, i) => {
			leafBytes.writeUIntBE(loc.offset, i * LEAF_BYTES, 6);
			leafBytes.writeUIntBE(0, i * LEAF_BYTES + 6, 2);
			leafBytes.writeUInt32BE(loc.length, i * LEAF_BYTES + 8);
		});
		// Leftovers of an interrupted append lie beyond the committed count: cut them first.
		await hashes.truncate(storedHashCount(from) * HASH_BYTES);
		await leaves.truncate(from * LEAF_BYTES);
		await hashes.write(Buffer.concat(newHashes), 0, newHashes.length * HASH_BYTES, storedHashCount(from) * HASH_BYTES);
		await leaves.write(leafBytes, 0, leafBytes.length, from * LEAF_BYTES);
		await Promise.all([hashes.sync(), leaves.sync()]);
		const total = from + lines.length;
		await writeFileAtomic(join(this.dir, 'committed.json'), JSON.stringify({ leaves: total, ino: this.logIno }));
		this.committed = total;
	}

	/** Where record `seq`'s line is in the log, if the index covers it. */
	async locate(seq: number): Promise<{ offset: number; length: number } | null> {
		if (!Number.isSafeInteger(seq) || seq < 1 || seq > (await this.leafCount())) return null;
		const { leaves } = await this.open();
		const buf = Buffer.alloc(LEAF_BYTES);
		const { bytesRead } = await leaves.read(buf, 0, LEAF_BYTES, (seq - 1) * LEAF_BYTES);
		if (bytesRead !== LEAF_BYTES) return null;
		return { offset: buf.readUIntBE(0, 6), length: buf.readUInt32BE(8) };
	}

	async checkpoints(limit: number): Promise<StoredCheckpointNote[]> {
		const text = await readFileOrNull(join(this.dir, 'checkpoints.jsonl'));
		if (text === null) return [];
		const out: StoredCheckpointNote[] = [];
		for (const line of text.split('\n')) {
			if (line === '') continue;
			try {
				const value = JSON.parse(line) as StoredCheckpointNote;
				if (Number.isSafeInteger(value.size) && typeof value.note === 'string' && typeof value.signedAt === 'string') out.push(value);
			} catch {
				// A torn last line of an interrupted write; the checkpoint was never returned to anyone.
			}
		}
		return out.reverse().slice(0, limit);
	}

	async saveCheckpoint(entry: StoredCheckpointNote): Promise<void> {
		await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
		const handle = await fs.open(join(this.dir, 'checkpoints.jsonl'), 'a', 0o600);
		try {
			await handle.write(`${JSON.stringify(entry)}\n`);
			await handle.sync();
		} finally {
			await handle.close();
		}
	}

	async close(): Promise<void> {
		await this.hashes?.close().catch(() => undefined);
		await this.leaves?.close().catch(() => undefined);
		this.hashes = this.leaves = null;
		this.committed = null;
	}
}

/**
 * The log's lines as the tree reads them: after an indexed seq, from the byte where its line ends (no
 * scan from the start); one record by seq through `leaves.bin`. `end` is the log's size under the lock.
 */
export function fileChainLines(logPath: string, log: FileHandle, end: number, storage: FileTreeStorage): ChainLines {
	return {
		async *linesAfter(seq: number) {
			let start = 0;
			if (seq > 0) {
				const loc = await storage.locate(seq);
				if (!loc) throw new TreeIndexError(`the tree index has no location for seq ${seq}: delete the .tree folder to rebuild it`);
				start = loc.offset + loc.length;
			}
			let next = seq + 1;
			for await (const raw of readLines(logPath, { maxLineBytes: MAX_RECORD_BYTES, start, end })) {
				if (raw.text === null || !raw.terminated) throw new TreeIndexError(`the log is damaged near byte ${raw.offset}: run verify`);
				yield { line: raw.text, seq: next++, offset: raw.offset, length: Buffer.byteLength(raw.text, 'utf8') + 1 };
			}
		},
		async lineAt(seq: number) {
			const loc = await storage.locate(seq);
			if (!loc || loc.length < 2 || loc.length > MAX_RECORD_BYTES + 1 || loc.offset + loc.length > end) return null;
			const bytes = Buffer.alloc(loc.length);
			const { bytesRead } = await log.read(bytes, 0, loc.length, loc.offset);
			if (bytesRead !== loc.length || bytes[loc.length - 1] !== 10) return null;
			return bytes.subarray(0, loc.length - 1).toString('utf8');
		},
	};
}
