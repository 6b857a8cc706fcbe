/**
 * `resolveReviewRequests` on both backends: many requests ended in one store step (a batch page's
 * "Approve all", a run's deadline), each exactly as `resolveReviewRequest` would end it — one terminal
 * record per request, contiguous in the order given, none for a request that had already ended — and
 * every input checked before anything is written. Plus the file backend's one-step shape (one log
 * fsync, one index update) and its replay of many terminal records written by another process, and
 * `resolveEach`, which keeps one refused request from holding the others.
 */
import { randomUUID } from 'node:crypto';

import { MAX_RECORD_BYTES, RecordError } from '../../../core/chain';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { FileRequestState } from '../../../core/store/file/fileRequests';
import { MAX_RESOLUTIONS_PER_CALL } from '../../../core/store/requests';
import { resolveEach } from '../../../core/store/resolveEach';
import type { ReviewRequest, ReviewStore } from '../../../core/store/types';
import { bothBackends, type Opener } from './bothBackends';
import { allRecords, pendingRequest, resolutionFor } from './helpers';

const env = bothBackends('resolve-many');

const chainName = () => `m${randomUUID().slice(0, 8)}`;

/** `n` pending requests of one gate run, item 0 … n-1. */
function run(n: number): ReviewRequest[] {
	const groupId = randomUUID();
	return Array.from({ length: n }, (_, itemIndex) =>
		pendingRequest({ groupId, itemIndex, payload: { nodeName: 'HITL Gate', tier: 'high', items: [{ index: itemIndex, subjectId: `cand-${groupId}-${itemIndex}`, json: { n: itemIndex } }] } }),
	);
}

const approvals = (requests: ReviewRequest[], reviewer = 'ann@example.com') =>
	requests.map((r) => ({ id: r.id, resolution: resolutionFor(r, 'decided', reviewer, 'approved') }));

