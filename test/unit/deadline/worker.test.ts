/**
 * One tick of the deadline worker (core/deadline/worker.ts) against a real file review store and a
 * real local HTTP server standing in for the gate's waiting webhook: what it POSTs, and what it does
 * with each answer (done, cancelled for the group, released for a retry, given up).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { deriveDeadlineActionKey, verifyDeadlineOrder, type SignedDeadlineOrder } from '../../../core/deadline/action';
import {
	CLAIM_BATCH,
	CLAIM_LEASE_MS,
	MAX_ATTEMPTS,
	STALE_INTERVALS,
	STALE_MIN_MS,
	defaultWorkerName,
	liveWorkers,
	runDeadlineTick,
	type HttpAnswer,
	type PostOrder,
	type TickOptions,
} from '../../../core/deadline/worker';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { closeAllReviewStores, openReviewStore } from '../../../core/store/index';
import type { DeadlineActionKind, DeadlineClaim, DeadlineEvent, DeadlineWorkerBeat, ReviewStore } from '../../../core/store/types';
import { tempDir } from '../store/helpers';

const KEY = deriveDeadlineActionKey('n8n-instance-encryption-key-for-worker-tests');
const MIN = 60_000;
// Near the real clock: the file store drops ended events a week after they ended, by its own clock.
const T0 = Math.floor(Date.now() / MIN) * MIN;
const at = (offsetMs: number) => new Date(T0 + offsetMs);

// ---------------------------------------------------------------------------------------------------
// The gate: a local HTTP server whose answer each test scripts, recording every request it got.

interface Seen {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: SignedDeadlineOrder;
	/** The event's claim in the store while the gate was handling the request. */
	claimThen: DeadlineClaim | null;
}

type Gate = (seen: Seen) => HttpAnswer | Promise<HttpAnswer>;

let server: Server;
let port: number;
let gate: Gate;
let seen: Seen[];
let store: ReviewStore;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			void (async () => {
				const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SignedDeadlineOrder;
				const stored = (await store.listDeadlineEvents(body.order.groupId)).find((e) => e.id === body.order.eventId);
				const request: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, claimThen: stored?.claim ?? null };
				seen.push(request);
				const answer = await gate(request);
				res.writeHead(answer.status, { 'Content-Type': 'application/json' });
				res.end(answer.body);
			})().catch((error: Error) => {
				res.writeHead(599);
				res.end(`test gate failed: ${error.message}`);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
	({ dir, cleanup } = tempDir('deadline-worker'));
	seen = [];
	gate = () => ({ status: 200, body: '{"ok":true}' });
	store = await openReviewStore({ backend: 'file', directory: dir, chain: 'main' });
});

afterEach(async () => {
	await store.close();
	await closeAllReviewStores();
	cleanup();
});

/** POSTs the signed order as JSON, as the trigger's httpRequest does; the answer's text as it came. */
const post: PostOrder = async (url, order) => {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order), redirect: 'manual' });
	return { status: response.status, body: await response.text() };
};

const targetOf = (executionId: string) => `http://127.0.0.1:${port}/webhook-waiting/${executionId}/node-1?signature=sig-${executionId}`;

function event(groupId: string, kind: DeadlineActionKind, step: number, dueOffsetMs: number, over: Partial<DeadlineEvent> = {}): DeadlineEvent {
	return {
		id: `${groupId}#${kind}#${step}`,
		groupId,
		kind,
		step,
		dueAt: at(dueOffsetMs).toISOString(),
		target: targetOf('4711'),
		executionId: '4711',
		nodeId: 'node-1',
		status: 'scheduled',
		claim: null,
		attempts: 0,
		lastError: null,
		endedAt: null,
		result: null,
		...over,
	};
}

