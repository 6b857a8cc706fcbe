/**
 * Verify's in-memory Merkle root (nodes/ReviewLog/actions/verify.operation.ts, rootOfFirst): Verify
 * compares a signed checkpoint's root with a root it folds from the log's records itself, so that it
 * never writes and does not trust the stored tree index. A wrong fold would call an intact log
 * "rewritten" (or, worse, miss a rewrite), so it is checked here against the store's own tree — the
 * RFC 6962 implementation that is checked against Go's tlog — for every prefix of a log whose sizes
 * cover every shape of the subtree stack (1…33 records).
 */
import { EMPTY_TREE_ROOT } from '../../../core/tlog';
import { openReviewStore, closeAllReviewStores, type ReviewStore } from '../../../core/store';
import { rootOfFirst } from '../../../nodes/ReviewLog/actions/verify.operation';
import { tempDir } from '../store/helpers';

let folder: ReturnType<typeof tempDir>;
let store: ReviewStore;
const N = 33;

beforeAll(async () => {
	folder = tempDir('verify-root');
	store = await openReviewStore({ backend: 'file', directory: folder.dir });
	for (let k = 1; k <= N; k++) await store.append({ event: 'note', details: { k, text: `record ${k} — ü` } });
});
afterAll(async () => {
	await store.close();
	await closeAllReviewStores();
	folder.cleanup();
});

test('the root of the first k records equals the store tree’s root of size k, for every k from 0 to 33', async () => {
	for (let k = 0; k <= N; k++) {
		const { oldRoot } = await store.proveConsistency(k, N);
		const folded = await rootOfFirst(store, k);
		expect({ k, records: folded.records, root: folded.root.toString('base64') }).toEqual({ k, records: k, root: oldRoot.toString('base64') });
	}
	expect((await rootOfFirst(store, 0)).root.equals(EMPTY_TREE_ROOT)).toBe(true);
});

test('a size beyond the log reads every record and says how many there were', async () => {
	const folded = await rootOfFirst(store, N + 5);
	expect(folded.records).toBe(N);
	expect(folded.root.equals((await store.treeHead()).root)).toBe(true);
});
