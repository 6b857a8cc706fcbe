/**
 * "The log decides", at the store: ending a review request is one atomic step on both backends — its
 * terminal record is in the chain and the request is decided, or neither. A request never gets a second
 * terminal record, even under 50 concurrent resolutions from several store instances; a stored status
 * alone decides nothing; a record the store cannot take leaves the request pending; and the file
 * backend's index is rebuilt from the chain after a crash between the record and the index update.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { MAX_RECORD_BYTES, RecordError } from '../../../core/chain';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import { isRequestTerminalRecord, requestBindingOf } from '../../../core/store/requests';
import { REQUEST_BINDING_KEY, type ReviewRecord, type ReviewRequest, type ReviewStore } from '../../../core/store/types';
import { bothBackends, type Opener } from './bothBackends';
import { pendingRequest, resolutionFor } from './helpers';

const env = bothBackends('resolution');
const { backends } = env;

const request = pendingRequest;

async function terminalRecordsIn(store: ReviewStore, id: string): Promise<ReviewRecord[]> {
	const out: ReviewRecord[] = [];
	for await (const r of store.readAll()) if (isRequestTerminalRecord(r) && requestBindingOf(r)?.id === id) out.push(r);
	return out;
}

describe.each(backends)('%s backend: resolving a request', (_name, open) => {
	const stores: ReviewStore[] = [];
	const openStore: Opener = async (chain) => {
		const s = await open(chain);
		stores.push(s);
		return s;
	};
	const chain = () => `r${randomUUID().slice(0, 8)}`;
	afterAll(async () => {
		for (const s of stores) await s.close();
	});

	it('writes the terminal record and the new state together; the chain says how it ended', async () => {
		const store = await openStore(chain());
		const req = request();
		await store.putReviewRequests([req]);
		expect(await store.terminalRecord(req.id)).toBeNull();
		const result = await store.resolveReviewRequest(req.id, resolutionFor(req, 'decided', 'bob@example.com', 'rejected'));
		expect(result.applied).toBe(true);
		expect(result.record).toMatchObject({ event: 'decided', decision: 'rejected', reviewerId: 'bob@example.com' });
		expect(await store.terminalRecord(req.id)).toEqual(result.record);
		expect(await store.getReviewRequest(req.id)).toMatchObject({ status: 'decided', outcome: { reviewerId: 'bob@example.com' } });
		expect(await terminalRecordsIn(store, req.id)).toEqual([result.record]);
		expect(await store.verify()).toMatchObject({ ok: true });
	});

	it('a record the store cannot take leaves the request pending and the log unchanged; a retry works', async () => {
		const store = await openStore(chain());
		const req = request();
		await store.putReviewRequests([req]);
		const before = await store.head();
		const huge = resolutionFor(req, 'decided');
		huge.record = { ...huge.record, comment: 'x'.repeat(MAX_RECORD_BYTES) };
		await expect(store.resolveReviewRequest(req.id, huge)).rejects.toThrow(RecordError);
		expect(await store.head()).toEqual(before);
		expect(await store.getReviewRequest(req.id)).toMatchObject({ status: 'pending', outcome: null });
		expect(await store.terminalRecord(req.id)).toBeNull();
		expect(await store.resolveReviewRequest(req.id, resolutionFor(req, 'decided'))).toMatchObject({ applied: true });
	});

	it('refuses a resolution whose record does not name the request, and a plain append of a request binding', async () => {
		const store = await openStore(chain());
		const req = request();
		await store.putReviewRequests([req]);
		const other = resolutionFor({ ...req, id: 'someone-else' }, 'decided');
		await expect(store.resolveReviewRequest(req.id, other)).rejects.toThrow(/must carry details.hitlRequest naming request/);
		const wrongEvent = { ...resolutionFor(req, 'decided'), status: 'expired' as const, outcome: null };
		await expect(store.resolveReviewRequest(req.id, wrongEvent)).rejects.toThrow(/needs a "expired" record/);
		await expect(
			store.append({ event: 'decided', decision: 'approved', reviewerId: 'ann@example.com', details: { [REQUEST_BINDING_KEY]: { id: req.id } } }),
		).rejects.toThrow(/reserved/);
		expect(await store.terminalRecord(req.id)).toBeNull();
		expect((await store.head()).seq).toBe(0);
	});

	it('50 concurrent resolutions (approve, reject, expire; 4 store instances): one terminal record, every caller sees it', async () => {
		const c = chain();
		const clients = [await openStore(c), await openStore(c), await openStore(c), await openStore(c)];
		const req = request();
		await clients[0].putReviewRequests([req]);
		const results = await Promise.all(
			Array.from({ length: 50 }, (_, i) => {
				const resolution =
					i % 5 === 4 ? resolutionFor(req, 'expired') : resolutionFor(req, 'decided', `r${i}@example.com`, i % 2 ? 'rejected' : 'approved');
				return clients[i % clients.length].resolveReviewRequest(req.id, resolution);
			}),
		);
		const winners = results.filter((r) => r.applied);
		expect(winners).toHaveLength(1);
		const winner = winners[0].record as ReviewRecord;
		for (const r of results) expect(r.record?.hash).toBe(winner.hash);
		expect(await terminalRecordsIn(clients[1], req.id)).toHaveLength(1);
		for (const client of clients) expect((await client.terminalRecord(req.id))?.hash).toBe(winner.hash);
		expect(await clients[2].verify()).toMatchObject({ ok: true });
	});

	it('a stored status alone decides nothing: a request marked decided without a record can still be decided once', async () => {
		const c = chain();
		const store = await openStore(c);
		const req = request();
		await store.putReviewRequests([req]);
		await forgeDecided(_name, c, req);
		const forged = await store.getReviewRequest(req.id);
		expect(forged?.status).toBe('decided');
		expect(await store.terminalRecord(req.id)).toBeNull();
		const result = await store.resolveReviewRequest(req.id, resolutionFor(req, 'decided', 'ann@example.com'));
		expect(result).toMatchObject({ applied: true, record: { reviewerId: 'ann@example.com' } });
		expect(await store.resolveReviewRequest(req.id, resolutionFor(req, 'expired'))).toMatchObject({ applied: false });
	});

	it('lists overdue pending requests, oldest deadline first; ended ones drop out', async () => {
		const store = await openStore(chain());
		const group = randomUUID();
		const late = request({ groupId: group, expiresAt: '2026-01-03T00:00:00.000Z', itemIndex: 1 });
		const later = request({ groupId: group, expiresAt: '2026-01-02T00:00:00.000Z', itemIndex: 2 });
		const future = request({ groupId: group, expiresAt: '2099-01-01T00:00:00.000Z', itemIndex: 3 });
		await store.putReviewRequests([late, later, future]);
		const now = new Date('2026-06-01T00:00:00.000Z');
		const overdueIds = async () => (await store.listOverdueRequests(now)).map((r) => r.id).filter((id) => [late.id, later.id, future.id].includes(id));
		expect(await overdueIds()).toEqual([later.id, late.id]);
		await store.resolveReviewRequest(later.id, resolutionFor(later, 'expired'));
		expect(await overdueIds()).toEqual([late.id]);
	});
});

/** Marks a request decided in the working state only, as someone with write access to the store could. */
async function forgeDecided(backend: string, chain: string, req: ReviewRequest): Promise<void> {
	const outcome = { decision: 'approved', reviewerId: 'mallory@example.com', decidedAt: '2026-01-01T00:00:00.000Z', comment: null, edits: [], finalJson: { pay: 1_000_000 } };
	if (backend === 'postgres') {
		const { Client } = await import('pg');
		const client = new Client(env.pg.connection);
		await client.connect();
		try {
			await client.query(
				`UPDATE hitl_review_request SET status = 'decided', data = data || jsonb_build_object('status', 'decided', 'outcome', $2::jsonb) WHERE id = $1`,
				[req.id, JSON.stringify(outcome)],
			);
		} finally {
			await client.end();
		}
		return;
	}
	const requestsDir = join(env.dir, `${chain}.requests`);
	const file = readdirSync(requestsDir).find((n) => n.startsWith('g-'));
	const path = join(requestsDir, file as string);
	const group = JSON.parse(readFileSync(path, 'utf8')) as { requests: ReviewRequest[] };
	group.requests[0] = { ...group.requests[0], status: 'decided', outcome: outcome as ReviewRequest['outcome'] };
	writeFileSync(path, JSON.stringify(group));
}

