/**
 * Group commit on both backends (core/store/groupCommit.ts): appends made at once in one process share
 * one fsync (file) or one transaction (Postgres), and still keep the chain order, one terminal record
 * per request, and "acknowledged means durable" — callers are answered in seq order, only after the
 * fsync/commit that covers them, and a failing fsync/commit fails every caller of its group. Across
 * processes the file lock stays the rule: many processes with many callers each leave one chain with
 * every acknowledged record in it, and a process kept busy by its own appends lets a waiting one in.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';

import { StoreFatalError } from '../../../core/store/errors';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { isRequestTerminalRecord, requestBindingOf } from '../../../core/store/requests';
import { REQUEST_BINDING_KEY, type ReviewRecord } from '../../../core/store/types';
import { verifyFile } from '../../../core/verify';
import { bothBackends } from './bothBackends';
import { allRecords, failNextPgQuery, pendingRequest, resolutionFor, sqlTextOf } from './helpers';
import { startAppender } from './processes';
import { transpiledRoot } from './transpile';

const env = bothBackends('group-commit');
const { backends } = env;

const all = allRecords;


/** The file handle's fsync (what the file store calls) — the seam for counting and failing fsyncs. */
async function fileSyncProto(): Promise<{ sync: () => Promise<void> }> {
	const handle = await fs.open(join(env.dir, 'probe'), 'w');
	await handle.close();
	return Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
}

/** Counts durable steps: fsyncs of the file store, COMMITs of the Postgres store. */
async function countDurableSteps(backend: string): Promise<{ count: () => number; restore: () => void }> {
	if (backend === 'file') {
		const spy = jest.spyOn(await fileSyncProto(), 'sync');
		return { count: () => spy.mock.calls.length, restore: () => spy.mockRestore() };
	}
	const spy = jest.spyOn(Client.prototype, 'query');
	return { count: () => spy.mock.calls.filter(([query]) => isDurablePgStep(sqlTextOf(query))).length, restore: () => spy.mockRestore() };
}

/** A group's durable step on Postgres: its COMMIT, or the one autocommit statement of the fast path (postgres/fastAppend.ts). */
function isDurablePgStep(sql: string): boolean {
	return sql === 'COMMIT' || sql.trimStart().startsWith('WITH lock');
}

