/**
 * The Merkle tree over the review log (RFC 6962 / RFC 9162), laid out exactly as Go's
 * golang.org/x/mod/sumdb/tlog so that an independent implementation can recompute our roots and proofs.
 *
 * Why a tree beside the hash chain: the chain proves a whole export, but only by reading all of it. A
 * tree root (published in a checkpoint) lets an auditor check one record against it with log₂ n hashes
 * (an inclusion proof), and check that a later root extends an earlier one without rereading the log (a
 * consistency proof). Leaf i is record seq i + 1; its data is the record's stored line in UTF-8,
 * without the newline.
 *
 * Why Go's stored-hash layout: a log keeps, for each record, its leaf hash and the hashes of the
 * perfect subtrees that record completes (Crosby & Wallach's ordering, `storedHashIndex`). Any root or
 * proof then reads O(log n) of them in one batch, and any store (file, SQL) can keep them as a flat
 * array. Function for function this mirrors tlog.go (StoredHashIndex, StoredHashes, TreeHash,
 * ProveRecord, ProveTree); where Go returns an error or panics on impossible arguments, we throw
 * MerkleError. The checks (`checkRecord`, `checkTree`, in merkleVerify.ts) are a separate, RFC 9162
 * §2.1.3.2 / §2.1.4.2 implementation, so generator and verifier do not share a bug.
 *
 * Edge cases, as Go: the empty tree's root is SHA-256("") (x/mod ≥ v0.19.0; older tlog, such as
 * Debian's 0.7.0, returned 32 zero bytes for TreeHash(0)). Consistency proofs need 1 ≤ oldSize ≤ size:
 * ProveTree/CheckTree reject oldSize 0 ("invalid inputs"), as does transparency-dev/merkle ("consistency
 * proof from empty tree is meaningless"): every tree extends the empty one, so a caller holding only an
 * empty checkpoint has nothing to check and needs no proof. oldSize == size takes an empty proof.
 *
 * Sizes and indexes are JS numbers (safe integers). No 32-bit bitwise operator is used: halving is
 * Math.floor(x / 2), bits are x % 2. A stored-hash index is about twice the record count, so trees of up
 * to about 2^52 records work; an index past 2^53 − 1 throws rather than rounding.
 */
import { hash } from 'node:crypto';

export type Hash = Buffer;
export const HASH_SIZE = 32;

export class MerkleError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MerkleError';
	}
}

const sha256 = (data: Uint8Array): Hash => hash('sha256', data, 'buffer');

/** RFC 6962 MTH({}) = SHA-256 of the empty string (e3b0c442…). Shared: copy before changing it. */
export const EMPTY_TREE_ROOT: Hash = sha256(new Uint8Array(0));

export function isHash(value: unknown): value is Uint8Array {
	return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function asHash(value: unknown, what: string): Hash {
	if (!isHash(value)) throw new MerkleError(`${what} is not a ${HASH_SIZE}-byte hash`);
	return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** SHA-256(0x00 || data): the leaf hash of one record. */
export function recordHash(data: Uint8Array): Hash {
	if (!(data instanceof Uint8Array)) throw new MerkleError('Record data must be bytes');
	const buf = Buffer.allocUnsafe(1 + data.length);
	buf[0] = 0x00;
	buf.set(data, 1);
	return sha256(buf);
}

const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE);

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: Hash, right: Hash): Hash {
	NODE_INPUT[0] = 0x01;
	NODE_INPUT.set(asHash(left, 'Left child'), 1);
	NODE_INPUT.set(asHash(right, 'Right child'), 1 + HASH_SIZE);
	return sha256(NODE_INPUT);
}

/** RFC 6962 §2.1 MTH by its recursive definition: the reference the stored-hash code is tested against. */
export function rootFromLeafHashes(leaves: readonly Hash[]): Hash {
	const mth = (lo: number, hi: number): Hash => {
		if (hi - lo === 1) return asHash(leaves[lo], `Leaf ${lo}`);
		const k = maxPow2(hi - lo).k;
		return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
	};
	return leaves.length === 0 ? Buffer.from(EMPTY_TREE_ROOT) : mth(0, leaves.length);
}