describe('postgres: a failure inside the resolution rolls everything back', () => {
	it('an INSERT that fails leaves the request pending with no record; after the fault, it resolves once', async () => {
		const chain = `p${randomUUID().slice(0, 8)}`;
		const store = await PostgresReviewStore.open({ connection: env.pg.connection, chain });
		const { Client } = await import('pg');
		const admin = new Client(env.pg.connection);
		await admin.connect();
		try {
			const req = request();
			await store.putReviewRequests([req]);
			await admin.query(`CREATE OR REPLACE FUNCTION hitl_test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.chain = '${chain}' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END $$`);
			await admin.query(`CREATE TRIGGER hitl_test_fail BEFORE INSERT ON hitl_review_log FOR EACH ROW EXECUTE FUNCTION hitl_test_fail_insert()`);
			await expect(store.resolveReviewRequest(req.id, resolutionFor(req, 'decided'))).rejects.toThrow(/disk full/);
			expect(await store.getReviewRequest(req.id)).toMatchObject({ status: 'pending', outcome: null });
			expect(await store.terminalRecord(req.id)).toBeNull();
			await admin.query('DROP TRIGGER hitl_test_fail ON hitl_review_log');
			expect(await store.resolveReviewRequest(req.id, resolutionFor(req, 'decided'))).toMatchObject({ applied: true });
			expect(await store.getReviewRequest(req.id)).toMatchObject({ status: 'decided' });
		} finally {
			await admin.query('DROP TRIGGER IF EXISTS hitl_test_fail ON hitl_review_log').catch(() => undefined);
			await admin.end();
			await store.close();
		}
	});
});