/** Makes the next durable step fail (an EIO fsync, a failed COMMIT). */
async function failNextDurableStep(backend: string): Promise<() => void> {
	if (backend === 'file') {
		const spy = jest.spyOn(await fileSyncProto(), 'sync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
		return () => spy.mockRestore();
	}
	const spy = failNextPgQuery(isDurablePgStep, 'injected: COMMIT failed');
	return () => spy.mockRestore();
}

describe.each(backends)('%s backend: group commit', (backend, open) => {
	test('64 callers at once: few fsyncs/commits, every caller answered in seq order, batches contiguous, chain verifies', async () => {
		const store = await open(`group-${backend}-${randomUUID().slice(0, 6)}`);
		const steps = await countDurableSteps(backend);
		try {
			const acknowledged: number[] = [];
			// Each caller notes its acknowledgement in its own first callback (the same depth for every caller).
			const note = (records: ReviewRecord[]) => {
				acknowledged.push(...records.map((r) => r.seq));
				return records;
			};
			const calls = Array.from({ length: 64 }, (_, i) =>
				i % 8 === 7
					? store.appendMany(Array.from({ length: 10 }, (_, k) => ({ event: 'note' as const, comment: `batch ${i} #${k}` }))).then(note)
					: store.append({ event: 'note', comment: `single ${i}` }).then((r) => note([r])),
			);
			const results = await Promise.all(calls);
			// Answered in the order the records stand in the chain.
			expect(acknowledged).toEqual(Array.from({ length: 56 + 8 * 10 }, (_, i) => i + 1));
			// Each caller's records are contiguous, in the order it gave them; callers in the order they called.
			const firstSeqs = results.map((records) => records[0].seq);
			expect(firstSeqs).toEqual([...firstSeqs].sort((a, b) => a - b));
			for (const records of results) expect(records.map((r) => r.seq)).toEqual(records.map((_, k) => records[0].seq + k));
			// Shared: far fewer fsyncs/commits than callers (the first caller may go alone).
			expect(steps.count()).toBeGreaterThanOrEqual(1);
			expect(steps.count()).toBeLessThanOrEqual(4);
			const stored = await all(store);
			expect(stored).toEqual(results.flat());
			expect(await store.verify()).toMatchObject({ ok: true, recordsChecked: 136 });
		} finally {
			steps.restore();
			await store.close();
		}
	});

	test('a record the store cannot take fails its own caller only; the rest of the group is written', async () => {
		const store = await open(`refuse-${backend}-${randomUUID().slice(0, 6)}`);
		try {
			const results = await Promise.allSettled([
				store.append({ event: 'note', comment: 'a' }),
				store.appendMany([{ event: 'note', comment: 'b1' }, { event: 'note', comment: 'x'.repeat(70_000) }]),
				store.append({ event: 'note', comment: 'c' }),
			]);
			expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
			expect((await all(store)).map((r) => r.comment)).toEqual(['a', 'c']);
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	test('concurrent resolutions of one request racing with grouped appends: one terminal record, chain verifies', async () => {
		const chain = `race-${backend}-${randomUUID().slice(0, 6)}`;
		const stores = [await open(chain), await open(chain)];
		try {
			const req = pendingRequest();
			await stores[0].putReviewRequests([req]);
			const work: Array<Promise<unknown>> = [];
			for (let i = 0; i < 12; i++) {
				work.push(stores[i % 2].append({ event: 'note', comment: `around ${i}` }));
				work.push(stores[i % 2].resolveReviewRequest(req.id, resolutionFor(req, i % 3 === 0 ? 'expired' : 'decided', `r${i}@example.com`)));
			}
			// A plain append may never carry a request's binding, grouped or not.
			work.push(
				expect(stores[1].append({ event: 'decided', decision: 'approved', details: { [REQUEST_BINDING_KEY]: { id: req.id, groupId: req.groupId, nodeId: req.nodeId, keyId: null, mac: null } } })).rejects.toThrow(/reserved/),
			);
			const settled = await Promise.all(work);
			const resolutions = settled.filter((r): r is { applied: boolean } => typeof r === 'object' && r !== null && 'applied' in r);
			expect(resolutions).toHaveLength(12);
			expect(resolutions.filter((r) => r.applied)).toHaveLength(1);
			const stored = await all(stores[0]);
			expect(stored.filter((r) => isRequestTerminalRecord(r) && requestBindingOf(r)?.id === req.id)).toHaveLength(1);
			expect(stored.filter((r) => r.event === 'note')).toHaveLength(12);
			expect(await stores[0].verify()).toMatchObject({ ok: true, recordsChecked: 13 });
		} finally {
			for (const s of stores) await s.close();
		}
	});

	test('a failing fsync/commit fails every caller of its group; nothing unacknowledged is reported written, the chain verifies', async () => {
		const chain = `fail-${backend}-${randomUUID().slice(0, 6)}`;
		const store = await open(chain);
		let restore = () => undefined as void;
		try {
			const before = await Promise.all(Array.from({ length: 8 }, (_, i) => store.append({ event: 'note', comment: `before ${i}` })));
			restore = await failNextDurableStep(backend);
			let acknowledged = 0;
			const group = await Promise.allSettled(
				Array.from({ length: 16 }, (_, i) => store.append({ event: 'note', comment: `doomed ${i}` }).then((r) => (acknowledged++, r))),
			);
			restore();
			expect(acknowledged).toBe(0);
			for (const r of group) expect(r).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(backend === 'file' ? /fsync/ : /COMMIT failed/) }) });
			if (backend === 'file') {
				// After a failed fsync the file store refuses everything (the kernel may have dropped the pages).
				expect(group.every((r) => r.status === 'rejected' && r.reason instanceof StoreFatalError)).toBe(true);
				await expect(store.append({ event: 'note' })).rejects.toThrow(StoreFatalError);
			} else {
				// The transaction was rolled back: nothing of the group is in the table, and the store goes on.
				expect((await all(store)).map((r) => r.comment)).toEqual(before.map((r) => r.comment));
				expect((await store.append({ event: 'note', comment: 'after' })).seq).toBe(9);
			}
			// What was acknowledged is there, in order; a fresh store on the same log verifies.
			const fresh = await open(chain);
			try {
				const stored = await all(fresh);
				expect(stored.slice(0, 8)).toEqual(before);
				expect((await fresh.verify()).ok).toBe(true);
			} finally {
				await fresh.close();
			}
		} finally {
			restore();
			await store.close();
		}
	});
});

