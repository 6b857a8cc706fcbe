/**
 * The review log's Merkle tree (core/tlog/merkle.ts, merkleVerify.ts): known answers from RFC 6962
 * implementations, the stored-hash layout of Go's sumdb/tlog, proofs built and checked against the
 * RFC 6962 definition and against a line-by-line transliteration of Go's checkers, corrupted proofs,
 * hostile input, index arithmetic past 2^32, and how many hashes each operation reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import {
	checkRecord,
	checkTree,
	EMPTY_TREE_ROOT,
	type Hash,
	HASH_SIZE,
	type HashReader,
	MemoryHashStore,
	MerkleError,
	nodeHash,
	proveRecord,
	proveTree,
	recordHash,
	rootFromLeafHashes,
	splitStoredHashIndex,
	storedHashCount,
	storedHashes,
	storedHashesForRecordHash,
	storedHashIndex,
	treeHash,
} from '../../../core/tlog/merkle';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const flipBit = (h: Hash, byte: number, bit: number): Hash => {
	const c = Buffer.from(h);
	c[byte] ^= 1 << bit; // a byte, never a size or index
	return c;
};
const withElement = (proof: Hash[], i: number, h: Hash): Hash[] => proof.map((p, j) => (j === i ? h : p));

async function buildStore(data: readonly Uint8Array[]): Promise<{ store: MemoryHashStore; leaves: Hash[] }> {
	const store = new MemoryHashStore();
	const leaves: Hash[] = [];
	for (let i = 0; i < data.length; i++) {
		const hashes = await storedHashes(i, data[i], store);
		store.append(hashes);
		leaves.push(hashes[0]);
	}
	return { store, leaves };
}

/** Records every readHashes call, to check batching and order. */
class CountingReader implements HashReader {
	calls: number[][] = [];
	constructor(private readonly inner: HashReader) {}
	readHashes(indexes: readonly number[]): Promise<Hash[]> {
		this.calls.push([...indexes]);
		return this.inner.readHashes(indexes);
	}
}
const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1] < x);

// ---- Go's sumdb/tlog checkers, transliterated (golang.org/x/mod sumdb/tlog/tlog.go: runRecordProof,
// CheckRecord, runTreeProof, CheckTree) as a second opinion for the differential tests. ----
function goMaxPow2(n: number): number {
	let k = 1;
	while (k * 2 < n) k *= 2;
	return k;
}
function goRunRecordProof(p: Hash[], lo: number, hi: number, n: number, leaf: Hash): Hash | null {
	if (lo + 1 === hi) return p.length === 0 ? leaf : null;
	if (p.length === 0) return null;
	const k = goMaxPow2(hi - lo);
	const last = p[p.length - 1];
	if (n < lo + k) {
		const th = goRunRecordProof(p.slice(0, -1), lo, lo + k, n, leaf);
		return th && nodeHash(th, last);
	}
	const th = goRunRecordProof(p.slice(0, -1), lo + k, hi, n, leaf);
	return th && nodeHash(last, th);
}
function goCheckRecord(p: Hash[], t: number, th: Hash, n: number, h: Hash): boolean {
	if (t < 0 || n < 0 || n >= t) return false;
	const got = goRunRecordProof(p, 0, t, n, h);
	return got !== null && got.equals(th);
}
function goRunTreeProof(p: Hash[], lo: number, hi: number, n: number, old: Hash): [Hash, Hash] | null {
	if (n === hi) {
		if (lo === 0) return p.length === 0 ? [old, old] : null;
		return p.length === 1 ? [p[0], p[0]] : null;
	}
	if (p.length === 0) return null;
	const k = goMaxPow2(hi - lo);
	const last = p[p.length - 1];
	if (n <= lo + k) {
		const r = goRunTreeProof(p.slice(0, -1), lo, lo + k, n, old);
		return r && [r[0], nodeHash(r[1], last)];
	}
	const r = goRunTreeProof(p.slice(0, -1), lo + k, hi, n, old);
	return r && [nodeHash(last, r[0]), nodeHash(last, r[1])];
}
function goCheckTree(p: Hash[], t: number, th: Hash, n: number, h: Hash): boolean {
	if (t < 1 || n < 1 || n > t) return false;
	const r = goRunTreeProof(p, 0, t, n, h);
	return r !== null && r[1].equals(th) && r[0].equals(h);
}

