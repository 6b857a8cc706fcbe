import { closeAllReviewStores, defaultStoreDirectory, openReviewStore } from '../../../core/store';
import { KEY, tempDir } from './helpers';

describe('openReviewStore', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({ dir, cleanup } = tempDir('factory')));
	afterEach(async () => {
		await closeAllReviewStores();
		cleanup();
	});

	it('defaults to <N8N_USER_FOLDER or home>/.n8n/hitl', () => {
		expect(defaultStoreDirectory({ N8N_USER_FOLDER: '/data/n8n' })).toBe('/data/n8n/.n8n/hitl');
		expect(defaultStoreDirectory({})).toMatch(/\/\.n8n\/hitl$/);
	});

	it('shares one open store per configuration; closing a handle leaves the others working', async () => {
		const a = await openReviewStore({ backend: 'file', directory: dir, chain: 'x' });
		const b = await openReviewStore({ backend: 'file', directory: dir, chain: 'x' });
		const other = await openReviewStore({ backend: 'file', directory: dir, chain: 'y' });
		await a.append({ event: 'note' });
		await a.close();
		await a.close(); // releasing twice is harmless
		expect((await b.append({ event: 'note' })).seq).toBe(2);
		expect((await other.head()).seq).toBe(0);
		expect(b.chain).toBe('x');
		await b.close();
		// Reopened after all handles were released: still the same log.
		const c = await openReviewStore({ backend: 'file', directory: dir, chain: 'x' });
		expect((await c.head()).seq).toBe(2);
	});

	it('accepts the checkpoint key as {keyId, secret, previous} or as a list, current first', async () => {
		const previous = { keyId: 'k0', secret: 'previous-checkpoint-secret-0123456789' };
		const viaObject = await openReviewStore({ backend: 'file', directory: dir, checkpointKey: { ...KEY, previous } });
		await viaObject.append({ event: 'note' });
		const cp = await viaObject.checkpoint();
		expect(cp.keyId).toBe('k1');
		const viaList = await openReviewStore({ backend: 'file', directory: dir, checkpointKeys: [KEY, previous] });
		expect((await viaList.verify({ checkpoint: cp })).ok).toBe(true);
		await expect(openReviewStore({ backend: 'file', directory: dir, chain: 'z', checkpointKeys: [{ keyId: 'short', secret: 'too-short' }] })).rejects.toThrow(
			/at least 32 characters/,
		);
	});

	it('refuses bad configuration clearly', async () => {
		await expect(openReviewStore({ backend: 'file', directory: dir, chain: '../etc' })).rejects.toThrow(/Chain name/);
		await expect(openReviewStore({ backend: 'nope' } as never)).rejects.toThrow(/Unknown review store backend/);
		await expect(
			openReviewStore({ backend: 'postgres', connection: { host: '127.0.0.1', port: 1, database: 'x', user: 'x', password: 'x' } }),
		).rejects.toThrow(/ECONNREFUSED/);
	});
});