const options = (over: Partial<TickOptions> = {}): TickOptions => ({ worker: 'deadlines:w1', intervalMs: 30_000, key: KEY, post, now: () => at(0), ...over });
const tick = (over: Partial<TickOptions> = {}, on: ReviewStore = store) => runDeadlineTick(on, options(over));
const byId = async (groupId: string) => Object.fromEntries((await store.listDeadlineEvents(groupId)).map((e) => [e.id, e]));
const group = () => `g-${randomUUID().slice(0, 8)}`;

describe('runDeadlineTick', () => {
	it('records a heartbeat with the worker name, the tick time and the interval, even when nothing is due', async () => {
		expect(await tick({ worker: 'deadlines:w1', intervalMs: 45_000 })).toEqual([]);
		expect(await store.listDeadlineWorkers()).toEqual([{ worker: 'deadlines:w1', seenAt: at(0).toISOString(), intervalMs: 45_000 }]);
		await tick({ worker: 'deadlines:w1', intervalMs: 45_000, now: () => at(MIN) });
		await tick({ worker: 'deadlines:w2', intervalMs: 10_000, now: () => at(2 * MIN) });
		expect(await store.listDeadlineWorkers()).toEqual([
			{ worker: 'deadlines:w2', seenAt: at(2 * MIN).toISOString(), intervalMs: 10_000 },
			{ worker: 'deadlines:w1', seenAt: at(MIN).toISOString(), intervalMs: 45_000 },
		]);
		expect(seen).toEqual([]);
	});

	it('posts nothing when nothing is due, and leaves a future event alone until it is due', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'deadline', 0, 1)]);
		expect(await tick()).toEqual([]);
		expect(seen).toEqual([]);
		expect((await byId(g))[`${g}#deadline#0`]).toMatchObject({ status: 'scheduled', claim: null, attempts: 0 });
		// Due exactly now: posted.
		const outcomes = await tick({ now: () => at(1) });
		expect(outcomes.map((o) => o.eventId)).toEqual([`${g}#deadline#0`]);
		expect(seen).toHaveLength(1);
	});

	it('posts each due event once, to its target, with an order the gate verifies and the claim it holds', async () => {
		const g = group();
		const other = group();
		await store.scheduleDeadlineEvents([
			event(g, 'remind', 1, -3 * MIN),
			event(g, 'escalate', 1, -MIN),
			event(other, 'deadline', 0, -2 * MIN, { executionId: '4712', target: targetOf('4712'), nodeId: 'node-1' }),
			event(g, 'deadline', 0, 10 * MIN),
		]);
		const now = at(5000);
		const outcomes = await tick({ worker: 'deadlines:w9', now: () => now });
		// Oldest due first.
		expect(seen.map((s) => s.body.order.eventId)).toEqual([`${g}#remind#1`, `${other}#deadline#0`, `${g}#escalate#1`]);
		for (const s of seen) {
			expect(s.method).toBe('POST');
			expect(s.headers['content-type']).toBe('application/json');
			const { executionId, nodeId } = s.body.order;
			expect(s.url).toBe(`/webhook-waiting/${executionId}/node-1?signature=sig-${executionId}`);
			expect(verifyDeadlineOrder(s.body, KEY, { executionId, nodeId, now })).toEqual({ ok: true, order: s.body.order });
			// The order names the claim the worker held in the store while the gate handled it.
			expect(s.claimThen).toEqual({ by: 'deadlines:w9', token: s.body.order.claimToken, until: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString() });
			expect(s.body.order).toMatchObject({ worker: 'deadlines:w9', issuedAtMs: now.getTime() });
		}
		expect(new Set(seen.map((s) => s.body.order.claimToken)).size).toBe(3);
		expect(seen.find((s) => s.body.order.kind === 'escalate')?.body.order).toMatchObject({ groupId: g, step: 1, executionId: '4711', nodeId: 'node-1' });
		expect(outcomes).toEqual([
			{ eventId: `${g}#remind#1`, kind: 'remind', groupId: g, executionId: '4711', result: 'acted', status: 200, detail: '{"ok":true}' },
			{ eventId: `${other}#deadline#0`, kind: 'deadline', groupId: other, executionId: '4712', result: 'acted', status: 200, detail: '{"ok":true}' },
			{ eventId: `${g}#escalate#1`, kind: 'escalate', groupId: g, executionId: '4711', result: 'acted', status: 200, detail: '{"ok":true}' },
		]);
		// A second tick finds nothing more to do.
		expect(await tick({ now: () => at(10_000) })).toEqual([]);
		expect(seen).toHaveLength(3);
	});

	it('a 2xx answer ends the event as done (acted), and keeps what the gate itself already recorded', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'remind', 2, -MIN / 2)]);
		gate = async (s) => {
			// The gate ends remind#2 itself under the worker's claim, as the real gate does.
			if (s.body.order.step === 2) await store.finishDeadlineEvent(s.body.order.eventId, s.body.order.claimToken, { status: 'done', result: 'reminded 2', at: at(1) });
			return { status: s.body.order.step === 1 ? 204 : 299, body: '' };
		};
		const outcomes = await tick({ now: () => at(1000) });
		expect(outcomes.map((o) => [o.result, o.status])).toEqual([
			['acted', 204],
			['acted', 299],
		]);
		const events = await byId(g);
		expect(events[`${g}#remind#1`]).toMatchObject({ status: 'done', result: 'acted', endedAt: at(1000).toISOString(), claim: null, attempts: 1, lastError: null });
		expect(events[`${g}#remind#2`]).toMatchObject({ status: 'done', result: 'reminded 2', endedAt: at(1).toISOString(), claim: null });
	});

	it('a 404 or 410 cancels every scheduled event of that run (execution_gone), not other runs\'', async () => {
		for (const status of [404, 410]) {
			const g = group();
			const other = group();
			await store.scheduleDeadlineEvents([
				event(g, 'remind', 1, -MIN),
				event(g, 'escalate', 1, 30 * MIN),
				event(g, 'deadline', 0, 60 * MIN),
				event(other, 'deadline', 0, 60 * MIN),
			]);
			seen = [];
			gate = () => ({ status, body: 'The requested webhook is not registered.' });
			const outcomes = await tick();
			expect(outcomes).toEqual([
				{ eventId: `${g}#remind#1`, kind: 'remind', groupId: g, executionId: '4711', result: 'cancelled', status, detail: 'The requested webhook is not registered.' },
			]);
			expect(seen).toHaveLength(1);
			for (const e of await store.listDeadlineEvents(g)) {
				expect(e).toMatchObject({ status: 'cancelled', result: 'execution_gone', endedAt: at(0).toISOString(), claim: null });
			}
			expect((await store.listDeadlineEvents(other))[0]).toMatchObject({ status: 'scheduled', result: null });
			// Nothing of the run is posted again.
			expect(await tick({ now: () => at(100 * MIN) })).toEqual([
				expect.objectContaining({ eventId: `${other}#deadline#0`, result: 'cancelled' }),
			]);
		}
	});

	it('a 409 saying the run finished cancels the run\'s events', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'deadline', 0, 60 * MIN)]);
		gate = () => ({ status: 409, body: '{"code":409,"message":"The execution \\"4711\\" has FINISHED already."}' });
		const [outcome] = await tick();
		expect(outcome).toMatchObject({ result: 'cancelled', status: 409 });
		expect((await store.listDeadlineEvents(g)).map((e) => [e.status, e.result])).toEqual([
			['cancelled', 'execution_gone'],
			['cancelled', 'execution_gone'],
		]);
	});

	it('n8n\'s 401 "Invalid token" (the run\'s wait was replaced, e.g. after a crash) cancels the run\'s events; any other 401 is retried', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'deadline', 0, 60 * MIN)]);
		gate = () => ({ status: 401, body: '{"error":"Invalid token"}' });
		const [outcome] = await tick();
		expect(outcome).toMatchObject({ result: 'cancelled', status: 401 });
		expect((await store.listDeadlineEvents(g)).map((e) => e.status)).toEqual(['cancelled', 'cancelled']);
		const other = group();
		await store.scheduleDeadlineEvents([event(other, 'remind', 1, -MIN)]);
		gate = () => ({ status: 401, body: '<!doctype html><h1>Invalid link</h1>' });
		expect(await tick({ now: () => at(100 * MIN) })).toEqual([expect.objectContaining({ eventId: `${other}#remind#1`, result: 'retry', status: 401 })]);
	});

	it('a 409 saying the run is running releases the claim with the error, and the next tick retries it (attempt 2)', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'escalate', 2, -MIN), event(g, 'deadline', 0, 60 * MIN)]);
		gate = () => ({ status: 409, body: '{"message":"The execution \\"4711\\" is running.\n  Try again later."}' });
		const [outcome] = await tick();
		const detail = 'the gate answered HTTP 409: {"message":"The execution \\"4711\\" is running. Try again later."}';
		expect(outcome).toEqual({ eventId: `${g}#escalate#2`, kind: 'escalate', groupId: g, executionId: '4711', result: 'retry', status: 409, detail });
		const events = await byId(g);
		expect(events[`${g}#escalate#2`]).toMatchObject({ status: 'scheduled', claim: null, attempts: 1, lastError: detail, endedAt: null, result: null });
		expect(events[`${g}#deadline#0`]).toMatchObject({ status: 'scheduled', attempts: 0 });

		gate = () => ({ status: 200, body: 'ok' });
		const [retry] = await tick({ now: () => at(MIN) });
		expect(retry).toMatchObject({ eventId: `${g}#escalate#2`, result: 'acted' });
		expect(seen).toHaveLength(2);
		expect(seen[1].body.order.claimToken).not.toBe(seen[0].body.order.claimToken);
		expect((await byId(g))[`${g}#escalate#2`]).toMatchObject({ status: 'done', attempts: 2, lastError: detail });
	});

	it('a 5xx, 4xx other than 404/409/410 (and n8n\'s own 401), or 3xx releases the event for a retry, even when its body says "finished"', async () => {
		const check = async (status: number, post?: PostOrder, body = 'no') => {
			const g = group();
			await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN)]);
			gate = () => ({ status, body });
			const outcomes = await tick(post ? { post } : {});
			expect(outcomes).toEqual([expect.objectContaining({ eventId: `${g}#remind#1`, result: 'retry', status })]);
			expect((await store.listDeadlineEvents(g))[0]).toMatchObject({ status: 'scheduled', claim: null, attempts: 1, lastError: `the gate answered HTTP ${status}: ${body}` });
			// Out of the way of the next round (it is due again).
			await store.cancelDeadlineEvents(g, at(0), 'test');
		};
		for (const status of [500, 502, 403, 425, 400, 300, 302]) await check(status);
		// Not a final HTTP status a server can send; the boundary below 2xx.
		await check(199, () => Promise.resolve({ status: 199, body: 'no' }));
		// Only a 409 that says "finished" means the run is over; other statuses saying so are retried.
		for (const status of [500, 403, 425]) await check(status, undefined, 'the execution has finished');
	});

	it('an unreachable gate (closed port) releases the event with the network error', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const deadPort = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN, { target: `http://127.0.0.1:${deadPort}/webhook-waiting/4711/node-1?signature=x` })]);
		const [outcome] = await tick();
		expect(outcome).toMatchObject({ eventId: `${g}#remind#1`, result: 'retry', status: null });
		expect(outcome.detail).toMatch(/^could not reach the gate: /);
		expect((await store.listDeadlineEvents(g))[0]).toMatchObject({ status: 'scheduled', claim: null, attempts: 1, lastError: outcome.detail });
		expect(seen).toEqual([]);
	});

	it('an error thrown by the post function is kept, cut to 500 characters', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN)]);
		const [outcome] = await tick({ post: () => Promise.reject(new Error('x'.repeat(1000))) });
		expect(outcome.detail).toBe(`could not reach the gate: ${'x'.repeat(1000)}`.slice(0, 500));
		expect((await store.listDeadlineEvents(g))[0].lastError).toBe(outcome.detail);
	});

	it('keeps a long answer short: whitespace folded, 300 characters of body, 500 of error', async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'remind', 1, -MIN), event(g, 'remind', 2, -MIN / 2)]);
		const long = `a \n\t b${'y'.repeat(1000)}`;
		gate = (s) => ({ status: s.body.order.step === 1 ? 200 : 503, body: long });
		const [acted, retry] = await tick();
		const snippet = `a b${'y'.repeat(1000)}`.slice(0, 300);
		expect(acted.detail).toBe(snippet);
		expect(retry.detail).toBe(`the gate answered HTTP 503: ${snippet}`);
	});

	it(`gives an event up (cancelled, gave_up) when its attempt number ${MAX_ATTEMPTS} fails`, async () => {
		expect(MAX_ATTEMPTS).toBe(10);
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'deadline', 0, -MIN), event(g, 'remind', 1, 60 * MIN)]);
		gate = () => ({ status: 503, body: 'busy' });
		for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
			const outcomes = await tick({ now: () => at(attempt * 1000) });
			expect(outcomes).toEqual([expect.objectContaining({ result: 'retry', status: 503 })]);
			expect((await byId(g))[`${g}#deadline#0`]).toMatchObject({ status: 'scheduled', attempts: attempt, claim: null });
		}
		const last = await tick({ now: () => at(MAX_ATTEMPTS * 1000) });
		expect(last).toEqual([
			{ eventId: `${g}#deadline#0`, kind: 'deadline', groupId: g, executionId: '4711', result: 'cancelled', status: 503, detail: 'the gate answered HTTP 503: busy' },
		]);
		const events = await byId(g);
		expect(events[`${g}#deadline#0`]).toMatchObject({
			status: 'cancelled',
			result: 'gave_up',
			attempts: MAX_ATTEMPTS,
			lastError: 'the gate answered HTTP 503: busy',
			endedAt: at(MAX_ATTEMPTS * 1000).toISOString(),
			claim: null,
		});
		// Only that event: the run's other events stay scheduled.
		expect(events[`${g}#remind#1`]).toMatchObject({ status: 'scheduled' });
		expect(await tick({ now: () => at(20_000) })).toEqual([]);
		expect(seen).toHaveLength(MAX_ATTEMPTS);
	});

	// Fixed: the network-error branch gives up after MAX_ATTEMPTS like the HTTP branch.
	it(`gives an event up when its attempt number ${MAX_ATTEMPTS} cannot reach the gate either`, async () => {
		const g = group();
		await store.scheduleDeadlineEvents([event(g, 'deadline', 0, -MIN)]);
		const down: PostOrder = () => Promise.reject(new Error('connect ECONNREFUSED'));
		for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) await tick({ post: down, now: () => at(attempt * 1000) });
		expect((await store.listDeadlineEvents(g))[0]).toMatchObject({ status: 'cancelled', result: 'gave_up', attempts: MAX_ATTEMPTS });
	});

	it('claims at most CLAIM_BATCH events per tick', async () => {
		expect(CLAIM_BATCH).toBe(10);
		const g = group();
		await store.scheduleDeadlineEvents(Array.from({ length: CLAIM_BATCH + 2 }, (_, i) => event(g, 'remind', i + 1, -MIN + i)));
		expect(await tick()).toHaveLength(CLAIM_BATCH);
		expect(await tick()).toHaveLength(2);
		expect(seen).toHaveLength(CLAIM_BATCH + 2);
		expect(new Set(seen.map((s) => s.body.order.eventId)).size).toBe(CLAIM_BATCH + 2);
	}, 30_000);

	it('two workers ticking at once on two handles of one store post every due event exactly once', async () => {
		const second = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			const groups = [group(), group(), group()];
			const events = groups.flatMap((g, i) => [event(g, 'remind', 1, -3 * MIN + i), event(g, 'escalate', 1, -2 * MIN + i), event(g, 'deadline', 0, -MIN + i)]);
			await store.scheduleDeadlineEvents(events);
			gate = async () => {
				await new Promise((resolve) => setTimeout(resolve, 20));
				return { status: 200, body: 'ok' };
			};
			const [a, b] = await Promise.all([tick({ worker: 'deadlines:a' }), tick({ worker: 'deadlines:b' }, second)]);
			const posted = seen.map((s) => s.body.order.eventId);
			expect(posted.slice().sort()).toEqual(events.map((e) => e.id).sort());
			expect([...a, ...b].map((o) => o.eventId).sort()).toEqual(events.map((e) => e.id).sort());
			expect([...a, ...b].every((o) => o.result === 'acted')).toBe(true);
			// Each post came from the worker that claimed it.
			for (const s of seen) expect(s.claimThen?.by).toBe(s.body.order.worker);
			for (const g of groups) for (const e of await second.listDeadlineEvents(g)) expect(e).toMatchObject({ status: 'done', attempts: 1 });
			expect((await store.listDeadlineWorkers()).map((w) => w.worker).sort()).toEqual(['deadlines:a', 'deadlines:b']);
		} finally {
			await second.close();
		}
	});
});