describe('file backend: group commit across processes', () => {
	beforeAll(() => transpiledRoot());

	test('four processes with eight concurrent callers each (one appending batches): every acknowledged record present once, seq order = acknowledgement order in each process', async () => {
		const chain = `procs-${randomUUID().slice(0, 6)}`;
		const per = Number(process.env.HITL_GROUP_COMMIT_APPENDS ?? 12);
		const children = [
			startAppender(env.dir, chain, per, 1, 8),
			startAppender(env.dir, chain, per, 1, 8),
			startAppender(env.dir, chain, per, 1, 8),
			startAppender(env.dir, chain, per * 2, 4, 8),
		];
		const exits = await Promise.all(children.map((c) => c.exited));
		for (const e of exits) expect(e).toMatchObject({ code: 0 });
		const total = 3 * 8 * per + 8 * per * 2;
		const acked = children.flatMap((c) => c.acked);
		expect(acked).toHaveLength(total);
		expect(acked.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
		for (const child of children) {
			const seqs = child.acked.map((a) => a.seq);
			expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
		}
		expect(await verifyFile(join(env.dir, `${chain}.jsonl`))).toMatchObject({ ok: true, recordsChecked: total });
		const hashes = new Set(readFileSync(join(env.dir, `${chain}.jsonl`), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { hash: string }).hash));
		for (const a of acked) expect(hashes.has(a.hash)).toBe(true);
	}, 120_000);

	test('a waiting mark left by a process that died is removed and does not slow the holder down', async () => {
		const chain = `stale-${randomUUID().slice(0, 6)}`;
		const store = await JsonlReviewStore.open({ directory: env.dir, chain });
		const marker = join(env.dir, `${chain}.jsonl.lock.waiting`);
		const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
		writeFileSync(marker, JSON.stringify({ host: hostname(), pid: Number(dead.stdout), start: '1', token: 'dead' }));
		try {
			const started = Date.now();
			let n = 0;
			// Longer than the slice after which a holder looks for waiters.
			while (Date.now() - started < 100) await store.append({ event: 'note', comment: `n${n++}` });
			expect(existsSync(marker)).toBe(false);
			expect(n).toBeGreaterThan(10);
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	test('a process kept busy by its own appends hands the lock to a waiting process, and lets it go when idle', async () => {
		const chain = `handover-${randomUUID().slice(0, 6)}`;
		const store = await JsonlReviewStore.open({ directory: env.dir, chain });
		try {
			let busy = true;
			// This process appends back to back (it keeps the lock between its groups) until the child is done.
			const local = (async () => {
				let n = 0;
				while (busy) {
					await store.append({ event: 'note', comment: `local ${n++}` });
				}
				return n;
			})();
			const child = startAppender(env.dir, chain, 30);
			const started = Date.now();
			const exit = await child.exited;
			busy = false;
			const localCount = await local;
			expect(exit).toMatchObject({ code: 0 });
			expect(child.acked).toHaveLength(30);
			// Thirty appends of another process get through well before its 30 s lock timeout.
			expect(Date.now() - started).toBeLessThan(20_000);
			expect(localCount).toBeGreaterThan(0);
			expect((await store.verify()).ok).toBe(true);
			// Idle: the lock file is gone after this turn of the event loop.
			await new Promise((resolve) => setImmediate(resolve));
			expect(existsSync(join(env.dir, `${chain}.jsonl.lock`))).toBe(false);
		} finally {
			await store.close();
		}
	}, 60_000);
});
