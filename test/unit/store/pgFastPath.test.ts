/**
 * The Postgres store's one-statement append (core/store/postgres/fastAppend.ts, issue 14): a group
 * chained from the head the store last saw, sent as one autocommit statement that takes the chain's
 * advisory lock and inserts only if that head is still there. These tests hold it to the guarantees
 * of the locked way: several stores on one chain (each one's head goes stale) leave one contiguous,
 * verifying chain with every caller answered with its own record; a moved head, a writer holding the
 * lock at the wrong moment, and a log restored to an earlier point behind the store's back all end in
 * the locked transaction, never in an error, a gap or a record twice. They also show that the lock is
 * really taken inside the statement, and that an uncontended append is one statement.
 */
import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

import { createRecord, normaliseInput } from '../../../core/chain';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import { LOG_TABLE } from '../../../core/store/postgres/schema';
import type { ReviewRecord } from '../../../core/store/types';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { allRecords, failNextPgQuery, pendingRequest, resolutionFor, sqlTextOf } from './helpers';

let pg: TestPostgres;

beforeAll(async () => {
	pg = await startTestPostgres();
}, 120_000);

afterAll(async () => {
	await pg?.stop();
});

const open = (chain: string) => PostgresReviewStore.open({ connection: pg.connection, chain });
const newChain = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const LOCK_KEY = (chain: string) => `n8n-nodes-hitl:log:${chain}`;


/** The SQL text of every query sent by any pg client from now on (the store's pool included). */
function recordQueries(): { texts: () => string[]; restore: () => void } {
	const spy = jest.spyOn(Client.prototype, 'query');
	return { texts: () => spy.mock.calls.map(([q]) => sqlTextOf(q)), restore: () => spy.mockRestore() };
}

const isFast = (text: string) => text.trimStart().startsWith('WITH lock');
const isBegin = (text: string) => text.startsWith('BEGIN');

/** The chain as stored: verifies, seqs 1..n without a gap, every hash once, each prev_hash the hash before it. */
async function expectSoundChain(store: PostgresReviewStore, n: number): Promise<ReviewRecord[]> {
	const stored = await allRecords(store);
	expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
	expect(new Set(stored.map((r) => r.hash)).size).toBe(n);
	for (let i = 1; i < stored.length; i++) expect(stored[i].prevHash).toBe(stored[i - 1].hash);
	expect(await store.verify()).toMatchObject({ ok: true, recordsChecked: n });
	return stored;
}

/** Runs SQL on its own connection as the superuser; the caller ends it. */
async function adminClient(): Promise<Client> {
	const client = new Client(pg.connection);
	await client.connect();
	return client;
}

