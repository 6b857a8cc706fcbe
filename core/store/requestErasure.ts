/**
 * Erasure reaching the gate's working copies. The evidence vault (core/evidence) erases what it keeps,
 * but the gate's request index holds the same content in plain text until then: every request's
 * payload (the draft, attachments, the subject id, the page text) and, once decided, its outcome (the
 * approved item, edit values). An erasure that stopped at the vault would leave the person's data
 * readable in `<chain>.requests/` or `hitl_review_request`.
 *
 * Why redact rather than delete: a request row is how a link finds out what happened to it. A
 * redacted request keeps its ids, reviewers, times, status and draft hash, so a link still answers
 * "erased on … — nothing can be decided" instead of "unknown", and the index still matches the chain.
 *
 * Fail closed: the request MAC covers the payload, so a redacted request can never authenticate
 * again. The gate checks `erased` first and treats such a request as closed for good: never shown,
 * never decided, never released (a pending one leaves only by timing out). Writing `erased` into a
 * store can therefore only stop reviews, never let an item through — the same power as deleting it.
 */
import type { FieldEdit } from '../records';
import { StoreUsageError } from './errors';
import type { RequestErasure, RequestErasureResult, RequestErasureScope, ReviewRequest } from './types';

const MAX_TEXT = 1000;

/** Checks an erasure's who/when/why before anything is changed. */
export function checkRequestErasure(erasure: RequestErasure): RequestErasure {
	const text = (v: unknown, what: string): string => {
		if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_TEXT) {
			throw new StoreUsageError(`Request erasure: ${what} must be a non-empty string of at most ${MAX_TEXT} characters`);
		}
		return v;
	};
	const at = text(erasure?.at, 'at');
	if (Number.isNaN(Date.parse(at))) throw new StoreUsageError('Request erasure: at must be an ISO-8601 time');
	return { at, by: text(erasure.by, 'by'), reason: text(erasure.reason, 'reason') };
}

/** Checks the scope; returns the subject id or the cutoff in milliseconds. */
export function checkErasureScope(scope: RequestErasureScope): { subjectId: string } | { endedBeforeMs: number } {
	if (scope && 'subjectId' in scope) {
		if (typeof scope.subjectId !== 'string' || scope.subjectId.trim() === '') throw new StoreUsageError('Request erasure: subjectId must be a non-empty string');
		return { subjectId: scope.subjectId };
	}
	const cutoff = scope && 'endedBefore' in scope ? scope.endedBefore : null;
	if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) throw new StoreUsageError('Request erasure: endedBefore must be a valid Date');
	return { endedBeforeMs: cutoff.getTime() };
}

/** The subject ids a request's payload names (the gate keeps one per item when evidence is on). */
export function subjectIdsOf(request: ReviewRequest): string[] {
	const items = (request.payload as { items?: unknown }).items;
	if (!Array.isArray(items)) return [];
	return items
		.map((item) => (item !== null && typeof item === 'object' ? (item as { subjectId?: unknown }).subjectId : undefined))
		.filter((id): id is string => typeof id === 'string');
}

/** True when the erasure reaches this request (an already erased one is never reached again). */
export function erasureReaches(request: ReviewRequest, scope: ReturnType<typeof checkErasureScope>): boolean {
	if (request.erased) return false;
	if ('subjectId' in scope) return subjectIdsOf(request).includes(scope.subjectId);
	return request.status !== 'pending' && Date.parse(request.createdAt) < scope.endedBeforeMs;
}

/**
 * The request without its content: payload emptied, the outcome keeps who decided what and when (the
 * chain says the same) but not the approved item or edit values; edited paths stay, as in the chain.
 */
export function redactRequest(request: ReviewRequest, erasure: RequestErasure): ReviewRequest {
	const outcome = request.outcome
		? {
				...request.outcome,
				finalJson: null,
				edits: request.outcome.edits.map((e): FieldEdit => ({ path: e.path, before: null, after: null })),
			}
		: null;
	return { ...request, payload: {}, outcome, erased: { ...erasure } };
}

/** The `details` key of the `erased` record that a working-copy erasure leaves. */
export const REQUEST_ERASURE_DETAILS_KEY = 'requestErasure';
/** Request ids per record: 36-character UUIDs keep a record far below the 64 KiB limit. */
export const MAX_REQUEST_IDS_PER_RECORD = 400;

export type RequestErasureDetails = {
	v: 1;
	/** `subject`: a data subject's erasure request; `retention`: ended requests past the retention cutoff. */
	scope: 'subject' | 'retention';
	by: string;
	reason: string;
	at: string;
	requestIds: string[];
	/** How many of these were still pending (now closed for good). */
	pending: number;
	/** Approved-content copies deleted beside the chain. */
	contents: number;
	retention?: { period: string; cutoff: string };
	batch?: { index: number; of: number };
};

/**
 * The `erased` records that say which requests' working copies an erasure emptied (none when it
 * reached none). Permanent: ids, counts, who and why — never the subject id or any content.
 */
export function requestErasureRecords(
	result: RequestErasureResult,
	s: { scope: 'subject' | 'retention'; erasure: RequestErasure; retention?: { period: string; cutoff: string } },
): Array<{ event: 'erased'; details: { [REQUEST_ERASURE_DETAILS_KEY]: RequestErasureDetails } }> {
	if (result.requestIds.length === 0 && result.contents === 0) return [];
	const count = Math.max(1, Math.ceil(result.requestIds.length / MAX_REQUEST_IDS_PER_RECORD));
	return Array.from({ length: count }, (_, i) => {
		const details: RequestErasureDetails = {
			v: 1,
			scope: s.scope,
			by: s.erasure.by,
			reason: s.erasure.reason,
			at: s.erasure.at,
			requestIds: result.requestIds.slice(i * MAX_REQUEST_IDS_PER_RECORD, (i + 1) * MAX_REQUEST_IDS_PER_RECORD),
			// Totals once, on the first record, so summing over records never double counts.
			pending: i === 0 ? result.pending : 0,
			contents: i === 0 ? result.contents : 0,
		};
		if (s.retention) details.retention = { ...s.retention };
		if (count > 1) details.batch = { index: i + 1, of: count };
		return { event: 'erased' as const, details: { [REQUEST_ERASURE_DETAILS_KEY]: details } };
	});
}
