/**
 * Erasure reaching the gate's working copies, on both backends: a subject's erasure empties every
 * request holding one of its items (pending ones included) and the approved content beside the chain,
 * leaves other subjects' requests alone, never reaches a request twice, and a decision in flight when
 * the erasure ran cannot bring the content back. Retention empties only ended requests made before
 * the cutoff. The file backend is grepped for the plaintext; Postgres is read back row by row.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { Client } from 'pg';

import { sha256Json } from '../../../core/edits';
import { redactRequest, requestErasureRecords } from '../../../core/store/requestErasure';
import { StoreUsageError } from '../../../core/store/errors';
import type { ReviewRequest } from '../../../core/store/types';
import { bothBackends } from './bothBackends';
import { pendingRequest, resolutionFor } from './helpers';

const env = bothBackends('request-erasure');
const { backends } = env;

const WHO = { at: '2026-12-01T10:00:00.000Z', by: 'dpo@example.com', reason: 'DSR-2026-0142' };

function request(subjects: string[], text: string, overrides: Partial<ReviewRequest> = {}): ReviewRequest {
	return pendingRequest({
		reviewers: ['ann@example.com'],
		payload: { nodeName: 'HITL Gate', items: subjects.map((subjectId, index) => ({ index, subjectId, json: { body: `${text} ${index}` } })) },
		...overrides,
	});
}

/** Every request row of the database, as stored (the JSON text Postgres gives back). */
async function requestRowsAsText(): Promise<string[]> {
	const client = new Client(env.pg.connection);
	await client.connect();
	try {
		return (await client.query<{ data: string }>('SELECT data::text AS data FROM hitl_review_request')).rows.map((r) => r.data);
	} finally {
		await client.end();
	}
}

function filesUnder(path: string): string[] {
	return readdirSync(path).flatMap((name) => {
		const full = join(path, name);
		return statSync(full).isDirectory() ? filesUnder(full) : [full];
	});
}