function assertCount(value: number, what: string): void {
	if (!Number.isSafeInteger(value) || value < 0) {
		throw new MerkleError(`${what} must be a non-negative safe integer, got ${String(value)}`);
	}
}

/** k = the largest power of two smaller than n (n ≥ 2), and level = log₂ k. Go: maxpow2. */
function maxPow2(n: number): { k: number; level: number } {
	let k = 1;
	let level = 0;
	while (k * 2 < n) {
		k *= 2;
		level++;
	}
	return { k, level };
}

/** Trailing zero bits of x ≥ 1, without 32-bit operators. */
function trailingZeros(x: number): number {
	let count = 0;
	for (; x % 2 === 0; x /= 2) count++;
	return count;
}

/**
 * Position of the hash of node (level, n) — the n'th perfect subtree of 2^level leaves — in the dense
 * storage order: level L's n'th hash comes right after level L+1's (2n+1)'th. Go: StoredHashIndex.
 */
export function storedHashIndex(level: number, n: number): number {
	assertCount(level, 'Level');
	assertCount(n, 'Node number');
	for (let l = level; l > 0; l--) {
		if (n > (Number.MAX_SAFE_INTEGER - 1) / 2) throw new MerkleError(`Stored hash index of (${level}, …) exceeds 2^53`);
		n = 2 * n + 1;
	}
	// Level 0's n'th hash is at n + n/2 + n/4 + … (< 2n); a sum past 2^53 − 1 comes out unsafe, not wrapped.
	let index = level;
	for (; n > 0; n = Math.floor(n / 2)) index += n;
	if (!Number.isSafeInteger(index)) throw new MerkleError(`Stored hash index of level ${level} exceeds 2^53`);
	return index;
}

/** The inverse of storedHashIndex. Go: SplitStoredHashIndex. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
	assertCount(index, 'Stored hash index');
	// The record that wrote this hash is in [index/2, index/2 + log₂ index]; each record n adds
	// 1 + trailingZeros(n + 1) hashes: its leaf, then the subtrees it completes.
	let n = Math.floor(index / 2);
	let indexN = storedHashIndex(0, n);
	if (indexN > index) throw new Error('merkle: bad math in splitStoredHashIndex');
	for (;;) {
		const next = indexN + 1 + trailingZeros(n + 1);
		if (next > index) break;
		n++;
		indexN = next;
	}
	const level = index - indexN;
	return { level, n: Math.floor(n / 2 ** level) };
}

/** Number of stored hashes of a tree of n records. Go: StoredHashCount. */
export function storedHashCount(n: number): number {
	assertCount(n, 'Record count');
	if (n === 0) return 0;
	let count = storedHashIndex(0, n - 1) + 1;
	for (let i = n - 1; i % 2 === 1; i = (i - 1) / 2) count++;
	return count;
}

export interface HashReader {
	/** The stored hashes at these indexes, in the order asked (callers ask in increasing order). */
	readHashes(indexes: readonly number[]): Promise<Hash[]>;
}

async function readChecked(reader: HashReader, indexes: readonly number[]): Promise<Hash[]> {
	const got: unknown = await reader.readHashes(indexes);
	if (!Array.isArray(got) || got.length !== indexes.length) {
		const what = Array.isArray(got) ? `${got.length} hashes` : typeof got;
		throw new MerkleError(`readHashes(${indexes.length} indexes) returned ${what}`);
	}
	return got.map((h: unknown, i) => asHash(h, `Stored hash ${indexes[i]}`));
}

/** Hashes to store at storedHashIndex(0, n) when appending record n (0-based). Go: StoredHashes. */
export function storedHashes(n: number, data: Uint8Array, reader: HashReader): Promise<Hash[]> {
	return storedHashesForRecordHash(n, recordHash(data), reader);
}

