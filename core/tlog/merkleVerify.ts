/**
 * Checking Merkle inclusion and consistency proofs, as RFC 9162 §2.1.3.2 and §2.1.4.2 write the
 * algorithms: a loop over the proof driven by the bits of (index, size − 1), not the recursion that
 * merkle.ts uses to build proofs. Written apart from the generator on purpose (it shares no code with
 * it, not even the node hash), so a bug in one is caught by the other rather than repeated.
 *
 * Why booleans and never exceptions: these run on what an auditor was handed — a proof, sizes and roots
 * from a checkpoint or an export, any of it hostile. Wrong types, hashes that are not 32 bytes, sizes
 * that are not safe integers, an index outside the tree, a proof too long or too short: all are "not
 * proven", so each returns false and nothing here throws.
 *
 * Accepted exactly as Go's tlog.CheckRecord / CheckTree accept: an inclusion proof needs 0 ≤ index <
 * size; a consistency proof needs 1 ≤ oldSize ≤ size (the empty tree is a prefix of every tree, so
 * there is nothing to prove from size 0 and Go rejects it), and oldSize == size needs an empty proof and
 * equal roots. Note that a proof binds the root, not the size: a caller must take size and root from
 * the same signed checkpoint.
 */
import { hash } from 'node:crypto';

import type { Hash } from './merkle';

const SIZE = 32;
/** Each proof step at least halves sn < 2^53, so no valid proof (even with the old root prepended) is longer. */
const MAX_PROOF_LENGTH = 64;

function isCount(x: unknown): x is number {
	return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isHash(x: unknown): x is Uint8Array {
	return x instanceof Uint8Array && x.length === SIZE;
}

/** The proof as an array of 32-byte hashes, or null if it is anything else (including a sparse array). */
function hashList(proof: unknown): Uint8Array[] | null {
	if (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) return null;
	const out: Uint8Array[] = [];
	for (let i = 0; i < proof.length; i++) {
		const h: unknown = proof[i];
		if (!isHash(h)) return null;
		out.push(h);
	}
	return out;
}

/** HASH(0x01 || left || right), RFC 9162 §2.1.1. */
function node(left: Uint8Array, right: Uint8Array): Uint8Array {
	const input = Buffer.allocUnsafe(1 + 2 * SIZE);
	input[0] = 0x01;
	input.set(left, 1);
	input.set(right, 1 + SIZE);
	return hash('sha256', input, 'buffer');
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

function verifyInclusion(proof: unknown, size: unknown, root: unknown, index: unknown, leaf: unknown): boolean {
	const path = hashList(proof);
	if (path === null || !isCount(size) || !isCount(index) || index >= size || !isHash(root) || !isHash(leaf)) {
		return false;
	}
	let fn = index;
	let sn = size - 1;
	let r = leaf;
	for (const p of path) {
		if (sn === 0) return false;
		if (fn % 2 === 1 || fn === sn) {
			r = node(p, r);
			while (fn % 2 === 0 && fn !== 0) {
				fn /= 2;
				sn = Math.floor(sn / 2);
			}
		} else {
			r = node(r, p);
		}
		fn = Math.floor(fn / 2);
		sn = Math.floor(sn / 2);
	}
	return sn === 0 && same(r, root);
}

function isPowerOf2(x: number): boolean {
	if (x < 1) return false;
	while (x % 2 === 0) x /= 2;
	return x === 1;
}

function verifyConsistency(proof: unknown, size: unknown, root: unknown, oldSize: unknown, oldRoot: unknown): boolean {
	const path = hashList(proof);
	if (path === null || !isCount(size) || !isCount(oldSize) || oldSize < 1 || oldSize > size) return false;
	if (!isHash(root) || !isHash(oldRoot)) return false;
	if (oldSize === size) return path.length === 0 && same(root, oldRoot);
	if (path.length === 0) return false;
	// When the old tree is a perfect subtree of the new one, the proof leaves out its root.
	if (isPowerOf2(oldSize)) path.unshift(oldRoot);
	let fn = oldSize - 1;
	let sn = size - 1;
	while (fn % 2 === 1) {
		fn = (fn - 1) / 2;
		sn = Math.floor(sn / 2);
	}
	let fr = path[0];
	let sr = path[0];
	for (const c of path.slice(1)) {
		if (sn === 0) return false;
		if (fn % 2 === 1 || fn === sn) {
			fr = node(c, fr);
			sr = node(c, sr);
			while (fn % 2 === 0 && fn !== 0) {
				fn /= 2;
				sn = Math.floor(sn / 2);
			}
		} else {
			sr = node(sr, c);
		}
		fn = Math.floor(fn / 2);
		sn = Math.floor(sn / 2);
	}
	return sn === 0 && same(fr, oldRoot) && same(sr, root);
}

/** Whether `proof` shows that leaf hash `leaf` is record `index` of the tree of `size` records with root `root`. */
export function checkRecord(proof: readonly Hash[], size: number, root: Hash, index: number, leaf: Hash): boolean {
	try {
		return verifyInclusion(proof, size, root, index, leaf);
	} catch {
		return false; // A proxy or getter that throws is hostile input too.
	}
}

/** Whether `proof` shows that the tree (`oldSize`, `oldRoot`) is a prefix of the tree (`size`, `root`). */
export function checkTree(proof: readonly Hash[], size: number, root: Hash, oldSize: number, oldRoot: Hash): boolean {
	try {
		return verifyConsistency(proof, size, root, oldSize, oldRoot);
	} catch {
		return false;
	}
}