describe('file: the request index is rebuilt from the chain', () => {
	it('a crash after the record and before the index update loses nothing: the next open replays the record', async () => {
		const chain = `f${randomUUID().slice(0, 8)}`;
		const first = await JsonlReviewStore.open({ directory: env.dir, chain });
		const req = request();
		await first.putReviewRequests([req]);
		const requestsDir = join(env.dir, `${chain}.requests`);
		const groupFile = join(requestsDir, readdirSync(requestsDir).find((n) => n.startsWith('g-')) as string);
		const beforeDecision = `${groupFile}.before`;
		copyFileSync(groupFile, beforeDecision);
		const resolution = resolutionFor(req, 'decided', 'bob@example.com');
		const { record } = await first.resolveReviewRequest(req.id, resolution);
		await first.close();
		// The state a crash right after the record's fsync leaves: index as before, no watermark.
		copyFileSync(beforeDecision, groupFile);
		rmSync(beforeDecision);
		rmSync(join(requestsDir, 'watermark.json'), { force: true });

		const second = await JsonlReviewStore.open({ directory: env.dir, chain });
		try {
			const rebuilt = await second.getReviewRequest(req.id);
			expect(rebuilt).toMatchObject({ status: 'decided', outcome: { reviewerId: 'bob@example.com', finalJson: resolution.outcome?.finalJson } });
			expect((await second.terminalRecord(req.id))?.hash).toBe(record?.hash);
			expect(await second.resolveReviewRequest(req.id, resolutionFor(req, 'expired'))).toMatchObject({ applied: false });
			expect(await terminalRecordsIn(second, req.id)).toHaveLength(1);
		} finally {
			await second.close();
		}
	});
});