/** As storedHashes, from the record's leaf hash. Reads the trailingZeros(n + 1) ≤ log₂(n + 1) siblings. */
export async function storedHashesForRecordHash(n: number, leaf: Hash, reader: HashReader): Promise<Hash[]> {
	const indexes = siblingIndexes(n);
	const h = asHash(leaf, 'Leaf hash');
	return completedSubtrees(h, indexes.length === 0 ? [] : await readChecked(reader, indexes));
}

/**
 * What record n needs to store its hashes: each trailing 1 bit of n completes a subtree and consumes the
 * hash of its left neighbour, (i, n/2^i − 1) for level i. In increasing order, so highest level first.
 */
function siblingIndexes(n: number): number[] {
	assertCount(n, 'Record index');
	if (n === Number.MAX_SAFE_INTEGER) throw new MerkleError('Record index leaves no room for a tree size');
	const m = trailingZeros(n + 1);
	const indexes = new Array<number>(m);
	for (let i = 0; i < m; i++) indexes[m - 1 - i] = storedHashIndex(i, Math.floor(n / 2 ** i) - 1);
	return indexes;
}

/** The leaf hash, then the root of each subtree it completes, given the siblings from siblingIndexes. */
function completedSubtrees(h: Hash, siblings: readonly Hash[]): Hash[] {
	const hashes = [h];
	for (let i = siblings.length - 1; i >= 0; i--) {
		h = nodeHash(siblings[i], h);
		hashes.push(h);
	}
	return hashes;
}

/** Indexes of the perfect subtrees that make up leaves [lo, hi), left to right. Go: subTreeIndex. */
function subTreeIndex(lo: number, hi: number, need: number[]): number[] {
	while (lo < hi) {
		const { k, level } = maxPow2(hi - lo + 1);
		if (lo % k !== 0) throw new Error('merkle: bad math in subTreeIndex');
		need.push(storedHashIndex(level, lo / k));
		lo += k;
	}
	return need;
}

interface Cursor {
	hashes: Hash[];
	at: number;
}

/** Hash of leaves [lo, hi) from the hashes subTreeIndex asked for, consumed from the cursor. */
function subTreeHash(lo: number, hi: number, cur: Cursor): Hash {
	let count = 0;
	for (; lo < hi; lo += maxPow2(hi - lo + 1).k) count++;
	if (count === 0 || cur.at + count > cur.hashes.length) throw new Error('merkle: bad index math in subTreeHash');
	let h = cur.hashes[cur.at + count - 1];
	for (let i = count - 2; i >= 0; i--) h = nodeHash(cur.hashes[cur.at + i], h);
	cur.at += count;
	return h;
}

async function build<T>(indexes: number[], reader: HashReader, run: (cur: Cursor) => T): Promise<T> {
	const cur: Cursor = { hashes: indexes.length === 0 ? [] : await readChecked(reader, indexes), at: 0 };
	const result = run(cur);
	if (cur.at !== cur.hashes.length) throw new Error('merkle: bad index math');
	return result;
}

/** Root of the tree of the first `size` records, from ≤ 1 + log₂ size stored hashes. Go: TreeHash. */
export async function treeHash(size: number, reader: HashReader): Promise<Hash> {
	assertCount(size, 'Tree size');
	if (size === 0) return Buffer.from(EMPTY_TREE_ROOT);
	return build(subTreeIndex(0, size, []), reader, (cur) => subTreeHash(0, size, cur));
}

function leafProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
	if (hi - lo === 1) return need;
	const { k } = maxPow2(hi - lo);
	if (n < lo + k) return subTreeIndex(lo + k, hi, leafProofIndex(lo, lo + k, n, need));
	return leafProofIndex(lo + k, hi, n, subTreeIndex(lo, lo + k, need));
}

/** RFC 6962 PATH(n, D[lo:hi]): the sibling hashes from the leaf up. Go: leafProof. */
function leafProof(lo: number, hi: number, n: number, cur: Cursor): Hash[] {
	if (hi - lo === 1) return [];
	const { k } = maxPow2(hi - lo);
	if (n < lo + k) {
		const proof = leafProof(lo, lo + k, n, cur);
		return [...proof, subTreeHash(lo + k, hi, cur)];
	}
	const sibling = subTreeHash(lo, lo + k, cur);
	return [...leafProof(lo + k, hi, n, cur), sibling];
}