describe.each(env.backends)('%s backend: resolveReviewRequests', (_name, open) => {
	const stores: ReviewStore[] = [];
	const openStore: Opener = async (chain) => {
		const s = await open(chain);
		stores.push(s);
		return s;
	};
	afterAll(async () => {
		for (const s of stores) await s.close();
	});

	it('ends 300 requests in one call: one record each, contiguous and in the order given; each request decided', async () => {
		const store = await openStore(chainName());
		const requests = run(300);
		await store.putReviewRequests(requests);
		const before = await store.head();
		// Not in item order: the records follow the list.
		const order = [...requests].reverse();
		const results = await store.resolveReviewRequests(approvals(order));
		expect(results).toHaveLength(300);
		results.forEach((result, i) => {
			expect(result.applied).toBe(true);
			expect(result.request).toMatchObject({ id: order[i].id, status: 'decided', outcome: { decision: 'approved', reviewerId: 'ann@example.com' } });
			expect(result.record?.seq).toBe(before.seq + 1 + i);
			expect(result.record?.details?.hitlRequest).toMatchObject({ id: order[i].id });
		});
		const records = await allRecords(store);
		expect(records.slice(before.seq).map((r) => r.seq)).toEqual(results.map((r) => r.record?.seq));
		for (const r of order.slice(0, 5)) {
			expect((await store.terminalRecord(r.id))?.hash).toBe(results[order.indexOf(r)].record?.hash);
			expect(await store.getReviewRequest(r.id)).toMatchObject({ status: 'decided' });
		}
		expect(await store.listOverdueRequests(new Date('2100-01-01T00:00:00.000Z'))).toEqual([]);
		expect(await store.verify()).toMatchObject({ ok: true });
	});

	it('a request that had already ended gets applied: false with its own record, and no second one; the others end', async () => {
		const store = await openStore(chainName());
		const requests = run(6);
		await store.putReviewRequests(requests);
		const earlier = await store.resolveReviewRequest(requests[2].id, resolutionFor(requests[2], 'decided', 'bob@example.com', 'rejected'));
		const expiredEarlier = await store.resolveReviewRequest(requests[4].id, resolutionFor(requests[4], 'expired'));
		const results = await store.resolveReviewRequests(approvals(requests));
		expect(results.map((r) => r.applied)).toEqual([true, true, false, true, false, true]);
		expect(results[2]).toMatchObject({ applied: false, record: { hash: earlier.record?.hash, reviewerId: 'bob@example.com' } });
		expect(results[4]).toMatchObject({ applied: false, record: { hash: expiredEarlier.record?.hash, event: 'expired' } });
		const terminals = (await allRecords(store)).filter((r) => r.event === 'decided' || r.event === 'expired');
		expect(terminals).toHaveLength(6);
		expect(await store.getReviewRequest(requests[2].id)).toMatchObject({ status: 'decided', outcome: { reviewerId: 'bob@example.com' } });
		// All ended already: nothing written at all.
		const head = await store.head();
		expect((await store.resolveReviewRequests(approvals(requests))).every((r) => !r.applied)).toBe(true);
		expect(await store.head()).toEqual(head);
	});

	it('refuses the whole call, writing nothing, for an unknown id, an id twice, a record naming another request, a record too large, or too many', async () => {
		const store = await openStore(chainName());
		const requests = run(4);
		await store.putReviewRequests(requests);
		const head = await store.head();
		const good = approvals(requests);
		const huge = resolutionFor(requests[3], 'decided');
		huge.record = { ...huge.record, comment: 'x'.repeat(MAX_RECORD_BYTES) };
		const other = run(1)[0];
		const refusals: Array<[string, typeof good, RegExp | typeof RecordError]> = [
			['unknown id', [...good.slice(0, 3), { id: 'no-such-request', resolution: good[3].resolution }], /Unknown review request no-such-request/],
			['an id twice', [...good, good[1]], /appears twice/],
			['a record naming another request', [...good.slice(0, 3), { id: requests[3].id, resolution: resolutionFor(other, 'decided') }], /must carry details.hitlRequest naming request/],
			['a record too large', [...good.slice(0, 3), { id: requests[3].id, resolution: huge }], RecordError],
			['too many', Array.from({ length: MAX_RESOLUTIONS_PER_CALL + 1 }, () => good[0]), /at most 1000 resolutions/],
		];
		for (const [, list, expected] of refusals) {
			await expect(store.resolveReviewRequests(list)).rejects.toThrow(expected);
			expect(await store.head()).toEqual(head);
			for (const r of requests) expect(await store.getReviewRequest(r.id)).toMatchObject({ status: 'pending', outcome: null });
		}
		expect(await store.resolveReviewRequests([])).toEqual([]);
		expect((await store.resolveReviewRequests(good)).every((r) => r.applied)).toBe(true);
	});

	it('overlapping lists and single resolutions at once, from 3 store instances: one terminal record per request, no deadlock', async () => {
		const chain = chainName();
		const clients = [await openStore(chain), await openStore(chain), await openStore(chain)];
		const requests = run(60);
		await clients[0].putReviewRequests(requests);
		const shuffled = (seed: number) => [...requests].sort((a, b) => ((a.itemIndex * 7919 + seed) % 61) - ((b.itemIndex * 7919 + seed) % 61));
		const calls: Array<Promise<unknown>> = [];
		for (let k = 0; k < 6; k++) calls.push(clients[k % 3].resolveReviewRequests(approvals(shuffled(k).slice(0, 40), `r${k}@example.com`)));
		for (let k = 0; k < 20; k++) calls.push(clients[k % 3].resolveReviewRequest(requests[k * 3].id, resolutionFor(requests[k * 3], 'expired')));
		await Promise.all(calls);
		const terminals = (await allRecords(clients[1])).filter((r) => r.event === 'decided' || r.event === 'expired');
		const ended = new Set(terminals.map((r) => String((r.details?.hitlRequest as { id: string }).id)));
		expect(ended.size).toBe(terminals.length);
		for (const r of requests) {
			const record = await clients[2].terminalRecord(r.id);
			if (!record) expect(await clients[2].getReviewRequest(r.id)).toMatchObject({ status: 'pending' });
			else expect(await clients[2].getReviewRequest(r.id)).toMatchObject({ status: record.event });
		}
		expect(await clients[0].verify()).toMatchObject({ ok: true });
	});

	it('terminalRecords reads many requests\' terminal records at once: the ended ones, by id, as terminalRecord gives each', async () => {
		const store = await openStore(chainName());
		const requests = run(8);
		await store.putReviewRequests(requests);
		const ended = await store.resolveReviewRequests(approvals(requests.filter((_, i) => i % 3 === 0)));
		const records = await store.terminalRecords([...requests.map((r) => r.id), 'no-such-request']);
		expect([...records.keys()].sort()).toEqual(requests.filter((_, i) => i % 3 === 0).map((r) => r.id).sort());
		for (const r of requests) expect(records.get(r.id) ?? null).toEqual(await store.terminalRecord(r.id));
		expect(ended.map((e) => e.record?.hash)).toEqual(requests.filter((_, i) => i % 3 === 0).map((r) => records.get(r.id)?.hash));
		expect((await store.terminalRecords([])).size).toBe(0);
	});

	it('resolveEach: a request the store refuses (erased, then decided) does not hold the others; it alone gets the error', async () => {
		const store = await openStore(chainName());
		const requests = run(5);
		await store.putReviewRequests(requests);
		await store.eraseRequestContent({ subjectId: `cand-${requests[1].groupId}-1` }, { reason: 'subject request', at: '2026-02-01T00:00:00.000Z', by: 'dpo@example.com' });
		const outcomes = await resolveEach(store, approvals(requests));
		expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true, true]);
		expect(String((outcomes[1] as { error: Error }).error.message)).toMatch(/was erased/);
		for (const [i, r] of requests.entries()) expect((await store.getReviewRequest(r.id))?.status).toBe(i === 1 ? 'pending' : 'decided');
	});

	it('resolveEach splits a long list into calls of at most MAX_RESOLUTIONS_PER_CALL', async () => {
		const store = await openStore(chainName());
		const requests = run(MAX_RESOLUTIONS_PER_CALL + 5);
		await store.putReviewRequests(requests);
		const calls: number[] = [];
		const counting: ReviewStore = Object.create(store) as ReviewStore;
		counting.resolveReviewRequests = (list) => {
			calls.push(list.length);
			return store.resolveReviewRequests(list);
		};
		const outcomes = await resolveEach(counting, approvals(requests));
		expect(calls).toEqual([MAX_RESOLUTIONS_PER_CALL, 5]);
		expect(outcomes.every((o) => o.ok && o.result.applied)).toBe(true);
	});
});

