/**
 * The file store's overdue sweep (listOverdueRequests), run by every gate run and Review Log operation,
 * reads only the runs that may hold an overdue request: each open run's marker names its earliest
 * pending deadline, and a run whose earliest deadline is still ahead is skipped without reading its
 * request file. Proven by behaviour: a skipped run's request file is replaced by garbage and the sweep
 * still answers, while a run that is due is read (and its damage reported). A marker written before the
 * deadline field (the bare run id) is always read, so upgrading never hides an overdue request.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { StoreCorruptError } from '../../../core/store/errors';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import type { ReviewStore } from '../../../core/store/types';
import { pendingRequest, resolutionFor, tempDir } from './helpers';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const NOW = new Date('2026-06-01T00:00:00.000Z');
const PAST = '2026-05-01T00:00:00.000Z';
const EARLIER_PAST = '2026-04-01T00:00:00.000Z';
const FUTURE = '2026-07-01T00:00:00.000Z';

describe('file store: the overdue sweep reads only runs that may be due', () => {
	let dir: string;
	let cleanup: () => void;
	let store: ReviewStore;
	const requestsDir = () => join(dir, 'sweep.requests');
	const groupFile = (groupId: string) => join(requestsDir(), `g-${sha256(groupId)}.json`);
	const markerFile = (groupId: string) => join(requestsDir(), `o-${sha256(groupId)}`);

	beforeEach(async () => {
		({ dir, cleanup } = tempDir('sweep'));
		store = await JsonlReviewStore.open({ directory: dir, chain: 'sweep' });
	});
	afterEach(async () => {
		await store.close();
		cleanup();
	});

	it('skips a run whose earliest deadline is ahead without reading its request file', async () => {
		const ahead = 'run-ahead';
		await store.putReviewRequests([pendingRequest({ groupId: ahead, expiresAt: FUTURE }), pendingRequest({ groupId: ahead, expiresAt: FUTURE, itemIndex: 1 })]);
		const due = pendingRequest({ groupId: 'run-due', expiresAt: PAST });
		await store.putReviewRequests([due]);
		writeFileSync(groupFile(ahead), 'not json');
		expect((await store.listOverdueRequests(NOW)).map((r) => r.id)).toEqual([due.id]);
	});

	it('reads a run that is due, and reports its damaged request file', async () => {
		const groupId = 'run-damaged';
		await store.putReviewRequests([pendingRequest({ groupId, expiresAt: PAST })]);
		writeFileSync(groupFile(groupId), 'not json');
		await expect(store.listOverdueRequests(NOW)).rejects.toThrow(StoreCorruptError);
	});

	it('names the earliest pending deadline of the run, across several puts into it', async () => {
		const groupId = 'run-mixed';
		const later = pendingRequest({ groupId, expiresAt: FUTURE });
		await store.putReviewRequests([later]);
		expect(await store.listOverdueRequests(NOW)).toEqual([]);
		const early = pendingRequest({ groupId, expiresAt: PAST, itemIndex: 1 });
		const earliest = pendingRequest({ groupId, expiresAt: EARLIER_PAST, itemIndex: 2 });
		await store.putReviewRequests([early, earliest]);
		expect(JSON.parse(readFileSync(markerFile(groupId), 'utf8'))).toEqual({ groupId, earliestExpiresAt: EARLIER_PAST });
		expect((await store.listOverdueRequests(NOW)).map((r) => r.id)).toEqual([earliest.id, early.id]);
		// Ending the due ones leaves the later one pending: the marker stays, nothing is listed.
		await store.resolveReviewRequests([early, earliest].map((r) => ({ id: r.id, resolution: resolutionFor(r, 'expired') })));
		expect(await store.listOverdueRequests(NOW)).toEqual([]);
		expect((await store.listOverdueRequests(new Date('2026-08-01T00:00:00.000Z'))).map((r) => r.id)).toEqual([later.id]);
	});

	it('still reads a run whose marker holds only its id (written before the deadline field)', async () => {
		const groupId = 'run-old-marker';
		const due = pendingRequest({ groupId, expiresAt: PAST });
		await store.putReviewRequests([due]);
		writeFileSync(markerFile(groupId), groupId);
		expect((await store.listOverdueRequests(NOW)).map((r) => r.id)).toEqual([due.id]);
	});

	it('reads the run when the marker\'s deadline is unreadable', async () => {
		const groupId = 'run-bad-deadline';
		const due = pendingRequest({ groupId, expiresAt: PAST });
		await store.putReviewRequests([due]);
		writeFileSync(markerFile(groupId), JSON.stringify({ groupId, earliestExpiresAt: 'soon' }));
		expect((await store.listOverdueRequests(NOW)).map((r) => r.id)).toEqual([due.id]);
	});

	it('drops the marker when the run\'s last pending request ends', async () => {
		const groupId = 'run-closing';
		const only = pendingRequest({ groupId, expiresAt: PAST });
		await store.putReviewRequests([only]);
		expect(readdirSync(requestsDir()).filter((n) => n.startsWith('o-'))).toHaveLength(1);
		await store.resolveReviewRequests([{ id: only.id, resolution: resolutionFor(only, 'expired') }]);
		expect(readdirSync(requestsDir()).filter((n) => n.startsWith('o-'))).toEqual([]);
		expect(await store.listOverdueRequests(NOW)).toEqual([]);
	});
});
