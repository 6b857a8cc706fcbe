/**
 * The Merkle tree index of both store backends (file and a real Postgres): it catches up from the
 * chain, matches the reference tree of the stored lines, gives proofs that check out, survives being
 * deleted or cut short (rebuilt from the log), refuses a log altered after indexing, and checkpoints
 * are issued only when they extend the last one.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { canonicalize } from '../../../core/canonicalJson';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import type { ReviewStore } from '../../../core/store/types';
import { openCheckpoint } from '../../../core/tlog/checkpoint';
import { checkRecord, checkTree, EMPTY_TREE_ROOT, recordHash, rootFromLeafHashes } from '../../../core/tlog/merkle';
import { generateNoteKey, signerFromPrivateKey, verifierFromKey } from '../../../core/tlog/note';
import { parseConsistencyProof, parseTlogProof } from '../../../core/tlog/proofBundle';
import { issueCheckpoint, PublishError, proveCheckpointConsistency, proveRecordInclusion } from '../../../core/tlog/publish';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { tempDir } from '../store/helpers';

let pg: TestPostgres;
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
	({ dir, cleanup } = tempDir('store-tree'));
	pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
	await pg?.stop();
	cleanup();
});

const ORIGIN = 'hitl.example.com/hiring-log';
const keys = generateNoteKey(ORIGIN);
const signer = signerFromPrivateKey(keys.privateKey);
const verifier = verifierFromKey(keys.verifierKey);

type Opener = (chain: string) => Promise<ReviewStore>;
const backends: Array<[string, Opener]> = [
	['file', (chain) => JsonlReviewStore.open({ directory: dir, chain })],
	['postgres', (chain) => PostgresReviewStore.open({ connection: pg.connection, chain })],
];

async function appendNotes(store: ReviewStore, count: number, from = 0): Promise<void> {
	for (let i = 0; i < count; i++) await store.append({ event: 'note', comment: `record ${from + i}`, details: { i: from + i } });
}

async function storedLines(store: ReviewStore): Promise<string[]> {
	const lines: string[] = [];
	for await (const record of store.readAll()) lines.push(canonicalize(record));
	return lines;
}

describe.each(backends)('%s backend: Merkle tree index', (name, open) => {
	const stores: ReviewStore[] = [];
	const openStore = async (chain: string) => {
		const s = await open(chain);
		stores.push(s);
		return s;
	};
	afterAll(async () => {
		for (const s of stores) await s.close().catch(() => undefined);
	});
	const chain = () => `t${randomUUID().slice(0, 8)}`;

	test('the tree catches up in steps and always equals the reference tree of the stored lines', async () => {
		const store = await openStore(chain());
		expect((await store.treeHead()).size).toBe(0);
		for (const add of [1, 2, 5, 9]) {
			await appendNotes(store, add);
			const head = await store.treeHead();
			const lines = await storedLines(store);
			expect(head.size).toBe(lines.length);
			expect(head.root.equals(rootFromLeafHashes(lines.map((l) => recordHash(Buffer.from(l, 'utf8')))))).toBe(true);
		}
	});

	test('every inclusion and consistency proof checks out against the root', async () => {
		const store = await openStore(chain());
		await appendNotes(store, 13);
		const head = await store.treeHead();
		for (let seq = 1; seq <= head.size; seq++) {
			const proof = await store.proveInclusion(seq, head.size);
			expect(proof.index).toBe(seq - 1);
			expect(checkRecord(proof.hashes, head.size, head.root, seq - 1, recordHash(Buffer.from(proof.line, 'utf8')))).toBe(true);
			expect(JSON.parse(proof.line).seq).toBe(seq);
		}
		const fromEmpty = await store.proveConsistency(0, head.size);
		expect(fromEmpty.hashes).toEqual([]);
		expect(fromEmpty.oldRoot.equals(EMPTY_TREE_ROOT)).toBe(true);
		for (let old = 1; old <= head.size; old++) {
			const proof = await store.proveConsistency(old, head.size);
			expect(checkTree(proof.hashes, head.size, head.root, old, proof.oldRoot)).toBe(true);
		}
		await expect(store.proveInclusion(0, head.size)).rejects.toThrow(/not in a tree/);
		await expect(store.proveInclusion(14, 13)).rejects.toThrow(/not in a tree/);
		await expect(store.proveInclusion(1, 14)).rejects.toThrow(/fewer than 14/);
	});

	test('checkpoints: signed notes that extend the last one, and proofs an auditor checks with the public key', async () => {
		const store = await openStore(chain());
		await appendNotes(store, 6);
		const first = await issueCheckpoint(store, { signer, origin: ORIGIN });
		expect(first.extends).toBeNull();
		expect(first.size).toBe(6);
		const opened = openCheckpoint(first.note, [verifier], ORIGIN);
		expect(opened.head.size).toBe(6);
		await appendNotes(store, 5, 6);
		const second = await issueCheckpoint(store, { signer, origin: ORIGIN });
		expect(second.extends).toEqual({ size: 6, signedAt: first.signedAt });
		expect((await store.listCheckpoints()).map((c) => c.size)).toEqual([11, 6]);

		const bundle = parseTlogProof(await proveRecordInclusion(store, 4, first.note));
		expect(bundle.index).toBe(3);
		expect(JSON.parse((bundle.extra as Buffer).toString('utf8')).seq).toBe(4);
		expect(checkRecord(bundle.hashes, 6, opened.head.root, 3, recordHash(bundle.extra as Buffer))).toBe(true);
		await expect(proveRecordInclusion(store, 7, first.note)).rejects.toThrow(PublishError);

		const consistency = parseConsistencyProof(await proveCheckpointConsistency(store, first.note, second.note));
		const newer = openCheckpoint(second.note, [verifier], ORIGIN).head;
		expect(checkTree(consistency.hashes, newer.size, newer.root, 6, opened.head.root)).toBe(true);
	});

	if (name === 'file') {
		test('a deleted or cut-short index is rebuilt from the log; a log altered after indexing is refused', async () => {
			const c = chain();
			const store = await openStore(c);
			await appendNotes(store, 10);
			const { root } = await store.treeHead();
			const treeDir = join(dir, `${c}.tree`);
			rmSync(treeDir, { recursive: true });
			expect((await store.treeHead()).root.equals(root)).toBe(true);
			// A crash between writing hashes and the commit marker: bytes beyond the marker are ignored.
			appendFileSync(join(treeDir, 'hashes.bin'), Buffer.alloc(64, 7));
			appendFileSync(join(treeDir, 'leaves.bin'), Buffer.alloc(24, 7));
			await appendNotes(store, 3, 10);
			const after = await store.treeHead();
			const lines = await storedLines(store);
			expect(after.root.equals(rootFromLeafHashes(lines.map((l) => recordHash(Buffer.from(l, 'utf8')))))).toBe(true);
			// Index files shorter than the marker says: rebuilt, not trusted.
			truncateSync(join(treeDir, 'hashes.bin'), 40);
			expect((await store.treeHead()).root.equals(after.root)).toBe(true);
			// A garbage stored hash: the proof fails here, before anyone sees it.
			const hashes = readFileSync(join(treeDir, 'hashes.bin'));
			hashes[5] ^= 1;
			writeFileSync(join(treeDir, 'hashes.bin'), hashes);
			await expect(store.proveInclusion(1, 13)).rejects.toThrow(/differs from the tree index|damaged/);
		});

		test.each([
			['rewritten (same length, other records)', 7, 'log_rewritten'],
			['cut short', 3, 'log_shrank'],
		])('no checkpoint is signed for a log %s after the last checkpoint', async (_what, forgedCount, code) => {
			const c = chain();
			const store = await openStore(c);
			await appendNotes(store, 5);
			await issueCheckpoint(store, { signer, origin: ORIGIN });
			await store.close();
			// Someone with write access replaces the log with a well-formed chain of other records.
			const { dir: elsewhere, cleanup: done } = tempDir('forger');
			try {
				const forger = await JsonlReviewStore.open({ directory: elsewhere, chain: c });
				await appendNotes(forger, forgedCount, 100);
				await forger.close();
				writeFileSync(join(dir, `${c}.jsonl.new`), readFileSync(join(elsewhere, `${c}.jsonl`)));
				renameSync(join(dir, `${c}.jsonl.new`), join(dir, `${c}.jsonl`));
			} finally {
				done();
			}
			const reopened = await openStore(c);
			await expect(issueCheckpoint(reopened, { signer, origin: ORIGIN })).rejects.toMatchObject({ code });
			expect((await reopened.listCheckpoints()).length).toBe(1);
		});
	}

	if (name === 'postgres') {
		test('the tree index lives in its own tables, and concurrent catch-ups agree', async () => {
			const c = chain();
			const a = await openStore(c);
			const b = await openStore(c);
			await appendNotes(a, 40);
			const [x, y] = await Promise.all([a.treeHead(), b.treeHead()]);
			expect(x.size).toBe(40);
			expect(x.root.equals(y.root)).toBe(true);
		});
	}
});
