/**
 * The deadline schedule of the review store (scheduleDeadlineEvents … listDeadlineWorkers), run against
 * both backends: the JSONL file store and a real Postgres server (test/support/postgres.ts), including
 * several processes claiming one set of due events at once.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { StoreCorruptError, StoreUsageError } from '../../../core/store/errors';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { closeAllReviewStores, openReviewStore } from '../../../core/store/index';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import type { DeadlineActionKind, DeadlineEvent, ReviewStore } from '../../../core/store/types';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { tempDir } from './helpers';
import { transpiledRoot } from './transpile';

let pg: TestPostgres;
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
	({ dir, cleanup } = tempDir('deadlines'));
	pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
	await closeAllReviewStores();
	await pg?.stop();
	cleanup();
});

type Backend = 'file' | 'postgres';
type Opener = (chain: string, options?: { now?: () => Date }) => Promise<ReviewStore>;
const backends: Array<[Backend, Opener]> = [
	['file', (chain, o) => JsonlReviewStore.open({ directory: dir, chain, now: o?.now })],
	['postgres', (chain, o) => PostgresReviewStore.open({ connection: pg.connection, chain, now: o?.now })],
];

const MIN = 60_000;
// Near the real clock: the stores drop ended events a week after they ended, by their own clock.
const T0 = Math.floor(Date.now() / MIN) * MIN;
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function event(groupId: string, kind: DeadlineActionKind, step: number, dueOffsetMs: number, extra: Partial<DeadlineEvent> = {}): DeadlineEvent {
	return {
		id: `${groupId}#${kind}#${step}`,
		groupId,
		kind,
		step,
		dueAt: at(dueOffsetMs).toISOString(),
		target: `https://n8n.example.com/webhook-waiting/${groupId}?signature=abc`,
		executionId: 'exec-1',
		nodeId: 'node-1',
		status: 'scheduled',
		claim: null,
		attempts: 0,
		lastError: null,
		endedAt: null,
		result: null,
		...extra,
	};
}

const ids = (events: DeadlineEvent[]) => events.map((e) => e.id);

describe.each(backends)('deadline schedule, %s backend', (backend, open) => {
	const stores: ReviewStore[] = [];
	const openStore: Opener = async (chain, o) => {
		const s = await open(chain, o);
		stores.push(s);
		return s;
	};
	const chain = () => `d${randomUUID().slice(0, 8)}`;
	const group = () => `g-${randomUUID()}`;
	afterAll(async () => {
		for (const s of stores) await s.close();
	});

	it('schedules events once: an id already stored (or given twice) keeps the first', async () => {
		const store = await openStore(chain());
		const g = group();
		const first = event(g, 'remind', 1, -MIN);
		await store.scheduleDeadlineEvents([first]);
		await store.scheduleDeadlineEvents([{ ...first, dueAt: at(5 * MIN).toISOString(), target: 'https://elsewhere.example.com/x' }, event(g, 'deadline', 0, 10 * MIN)]);
		const dup = event(g, 'escalate', 1, 2 * MIN);
		await store.scheduleDeadlineEvents([dup, { ...dup, step: 7 }]);
		await store.scheduleDeadlineEvents([]);
		expect(await store.listDeadlineEvents(g)).toEqual([first, dup, event(g, 'deadline', 0, 10 * MIN)]);
		expect(await store.listDeadlineEvents(group())).toEqual([]);
	});

	it('claims only due events, oldest due first, at most `limit`, with a fresh token and a lease', async () => {
		const store = await openStore(chain());
		const g = group();
		const now = at(0);
		await store.scheduleDeadlineEvents([
			event(g, 'remind', 2, -1 * MIN),
			event(g, 'deadline', 0, 1), // due 1 ms after now: not yet
			event(g, 'remind', 1, -3 * MIN),
			event(g, 'escalate', 1, 0), // due exactly now
			event(g, 'escalate', 2, -2 * MIN),
		]);
		const first = await store.claimDueDeadlineEvents(now, 'host/1', 30_000, 2);
		expect(ids(first)).toEqual([`${g}#remind#1`, `${g}#escalate#2`]);
		for (const e of first) {
			expect(e).toMatchObject({ status: 'scheduled', attempts: 1, claim: { by: 'host/1', until: at(30_000).toISOString() } });
			expect(e.claim?.token).toMatch(TOKEN);
		}
		expect(first[0].claim?.token).not.toBe(first[1].claim?.token);
		const second = await store.claimDueDeadlineEvents(now, 'host/2', 30_000, 10);
		expect(ids(second)).toEqual([`${g}#remind#2`, `${g}#escalate#1`]);
		expect(await store.claimDueDeadlineEvents(now, 'host/3', 30_000, 10)).toEqual([]);
		// What a claim returned is what is stored.
		const stored = await store.listDeadlineEvents(g);
		expect(stored.filter((e) => e.claim !== null)).toEqual(expect.arrayContaining([...first, ...second]));
		expect(stored.find((e) => e.kind === 'deadline')).toMatchObject({ claim: null, attempts: 0 });
		const later = await store.claimDueDeadlineEvents(at(1), 'host/3', 30_000, 10);
		expect(ids(later)).toEqual([`${g}#deadline#0`]);
	});

	it('does not claim a held event again before its lease passes, and does after', async () => {
		const store = await openStore(chain());
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN)]);
		const [held] = await store.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 5);
		expect(await store.claimDueDeadlineEvents(at(59_999), 'host/2', 60_000, 5)).toEqual([]);
		const [again] = await store.claimDueDeadlineEvents(at(60_000), 'host/2', 60_000, 5);
		expect(again).toMatchObject({ id: held.id, attempts: 2, claim: { by: 'host/2', until: at(120_000).toISOString() } });
		expect(again.claim?.token).not.toBe(held.claim?.token);
	});

	it('finishes with the right token, not a wrong one; without a token any scheduled event; never twice', async () => {
		const store = await openStore(chain());
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'deadline', 0, -MIN), event(g, 'escalate', 1, 5 * MIN)]);
		const claimed = await store.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 5);
		const remind = claimed.find((e) => e.kind === 'remind') as DeadlineEvent;
		const deadline = claimed.find((e) => e.kind === 'deadline') as DeadlineEvent;
		expect(await store.finishDeadlineEvent(remind.id, randomUUID(), { status: 'done', result: 'acted', at: at(1000) })).toBe(false);
		expect(await store.finishDeadlineEvent(remind.id, deadline.claim?.token ?? null, { status: 'done', result: 'acted', at: at(1000) })).toBe(false);
		expect(await store.finishDeadlineEvent(remind.id, remind.claim?.token ?? null, { status: 'done', result: 'acted', at: at(1000) })).toBe(true);
		expect(await store.finishDeadlineEvent(remind.id, remind.claim?.token ?? null, { status: 'done', result: 'acted', at: at(2000) })).toBe(false);
		expect(await store.finishDeadlineEvent(remind.id, null, { status: 'cancelled', result: 'group_ended', at: at(2000) })).toBe(false);
		// The gate (no token) ends a claimed event, and an unclaimed one.
		expect(await store.finishDeadlineEvent(deadline.id, null, { status: 'done', result: 'acted', at: at(3000) })).toBe(true);
		expect(await store.finishDeadlineEvent(`${g}#escalate#1`, null, { status: 'cancelled', result: 'execution_gone', at: at(4000) })).toBe(true);
		expect(await store.finishDeadlineEvent(`${g}#remind#9`, null, { status: 'done', result: 'acted', at: at(4000) })).toBe(false);
		const byKind = Object.fromEntries((await store.listDeadlineEvents(g)).map((e) => [e.kind, e]));
		expect(byKind.remind).toMatchObject({ status: 'done', result: 'acted', endedAt: at(1000).toISOString(), claim: null, attempts: 1, lastError: null });
		expect(byKind.deadline).toMatchObject({ status: 'done', result: 'acted', endedAt: at(3000).toISOString(), claim: null });
		expect(byKind.escalate).toMatchObject({ status: 'cancelled', result: 'execution_gone', endedAt: at(4000).toISOString(), claim: null, attempts: 0 });
		// Ended events are never claimed.
		expect(await store.claimDueDeadlineEvents(at(10 * MIN), 'host/2', 60_000, 10)).toEqual([]);
	});

	it('a holder whose lease ran out may still finish, unless another worker claimed the event since', async () => {
		const store = await openStore(chain());
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'remind', 2, -MIN)]);
		const [a, b] = await store.claimDueDeadlineEvents(at(0), 'host/1', 1000, 5);
		// `a`: lease passed, nobody else claimed it: its holder still ends it.
		expect(await store.finishDeadlineEvent(a.id, a.claim?.token ?? null, { status: 'done', result: 'acted', at: at(5000) })).toBe(true);
		// `b`: lease passed and host/2 reclaimed it: host/1's token is void.
		const [b2] = await store.claimDueDeadlineEvents(at(5000), 'host/2', 60_000, 5);
		expect(b2.id).toBe(b.id);
		expect(await store.finishDeadlineEvent(b.id, b.claim?.token ?? null, { status: 'done', result: 'acted', at: at(6000) })).toBe(false);
		expect(await store.finishDeadlineEvent(b.id, b.claim?.token ?? null, { status: 'scheduled', error: 'late', at: at(6000) })).toBe(false);
		expect((await store.listDeadlineEvents(g)).find((e) => e.id === b.id)).toMatchObject({ status: 'scheduled', claim: { by: 'host/2' }, lastError: null });
		expect(await store.finishDeadlineEvent(b.id, b2.claim?.token ?? null, { status: 'done', result: 'acted', at: at(7000) })).toBe(true);
	});

	it('releasing with an error frees the event for a retry that counts a second attempt and keeps the error', async () => {
		const store = await openStore(chain());
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'escalate', 1, -MIN)]);
		const [first] = await store.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 5);
		expect(await store.finishDeadlineEvent(first.id, first.claim?.token ?? null, { status: 'scheduled', error: 'HTTP 502 from the waiting webhook', at: at(1000) })).toBe(true);
		const [released] = await store.listDeadlineEvents(g);
		expect(released).toMatchObject({ status: 'scheduled', claim: null, attempts: 1, lastError: 'HTTP 502 from the waiting webhook', endedAt: null, result: null });
		// Its released token no longer ends it.
		expect(await store.finishDeadlineEvent(first.id, first.claim?.token ?? null, { status: 'done', result: 'acted', at: at(1500) })).toBe(false);
		expect(ids(await store.listOverdueDeadlineEvents(at(2000)))).toEqual([first.id]);
		const [retry] = await store.claimDueDeadlineEvents(at(2000), 'host/2', 60_000, 5);
		expect(retry).toMatchObject({ id: first.id, attempts: 2, lastError: 'HTTP 502 from the waiting webhook', claim: { by: 'host/2' } });
		expect(await store.finishDeadlineEvent(retry.id, retry.claim?.token ?? null, { status: 'done', result: 'acted', at: at(3000) })).toBe(true);
		expect((await store.listDeadlineEvents(g))[0]).toMatchObject({ status: 'done', attempts: 2, lastError: 'HTTP 502 from the waiting webhook' });
	});

	it('cancels only the scheduled events of the one group', async () => {
		const store = await openStore(chain());
		const g = group();
		const other = group();
		await store.scheduleDeadlineEvents([
			event(g, 'remind', 1, -2 * MIN),
			event(g, 'escalate', 1, -MIN),
			event(g, 'deadline', 0, 60 * MIN),
			event(other, 'deadline', 0, 5 * MIN),
		]);
		const [done] = await store.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 1);
		expect(await store.finishDeadlineEvent(done.id, done.claim?.token ?? null, { status: 'done', result: 'acted', at: at(1000) })).toBe(true);
		await store.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 1); // escalate#1: held by a worker, still cancelled
		expect(await store.cancelDeadlineEvents(g, at(2000), 'group_ended')).toBe(2);
		expect(await store.cancelDeadlineEvents(g, at(3000), 'group_ended')).toBe(0);
		const events = await store.listDeadlineEvents(g);
		expect(events.map((e) => [e.kind, e.status, e.result, e.endedAt, e.claim])).toEqual([
			['remind', 'done', 'acted', at(1000).toISOString(), null],
			['escalate', 'cancelled', 'group_ended', at(2000).toISOString(), null],
			['deadline', 'cancelled', 'group_ended', at(2000).toISOString(), null],
		]);
		expect(await store.listDeadlineEvents(other)).toEqual([event(other, 'deadline', 0, 5 * MIN)]);
		expect(await store.cancelDeadlineEvents(group(), at(2000), 'group_ended')).toBe(0);
	});

	it("another chain's events and workers are invisible", async () => {
		const a = await openStore(chain());
		const b = await openStore(chain());
		const g = group();
		const ea = event(g, 'remind', 1, -MIN);
		const eb = { ...ea, target: 'https://b.example.com/hook' };
		await a.scheduleDeadlineEvents([ea]);
		expect(await b.listDeadlineEvents(g)).toEqual([]);
		expect(await b.listOverdueDeadlineEvents(at(0))).toEqual([]);
		expect(await b.claimDueDeadlineEvents(at(0), 'host/b', 60_000, 10)).toEqual([]);
		expect(await b.finishDeadlineEvent(ea.id, null, { status: 'done', result: 'acted', at: at(0) })).toBe(false);
		expect(await b.cancelDeadlineEvents(g, at(0), 'group_ended')).toBe(0);
		// The same id in the other chain is a different event.
		await b.scheduleDeadlineEvents([eb]);
		expect(await b.listDeadlineEvents(g)).toEqual([eb]);
		expect(await a.listDeadlineEvents(g)).toEqual([ea]);
		const [claimedA] = await a.claimDueDeadlineEvents(at(0), 'host/a', 60_000, 10);
		expect(claimedA.target).toBe(ea.target);
		const [claimedB] = await b.claimDueDeadlineEvents(at(0), 'host/b', 60_000, 10);
		expect(claimedB).toMatchObject({ target: eb.target, attempts: 1 });
		expect(await a.finishDeadlineEvent(ea.id, claimedB.claim?.token ?? null, { status: 'done', result: 'acted', at: at(1) })).toBe(false);
		await a.recordDeadlineWorker({ worker: 'host/a', seenAt: at(0).toISOString(), intervalMs: 30_000 });
		expect(await b.listDeadlineWorkers()).toEqual([]);
		expect(await a.listDeadlineWorkers()).toEqual([{ worker: 'host/a', seenAt: at(0).toISOString(), intervalMs: 30_000 }]);
	});

	it('lists overdue events nobody holds: due strictly before now, held ones left out until their lease passes', async () => {
		const store = await openStore(chain());
		const g = group();
		await store.scheduleDeadlineEvents([
			event(g, 'remind', 1, -3 * MIN),
			event(g, 'remind', 2, -2 * MIN),
			event(g, 'escalate', 1, -MIN),
			event(g, 'deadline', 0, 0),
		]);
		const [held] = await store.claimDueDeadlineEvents(at(-3 * MIN), 'host/1', 4 * MIN, 1);
		expect(held.id).toBe(`${g}#remind#1`);
		expect(ids(await store.listOverdueDeadlineEvents(at(0)))).toEqual([`${g}#remind#2`, `${g}#escalate#1`]);
		expect(ids(await store.listOverdueDeadlineEvents(at(0), 1))).toEqual([`${g}#remind#2`]);
		// The lease ends at +1 min: then it is overdue and unattended again.
		expect(ids(await store.listOverdueDeadlineEvents(at(MIN + 1)))).toEqual([`${g}#remind#1`, `${g}#remind#2`, `${g}#escalate#1`, `${g}#deadline#0`]);
		await store.cancelDeadlineEvents(g, at(0), 'group_ended');
		expect(await store.listOverdueDeadlineEvents(at(10 * MIN))).toEqual([]);
	});

	it('keeps one beat per worker, newest first', async () => {
		const store = await openStore(chain());
		expect(await store.listDeadlineWorkers()).toEqual([]);
		await store.recordDeadlineWorker({ worker: 'host/1', seenAt: at(0).toISOString(), intervalMs: 30_000 });
		await store.recordDeadlineWorker({ worker: 'host/2', seenAt: at(1000).toISOString(), intervalMs: 60_000 });
		expect(await store.listDeadlineWorkers()).toEqual([
			{ worker: 'host/2', seenAt: at(1000).toISOString(), intervalMs: 60_000 },
			{ worker: 'host/1', seenAt: at(0).toISOString(), intervalMs: 30_000 },
		]);
		await store.recordDeadlineWorker({ worker: 'host/1', seenAt: at(2000).toISOString(), intervalMs: 15_000 });
		expect(await store.listDeadlineWorkers()).toEqual([
			{ worker: 'host/1', seenAt: at(2000).toISOString(), intervalMs: 15_000 },
			{ worker: 'host/2', seenAt: at(1000).toISOString(), intervalMs: 60_000 },
		]);
	});

	it('drops events that ended more than a week ago, and beats of workers silent that long', async () => {
		let clock = T0;
		const store = await openStore(chain(), { now: () => new Date(clock) });
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'deadline', 0, 30 * 24 * 60 * MIN)]);
		await store.finishDeadlineEvent(`${g}#remind#1`, null, { status: 'done', result: 'acted', at: at(0) });
		await store.recordDeadlineWorker({ worker: 'host/old', seenAt: at(0).toISOString(), intervalMs: 30_000 });
		clock = T0 + 7 * 24 * 60 * MIN + 1;
		await store.scheduleDeadlineEvents([event(group(), 'remind', 1, 0)]);
		await store.recordDeadlineWorker({ worker: 'host/new', seenAt: new Date(clock).toISOString(), intervalMs: 30_000 });
		expect(ids(await store.listDeadlineEvents(g))).toEqual([`${g}#deadline#0`]);
		expect((await store.listDeadlineWorkers()).map((w) => w.worker)).toEqual(['host/new']);
	});

	it('refuses invalid input with StoreUsageError and changes nothing', async () => {
		const store = await openStore(chain());
		const g = group();
		const ok = event(g, 'remind', 1, -MIN);
		const bad: Array<Partial<DeadlineEvent> | Record<string, unknown>> = [
			{ id: '' },
			{ id: 42 },
			{ groupId: '' },
			{ kind: 'nag' },
			{ step: -1 },
			{ step: 1.5 },
			{ dueAt: 'tomorrow' },
			{ dueAt: '2026-13-45T00:00:00Z' },
			{ dueAt: '2026-03-01T12:00:00' }, // no time zone
			{ target: 'ftp://n8n.example.com/x' },
			{ target: 'javascript:alert(1)' },
			{ target: 'not a url' },
			{ executionId: '' },
			{ nodeId: null },
			{ status: 'pending' },
			{ attempts: -1 },
			{ status: 'done' }, // ended without endedAt
		];
		for (const change of bad) {
			await expect(store.scheduleDeadlineEvents([ok, { ...ok, ...change } as DeadlineEvent])).rejects.toThrow(StoreUsageError);
		}
		await expect(store.scheduleDeadlineEvents(null as unknown as DeadlineEvent[])).rejects.toThrow(StoreUsageError);
		expect(await store.listDeadlineEvents(g)).toEqual([]);
		await store.scheduleDeadlineEvents([ok]);

		const now = at(0);
		for (const args of [
			[new Date('nope'), 'w', 1000, 1],
			['2026-01-01' as unknown as Date, 'w', 1000, 1],
			[now, '', 1000, 1],
			[now, 'w', 0, 1],
			[now, 'w', -5, 1],
			[now, 'w', Number.NaN, 1],
			[now, 'w', 1000, 0],
			[now, 'w', 1000, 1001],
			[now, 'w', 1000, 2.5],
		] as Array<[Date, string, number, number]>) {
			await expect(store.claimDueDeadlineEvents(...args)).rejects.toThrow(StoreUsageError);
		}
		await expect(store.finishDeadlineEvent('', null, { status: 'done', result: 'acted', at: now })).rejects.toThrow(StoreUsageError);
		await expect(store.finishDeadlineEvent(ok.id, '', { status: 'done', result: 'acted', at: now })).rejects.toThrow(StoreUsageError);
		await expect(store.finishDeadlineEvent(ok.id, null, { status: 'finished' as never, at: now })).rejects.toThrow(StoreUsageError);
		await expect(store.finishDeadlineEvent(ok.id, null, { status: 'done', at: new Date(Number.NaN) })).rejects.toThrow(StoreUsageError);
		await expect(store.cancelDeadlineEvents('', now, 'group_ended')).rejects.toThrow(StoreUsageError);
		await expect(store.cancelDeadlineEvents(g, now, '')).rejects.toThrow(StoreUsageError);
		await expect(store.cancelDeadlineEvents(g, 'now' as unknown as Date, 'x')).rejects.toThrow(StoreUsageError);
		await expect(store.listDeadlineEvents('')).rejects.toThrow(StoreUsageError);
		await expect(store.listOverdueDeadlineEvents(now, 0)).rejects.toThrow(StoreUsageError);
		await expect(store.listOverdueDeadlineEvents(new Date(Number.NaN))).rejects.toThrow(StoreUsageError);
		await expect(store.recordDeadlineWorker({ worker: '', seenAt: now.toISOString(), intervalMs: 1000 })).rejects.toThrow(StoreUsageError);
		await expect(store.recordDeadlineWorker({ worker: 'w', seenAt: 'just now', intervalMs: 1000 })).rejects.toThrow(StoreUsageError);
		await expect(store.recordDeadlineWorker({ worker: 'w', seenAt: now.toISOString(), intervalMs: 0 })).rejects.toThrow(StoreUsageError);
		// Nothing of the refused calls landed.
		expect(await store.listDeadlineEvents(g)).toEqual([ok]);
		expect(await store.listDeadlineWorkers()).toEqual([]);
	});

	it('the shared store handle (openReviewStore) passes every deadline method through', async () => {
		const c = chain();
		const handle = await openReviewStore(backend === 'file' ? { backend: 'file', directory: dir, chain: c } : { backend: 'postgres', connection: pg.connection, chain: c });
		try {
			const g = group();
			await handle.scheduleDeadlineEvents([event(g, 'remind', 1, -2 * MIN), event(g, 'deadline', 0, -MIN)]);
			const claimed = await handle.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 1);
			expect(await handle.finishDeadlineEvent(claimed[0].id, claimed[0].claim?.token ?? null, { status: 'done', result: 'acted', at: at(1) })).toBe(true);
			expect(ids(await handle.listOverdueDeadlineEvents(at(1)))).toEqual([`${g}#deadline#0`]);
			expect(await handle.cancelDeadlineEvents(g, at(2), 'group_ended')).toBe(1);
			expect((await handle.listDeadlineEvents(g)).map((e) => e.status)).toEqual(['done', 'cancelled']);
			await handle.recordDeadlineWorker({ worker: 'host/1', seenAt: at(0).toISOString(), intervalMs: 1000 });
			expect(await handle.listDeadlineWorkers()).toHaveLength(1);
		} finally {
			await handle.close();
		}
	});

	it('several processes claiming the same due events at once: each event is claimed exactly once', async () => {
		const c = chain();
		const store = await openStore(c);
		const events = Array.from({ length: 50 }, (_, i) => event(`g-${i % 10}-${randomUUID()}`, 'remind', 1 + (i % 3), -(i + 1) * 1000));
		await store.scheduleDeadlineEvents(events);
		// One event per claim: 50 rounds of the lock (or row locks) per run, so the five really interleave.
		const children = Array.from({ length: 5 }, () => startClaimer(backend, c, at(0), 10 * MIN, 1));
		expect(await Promise.all(children.map((ch) => ch.ready))).toEqual(children.map(() => true));
		for (const ch of children) ch.go();
		const exits = await Promise.all(children.map((ch) => ch.exited));
		for (const exit of exits) expect(exit).toEqual({ code: 0, stderr: '' });
		const claims = children.flatMap((ch) => ch.claims);
		const claimedIds = claims.map((x) => x.id).sort();
		expect(claimedIds).toEqual(ids(events).sort()); // all, and none twice
		expect(claims.every((x) => x.attempts === 1)).toBe(true);
		// More than one process took part (each takes one at a time: 50 claims).
		expect(children.filter((ch) => ch.claims.length > 0).length).toBeGreaterThan(1);
		// Every printed token is the one holding its event now.
		for (const x of claims) expect(await store.finishDeadlineEvent(x.id, x.token, { status: 'done', result: 'acted', at: at(1000) })).toBe(true);
		expect(await store.listOverdueDeadlineEvents(at(20 * MIN), 1000)).toEqual([]);
	}, 60_000);

	if (backend === 'file') {
		it('refuses a damaged schedule file with StoreCorruptError and leaves it as it is', async () => {
			const c = chain();
			const store = await openStore(c);
			const g = group();
			await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN)]);
			const path = join(dir, `${c}.deadlines.json`);
			for (const damage of ['{"v":1,"chain":"', '', 'null', '{"v":2,"events":[]}', JSON.stringify({ v: 1, chain: 'other', events: [] }),
				JSON.stringify({ v: 1, chain: c, events: [{ ...event(g, 'remind', 1, -MIN), kind: 'nag' }] })]) {
				writeFileSync(path, damage);
				await expect(store.listDeadlineEvents(g)).rejects.toThrow(StoreCorruptError);
				await expect(store.claimDueDeadlineEvents(at(0), 'host/1', 1000, 10)).rejects.toThrow(StoreCorruptError);
				await expect(store.scheduleDeadlineEvents([event(g, 'deadline', 0, MIN)])).rejects.toThrow(StoreCorruptError);
				await expect(store.cancelDeadlineEvents(g, at(0), 'group_ended')).rejects.toThrow(StoreCorruptError);
				await expect(store.listOverdueDeadlineEvents(at(0))).rejects.toThrow(StoreCorruptError);
				expect(readFileSync(path, 'utf8')).toBe(damage);
			}
			const workers = join(dir, `${c}.deadline-workers.json`);
			writeFileSync(workers, '[oops');
			await expect(store.listDeadlineWorkers()).rejects.toThrow(StoreCorruptError);
			await expect(store.recordDeadlineWorker({ worker: 'w', seenAt: at(0).toISOString(), intervalMs: 1000 })).rejects.toThrow(StoreCorruptError);
			expect(readFileSync(workers, 'utf8')).toBe('[oops');
		});

		it('a read-only store reads the schedule but refuses every change', async () => {
			const c = chain();
			const writer = await openStore(c);
			const g = group();
			await writer.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN)]);
			await writer.recordDeadlineWorker({ worker: 'host/1', seenAt: at(0).toISOString(), intervalMs: 1000 });
			const reader = await JsonlReviewStore.open({ directory: dir, chain: c, readOnly: true });
			stores.push(reader);
			expect(await reader.listDeadlineEvents(g)).toEqual([event(g, 'remind', 1, -MIN)]);
			expect(ids(await reader.listOverdueDeadlineEvents(at(0)))).toEqual([`${g}#remind#1`]);
			expect(await reader.listDeadlineWorkers()).toHaveLength(1);
			await expect(reader.scheduleDeadlineEvents([event(g, 'deadline', 0, MIN)])).rejects.toThrow(/read-only/);
			await expect(reader.claimDueDeadlineEvents(at(0), 'host/2', 1000, 10)).rejects.toThrow(/read-only/);
			await expect(reader.finishDeadlineEvent(`${g}#remind#1`, null, { status: 'done', result: 'acted', at: at(0) })).rejects.toThrow(/read-only/);
			await expect(reader.cancelDeadlineEvents(g, at(0), 'group_ended')).rejects.toThrow(/read-only/);
			await expect(reader.recordDeadlineWorker({ worker: 'host/2', seenAt: at(0).toISOString(), intervalMs: 1000 })).rejects.toThrow(/read-only/);
			expect(await writer.listDeadlineEvents(g)).toEqual([event(g, 'remind', 1, -MIN)]);
			// A read-only store on a folder without a schedule reads an empty one.
			const { dir: empty, cleanup: cleanEmpty } = tempDir('deadlines-empty');
			try {
				const blank = await JsonlReviewStore.open({ directory: join(empty, 'missing'), chain: 'main', readOnly: true });
				stores.push(blank);
				expect(await blank.listDeadlineEvents(g)).toEqual([]);
				expect(await blank.listDeadlineWorkers()).toEqual([]);
			} finally {
				cleanEmpty();
			}
		});
	}

	if (backend === 'postgres') {
		it('adds the deadline tables to a database whose schema predates them', async () => {
			const c = chain();
			await pg.admin('DROP TABLE IF EXISTS hitl_deadline_event, hitl_deadline_worker');
			const store = await openStore(c);
			const g = group();
			await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN)]);
			expect(ids(await store.claimDueDeadlineEvents(at(0), 'host/1', 1000, 5))).toEqual([`${g}#remind#1`]);
			await store.recordDeadlineWorker({ worker: 'host/1', seenAt: at(0).toISOString(), intervalMs: 1000 });
			expect(await store.listDeadlineWorkers()).toHaveLength(1);
		});

		it('the application role with the documented grants can run the whole schedule', async () => {
			const c = chain();
			await openStore(c); // as the owner: creates the schema
			const { grantSql } = await import('../../../core/store/postgres/schema');
			await pg.admin(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hitl_app') THEN CREATE ROLE hitl_app LOGIN PASSWORD 'hitl-app-password'; END IF; END $$`);
			await pg.admin(grantSql('hitl_app'));
			let clock = T0;
			const store = await PostgresReviewStore.open({ connection: { ...pg.connection, user: 'hitl_app', password: 'hitl-app-password' }, chain: c, now: () => new Date(clock) });
			stores.push(store);
			const g = group();
			await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'deadline', 0, -MIN)]);
			const [a, b] = await store.claimDueDeadlineEvents(at(0), 'host/1', 60_000, 5);
			expect(await store.finishDeadlineEvent(a.id, a.claim?.token ?? null, { status: 'done', result: 'acted', at: at(0) })).toBe(true);
			expect(await store.finishDeadlineEvent(b.id, b.claim?.token ?? null, { status: 'scheduled', error: 'x', at: at(0) })).toBe(true);
			expect(await store.cancelDeadlineEvents(g, at(0), 'group_ended')).toBe(1);
			await store.recordDeadlineWorker({ worker: 'host/1', seenAt: at(0).toISOString(), intervalMs: 1000 });
			clock = T0 + 8 * 24 * 60 * MIN;
			await store.recordDeadlineWorker({ worker: 'host/2', seenAt: new Date(clock).toISOString(), intervalMs: 1000 });
			await store.scheduleDeadlineEvents([event(group(), 'remind', 1, 0)]); // deletes the ended ones
			expect(await store.listDeadlineEvents(g)).toEqual([]);
			expect((await store.listDeadlineWorkers()).map((w) => w.worker)).toEqual(['host/2']);
		});
	}
});

interface Claimer {
	ready: Promise<boolean>;
	go: () => void;
	claims: Array<{ id: string; token: string; attempts: number }>;
	exited: Promise<{ code: number | null; stderr: string }>;
}

/** Starts children/deadlineClaimer.ts against the backend; it claims once `go` is called. */
function startClaimer(backend: Backend, chain: string, now: Date, leaseMs: number, limit: number): Claimer {
	const script = join(transpiledRoot(), 'test', 'unit', 'store', 'children', 'deadlineClaimer.js');
	const env: NodeJS.ProcessEnv = { ...process.env };
	if (backend === 'postgres') env.HITL_TEST_PG_CONNECTION = JSON.stringify(pg.connection);
	const proc = spawn(process.execPath, [script, backend, backend === 'file' ? dir : '-', chain, now.toISOString(), String(leaseMs), String(limit)], {
		stdio: ['pipe', 'pipe', 'pipe'],
		env,
	});
	const claims: Claimer['claims'] = [];
	let markReady!: (v: boolean) => void;
	const ready = new Promise<boolean>((resolve) => (markReady = resolve));
	let out = '';
	let stderr = '';
	proc.stdout.setEncoding('utf8');
	proc.stdout.on('data', (chunk: string) => {
		out += chunk;
		let nl: number;
		while ((nl = out.indexOf('\n')) !== -1) {
			const line = out.slice(0, nl);
			out = out.slice(nl + 1);
			const [word, id, token, attempts] = line.split(' ');
			if (word === 'ready') markReady(true);
			else if (word === 'claimed') claims.push({ id, token, attempts: Number(attempts) });
			else stderr += `unexpected line: ${line}\n`;
		}
	});
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (c: string) => (stderr += c));
	const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
		proc.on('close', (code) => {
			markReady(false);
			resolve({ code, stderr });
		});
	});
	return { ready, go: () => proc.stdin.write('go\n'), claims, exited };
}
