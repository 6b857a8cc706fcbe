/**
 * docs/postgres-store.md walks an admin from an empty Postgres to a working store with a non-superuser
 * owner and a least-privilege application role. This test runs the SQL blocks of that page exactly as
 * written (read from the file the package ships; only the two example passwords are used as they are),
 * as the roles the page names, on a fresh Postgres 18 cluster: step 1 as the superuser, step 2 by
 * opening the store as the owner, step 3 as the owner. Then the store is used as the application role
 * the way the gate, the deadline trigger and the Review Log use it — and the role must not be able to
 * change the log. A missing grant in the docs fails here.
 *
 * Also: a full read of the log (readAll, verify) sends no ROLLBACK after its COMMIT (Postgres logged
 * "there is no transaction in progress" for every export and verify); and the upgrade block (the query
 * indexes a store of an earlier version lacks) runs as the owner, while the application role opens the
 * store without them and Query then reads through them.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';

import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import type { DeadlineEvent, ReviewRequest } from '../../../core/store/types';
import { issueCheckpoint } from '../../../core/tlog/publish';
import { generateNoteKey, signerFromPrivateKey } from '../../../core/tlog/note';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { KEY, resolutionFor } from './helpers';

const DOC = path.join(__dirname, '..', '..', '..', 'docs', 'postgres-store.md');

/** The ```sql block whose first line is `-- <marker>…`. */
function sqlBlock(doc: string, marker: string): string {
	const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
	const block = blocks.find((b) => b.startsWith(`-- ${marker}`));
	if (!block) throw new Error(`docs/postgres-store.md has no sql block starting "-- ${marker}"`);
	return block;
}

/** A password from the docs' CREATE ROLE line for `role`. */
function passwordOf(sql: string, role: string): string {
	const m = new RegExp(`CREATE ROLE ${role} LOGIN PASSWORD '([^']+)'`).exec(sql);
	if (!m) throw new Error(`no CREATE ROLE ${role} … PASSWORD in the docs`);
	return m[1];
}

