/**
 * The erasure rules of the gate's working copies (core/store/requestErasure.ts) without a store: which
 * requests an erasure reaches, what a redacted request keeps, the checks on who/when/why and on the
 * scope, and the `erased` records it leaves. Written to kill Stryker's mutants of that file; the
 * backends are tested end to end in test/unit/store/requestErasure.test.ts.
 */
import { StoreUsageError } from '../../../core/store/errors';
import {
	checkErasureScope, checkRequestErasure, erasureReaches, MAX_REQUEST_IDS_PER_RECORD, redactRequest, REQUEST_ERASURE_DETAILS_KEY, requestErasureRecords, subjectIdsOf,
} from '../../../core/store/requestErasure';
import type { ReviewRequest } from '../../../core/store/types';

const WHO = { at: '2026-12-01T10:00:00.000Z', by: 'dpo@example.com', reason: 'DSR-1' };

function request(overrides: Partial<ReviewRequest> = {}): ReviewRequest {
	return {
		id: 'r-1', groupId: 'g-1', executionId: 'e-1', nodeId: 'n-1', itemIndex: 0, reviewers: ['ann@example.com'], draftSha256: 'ab'.repeat(32),
		createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z', status: 'decided', outcome: null,
		payload: { items: [{ index: 0, subjectId: 'cand-1', json: { body: 'x' } }, { index: 1, subjectId: 'cand-2', json: {} }, { index: 2, json: {} }, null, 'x'] },
		mac: 'mac', ...overrides,
	};
}

describe('checkRequestErasure', () => {
	it('returns exactly at, by and reason when each is a non-empty string of at most 1000 characters and at is a time', () => {
		expect(checkRequestErasure({ ...WHO, extra: 1 } as never)).toEqual(WHO);
		expect(checkRequestErasure({ ...WHO, reason: 'r'.repeat(1000) }).reason).toHaveLength(1000);
	});
	it.each([
		['at', { ...WHO, at: '' }, /at must be a non-empty string/],
		['at blank', { ...WHO, at: '   ' }, /at must be a non-empty string/],
		['at not a time', { ...WHO, at: 'soon' }, /at must be an ISO-8601 time/],
		['by', { ...WHO, by: 7 }, /by must be a non-empty string of at most 1000 characters/],
		['reason too long', { ...WHO, reason: 'r'.repeat(1001) }, /reason must be/],
		['missing', undefined, /at must be/],
	])('refuses %s', (_name, value, message) => {
		expect(() => checkRequestErasure(value as never)).toThrow(StoreUsageError);
		expect(() => checkRequestErasure(value as never)).toThrow(message);
	});
});

describe('checkErasureScope', () => {
	it('a subject id, kept as given', () => {
		expect(checkErasureScope({ subjectId: ' cand-1 ' })).toEqual({ subjectId: ' cand-1 ' });
	});
	it('a cutoff, as milliseconds', () => {
		expect(checkErasureScope({ endedBefore: new Date('2026-06-01T00:00:00Z') })).toEqual({ endedBeforeMs: Date.UTC(2026, 5, 1) });
	});
	it.each([
		[{ subjectId: '' }, /subjectId must be a non-empty string/],
		[{ subjectId: '  ' }, /subjectId must be a non-empty string/],
		[{ subjectId: 5 }, /subjectId must be a non-empty string/],
		[{ endedBefore: new Date(NaN) }, /endedBefore must be a valid Date/],
		[{ endedBefore: '2026-01-01' }, /endedBefore must be a valid Date/],
		[{}, /endedBefore must be a valid Date/],
		[null, /endedBefore must be a valid Date/],
	])('refuses %j', (scope, message) => {
		expect(() => checkErasureScope(scope as never)).toThrow(StoreUsageError);
		expect(() => checkErasureScope(scope as never)).toThrow(message);
	});
});

