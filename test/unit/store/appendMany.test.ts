/**
 * Batch appends on both backends: appendMany writes the records in order as one chain segment (one
 * lock and one fsync per batch on the file store, one transaction on Postgres), gives back exactly what
 * a reader then finds, interleaves safely with single appends, and refuses a batch — writing nothing —
 * when any record in it is invalid or claims to end a review request.
 */
import fs, { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { canonicalize } from '../../../core/canonicalJson';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { REQUEST_BINDING_KEY } from '../../../core/store/types';
import { verifyFile } from '../../../core/verify';
import { bothBackends } from './bothBackends';
import { allRecords } from './helpers';

const env = bothBackends('append-many');
const { backends } = env;

const all = allRecords;

describe.each(backends)('%s backend: appendMany', (backend, open) => {
	test('appends a batch in order, chained to what was there, and returns exactly the stored records', async () => {
		const store = await open(`many-${backend}`);
		try {
			await store.append({ event: 'note', comment: 'before' });
			const inputs = Array.from({ length: 600 }, (_, i) => ({ event: 'note' as const, comment: `item ${i}`, itemKey: `k-${i}`, details: { i } }));
			const written = await store.appendMany(inputs);
			expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 2));
			await store.append({ event: 'note', comment: 'after' });
			const stored = await all(store);
			expect(stored).toHaveLength(602);
			expect(stored.slice(1, 601)).toEqual(written);
			expect(written[0].prevHash).toBe(stored[0].hash);
			expect(stored[601].prevHash).toBe(written[599].hash);
			expect(written.map((r) => r.comment)).toEqual(inputs.map((i) => i.comment));
			expect(await store.verify()).toMatchObject({ ok: true, recordsChecked: 602, headSeq: 602 });
			expect(await store.head()).toEqual({ seq: 602, hash: stored[601].hash });
			expect(await store.appendMany([])).toEqual([]);
		} finally {
			await store.close();
		}
	});

	test('one invalid record or a request binding refuses the whole batch before anything is written', async () => {
		const store = await open(`refuse-${backend}`);
		try {
			await store.append({ event: 'note', comment: 'only record' });
			await expect(store.appendMany([{ event: 'note', comment: 'fine' }, { event: 'no-such-event' as never }])).rejects.toThrow();
			await expect(store.appendMany([{ event: 'note' }, { event: 'note', comment: 'x'.repeat(70_000) }])).rejects.toThrow();
			await expect(
				store.appendMany([{ event: 'note' }, { event: 'decided', decision: 'approved', reviewerId: 'a@example.com', details: { [REQUEST_BINDING_KEY]: { id: 'r', groupId: 'g', nodeId: 'n', keyId: null, mac: null } } }]),
			).rejects.toThrow(/reserved/);
			expect((await all(store)).map((r) => r.comment)).toEqual(['only record']);
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	test('concurrent batches from two store instances never interleave inside a batch and leave one valid chain', async () => {
		const a = await open(`race-${backend}`);
		const b = await open(`race-${backend}`);
		try {
			const batch = (who: string) => Array.from({ length: 50 }, (_, i) => ({ event: 'note' as const, comment: `${who}-${i}` }));
			const results = await Promise.all([a.appendMany(batch('a')), b.appendMany(batch('b')), a.appendMany(batch('c')), b.appendMany(batch('d'))]);
			for (const written of results) {
				const seqs = written.map((r) => r.seq);
				expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => seqs[0] + i));
			}
			const stored = await all(a);
			expect(stored).toHaveLength(200);
			expect((await a.verify()).ok).toBe(true);
		} finally {
			await a.close();
			await b.close();
		}
	});
});

describe('file backend: a batch is one write and one fsync', () => {
	test('1,000 records: one write(2), one fsync, every line the canonical JSON of the record returned, chain verifies', async () => {
		const store = await JsonlReviewStore.open({ directory: env.dir, chain: 'one-write' });
		const probe = await fsp.open(join(env.dir, 'probe'), 'w');
		await probe.close();
		const syncs = jest.spyOn(Object.getPrototypeOf(probe) as { sync: () => Promise<void> }, 'sync');
		const writes = jest.spyOn(fs, 'writeSync');
		try {
			await store.append({ event: 'note', comment: 'before' });
			writes.mockClear();
			syncs.mockClear();
			const inputs = Array.from({ length: 1000 }, (_, i) => ({ event: 'note' as const, itemKey: `k-${i}`, comment: `é ${i} \u{1F600}`, details: { i, z: [i, { b: null, a: -0 }] } }));
			const written = await store.appendMany(inputs);
			expect(writes).toHaveBeenCalledTimes(1);
			expect(syncs).toHaveBeenCalledTimes(1);
			const lines = readFileSync(store.path, 'utf8').split('\n');
			expect(lines.pop()).toBe('');
			expect(lines.slice(1)).toEqual(written.map((r) => canonicalize(r)));
			expect(await verifyFile(store.path, { chain: 'one-write' })).toMatchObject({ ok: true, recordsChecked: 1001 });
		} finally {
			writes.mockRestore();
			syncs.mockRestore();
			await store.close();
		}
	});
});