describe.each(backends)('%s backend: erasing the gate\'s working copies', (backend, open) => {
	test('a subject\'s erasure empties its requests and approved content, pending ones included; other subjects stay', async () => {
		const store = await open(`erase-${backend}`);
		try {
			const decided = request(['cand-1'], 'Dear Anna decided');
			const pending = request(['cand-1'], 'Dear Anna pending');
			const batch = request(['cand-2', 'cand-1'], 'Batch with Anna');
			const other = request(['cand-2'], 'Dear Bea stays');
			await store.putReviewRequests([decided, pending, batch, other]);
			const resolution = resolutionFor(decided, 'decided');
			resolution.outcome!.finalJson = { body: 'Approved text for Anna' };
			resolution.outcome!.edits = [{ path: 'body', before: 'Dear Anna decided 0', after: 'Approved text for Anna' }];
			resolution.record.finalSha256 = sha256Json(resolution.outcome!.finalJson);
			await store.resolveReviewRequest(decided.id, resolution);
			await store.resolveReviewRequest(other.id, resolutionFor(other, 'decided'));

			const result = await store.eraseRequestContent({ subjectId: 'cand-1' }, WHO);
			expect(result).toMatchObject({ requests: 3, pending: 2 });
			expect(result.requestIds).toEqual([decided.id, pending.id, batch.id].sort());
			if (backend === 'file') expect(result.contents).toBe(1);

			const after = await store.getReviewRequest(decided.id);
			expect(after).toMatchObject({ id: decided.id, status: 'decided', payload: {}, erased: WHO, draftSha256: decided.draftSha256 });
			// Who decided what stays (the chain says so too); the approved item and edit values do not.
			expect(after!.outcome).toMatchObject({ decision: 'approved', reviewerId: 'ann@example.com', finalJson: null, edits: [{ path: 'body', before: null, after: null }] });
			expect(await store.getReviewRequest(pending.id)).toMatchObject({ status: 'pending', payload: {}, erased: WHO });
			expect((await store.getReviewRequest(other.id))!.payload).toEqual(other.payload);
			expect((await store.getReviewRequest(other.id))!.erased).toBeUndefined();

			// Nothing of the subject's content is left; the other subject's is (so the search can find things).
			const texts = backend === 'file'
				? filesUnder(env.dir).filter((f) => f.includes(`erase-${backend}`)).map((f) => readFileSync(f, 'utf8'))
				: await requestRowsAsText();
			const all = texts.join('\n');
			for (const needle of ['Dear Anna', 'Approved text for Anna', 'Batch with Anna', 'cand-1']) expect(all).not.toContain(needle);
			expect(all).toContain('Dear Bea stays');

			// Idempotent: the same erasure again reaches nothing.
			expect(await store.eraseRequestContent({ subjectId: 'cand-1' }, WHO)).toMatchObject({ requestIds: [], requests: 0, pending: 0 });
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	test('an erased request can no longer be decided (a decision in flight fails); expiry still ends it', async () => {
		const store = await open(`inflight-${backend}`);
		try {
			const r = request(['cand-9'], 'In flight');
			await store.putReviewRequests([r]);
			await store.eraseRequestContent({ subjectId: 'cand-9' }, WHO);
			await expect(store.resolveReviewRequest(r.id, resolutionFor(r, 'decided'))).rejects.toThrow(/was erased \(DSR-2026-0142\)/);
			expect(await store.terminalRecord(r.id)).toBeNull();
			const expired = await store.resolveReviewRequest(r.id, resolutionFor(r, 'expired'));
			expect(expired.applied).toBe(true);
			expect(await store.getReviewRequest(r.id)).toMatchObject({ status: 'expired', payload: {}, erased: WHO });
		} finally {
			await store.close();
		}
	});

	test('retention empties only ended requests made before the cutoff', async () => {
		const store = await open(`retention-${backend}`);
		try {
			const oldEnded = request(['a'], 'Old ended', { createdAt: '2025-01-01T00:00:00.000Z' });
			const oldPending = request(['b'], 'Old pending', { createdAt: '2025-01-01T00:00:00.000Z' });
			const newEnded = request(['c'], 'New ended', { createdAt: '2026-11-30T00:00:00.000Z' });
			await store.putReviewRequests([oldEnded, oldPending, newEnded]);
			await store.resolveReviewRequest(oldEnded.id, resolutionFor(oldEnded, 'decided'));
			await store.resolveReviewRequest(newEnded.id, resolutionFor(newEnded, 'expired'));
			const result = await store.eraseRequestContent({ endedBefore: new Date('2026-06-01T00:00:00Z') }, { ...WHO, reason: 'retention P6M' });
			expect(result).toMatchObject({ requestIds: [oldEnded.id], requests: 1, pending: 0 });
			expect((await store.getReviewRequest(oldPending.id))!.payload).toEqual(oldPending.payload);
			expect((await store.getReviewRequest(newEnded.id))!.payload).toEqual(newEnded.payload);
		} finally {
			await store.close();
		}
	});

	test('one chain\'s overdue sweep and erasure leave another chain\'s requests alone (one shared request table in Postgres)', async () => {
		const a = await open(`chain-a-${backend}`);
		const b = await open(`chain-b-${backend}`);
		try {
			const theirs = request(['shared-subject'], 'Chain B draft', { expiresAt: '2026-01-02T00:00:00.000Z' });
			await b.putReviewRequests([theirs]);
			expect((await a.listOverdueRequests(new Date('2026-12-01T00:00:00Z'))).map((r) => r.id)).not.toContain(theirs.id);
			expect((await b.listOverdueRequests(new Date('2026-12-01T00:00:00Z'))).map((r) => r.id)).toContain(theirs.id);
			expect(await a.eraseRequestContent({ subjectId: 'shared-subject' }, WHO)).toMatchObject({ requests: 0 });
			expect((await b.getReviewRequest(theirs.id))!.payload).toEqual(theirs.payload);
			expect(await b.eraseRequestContent({ subjectId: 'shared-subject' }, WHO)).toMatchObject({ requestIds: [theirs.id] });
		} finally {
			await a.close();
			await b.close();
		}
	});

	test('bad erasures are refused before anything changes', async () => {
		const store = await open(`bad-${backend}`);
		try {
			const r = request(['x'], 'Keep me');
			await store.putReviewRequests([r]);
			await expect(store.eraseRequestContent({ subjectId: '  ' }, WHO)).rejects.toThrow(StoreUsageError);
			await expect(store.eraseRequestContent({ endedBefore: new Date(NaN) }, WHO)).rejects.toThrow(/endedBefore/);
			await expect(store.eraseRequestContent({ subjectId: 'x' }, { ...WHO, reason: '' })).rejects.toThrow(/reason/);
			await expect(store.eraseRequestContent({ subjectId: 'x' }, { ...WHO, at: 'yesterday' })).rejects.toThrow(/ISO-8601/);
			expect((await store.getReviewRequest(r.id))!.payload).toEqual(r.payload);
			// A new request is never stored as erased.
			await expect(store.putReviewRequests([{ ...request(['y'], 'New'), erased: WHO }])).rejects.toThrow(/erased must not be set/);
		} finally {
			await store.close();
		}
	});
});

describe('erased records for the working copies', () => {
	test('name the requests in batches of 400, totals once, who and why; nothing when nothing was reached', () => {
		const ids = Array.from({ length: 401 }, (_, i) => `req-${String(i).padStart(3, '0')}`);
		const records = requestErasureRecords({ requestIds: ids, requests: 401, pending: 3, contents: 2 }, { scope: 'subject', erasure: WHO });
		expect(records).toHaveLength(2);
		expect(records[0].details.requestErasure).toMatchObject({ v: 1, scope: 'subject', by: WHO.by, reason: WHO.reason, at: WHO.at, pending: 3, contents: 2, batch: { index: 1, of: 2 } });
		expect(records[0].details.requestErasure.requestIds).toHaveLength(400);
		expect(records[1].details.requestErasure).toMatchObject({ requestIds: ['req-400'], pending: 0, contents: 0, batch: { index: 2, of: 2 } });
		expect(requestErasureRecords({ requestIds: [], requests: 0, pending: 0, contents: 0 }, { scope: 'subject', erasure: WHO })).toEqual([]);
		const one = requestErasureRecords({ requestIds: ['r'], requests: 1, pending: 0, contents: 0 }, { scope: 'retention', erasure: WHO, retention: { period: 'P6M', cutoff: '2026-06-01T00:00:00.000Z' } });
		expect(one[0].details.requestErasure).toEqual({ v: 1, scope: 'retention', ...WHO, requestIds: ['r'], pending: 0, contents: 0, retention: { period: 'P6M', cutoff: '2026-06-01T00:00:00.000Z' } });
	});

	test('redaction keeps ids, reviewers, times and the draft hash; drops payload, approved item and edit values', () => {
		const r = request(['s'], 'Body');
		const ended: ReviewRequest = {
			...r,
			status: 'decided',
			outcome: { decision: 'approved', reviewerId: 'ann@example.com', decidedAt: WHO.at, comment: 'ok', edits: [{ path: 'body', before: 'a', after: 'b', afterSha256: 'cd'.repeat(32) }], finalJson: { body: 'b' } },
		};
		const red = redactRequest(ended, WHO);
		expect(red).toEqual({
			...ended,
			payload: {},
			erased: WHO,
			outcome: { decision: 'approved', reviewerId: 'ann@example.com', decidedAt: WHO.at, comment: 'ok', edits: [{ path: 'body', before: null, after: null }], finalJson: null },
		});
		expect(ended.payload).toEqual(r.payload);
	});
});