// ---- Known answers: transparency-dev/merkle (github.com/transparency-dev/merkle, commit 417fb0c),
// testonly/constants.go (LeafInputs, NodeHashes, RootHashes: the 8-leaf set of the original C++
// certificate-transparency merkle_tree_test.cc, also used by Trillian) and cmd/proofgen/main.go
// (inclusionProofs, consistencyProofs; 1-based leaf numbers there, 0-based indexes here), which
// generates testdata/{inclusion,consistency}/*/happy-path.json. ----
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const NODE_HASHES = [
	[
		'6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
		'96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
		'0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
		'07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
		'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
		'4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
		'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
		'46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
	],
	[
		'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
		'5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
		'0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
		'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
	],
	[
		'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
		'6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
	],
	['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
].map((level) => level.map(hex));
const ROOTS = [
	'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	'6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
	'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
	'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
	'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
	'4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
	'76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
	'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
	'5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
const INCLUSION: Array<{ index: number; size: number; proof: string[] }> = [
	{ index: 0, size: 1, proof: [] },
	{ index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
	{ index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
	{ index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
	{ index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const CONSISTENCY: Array<{ oldSize: number; size: number; proof: string[] }> = [
	{ oldSize: 1, size: 1, proof: [] },
	{ oldSize: 1, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
	{ oldSize: 6, size: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
	{ oldSize: 2, size: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
	{ oldSize: 6, size: 7, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
/** proofgen's sha256SomeHash, a 32-byte hash of nothing in the tree. */
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('RFC 6962 known answers', () => {
	let store: MemoryHashStore;
	let leaves: Hash[];
	beforeAll(async () => ({ store, leaves } = await buildStore(LEAF_INPUTS)));

	it('hashes the empty tree, leaves and nodes as RFC 6962', async () => {
		expect(EMPTY_TREE_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
		expect(HASH_SIZE).toBe(32);
		expect(await treeHash(0, store)).toEqual(EMPTY_TREE_ROOT);
		expect(rootFromLeafHashes([])).toEqual(EMPTY_TREE_ROOT);
		expect(leaves).toEqual(NODE_HASHES[0]);
		expect(nodeHash(leaves[0], leaves[1])).toEqual(NODE_HASHES[1][0]);
		// TreeHash(0) hands out a copy: changing it leaves the constant alone.
		(await treeHash(0, store)).fill(0);
		expect(EMPTY_TREE_ROOT[0]).toBe(0xe3);
	});

	it('stores exactly the complete-subtree hashes, in Go tlog order', () => {
		expect(store.count).toBe(storedHashCount(8));
		expect(store.count).toBe(15);
		NODE_HASHES.forEach((level, l) => level.forEach((h, n) => expect(store.hash(storedHashIndex(l, n))).toEqual(h)));
	});

	it('computes the root of every prefix tree', async () => {
		for (let size = 0; size <= 8; size++) {
			expect(await treeHash(size, store)).toEqual(ROOTS[size]);
			expect(rootFromLeafHashes(leaves.slice(0, size))).toEqual(ROOTS[size]);
		}
		// Same roots, as base64 in transparency-dev testdata/consistency/{1,2,4}/happy-path.json.
		expect(ROOTS[8]).toEqual(b64('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='));
		expect(ROOTS[6]).toEqual(b64('duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8='));
		expect(ROOTS[7]).toEqual(b64('3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw='));
	});

	it.each(INCLUSION)('builds and checks the inclusion proof of leaf $index in tree $size', async ({ index, size, proof }) => {
		const want = proof.map(hex);
		expect(await proveRecord(size, index, store)).toEqual(want);
		expect(checkRecord(want, size, ROOTS[size], index, leaves[index])).toBe(true);
		// proofgen's invalidInclusionProof probes (testdata/inclusion/*/): every one must fail.
		const bad: Array<[Hash[], number, Hash, number, Hash]> = [
			[want, size, ROOTS[size], index - 1, leaves[index]],
			[want, size, ROOTS[size], index + 1, leaves[index]],
			[want, size, ROOTS[size], index % 4 >= 2 ? index - 2 : index + 2, leaves[index]],
			[want, size * 2, ROOTS[size], index, leaves[index]],
			[want, Math.floor(size / 2), ROOTS[size], index, leaves[index]],
			[want, size, ROOTS[size], index, Buffer.from('WrongLeaf')],
			[want, size, EMPTY_TREE_ROOT, index, leaves[index]],
			[want, size, SOME_HASH, index, leaves[index]],
			[[...want, Buffer.alloc(0)], size, ROOTS[size], index, leaves[index]],
			[[...want, ROOTS[size]], size, ROOTS[size], index, leaves[index]],
			[[Buffer.alloc(0), ...want], size, ROOTS[size], index, leaves[index]],
			[[ROOTS[size], ...want], size, ROOTS[size], index, leaves[index]],
			...want.map((h, i): [Hash[], number, Hash, number, Hash] => [withElement(want, i, flipBit(h, 0, 3)), size, ROOTS[size], index, leaves[index]]),
		];
		if (want.length > 0) bad.push([want.slice(0, -1), size, ROOTS[size], index, leaves[index]]);
		if (want.length > 1) bad.push([[want[0], SOME_HASH, ...want.slice(1)], size, ROOTS[size], index, leaves[index]]);
		for (const args of bad) expect(checkRecord(...args)).toBe(false);
	});

	it.each(CONSISTENCY)('builds and checks the consistency proof from $oldSize to $size', async ({ oldSize, size, proof }) => {
		const want = proof.map(hex);
		const [root1, root2] = [ROOTS[oldSize], ROOTS[size]];
		expect(await proveTree(size, oldSize, store)).toEqual(want);
		expect(checkTree(want, size, root2, oldSize, root1)).toBe(true);
		if (want.length === 0) return; // proofgen corrupts only non-trivial proofs
		// proofgen's invalidConsistencyProof probes (testdata/consistency/*/): every one must fail.
		const bad: Array<[Hash[], number, Hash, number, Hash]> = [
			[want, size, root2, oldSize - 1, root1],
			[want, size, root2, oldSize + 1, root1],
			[want, size, root2, oldSize % 4 >= 2 ? oldSize - 2 : oldSize + 2, root1],
			[want, size * 2, root2, oldSize, root1],
			[want, Math.floor(size / 2), root2, oldSize, root1],
			[want, size, root2, oldSize, Buffer.from('WrongRoot')],
			[want, size, Buffer.from('WrongRoot'), oldSize, root1],
			[want, size, root1, oldSize, root2],
			[[], size, root2, oldSize, root1],
			[[...want, Buffer.alloc(0)], size, root2, oldSize, root1],
			[[...want, root1], size, root2, oldSize, root1],
			[[...want, root2], size, root2, oldSize, root1],
			[[Buffer.alloc(0), ...want], size, root2, oldSize, root1],
			[[root1, ...want], size, root2, oldSize, root1],
			[[root2, ...want], size, root2, oldSize, root1],
			[[want[0], ...want], size, root2, oldSize, root1],
			[want.slice(0, -1), size, root2, oldSize, root1],
			...want.map((h, i): [Hash[], number, Hash, number, Hash] => [withElement(want, i, flipBit(h, 0, 4)), size, root2, oldSize, root1]),
		];
		for (const args of bad) expect(checkTree(...args)).toBe(false);
	});

	it('agrees with transparency-dev testdata happy paths (base64)', () => {
		// testdata/inclusion/4/happy-path.json
		const proof = ['bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=', 'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms='].map(b64);
		expect(checkRecord(proof, 5, b64('Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ='), 1, b64('lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c='))).toBe(true);
		// testdata/consistency/3/happy-path.json
		const cproof = ['Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms='].map(b64);
		expect(checkTree(cproof, 5, b64('Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ='), 2, b64('+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU='))).toBe(true);
	});

	it('rejects the static and single-entry probes of transparency-dev (testdata/*/additional, single-entry)', () => {
		const empty = Buffer.alloc(0);
		for (const [index, size] of [[0, 0], [0, 1], [1, 0], [2, 1]]) {
			expect(checkRecord([], size, empty, index, SOME_HASH)).toBe(false);
			expect(checkRecord([], size, EMPTY_TREE_ROOT, index, empty)).toBe(false);
			expect(checkRecord([], size, EMPTY_TREE_ROOT, index, SOME_HASH)).toBe(false);
		}
		const one = recordHash(Buffer.from('data'));
		expect(checkRecord([], 1, one, 0, one)).toBe(true);
		expect(checkRecord([], 1, one, 0, empty)).toBe(false);
		expect(checkRecord([], 1, empty, 0, one)).toBe(false);
		expect(checkRecord([], 1, empty, 0, empty)).toBe(false);
		// Their "don't care" roots are 12-byte strings; we refuse anything but 32 bytes (Go's Hash type),
		// so 32-byte stand-ins keep each probe's meaning.
		const [r1, r2, E] = [hex('11'.repeat(32)), hex('22'.repeat(32)), EMPTY_TREE_ROOT];
		const probes: Array<[number, number, Hash, Hash, Hash[], boolean]> = [
			[0, 0, r1, r2, [], false],
			[1, 1, r1, r2, [], false],
			[0, 0, r1, r1, [], false], // Go and transparency-dev: nothing to prove from the empty tree
			[0, 1, r1, r2, [], false],
			[1, 1, r2, r2, [], true],
			[1, 0, r1, r2, [], false],
			[2, 1, r1, r2, [], false],
			[1, 2, r1, r2, [], false],
			[0, 0, E, r2, [], false],
			[1, 1, E, r2, [], false],
			[0, 0, E, E, [E], false],
			[1, 1, E, E, [E], false],
			[0, 1, E, r2, [], false],
			[0, 1, E, E, [E], false],
		];
		for (const [size1, size2, root1, root2, proof, ok] of probes) {
			expect(checkTree(proof, size2, root2, size1, root1)).toBe(ok);
		}
	});
});

// ---- Go's stored-hash index arithmetic, checked against a BigInt transliteration of tlog.go. ----
function goStoredHashIndex(level: number, n: bigint): bigint {
	for (let l = level; l > 0; l--) n = 2n * n + 1n;
	let i = 0n;
	for (; n > 0n; n /= 2n) i += n;
	return i + BigInt(level);
}
function goStoredHashCount(n: bigint): bigint {
	if (n === 0n) return 0n;
	let num = goStoredHashIndex(0, n - 1n) + 1n;
	for (let i = n - 1n; i % 2n === 1n; i /= 2n) num++;
	return num;
}

describe('stored hash layout', () => {
	it('numbers the first hashes as Go does', () => {
		// Records 0..4 store (0,0) | (0,1) (1,0) | (0,2) | (0,3) (1,1) (2,0) | (0,4).
		const order: Array<[number, number]> = [[0, 0], [0, 1], [1, 0], [0, 2], [0, 3], [1, 1], [2, 0], [0, 4]];
		order.forEach(([level, n], index) => {
			expect(storedHashIndex(level, n)).toBe(index);
			expect(splitStoredHashIndex(index)).toEqual({ level, n });
		});
		expect([0, 1, 2, 3, 4, 5, 8].map(storedHashCount)).toEqual([0, 1, 3, 4, 7, 8, 15]);
	});

	it('round-trips every (level, n) of Go TestSplitStoredHashIndex', () => {
		for (let level = 0; level < 10; level++) {
			for (let n = 0; n < 100; n++) {
				const x = storedHashIndex(level, n);
				expect(BigInt(x)).toBe(goStoredHashIndex(level, BigInt(n)));
				expect(splitStoredHashIndex(x)).toEqual({ level, n });
			}
		}
	});

	it('round-trips and matches Go beyond 2^32 and up to 2^53', () => {
		const big = fc.tuple(fc.integer({ min: 0, max: 52 }), fc.double({ min: 0, max: 1, noNaN: true }));
		fc.assert(
			fc.property(big, ([level, f]) => {
				const limit = 2 ** (51 - Math.min(level, 51)); // keeps the index below 2^53
				const n = Math.floor(f * (limit - 1));
				const want = goStoredHashIndex(level, BigInt(n));
				const x = storedHashIndex(level, n);
				expect(BigInt(x)).toBe(want);
				expect(splitStoredHashIndex(x)).toEqual({ level, n });
				expect(BigInt(storedHashCount(n))).toBe(goStoredHashCount(BigInt(n)));
			}),
			{ numRuns: 2000 },
		);
		for (const n of [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12345, 2 ** 52 - 1]) {
			expect(BigInt(storedHashIndex(0, n))).toBe(goStoredHashIndex(0, BigInt(n)));
			expect(BigInt(storedHashCount(n))).toBe(goStoredHashCount(BigInt(n)));
			expect(splitStoredHashIndex(storedHashIndex(0, n))).toEqual({ level: 0, n });
			expect(splitStoredHashIndex(storedHashIndex(3, Math.floor(n / 8)))).toEqual({ level: 3, n: Math.floor(n / 8) });
		}
		// Every index, split: the largest indexes below 2^53 too.
		for (const x of [2 ** 32, 2 ** 32 + 7, 2 ** 53 - 1, 2 ** 53 - 64, 6004799503160661]) {
			const { level, n } = splitStoredHashIndex(x);
			expect(BigInt(storedHashIndex(level, n))).toBe(BigInt(x));
		}
	});

	it('throws instead of rounding past 2^53 − 1, and on bad arguments', () => {
		expect(() => storedHashIndex(0, 2 ** 52 + 2 ** 51)).toThrow(MerkleError);
		expect(() => storedHashIndex(60, 1)).toThrow(MerkleError);
		expect(() => storedHashIndex(1e9, 0)).toThrow(MerkleError);
		expect(() => storedHashCount(2 ** 53)).toThrow(MerkleError);
		for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53]) {
			expect(() => storedHashIndex(0, bad)).toThrow(MerkleError);
			expect(() => storedHashIndex(bad, 0)).toThrow(MerkleError);
			expect(() => splitStoredHashIndex(bad)).toThrow(MerkleError);
			expect(() => storedHashCount(bad)).toThrow(MerkleError);
		}
	});

	it('uses no 32-bit bitwise operator on sizes or indexes', () => {
		for (const file of ['merkle.ts', 'merkleVerify.ts']) {
			const code = readFileSync(join(__dirname, '../../../core/tlog', file), 'utf8')
				.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
				.replace(/'[^'\n]*'|`[^`\n]*`/g, "''");
			expect(code).not.toMatch(/<<|>>|[^&]&[^&]|\^|~/);
		}
	});
});

describe('building a tree', () => {
	let store: MemoryHashStore;
	let leaves: Hash[];
	const N = 300;
	beforeAll(async () => ({ store, leaves } = await buildStore(Array.from({ length: N }, (_, i) => Buffer.from(`leaf ${i}`)))));

	it('keeps storedHashCount hashes and the root of every size equals MTH by definition', async () => {
		expect(store.count).toBe(storedHashCount(N));
		for (let size = 0; size <= N; size++) {
			expect(await treeHash(size, store)).toEqual(rootFromLeafHashes(leaves.slice(0, size)));
		}
	});

	it('has storedHashes(n, data) = storedHashesForRecordHash(n, recordHash(data)), reading ≤ log₂(n + 1) hashes at once', async () => {
		const small = new MemoryHashStore();
		for (let n = 0; n < 130; n++) {
			const data = Buffer.from(`record ${n}`);
			const reader = new CountingReader(small);
			const hashes = await storedHashes(n, data, reader);
			expect(await storedHashesForRecordHash(n, recordHash(data), small)).toEqual(hashes);
			expect(small.count).toBe(storedHashIndex(0, n));
			expect(reader.calls.length).toBeLessThanOrEqual(1);
			const read = reader.calls.flat();
			expect(read.length).toBeLessThanOrEqual(Math.floor(Math.log2(n + 1)));
			expect(increasing(read)).toBe(true);
			small.append(hashes);
			expect(small.count).toBe(storedHashCount(n + 1));
		}
	});

	it('agrees with MTH for random record data (fast-check)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 70 }), async (data) => {
				const built = await buildStore(data);
				const size = data.length;
				expect(built.store.count).toBe(storedHashCount(size));
				expect(await treeHash(size, built.store)).toEqual(rootFromLeafHashes(data.map(recordHash)));
			}),
			{ numRuns: 60 },
		);
	});

	it('reads O(log n) hashes, in one increasing batch, for a root or a proof', async () => {
		const log = (n: number): number => Math.ceil(Math.log2(n));
		for (let size = 1; size <= N; size++) {
			const r1 = new CountingReader(store);
			await treeHash(size, r1);
			expect(r1.calls.length).toBe(1);
			expect(r1.calls[0].length).toBeLessThanOrEqual(1 + Math.floor(Math.log2(size)));
			expect(increasing(r1.calls[0])).toBe(true);
			for (const other of [0, Math.floor(size / 3), size - 1, Math.max(1, size - 2)]) {
				if (other >= size) continue;
				const r2 = new CountingReader(store);
				await proveRecord(size, other, r2);
				expect(r2.calls.length).toBeLessThanOrEqual(1);
				expect(r2.calls.flat().length).toBeLessThanOrEqual(2 * log(size));
				expect(increasing(r2.calls.flat())).toBe(true);
				if (other === 0) continue;
				const r3 = new CountingReader(store);
				await proveTree(size, other, r3);
				expect(r3.calls.length).toBeLessThanOrEqual(1);
				expect(r3.calls.flat().length).toBeLessThanOrEqual(2 * log(size) + 1);
				expect(increasing(r3.calls.flat())).toBe(true);
			}
		}
	});

	it('proves every leaf of every tree up to 64 records, and Go accepts the same proofs', async () => {
		for (let size = 1; size <= 64; size++) {
			const root = rootFromLeafHashes(leaves.slice(0, size));
			for (let index = 0; index < size; index++) {
				const proof = await proveRecord(size, index, store);
				expect(checkRecord(proof, size, root, index, leaves[index])).toBe(true);
				expect(goCheckRecord(proof, size, root, index, leaves[index])).toBe(true);
			}
		}
	});

	it('proves consistency for every pair of trees up to 64 records, and Go accepts the same proofs', async () => {
		const roots = Array.from({ length: 65 }, (_, s) => rootFromLeafHashes(leaves.slice(0, s)));
		for (let size = 1; size <= 64; size++) {
			for (let oldSize = 1; oldSize <= size; oldSize++) {
				const proof = await proveTree(size, oldSize, store);
				expect(checkTree(proof, size, roots[size], oldSize, roots[oldSize])).toBe(true);
				expect(goCheckTree(proof, size, roots[size], oldSize, roots[oldSize])).toBe(true);
				if (oldSize === size) expect(proof).toEqual([]);
			}
		}
	});

	const sizeAndIndex = fc.integer({ min: 1, max: N }).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
	const sizeAndOld = fc.integer({ min: 2, max: N }).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 1, max: size - 1 })));

	it('rejects any tampered inclusion proof (fast-check)', async () => {
		await fc.assert(
			fc.asyncProperty(sizeAndIndex, fc.nat(), fc.integer({ min: 0, max: 255 }), async ([size, index], pick, bit) => {
				const root = rootFromLeafHashes(leaves.slice(0, size));
				const proof = await proveRecord(size, index, store);
				const leaf = leaves[index];
				expect(checkRecord(proof, size, root, index, leaf)).toBe(true);
				const byte = Math.floor(bit / 8);
				for (let i = 0; i < proof.length; i++) {
					expect(checkRecord(withElement(proof, i, flipBit(proof[i], byte, bit % 8)), size, root, index, leaf)).toBe(false);
				}
				expect(checkRecord(proof, size, flipBit(root, byte, bit % 8), index, leaf)).toBe(false);
				expect(checkRecord(proof, size, root, index, flipBit(leaf, byte, bit % 8))).toBe(false);
				const other = pick % size;
				if (other !== index) expect(checkRecord(proof, size, root, other, leaf)).toBe(false);
				expect(checkRecord(proof, size, root, index, leaves[(index + 1) % N])).toBe(false);
				expect(checkRecord([...proof, leaf], size, root, index, leaf)).toBe(false);
				expect(checkRecord([leaf, ...proof], size, root, index, leaf)).toBe(false);
				if (proof.length > 0) {
					expect(checkRecord(proof.slice(1), size, root, index, leaf)).toBe(false);
					expect(checkRecord(proof.slice(0, -1), size, root, index, leaf)).toBe(false);
					expect(checkRecord([...proof].reverse(), size, root, index, leaf)).toBe(proof.length === 1);
				}
				// A proof binds the root, not the size (as in Go and RFC 9162): another size accepts it only if
				// the path has the same shape there, which Go's checker decides the same way.
				for (const s of [size - 1, size + 1, size * 2, Math.floor(size / 2), pick % (2 * N)]) {
					expect(checkRecord(proof, s, root, index, leaf)).toBe(goCheckRecord(proof, s, root, index, leaf));
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('rejects any tampered consistency proof (fast-check)', async () => {
		const roots = Array.from({ length: N + 1 }, (_, s) => rootFromLeafHashes(leaves.slice(0, s)));
		await fc.assert(
			fc.asyncProperty(sizeAndOld, fc.nat(), fc.integer({ min: 0, max: 255 }), async ([size, oldSize], pick, bit) => {
				const [root, oldRoot] = [roots[size], roots[oldSize]];
				const proof = await proveTree(size, oldSize, store);
				expect(checkTree(proof, size, root, oldSize, oldRoot)).toBe(true);
				const [byte, b] = [Math.floor(bit / 8), bit % 8];
				for (let i = 0; i < proof.length; i++) {
					expect(checkTree(withElement(proof, i, flipBit(proof[i], byte, b)), size, root, oldSize, oldRoot)).toBe(false);
				}
				expect(checkTree(proof, size, flipBit(root, byte, b), oldSize, oldRoot)).toBe(false);
				expect(checkTree(proof, size, root, oldSize, flipBit(oldRoot, byte, b))).toBe(false);
				expect(checkTree(proof, size, oldRoot, oldSize, root)).toBe(false);
				expect(checkTree([...proof, root], size, root, oldSize, oldRoot)).toBe(false);
				expect(checkTree([oldRoot, ...proof], size, root, oldSize, oldRoot)).toBe(false);
				expect(checkTree(proof.slice(1), size, root, oldSize, oldRoot)).toBe(false);
				expect(checkTree(proof.slice(0, -1), size, root, oldSize, oldRoot)).toBe(false);
				expect(checkTree([], size, root, oldSize, oldRoot)).toBe(false);
				expect(checkTree(proof, size, root, 0, oldRoot)).toBe(false);
				expect(checkTree(proof, oldSize, root, size, oldRoot)).toBe(false);
				// Changed sizes: accepted exactly when Go accepts (the sizes come from signed checkpoints).
				const other = 1 + (pick % N);
				for (const [s, o] of [[size + 1, oldSize], [size - 1, oldSize], [size, oldSize + 1], [size, oldSize - 1], [other, oldSize], [size, other]]) {
					expect(checkTree(proof, s, root, o, oldRoot)).toBe(goCheckTree(proof, s, root, o, oldRoot));
					if (o !== oldSize && roots[o] !== undefined) expect(checkTree(proof, s, root, o, roots[o])).toBe(goCheckTree(proof, s, root, o, roots[o]));
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('refuses a proof longer than the path even when the extra hash makes the root come out', async () => {
		// Past the root, an extra hash would be folded in as a left sibling: H(extra, root). A checker that
		// kept going after reaching the root would then accept that as the root of the same tree.
		for (const [size, index] of [[1, 0], [2, 1], [5, 4], [8, 3], [300, 299], [257, 0]]) {
			const proof = await proveRecord(size, index, store);
			const root = rootFromLeafHashes(leaves.slice(0, size));
			expect(checkRecord([...proof, SOME_HASH], size, nodeHash(SOME_HASH, root), index, leaves[index])).toBe(false);
			expect(checkRecord([...proof, SOME_HASH], size, nodeHash(root, SOME_HASH), index, leaves[index])).toBe(false);
			if (size > 1) {
				const oldRoot = rootFromLeafHashes(leaves.slice(0, size - 1));
				const tproof = await proveTree(size, size - 1, store);
				const extended = [...tproof, SOME_HASH];
				expect(checkTree(extended, size, nodeHash(SOME_HASH, root), size - 1, oldRoot)).toBe(false);
				expect(checkTree(extended, size, nodeHash(root, SOME_HASH), size - 1, oldRoot)).toBe(false);
				// Both roots claimed one level up: what a checker would compute if it folded the extra hash into both.
				expect(checkTree(extended, size, nodeHash(SOME_HASH, root), size - 1, nodeHash(SOME_HASH, oldRoot))).toBe(false);
			}
		}
	});

	it('decides arbitrary proofs exactly as Go does (differential, fast-check)', async () => {
		const hashes = [...leaves.slice(0, 16), EMPTY_TREE_ROOT, SOME_HASH];
		const anyHash = fc.constantFrom(...hashes);
		const genuineOrEdited = (proof: Hash[]) =>
			fc.oneof(
				fc.constant(proof),
				fc.array(anyHash, { maxLength: 12 }),
				fc.tuple(fc.nat(), anyHash).map(([i, h]) => (proof.length === 0 ? [h] : withElement(proof, i % proof.length, h))),
				fc.tuple(fc.nat(), anyHash).map(([i, h]) => [...proof.slice(0, i % (proof.length + 1)), h, ...proof.slice(i % (proof.length + 1))]),
			);
		await fc.assert(
			fc.asyncProperty(sizeAndIndex, fc.integer({ min: -2, max: N + 2 }), fc.integer({ min: -2, max: N + 2 }), fc.nat(), async ([size, index], s2, i2, seed) => {
				const root = rootFromLeafHashes(leaves.slice(0, size));
				const proof = await proveRecord(size, index, store);
				const variant = fc.sample(genuineOrEdited(proof), { seed, numRuns: 1 })[0];
				for (const [s, i] of [[size, index], [s2, index], [size, i2], [s2, i2]]) {
					expect(checkRecord(variant, s, root, i, leaves[index])).toBe(goCheckRecord(variant, s, root, i, leaves[index]));
				}
				if (size < 2) return;
				const oldSize = 1 + (index % (size - 1));
				const oldRoot = rootFromLeafHashes(leaves.slice(0, oldSize));
				const tproof = await proveTree(size, oldSize, store);
				const tvariant = fc.sample(genuineOrEdited(tproof), { seed, numRuns: 1 })[0];
				for (const [s, o] of [[size, oldSize], [s2, oldSize], [size, i2], [s2, i2]]) {
					expect(checkTree(tvariant, s, root, o, oldRoot)).toBe(goCheckTree(tvariant, s, root, o, oldRoot));
				}
			}),
			{ numRuns: 400 },
		);
	});

	it('builds 100,000 records in memory (appendRecordHash), the same as through storedHashes', async () => {
		const N_BIG = 100_000;
		const big = new MemoryHashStore();
		const leafHashes: Hash[] = [];
		for (let n = 0; n < N_BIG; n++) {
			leafHashes.push(recordHash(Buffer.from(`{"seq":${n + 1}}`)));
			big.appendRecordHash(leafHashes[n]);
		}
		expect(big.count).toBe(storedHashCount(N_BIG));
		const root = await treeHash(N_BIG, big);
		expect(root).toEqual(rootFromLeafHashes(leafHashes));
		const proof = await proveRecord(N_BIG, 65_432, big);
		expect(checkRecord(proof, N_BIG, root, 65_432, leafHashes[65_432])).toBe(true);
		const viaReader = new MemoryHashStore();
		for (let n = 0; n < 3000; n++) viaReader.append(await storedHashesForRecordHash(n, leafHashes[n], viaReader));
		expect(await viaReader.readHashes([...Array(viaReader.count).keys()])).toEqual(await big.readHashes([...Array(viaReader.count).keys()]));
		// A store that ends inside a record's hashes cannot take the next leaf.
		const partial = new MemoryHashStore();
		partial.append(await storedHashesForRecordHash(0, leafHashes[0], partial));
		partial.append([(await storedHashesForRecordHash(1, leafHashes[1], partial))[0]]);
		expect(() => partial.appendRecordHash(leafHashes[2])).toThrow(MerkleError);
	}, 60_000);
});

// ---- Trees far past 2^32 records, without building them: every leaf is the same hash, so a stored hash
// depends only on its level, and the root of any size follows from RFC 6962's definition. ----
describe('index arithmetic in huge trees', () => {
	const perfect: Hash[] = [recordHash(Buffer.from('same record'))];
	for (let l = 1; l <= 53; l++) perfect.push(nodeHash(perfect[l - 1], perfect[l - 1]));
	const uniformRoot = (size: number): Hash => {
		let k = 1;
		let level = 0;
		while (k * 2 <= size) [k, level] = [k * 2, level + 1];
		return k === size ? perfect[level] : nodeHash(perfect[level], uniformRoot(size - k));
	};
	/** Serves (level, n) only for perfect subtrees that lie inside the tree. */
	const virtualStore = (size: number): HashReader => ({
		readHashes: async (indexes) =>
			indexes.map((i) => {
				const { level, n } = splitStoredHashIndex(i);
				if ((n + 1) * 2 ** level > size) throw new Error(`asked for (${level}, ${n}) outside a tree of ${size}`);
				return perfect[level];
			}),
	});

	it.each([2 ** 31 + 1, 2 ** 32, 2 ** 32 + 3, 2 ** 40 + 12345, 2 ** 48 - 1, 2 ** 52 - 1])('computes roots and proofs of a tree of %d', async (size) => {
		const reader = virtualStore(size);
		const root = await treeHash(size, reader);
		expect(root).toEqual(uniformRoot(size));
		for (const index of [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Math.floor(size / 3), size - 2, size - 1]) {
			if (index >= size) continue;
			const proof = await proveRecord(size, index, reader);
			expect(checkRecord(proof, size, root, index, perfect[0])).toBe(true);
			expect(checkRecord(proof, size, flipBit(root, 31, 0), index, perfect[0])).toBe(false);
		}
		for (const oldSize of [1, 2 ** 31 - 1, 2 ** 32 + 1, Math.floor(size / 3), size - 1, size]) {
			if (oldSize > size) continue;
			const oldRoot = uniformRoot(oldSize);
			expect(await treeHash(oldSize, reader)).toEqual(oldRoot);
			const proof = await proveTree(size, oldSize, reader);
			expect(checkTree(proof, size, root, oldSize, oldRoot)).toBe(true);
			expect(goCheckTree(proof, size, root, oldSize, oldRoot)).toBe(true);
			if (oldSize < size) expect(checkTree(proof, size, root, oldSize, flipBit(oldRoot, 0, 7))).toBe(false);
		}
		// The newest record's stored hashes, as an append would compute them.
		const stored = await storedHashesForRecordHash(size - 1, perfect[0], reader);
		expect(stored).toEqual(perfect.slice(0, stored.length));
	});

	it('refuses sizes whose stored hashes would be numbered past 2^53 − 1', async () => {
		await expect(treeHash(2 ** 53 - 1, virtualStore(2 ** 53 - 1))).rejects.toThrow(MerkleError);
		await expect(storedHashesForRecordHash(2 ** 53 - 1, perfect[0], virtualStore(1))).rejects.toThrow(MerkleError);
	});
});

describe('bad arguments and hostile input', () => {
	let store: MemoryHashStore;
	let leaves: Hash[];
	beforeAll(async () => ({ store, leaves } = await buildStore(LEAF_INPUTS)));

	it('generators throw MerkleError for impossible arguments', async () => {
		for (const [size, index] of [[0, 0], [3, 3], [3, -1], [-1, 0], [3, 0.5], [NaN, 0], [3, NaN], [Infinity, 1], [2 ** 53, 0]]) {
			await expect(proveRecord(size, index, store)).rejects.toThrow(MerkleError);
		}
		for (const [size, oldSize] of [[5, 0], [0, 0], [3, 4], [-1, -1], [8, 1.5], [2 ** 53, 1]]) {
			await expect(proveTree(size, oldSize, store)).rejects.toThrow(MerkleError);
		}
		for (const size of [-1, 1.5, NaN, 2 ** 53]) await expect(treeHash(size, store)).rejects.toThrow(MerkleError);
		await expect(storedHashesForRecordHash(-1, leaves[0], store)).rejects.toThrow(MerkleError);
		await expect(storedHashesForRecordHash(1, Buffer.alloc(31), store)).rejects.toThrow(MerkleError);
		expect(() => recordHash('text' as unknown as Uint8Array)).toThrow(MerkleError);
		expect(() => nodeHash(leaves[0], Buffer.alloc(33))).toThrow(MerkleError);
		expect(() => rootFromLeafHashes([leaves[0], Buffer.alloc(1)])).toThrow(MerkleError);
	});

	it('generators check what the reader returns', async () => {
		const liar = (answer: (indexes: readonly number[]) => unknown): HashReader => ({
			readHashes: async (indexes) => answer(indexes) as Hash[],
		});
		const readers = [
			liar(() => []),
			liar((ix) => [...ix.map(() => leaves[0]), leaves[0]]),
			liar((ix) => ix.map(() => Buffer.alloc(31))),
			liar((ix) => ix.map(() => 'x'.repeat(32))),
			liar(() => null),
			liar(() => 'hashes'),
		];
		for (const r of readers) {
			await expect(treeHash(7, r)).rejects.toThrow(MerkleError);
			await expect(proveRecord(7, 2, r)).rejects.toThrow(MerkleError);
			await expect(proveTree(7, 3, r)).rejects.toThrow(MerkleError);
			await expect(storedHashes(7, Buffer.from('x'), r)).rejects.toThrow(MerkleError);
		}
		// A reader may hand back plain Uint8Arrays of 32 bytes.
		const plain = liar((ix) => ix.map((i) => new Uint8Array(store.hash(i))));
		expect(await treeHash(7, plain)).toEqual(ROOTS[7]);
	});

	it('MemoryHashStore keeps 32-byte hashes, reads copies and refuses indexes it does not have', async () => {
		const m = new MemoryHashStore();
		expect(() => m.append([Buffer.alloc(32), Buffer.alloc(16)])).toThrow(MerkleError);
		expect(m.count).toBe(0);
		m.append(Array.from({ length: 3000 }, (_, i) => recordHash(Buffer.from(String(i)))));
		expect(m.count).toBe(3000);
		const [h] = await m.readHashes([2999]);
		expect(h).toEqual(recordHash(Buffer.from('2999')));
		h.fill(0);
		expect(m.hash(2999)).toEqual(recordHash(Buffer.from('2999')));
		for (const bad of [-1, 3000, 1.5, NaN]) await expect(m.readHashes([0, bad])).rejects.toThrow(MerkleError);
	});

	it('checkers return false, never throw, whatever they are given (fast-check)', () => {
		const root = ROOTS[8];
		const good = [hex('96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7'), NODE_HASHES[1][1], NODE_HASHES[2][1]];
		const sparse: Hash[] = new Array<Hash>(3);
		sparse[0] = good[0];
		sparse[2] = good[2];
		const throwing = new Proxy(good, { get: () => { throw new Error('boom'); } });
		const odd: unknown[] = [null, undefined, 'x', {}, [null], [good[0].toString('hex')], sparse, throwing, new Array(10_000_000)];
		for (const p of odd) {
			expect(checkRecord(p as Hash[], 8, root, 0, leaves[0])).toBe(false);
			expect(checkTree(p as Hash[], 8, root, 1, leaves[0])).toBe(false);
		}
		for (const n of [NaN, -1, 1.5, Infinity, 2 ** 53, '8', 8n, null]) {
			expect(checkRecord(good, n as number, root, 0, leaves[0])).toBe(false);
			expect(checkRecord(good, 8, root, n as number, leaves[0])).toBe(false);
			expect(checkTree(good, n as number, root, 1, leaves[0])).toBe(false);
			expect(checkTree(good, 8, root, n as number, leaves[0])).toBe(false);
		}
		for (const h of [Buffer.alloc(31), Buffer.alloc(33), 'x'.repeat(32), null, root.toString('hex')]) {
			expect(checkRecord(good, 8, h as Hash, 0, leaves[0])).toBe(false);
			expect(checkRecord(good, 8, root, 0, h as Hash)).toBe(false);
			expect(checkTree(good, 8, h as Hash, 1, leaves[0])).toBe(false);
			expect(checkTree(good, 8, root, 1, h as Hash)).toBe(false);
		}
		// Hashes must be bytes: a JSON-decoded proof of number arrays (or strings) is not one.
		expect(checkRecord(good.map((g) => [...g]) as unknown as Hash[], 8, root, 0, leaves[0])).toBe(false);
		expect(checkTree(good.map((g) => [...g]) as unknown as Hash[], 8, root, 1, leaves[0])).toBe(false);
		expect(checkRecord(good.map((g) => g.toString('latin1')) as unknown as Hash[], 8, root, 0, leaves[0])).toBe(false);
		expect(checkRecord(good, 8, [...root] as unknown as Hash, 0, [...leaves[0]] as unknown as Hash)).toBe(false);
		// Equal but not 32 bytes: a one-leaf tree or two equal trees would "match".
		for (const h of [Buffer.alloc(31, 7), Buffer.alloc(33, 7), Buffer.alloc(0)]) {
			expect(checkRecord([], 1, h, 0, Buffer.from(h))).toBe(false);
			expect(checkTree([], 1, h, 1, Buffer.from(h))).toBe(false);
		}
		expect(checkRecord(good, 8, root, 0, leaves[0])).toBe(true);
		expect(checkTree(good, 8, root, 1, leaves[0])).toBe(true);
		expect(checkRecord(good.map((g) => new Uint8Array(g)) as Hash[], 8, new Uint8Array(root) as Hash, 0, leaves[0])).toBe(true);
		fc.assert(
			fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
				expect(checkRecord(a as Hash[], b as number, c as Hash, d as number, e as Hash)).toBe(false);
				expect(checkTree(a as Hash[], b as number, c as Hash, d as number, e as Hash)).toBe(false);
			}),
			{ numRuns: 500 },
		);
	});
});