async function run(connection: object, sql: string): Promise<void> {
	const client = new Client(connection);
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

function request(groupId: string): ReviewRequest {
	return {
		id: randomUUID(),
		groupId,
		executionId: 'exec-docs',
		nodeId: 'node-docs',
		itemIndex: 0,
		reviewers: ['ann@example.com'],
		draftSha256: 'cd'.repeat(32),
		createdAt: '2026-01-01T00:00:00.000Z',
		expiresAt: '2099-01-01T00:00:00.000Z',
		status: 'pending',
		outcome: null,
		payload: { draft: { body: 'Hello' }, tier: 'high' },
		mac: null,
	};
}

function deadlineEvent(groupId: string): DeadlineEvent {
	return {
		id: `${groupId}#remind#1`,
		groupId,
		kind: 'remind',
		step: 1,
		dueAt: new Date(Date.now() - 60_000).toISOString(),
		target: `https://n8n.example.com/webhook-waiting/${groupId}`,
		executionId: 'exec-docs',
		nodeId: 'node-docs',
		status: 'scheduled',
		claim: null,
		attempts: 0,
		lastError: null,
		endedAt: null,
		result: null,
	};
}

let pg: TestPostgres;
beforeAll(async () => {
	pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
	await pg?.stop();
});

describe('docs/postgres-store.md, followed literally', () => {
	it('an empty Postgres → owner-created tables → the application role runs the store and cannot change the log', async () => {
		const doc = readFileSync(DOC, 'utf8');
		const step1 = sqlBlock(doc, 'step 1');
		const step3 = sqlBlock(doc, 'step 3');
		const database = 'n8n_hitl';
		const base = { host: pg.host, port: pg.port, database };
		const owner = { ...base, user: 'hitl_owner', password: passwordOf(step1, 'hitl_owner') };
		const app = { ...base, user: 'hitl_app', password: passwordOf(step1, 'hitl_app') };

		// Step 1, as the superuser (CREATE DATABASE cannot run inside a transaction block: one statement at a time).
		for (const statement of step1.split(';').map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean)) {
			await run(pg.connection, statement);
		}
		// The owner is no superuser; other roles cannot create tables in the new database's schema public.
		await expect(run({ ...app }, 'CREATE TABLE intruder (x int)')).rejects.toMatchObject({ code: '42501' });

		// Step 2: opening the store as the owner creates the tables.
		const chain = `docs${randomUUID().slice(0, 6)}`;
		const ownerStore = await PostgresReviewStore.open({ connection: owner, chain });
		await ownerStore.append({ event: 'note', comment: 'tables created by the owner' });
		await ownerStore.close();

		// Step 3, as the owner.
		await run(owner, step3);

		// The application role, as the nodes use the store.
		const store = await PostgresReviewStore.open({ connection: app, chain, checkpointKey: KEY });
		try {
			await store.append({ event: 'note', comment: 'by the application role' });
			const group = randomUUID();
			const req = request(group);
			await store.putReviewRequests([req]);
			expect(await store.resolveReviewRequest(req.id, resolutionFor(req, 'decided'))).toMatchObject({ applied: true });
			expect(await store.claimGroupResume(group)).toBe(true);
			await store.scheduleDeadlineEvents([deadlineEvent(group)]);
			const [claimed] = await store.claimDueDeadlineEvents(new Date(), 'docs-worker', 60_000, 5);
			expect(await store.finishDeadlineEvent(claimed.id, claimed.claim?.token ?? null, { status: 'done', result: 'acted', at: new Date() })).toBe(true);
			await store.recordDeadlineWorker({ worker: 'docs-worker', seenAt: new Date().toISOString(), intervalMs: 30_000 });
			expect((await store.listDeadlineWorkers()).map((w) => w.worker)).toEqual(['docs-worker']);
			expect(await store.cancelDeadlineEvents(group, new Date(), 'group_ended')).toBe(0);
			const noteKey = generateNoteKey('example.com/docs-test');
			await issueCheckpoint(store, { signer: signerFromPrivateKey(noteKey.privateKey), origin: 'example.com/docs-test' });
			expect((await store.listCheckpoints(1)).length).toBe(1);
			expect(await store.verify()).toMatchObject({ ok: true, recordsChecked: 3 });

			// …and cannot change or remove log rows.
			for (const sql of [`UPDATE hitl_review_log SET line = 'x'`, `DELETE FROM hitl_review_log`, 'TRUNCATE hitl_review_log']) {
				await expect(run(app, sql)).rejects.toMatchObject({ code: '42501' });
			}
		} finally {
			await store.close();
		}
	}, 60_000);

	it('upgrading: the application role opens a schema without the query indexes; the owner adds them with the docs block; Query then uses them', async () => {
		const doc = readFileSync(DOC, 'utf8');
		const step1 = sqlBlock(doc, 'step 1');
		const upgrade = sqlBlock(doc, 'query indexes');
		const base = { host: pg.host, port: pg.port, database: 'n8n_hitl' };
		const owner = { ...base, user: 'hitl_owner', password: passwordOf(step1, 'hitl_owner') };
		const app = { ...base, user: 'hitl_app', password: passwordOf(step1, 'hitl_app') };
		const indexes = ['hitl_review_log_item_key', 'hitl_review_log_reviewer', 'hitl_review_log_execution', 'hitl_review_log_event'];
		const present = async () => {
			const client = new Client(owner);
			await client.connect();
			try {
				const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM unnest($1::text[]) i WHERE to_regclass(i) IS NOT NULL', [indexes]);
				return Number(rows[0].n);
			} finally {
				await client.end();
			}
		};
		// As a store of an earlier version left it (the first test made the database and the roles).
		await run(owner, indexes.map((i) => `DROP INDEX IF EXISTS ${i};`).join('\n'));
		const chain = `upg${randomUUID().slice(0, 6)}`;
		const store = await PostgresReviewStore.open({ connection: app, chain });
		try {
			expect(await present()).toBe(0);
			await store.appendMany(Array.from({ length: 200 }, (_, i) => ({ event: 'note' as const, itemKey: `item-${i}` })));
			await run(owner, upgrade);
			await run(owner, 'ANALYZE hitl_review_log');
			expect(await present()).toBe(indexes.length);
			await run(owner, upgrade); // idempotent
			expect((await store.query({ itemKey: 'item-1' })).records.map((r) => r.itemKey)).toEqual(['item-1']);
			const client = new Client(app);
			await client.connect();
			try {
				await client.query('SET enable_seqscan = off');
				const { rows } = await client.query<{ 'QUERY PLAN': string }>(
					`EXPLAIN SELECT line FROM hitl_review_log WHERE chain = $1 AND item_key = $2 ORDER BY seq DESC LIMIT 51`,
					[chain, 'item-1'],
				);
				expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('hitl_review_log_item_key');
			} finally {
				await client.end();
			}
		} finally {
			await store.close();
		}
	});

	it('a full read commits its snapshot and sends no ROLLBACK after the COMMIT; a read stopped early rolls back', async () => {
		const chain = `read${randomUUID().slice(0, 6)}`;
		const store = await PostgresReviewStore.open({ connection: pg.connection, chain });
		try {
			for (let i = 0; i < 3; i++) await store.append({ event: 'note', comment: `n${i}` });
			const sent: string[] = [];
			const original = Client.prototype.query;
			const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
				if (typeof args[0] === 'string' && /^(BEGIN|COMMIT|ROLLBACK)/.test(args[0])) sent.push(args[0].split(' ')[0]);
				return (original as (...a: unknown[]) => unknown).apply(this, args);
			} as never);
			try {
				for await (const record of store.readAll()) expect(record.seq).toBeGreaterThan(0);
				expect(sent).toEqual(['BEGIN', 'COMMIT']);
				sent.length = 0;
				for await (const record of store.readAll()) {
					expect(record.seq).toBe(1);
					break;
				}
				expect(sent).toEqual(['BEGIN', 'ROLLBACK']);
			} finally {
				spy.mockRestore();
			}
		} finally {
			await store.close();
		}
	});
});