describe('Postgres store: one-statement append', () => {
	test('an uncontended append is one statement (no BEGIN/COMMIT); a batch over one INSERT goes the locked way; rows are as the locked way writes them', async () => {
		const chain = newChain('one-rt');
		const store = await open(chain);
		try {
			// The first append reads the head under the lock (the store knows none yet).
			const first = await store.append({ event: 'note', comment: 'first' });
			const queries = recordQueries();
			let second: ReviewRecord;
			try {
				second = await store.append({ event: 'note', comment: 'second', reviewerId: 'ann@example.com', itemKey: 'item-1', tier: 'high', workflowId: 'wf', executionId: 'ex' });
				expect(queries.texts()).toHaveLength(1);
				expect(isFast(queries.texts()[0])).toBe(true);
				// 200 rows still fit one statement.
				await store.appendMany(Array.from({ length: 200 }, (_, i) => ({ event: 'note' as const, comment: `b${i}` })));
				expect(queries.texts()).toHaveLength(2);
				// 201 do not: one transaction, lock + head, two INSERTs, COMMIT.
				await store.appendMany(Array.from({ length: 201 }, (_, i) => ({ event: 'note' as const, comment: `c${i}` })));
				const locked = queries.texts().slice(2);
				expect(locked.map((t) => t.split(/\s/)[0])).toEqual(['BEGIN;', 'INSERT', 'INSERT', 'COMMIT']);
			} finally {
				queries.restore();
			}
			expect(second.prevHash).toBe(first.hash);
			await expectSoundChain(store, 403);
			// The columns copied out of the record, for a row of each way.
			const admin = await adminClient();
			try {
				const { rows } = await admin.query(
					`SELECT seq, hash, prev_hash, recorded_at, event, decision, reviewer_id, tier, workflow_id, execution_id, item_key, ends_request
					 FROM ${LOG_TABLE} WHERE chain = $1 AND seq IN (1, 2) ORDER BY seq`,
					[chain],
				);
				for (const [row, record] of [[rows[0], first], [rows[1], second]] as const) {
					expect(row).toEqual({
						seq: String(record.seq), hash: record.hash, prev_hash: record.prevHash, recorded_at: new Date(record.recordedAt),
						event: record.event, decision: record.decision, reviewer_id: record.reviewerId, tier: record.tier,
						workflow_id: record.workflowId, execution_id: record.executionId, item_key: record.itemKey, ends_request: null,
					});
				}
			} finally {
				await admin.end();
			}
		} finally {
			await store.close();
		}
	});

	test('two stores on one chain, appending interleaved and at once: each falls back when its head is stale; contiguous, nothing twice, every caller gets its own record', async () => {
		const chain = newChain('two');
		const [a, b] = [await open(chain), await open(chain)];
		const queries = recordQueries();
		try {
			const results: Array<{ comments: string[]; records: ReviewRecord[] }> = [];
			const call = async (store: PostgresReviewStore, comments: string[]) => {
				const records = comments.length === 1
					? [await store.append({ event: 'note', comment: comments[0] })]
					: await store.appendMany(comments.map((comment) => ({ event: 'note' as const, comment })));
				results.push({ comments, records });
			};
			for (let round = 0; round < 12; round++) {
				// One after another, alternating stores: the other store's head is stale every time.
				await call(a, [`a${round}`]);
				await call(b, [`b${round}`]);
				// At once: both stores, several callers each, batches among them.
				await Promise.all([
					call(a, [`a${round}-x`]),
					call(b, [`b${round}-x`]),
					call(a, [`a${round}-y1`, `a${round}-y2`, `a${round}-y3`]),
					call(b, [`b${round}-y1`, `b${round}-y2`]),
					call(a, [`a${round}-z`]),
					call(b, [`b${round}-z`]),
				]);
			}
			const total = results.reduce((n, r) => n + r.comments.length, 0);
			const stored = await expectSoundChain(a, total);
			// Each caller's own records, contiguous, as stored.
			for (const { comments, records } of results) {
				expect(records.map((r) => r.comment)).toEqual(comments);
				expect(records.map((r) => r.seq)).toEqual(records.map((_, k) => records[0].seq + k));
				for (const r of records) expect(stored[r.seq - 1]).toEqual(r);
			}
			expect(new Set(stored.map((r) => r.comment)).size).toBe(total);
			// Both ways were taken: statements that found the head moved, and transactions after them.
			expect(queries.texts().filter(isFast).length).toBeGreaterThan(0);
			expect(queries.texts().filter(isBegin).length).toBeGreaterThan(2);
		} finally {
			queries.restore();
			await a.close();
			await b.close();
		}
	});

	test('three stores with eight concurrent callers each: one sound chain, every acknowledged record in it once', async () => {
		const chain = newChain('three');
		const stores = [await open(chain), await open(chain), await open(chain)];
		try {
			const acked = (
				await Promise.all(
					stores.flatMap((store, s) =>
						Array.from({ length: 8 }, async (_, c) => {
							const mine: ReviewRecord[] = [];
							for (let i = 0; i < 6; i++) {
								const comment = `s${s}c${c}i${i}`;
								const record = await store.append({ event: 'note', comment });
								expect(record.comment).toBe(comment);
								mine.push(record);
							}
							return mine;
						}),
					),
				)
			).flat();
			const stored = await expectSoundChain(stores[0], 3 * 8 * 6);
			for (const r of acked) expect(stored[r.seq - 1]).toEqual(r);
		} finally {
			for (const s of stores) await s.close();
		}
	});

	test('a head moved behind the store\'s back (another store appended): one statement finds it, the locked way writes the group; then one statement again', async () => {
		const chain = newChain('moved');
		const [a, b] = [await open(chain), await open(chain)];
		try {
			await a.append({ event: 'note', comment: 'a1' });
			for (let i = 0; i < 5; i++) await b.append({ event: 'note', comment: `b${i}` });
			const queries = recordQueries();
			try {
				const record = await a.append({ event: 'note', comment: 'a2' });
				expect(record.seq).toBe(7);
				const texts = queries.texts();
				expect(isFast(texts[0])).toBe(true);
				expect(isBegin(texts[1])).toBe(true);
				expect(texts[texts.length - 1]).toBe('COMMIT');
				// The head read under the lock is known now.
				const before = texts.length;
				expect((await a.append({ event: 'note', comment: 'a3' })).seq).toBe(8);
				expect(queries.texts().slice(before).filter((t) => !isFast(t))).toEqual([]);
			} finally {
				queries.restore();
			}
			await expectSoundChain(a, 8);
		} finally {
			await a.close();
			await b.close();
		}
	});

	test('a writer holding the chain\'s lock at the wrong moment: the statement waits for the lock, the writer\'s record comes first, the caller gets the next seq without an error', async () => {
		const chain = newChain('lock');
		const store = await open(chain);
		const writer = await adminClient();
		const watcher = await adminClient();
		try {
			const before = await store.append({ event: 'note', comment: 'before' });
			// The locked way of another process: lock, head, (the store's append arrives), insert, commit.
			await writer.query('BEGIN');
			await writer.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY(chain)]);
			let settled = false;
			const pending = store.append({ event: 'note', comment: 'racing' }).finally(() => (settled = true));
			// The store's statement must be waiting on the advisory lock (the lock is taken inside it).
			let waiting = 0;
			for (let i = 0; i < 100 && !settled && waiting === 0; i++) {
				await new Promise((resolve) => setTimeout(resolve, 50));
				const { rows } = await watcher.query<{ n: string }>(
					`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE 'WITH lock%'`,
				);
				waiting = Number(rows[0].n);
			}
			expect(settled).toBe(false);
			expect(waiting).toBe(1);
			// The writer inserts seq 2 now, after the store's statement took its snapshot, and commits.
			const { record, line } = createRecord(normaliseInput({ event: 'note', comment: 'writer' }), {
				chain, seq: 2, prevHash: before.hash, recordedAt: new Date().toISOString(),
			});
			await writer.query(
				`INSERT INTO ${LOG_TABLE} (chain, seq, hash, prev_hash, recorded_at, event, line) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				[chain, 2, record.hash, record.prevHash, record.recordedAt, record.event, line],
			);
			await writer.query('COMMIT');
			const racing = await pending;
			expect(racing).toMatchObject({ seq: 3, prevHash: record.hash, comment: 'racing' });
			const stored = await expectSoundChain(store, 3);
			expect(stored.map((r) => r.comment)).toEqual(['before', 'writer', 'racing']);
		} finally {
			await writer.query('ROLLBACK').catch(() => undefined);
			await writer.end();
			await watcher.end();
			await store.close();
		}
	});

	/** Removes the chain's rows after `keep` as an owner restoring a backup would (the trigger off for it). */
	async function restoreTo(chain: string, keep: number): Promise<void> {
		await pg.admin(`
			ALTER TABLE ${LOG_TABLE} DISABLE TRIGGER ${LOG_TABLE}_no_change;
			DELETE FROM ${LOG_TABLE} WHERE chain = '${chain}' AND seq > ${keep};
			ALTER TABLE ${LOG_TABLE} ENABLE TRIGGER ${LOG_TABLE}_no_change;
		`);
	}

	test('a log restored to an earlier point behind the store\'s back: the head it knows is gone, so it does not chain from it (no gap)', async () => {
		const chain = newChain('restored');
		const store = await open(chain);
		try {
			for (let i = 0; i < 5; i++) await store.append({ event: 'note', comment: `old${i}` });
			await restoreTo(chain, 2);
			const record = await store.append({ event: 'note', comment: 'after restore' });
			expect(record.seq).toBe(3);
			await expectSoundChain(store, 3);
		} finally {
			await store.close();
		}
	});

	test('restored, then written up to the same seq by another store: the seq the store knows now holds another hash, so it does not chain from it', async () => {
		const chain = newChain('rewritten');
		const [a, b] = [await open(chain), await open(chain)];
		try {
			for (let i = 0; i < 5; i++) await a.append({ event: 'note', comment: `old${i}` });
			await restoreTo(chain, 2);
			for (let i = 0; i < 3; i++) await b.append({ event: 'note', comment: `new${i}` });
			const record = await a.append({ event: 'note', comment: 'a after' });
			expect(record.seq).toBe(6);
			const stored = await expectSoundChain(a, 6);
			expect(record.prevHash).toBe(stored[4].hash);
			expect(stored[4].comment).toBe('new2');
		} finally {
			await a.close();
			await b.close();
		}
	});

	test('a failing statement (not a conflict) fails every caller of its group and writes nothing; the next append reads the head under the lock', async () => {
		const chain = newChain('fail');
		const store = await open(chain);
		const spy = failNextPgQuery((sql) => isFast(sql), 'injected: connection lost');
		try {
			spy.mockClear();
			const before = await Promise.all(Array.from({ length: 3 }, (_, i) => store.append({ event: 'note', comment: `before ${i}` })));
			// The store knows the head now; the next group goes as one statement, which fails.
			const group = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.append({ event: 'note', comment: `doomed ${i}` })));
			for (const r of group) expect(r).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'injected: connection lost' }) });
			expect((await allRecords(store)).map((r) => r.comment)).toEqual(before.map((r) => r.comment));
			spy.mockClear();
			expect((await store.append({ event: 'note', comment: 'after' })).seq).toBe(4);
			expect(isBegin(sqlTextOf(spy.mock.calls[0][0]))).toBe(true);
			await expectSoundChain(store, 4);
		} finally {
			spy.mockRestore();
			await store.close();
		}
	});

	test('terminal records still go through resolveReviewRequest\'s transaction; appends after it are one statement again; one terminal record, with ends_request', async () => {
		const chain = newChain('resolve');
		const store = await open(chain);
		try {
			await store.append({ event: 'note', comment: 'first' });
			const req = pendingRequest();
			await store.putReviewRequests([req]);
			const [resolved, again] = await Promise.all([
				store.resolveReviewRequest(req.id, resolutionFor(req, 'decided')),
				store.resolveReviewRequest(req.id, resolutionFor(req, 'decided', 'bob@example.com')),
				store.append({ event: 'note', comment: 'beside' }),
			]);
			expect([resolved.applied, again.applied].sort()).toEqual([false, true]);
			// Which of the two writers set the head the store knows last is a race: this append may fall back.
			await store.append({ event: 'note', comment: 'settle' });
			const queries = recordQueries();
			try {
				await store.append({ event: 'note', comment: 'after' });
				expect(queries.texts().filter((t) => !isFast(t))).toEqual([]);
			} finally {
				queries.restore();
			}
			await expectSoundChain(store, 5);
			const admin = await adminClient();
			try {
				const { rows } = await admin.query(`SELECT ends_request FROM ${LOG_TABLE} WHERE chain = $1 AND ends_request IS NOT NULL`, [chain]);
				expect(rows).toEqual([{ ends_request: req.id }]);
			} finally {
				await admin.end();
			}
		} finally {
			await store.close();
		}
	});
});