describe('subjectIdsOf and erasureReaches', () => {
	it('reads the subject ids of the items that carry one as text', () => {
		expect(subjectIdsOf(request())).toEqual(['cand-1', 'cand-2']);
		expect(subjectIdsOf(request({ payload: { items: 'no' } }))).toEqual([]);
		expect(subjectIdsOf(request({ payload: {} }))).toEqual([]);
		expect(subjectIdsOf(request({ payload: { items: [{ subjectId: 3 }] } }))).toEqual([]);
	});
	it('a subject erasure reaches every request naming the subject, pending or not, never an erased one', () => {
		const scope = checkErasureScope({ subjectId: 'cand-2' });
		expect(erasureReaches(request(), scope)).toBe(true);
		expect(erasureReaches(request({ status: 'pending' }), scope)).toBe(true);
		expect(erasureReaches(request(), checkErasureScope({ subjectId: 'cand-3' }))).toBe(false);
		expect(erasureReaches(request({ erased: WHO }), scope)).toBe(false);
		expect(erasureReaches(request({ erased: null }), scope)).toBe(true);
	});
	it('retention reaches ended requests created strictly before the cutoff', () => {
		const cutoff = checkErasureScope({ endedBefore: new Date('2026-01-01T00:00:00.001Z') });
		expect(erasureReaches(request(), cutoff)).toBe(true);
		expect(erasureReaches(request({ status: 'expired' }), cutoff)).toBe(true);
		expect(erasureReaches(request({ status: 'pending' }), cutoff)).toBe(false);
		expect(erasureReaches(request(), checkErasureScope({ endedBefore: new Date('2026-01-01T00:00:00.000Z') }))).toBe(false);
		expect(erasureReaches(request({ erased: WHO }), cutoff)).toBe(false);
	});
});

describe('redactRequest', () => {
	it('empties the payload, keeps who decided what, drops the approved item and edit values, marks it erased', () => {
		const decided = request({ outcome: { decision: 'approved_with_edits', reviewerId: 'ann@example.com', decidedAt: WHO.at, comment: 'ok', edits: [{ path: 'a', before: 1, after: 2, beforeSha256: 'x' }], finalJson: { a: 2 } } });
		const red = redactRequest(decided, WHO);
		expect(red).toEqual({ ...decided, payload: {}, erased: WHO, outcome: { decision: 'approved_with_edits', reviewerId: 'ann@example.com', decidedAt: WHO.at, comment: 'ok', edits: [{ path: 'a', before: null, after: null }], finalJson: null } });
		expect(red.erased).not.toBe(WHO);
		expect(redactRequest(request(), WHO).outcome).toBeNull();
	});
});

describe('requestErasureRecords', () => {
	it('nothing when nothing was reached; one record for contents alone; batches of 400 with totals on the first', () => {
		expect(requestErasureRecords({ requestIds: [], requests: 0, pending: 0, contents: 0 }, { scope: 'subject', erasure: WHO })).toEqual([]);
		const contentsOnly = requestErasureRecords({ requestIds: [], requests: 0, pending: 0, contents: 3 }, { scope: 'retention', erasure: WHO });
		expect(contentsOnly).toEqual([{ event: 'erased', details: { [REQUEST_ERASURE_DETAILS_KEY]: { v: 1, scope: 'retention', ...WHO, requestIds: [], pending: 0, contents: 3 } } }]);
		const ids = Array.from({ length: MAX_REQUEST_IDS_PER_RECORD * 2 }, (_, i) => `r${i}`);
		const two = requestErasureRecords({ requestIds: ids, requests: ids.length, pending: 1, contents: 2 }, { scope: 'subject', erasure: WHO });
		expect(two).toHaveLength(2);
		expect(two.map((r) => r.details.requestErasure.batch)).toEqual([{ index: 1, of: 2 }, { index: 2, of: 2 }]);
		expect(two[1].details.requestErasure.requestIds).toEqual(ids.slice(MAX_REQUEST_IDS_PER_RECORD));
		expect(two.map((r) => [r.details.requestErasure.pending, r.details.requestErasure.contents])).toEqual([[1, 2], [0, 0]]);
		expect(requestErasureRecords({ requestIds: ['a'], requests: 1, pending: 0, contents: 0 }, { scope: 'subject', erasure: WHO })[0].details.requestErasure).not.toHaveProperty('batch');
		const retention = { period: 'P6M', cutoff: '2026-06-01T00:00:00.000Z' };
		const swept = requestErasureRecords({ requestIds: ['a'], requests: 1, pending: 0, contents: 0 }, { scope: 'retention', erasure: WHO, retention });
		expect(swept[0].details.requestErasure.retention).toEqual(retention);
		expect(swept[0].details.requestErasure.retention).not.toBe(retention);
	});
});