describe('file backend: one store step', () => {
	const stores: JsonlReviewStore[] = [];
	afterAll(async () => {
		for (const s of stores) await s.close();
		jest.restoreAllMocks();
	});
	const openFile = async (chain: string) => {
		const s = await JsonlReviewStore.open({ directory: env.dir, chain });
		stores.push(s);
		return s;
	};

	it('200 requests: one fsync of the log, one index update of the run (not one per request)', async () => {
		const store = await openFile(chainName());
		const requests = run(200);
		await store.putReviewRequests(requests);
		const syncLog = jest.spyOn(store as unknown as { syncLog: () => Promise<void> }, 'syncLog');
		const applyTerminals = jest.spyOn(FileRequestState.prototype, 'applyTerminals');
		await store.resolveReviewRequests(approvals(requests));
		expect(syncLog).toHaveBeenCalledTimes(1);
		expect(applyTerminals).toHaveBeenCalledTimes(1);
		expect(applyTerminals.mock.calls[0][0]).toHaveLength(200);
		syncLog.mockRestore();
		applyTerminals.mockRestore();
	});

	it('an index update that fails after the records were written loses nothing: the records stand and are replayed', async () => {
		const chain = chainName();
		const store = await openFile(chain);
		const requests = run(30);
		await store.putReviewRequests(requests);
		const failing = jest.spyOn(FileRequestState.prototype, 'applyTerminals').mockRejectedValueOnce(new Error('disk full (test)'));
		await expect(store.resolveReviewRequests(approvals(requests))).rejects.toThrow(/disk full/);
		failing.mockRestore();
		// The log decides: the 30 records are in the chain, and the index catches up from it.
		for (const r of requests) expect(await store.getReviewRequest(r.id)).toMatchObject({ status: 'decided', outcome: { reviewerId: 'ann@example.com' } });
		expect((await store.resolveReviewRequests(approvals(requests, 'bob@example.com'))).every((r) => !r.applied)).toBe(true);
		expect((await allRecords(store)).filter((r) => r.event === 'decided')).toHaveLength(30);
	});

	it('another process replays 1,200 terminal records written by one store into its index (more than one replay chunk)', async () => {
		const chain = chainName();
		const writer = await openFile(chain);
		const reader = await openFile(chain);
		const requests = run(1200);
		await writer.putReviewRequests(requests);
		expect(await reader.getReviewRequest(requests[0].id)).toMatchObject({ status: 'pending' });
		await resolveEach(writer, approvals(requests));
		const applyTerminals = jest.spyOn(FileRequestState.prototype, 'applyTerminals');
		expect(await reader.getReviewRequest(requests[1199].id)).toMatchObject({ status: 'decided', outcome: { reviewerId: 'ann@example.com' } });
		expect(applyTerminals.mock.calls.map((c) => c[0].length)).toEqual([1000, 200]);
		applyTerminals.mockRestore();
		expect((await reader.listReviewRequests(requests[0].groupId)).every((r) => r.status === 'decided')).toBe(true);
		expect(await reader.listOverdueRequests(new Date('2100-01-01T00:00:00.000Z'))).toEqual([]);
	});
});
