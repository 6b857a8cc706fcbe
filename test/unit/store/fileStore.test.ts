/**
 * The JSON Lines file store: records appended in a hash chain, read back, verified, checkpointed and
 * found again after a reopen; and the factory handing out one shared store per configuration.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

import { ZERO_HASH } from '../../../core/chain';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { closeAllReviewStores, openReviewStore } from '../../../core/store';
import { verifyFile } from '../../../core/verify';
import { KEY, tempDir } from './helpers';

describe('JSONL file store', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({ dir, cleanup } = tempDir('file-store')));
	afterEach(async () => {
		await closeAllReviewStores();
		cleanup();
	});

	it('appends chained records, reads them back and verifies', async () => {
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main', checkpointKey: KEY });
		expect(await store.head()).toEqual({ seq: 0, hash: ZERO_HASH });
		const a = await store.append({ event: 'requested', reviewerId: 'ann@example.com', tier: 'high' });
		const b = await store.append({ event: 'decided', decision: 'approved', reviewerId: 'ann@example.com' });
		expect(a.seq).toBe(1);
		expect(a.prevHash).toBe(ZERO_HASH);
		expect(b.seq).toBe(2);
		expect(b.prevHash).toBe(a.hash);
		expect(b.comment).toBeNull();
		const all = [];
		for await (const r of store.readAll()) all.push(r);
		expect(all).toEqual([a, b]);
		expect(await store.verify()).toMatchObject({ ok: true, recordsChecked: 2, headSeq: 2, headHash: b.hash });
		const text = await fs.readFile(join(dir, 'main.jsonl'), 'utf8');
		expect(text.split('\n')).toHaveLength(3);
		const cp = await store.checkpoint();
		expect(cp).toMatchObject({ chain: 'main', seq: 2, headHash: b.hash, keyId: 'k1' });
		expect(await store.verify({ checkpoint: cp })).toMatchObject({ ok: true, checkpoint: { seq: 2, verified: true } });
		await store.close();
		// Reopen: head comes from the file.
		const again = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		expect(await again.head()).toEqual({ seq: 2, hash: b.hash });
		await again.close();
		expect((await verifyFile(join(dir, 'main.jsonl'))).ok).toBe(true);
	});

	it('factory shares one store per config', async () => {
		const backendOpen = jest.spyOn(JsonlReviewStore, 'open');
		const backendAppend = jest.spyOn(JsonlReviewStore.prototype, 'append');
		try {
			const s1 = await openReviewStore({ backend: 'file', directory: dir });
			const s2 = await openReviewStore({ backend: 'file', directory: dir });
			// One backend store (one open, one chain verification) behind both handles.
			expect(backendOpen).toHaveBeenCalledTimes(1);
			await s1.append({ event: 'note' });
			await s2.append({ event: 'note' });
			expect(backendAppend.mock.contexts[1]).toBe(backendAppend.mock.contexts[0]);
			expect((await s1.head()).seq).toBe(2);
			await s1.close();
			expect((await s2.head()).seq).toBe(2);
			await s2.close();
		} finally {
			jest.restoreAllMocks();
		}
	});
});

