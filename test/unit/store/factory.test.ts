/**
 * The store factory (core/store/index.ts): one open store per configuration per process, shared by
 * reference-counted handles (each open of the file backend costs a chain verification, and n8n opens
 * the store on every node run), with checkpoint keys and bad configuration handled at the door.
 */
import { closeAllReviewStores, defaultStoreDirectory, openReviewStore } from '../../../core/store';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { KEY, tempDir } from './helpers';

describe('openReviewStore', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({ dir, cleanup } = tempDir('factory')));
	afterEach(async () => {
		jest.restoreAllMocks();
		await closeAllReviewStores();
		cleanup();
	});

	it('defaults to <N8N_USER_FOLDER or home>/.n8n/hitl', () => {
		expect(defaultStoreDirectory({ N8N_USER_FOLDER: '/data/n8n' })).toBe('/data/n8n/.n8n/hitl');
		expect(defaultStoreDirectory({})).toMatch(/\/\.n8n\/hitl$/);
	});

	it('shares one open store per configuration; closing a handle leaves the others working', async () => {
		// Watch the backend: how often it is opened (each open verifies the chain) and which instance serves each call.
		const backendOpen = jest.spyOn(JsonlReviewStore, 'open');
		const backendAppend = jest.spyOn(JsonlReviewStore.prototype, 'append');
		const a = await openReviewStore({ backend: 'file', directory: dir, chain: 'x' });
		const b = await openReviewStore({ backend: 'file', directory: dir, chain: 'x' });
		const other = await openReviewStore({ backend: 'file', directory: dir, chain: 'y' });
		expect(backendOpen).toHaveBeenCalledTimes(2); // x once, y once
		await a.append({ event: 'note' });
		await b.append({ event: 'note' });
		await other.append({ event: 'note' });
		// a and b are handles on the very same store instance; y's configuration has its own.
		const [viaA, viaB, viaOther] = backendAppend.mock.contexts;
		expect(viaB).toBe(viaA);
		expect(viaOther).not.toBe(viaA);
		expect((await other.head()).seq).toBe(1); // chain y is its own log
		await other.close();
		await a.close();
		await a.close(); // releasing twice is harmless
		expect((await b.append({ event: 'note' })).seq).toBe(3);
		expect(b.chain).toBe('x');
		await b.close();
		// Reopened soon after all handles were released: the same store, kept open for the next caller.
		const c = await openReviewStore({ backend: 'file', directory: dir, chain: 'x' });
		expect((await c.head()).seq).toBe(3);
		expect(backendOpen).toHaveBeenCalledTimes(2);
	});

	it('opens the backend once for simultaneous opens of one configuration', async () => {
		const backendOpen = jest.spyOn(JsonlReviewStore, 'open');
		const config = { backend: 'file', directory: dir, chain: 'x' } as const;
		const handles = await Promise.all([openReviewStore(config), openReviewStore({ ...config }), openReviewStore({ ...config })]);
		expect(backendOpen).toHaveBeenCalledTimes(1);
		await Promise.all(handles.map((h) => h.close()));
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