describe('liveWorkers', () => {
	const now = new Date('2026-12-01T12:00:00.000Z');
	const beat = (worker: string, ageMs: number, intervalMs: number): DeadlineWorkerBeat => ({ worker, seenAt: new Date(now.getTime() - ageMs).toISOString(), intervalMs });

	it('keeps a short-interval worker for STALE_MIN_MS, not a millisecond longer', () => {
		expect(STALE_MIN_MS).toBe(2 * MIN);
		expect(STALE_INTERVALS).toBe(3);
		const fresh = beat('a', STALE_MIN_MS, 10_000);
		const stale = beat('b', STALE_MIN_MS + 1, 10_000);
		expect(liveWorkers([fresh, stale], now)).toEqual([fresh]);
	});

	it('keeps a long-interval worker for STALE_INTERVALS intervals, not a millisecond longer', () => {
		const interval = 5 * MIN; // 3 × 5 min = 15 min > 2 min
		const fresh = beat('a', 3 * interval, interval);
		const stale = beat('b', 3 * interval + 1, interval);
		expect(liveWorkers([stale, fresh], now)).toEqual([fresh]);
		// At exactly the crossover (3 × 40 s = 2 min) both rules agree.
		expect(liveWorkers([beat('c', 2 * MIN, 40_000), beat('d', 2 * MIN + 1, 40_000)], now).map((b) => b.worker)).toEqual(['c']);
		// Just above it the interval rule decides: 3 × 41 s = 123 s.
		expect(liveWorkers([beat('e', 123_000, 41_000), beat('f', 123_001, 41_000)], now).map((b) => b.worker)).toEqual(['e']);
	});

	it('keeps a beat from the future, and keeps the order given', () => {
		const beats = [beat('a', -MIN, 10_000), beat('b', 0, 10_000), beat('c', 10 * MIN, 10_000), beat('d', 1000, 10_000)];
		expect(liveWorkers(beats, now).map((b) => b.worker)).toEqual(['a', 'b', 'd']);
		expect(liveWorkers([], now)).toEqual([]);
	});
});

describe('defaultWorkerName', () => {
	it('is the node id (at most 100 characters) and a random 8-character part', () => {
		const a = defaultWorkerName('node-1');
		expect(a).toMatch(/^node-1:[0-9a-f]{8}$/);
		expect(defaultWorkerName('node-1')).not.toBe(a);
		expect(defaultWorkerName('n'.repeat(300))).toMatch(new RegExp(`^${'n'.repeat(100)}:[0-9a-f]{8}$`));
	});
});