/** Inclusion proof of record `index` in the tree of `size` records (RFC 6962 PATH). Go: ProveRecord. */
export async function proveRecord(size: number, index: number, reader: HashReader): Promise<Hash[]> {
	assertCount(size, 'Tree size');
	assertCount(index, 'Record index');
	if (index >= size) throw new MerkleError(`Record index ${index} is not in a tree of size ${size}`);
	return build(leafProofIndex(0, size, index, []), reader, (cur) => leafProof(0, size, index, cur));
}

function treeProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
	if (n === hi) return lo === 0 ? need : subTreeIndex(lo, hi, need);
	const { k } = maxPow2(hi - lo);
	if (n <= lo + k) return subTreeIndex(lo + k, hi, treeProofIndex(lo, lo + k, n, need));
	return treeProofIndex(lo + k, hi, n, subTreeIndex(lo, lo + k, need));
}

/** RFC 6962 SUBPROOF(n, D[lo:hi], lo == 0). Go: treeProof. */
function treeProof(lo: number, hi: number, n: number, cur: Cursor): Hash[] {
	if (n === hi) return lo === 0 ? [] : [subTreeHash(lo, hi, cur)];
	const { k } = maxPow2(hi - lo);
	if (n <= lo + k) {
		const proof = treeProof(lo, lo + k, n, cur);
		return [...proof, subTreeHash(lo + k, hi, cur)];
	}
	const sibling = subTreeHash(lo, lo + k, cur);
	return [...treeProof(lo + k, hi, n, cur), sibling];
}

/** Consistency proof that the tree of `oldSize` records is a prefix of the tree of `size`. Go: ProveTree. */
export async function proveTree(size: number, oldSize: number, reader: HashReader): Promise<Hash[]> {
	assertCount(size, 'Tree size');
	assertCount(oldSize, 'Old tree size');
	if (oldSize < 1 || oldSize > size) {
		throw new MerkleError(`No consistency proof from size ${oldSize} to ${size}: needs 1 ≤ old size ≤ size`);
	}
	return build(treeProofIndex(0, size, oldSize, []), reader, (cur) => treeProof(0, size, oldSize, cur));
}

/** Stored hashes in one growable buffer (32 bytes each): for tests, tools and rebuilding a tree in memory. */
export class MemoryHashStore implements HashReader {
	private buf = Buffer.alloc(HASH_SIZE * 1024);
	private size = 0;

	get count(): number {
		return this.size;
	}

	append(hashes: readonly Hash[]): void {
		const checked = hashes.map((h, i) => asHash(h, `Hash ${i}`));
		const needed = (this.size + checked.length) * HASH_SIZE;
		if (needed > this.buf.length) {
			const grown = Buffer.alloc(Math.max(needed, this.buf.length * 2));
			this.buf.copy(grown, 0, 0, this.size * HASH_SIZE);
			this.buf = grown;
		}
		for (const h of checked) this.buf.set(h, this.size++ * HASH_SIZE);
	}

	/**
	 * Appends the next record by its leaf hash: storedHashesForRecordHash without the asynchronous
	 * reader, for building a large tree in memory quickly.
	 */
	appendRecordHash(leaf: Hash): void {
		const { level, n } = splitStoredHashIndex(this.size);
		if (level !== 0) throw new MerkleError('The store ends in the middle of a record\'s hashes');
		const h = asHash(leaf, 'Leaf hash');
		this.append(completedSubtrees(h, siblingIndexes(n).map((i) => this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))));
	}

	/** A copy of the hash at `index`. */
	hash(index: number): Hash {
		if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
			throw new MerkleError(`No stored hash ${String(index)} (have ${this.size})`);
		}
		return Buffer.from(this.buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE));
	}

	async readHashes(indexes: readonly number[]): Promise<Hash[]> {
		return indexes.map((i) => this.hash(i));
	}
}

export { checkRecord, checkTree } from './merkleVerify';
