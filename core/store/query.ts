/** Query filters and pagination shared by both backends. */
import { isTier } from '../tiers';
import { REVIEW_DECISIONS, REVIEW_EVENTS, type QueryFilter, type QueryPage, type ReviewRecord } from './types';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export class QueryError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'QueryError';
	}
}

export interface NormalisedQuery {
	filter: QueryFilter;
	fromMs: number | null;
	toMs: number | null;
	limit: number;
	/** Only records with seq below this (the previous page's last seq); null for the first page. */
	beforeSeq: number | null;
}

/** Checks filter values and the page; throws {@link QueryError} with what to fix. */
export function normaliseQuery(filter: QueryFilter, page: QueryPage = {}): NormalisedQuery {
	const time = (name: string, value: string | undefined): number | null => {
		if (value === undefined || value === '') return null;
		const ms = Date.parse(value);
		if (Number.isNaN(ms)) throw new QueryError(`Filter "${name}" is not a date-time: ${JSON.stringify(value)}`);
		return ms;
	};
	const fromMs = time('from', filter.from);
	const toMs = time('to', filter.to);
	if (fromMs !== null && toMs !== null && fromMs > toMs) throw new QueryError('Filter "from" is after "to"');
	if (filter.decision !== undefined && !(REVIEW_DECISIONS as readonly string[]).includes(filter.decision)) {
		throw new QueryError(`Filter "decision" must be one of ${REVIEW_DECISIONS.join(', ')}`);
	}
	if (filter.event !== undefined && !(REVIEW_EVENTS as readonly string[]).includes(filter.event)) {
		throw new QueryError(`Filter "event" must be one of ${REVIEW_EVENTS.join(', ')}`);
	}
	if (filter.tier !== undefined && !isTier(filter.tier)) throw new QueryError('Filter "tier" must be low, medium or high');
	const limit = page.limit ?? DEFAULT_PAGE_SIZE;
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
		throw new QueryError(`Page size must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
	}
	let beforeSeq: number | null = null;
	if (page.cursor !== undefined && page.cursor !== '') {
		const n = /^s(\d{1,15})$/.exec(page.cursor);
		if (!n) throw new QueryError('Invalid page cursor: pass the nextCursor of the previous page unchanged');
		beforeSeq = Number(n[1]);
	}
	return { filter, fromMs, toMs, limit, beforeSeq };
}

export function encodeCursor(seq: number): string {
	return `s${seq}`;
}

/** Filter semantics: `from`/`to` bound `recordedAt` (inclusive); other fields must match exactly. */
export function matchesQuery(record: ReviewRecord, q: NormalisedQuery): boolean {
	if (q.beforeSeq !== null && record.seq >= q.beforeSeq) return false;
	const f = q.filter;
	if (q.fromMs !== null || q.toMs !== null) {
		const t = Date.parse(record.recordedAt);
		if (q.fromMs !== null && t < q.fromMs) return false;
		if (q.toMs !== null && t > q.toMs) return false;
	}
	if (f.reviewerId !== undefined && record.reviewerId !== f.reviewerId) return false;
	if (f.decision !== undefined && record.decision !== f.decision) return false;
	if (f.event !== undefined && record.event !== f.event) return false;
	if (f.tier !== undefined && record.tier !== f.tier) return false;
	if (f.workflowId !== undefined && record.workflowId !== f.workflowId) return false;
	if (f.executionId !== undefined && record.executionId !== f.executionId) return false;
	if (f.itemKey !== undefined && record.itemKey !== f.itemKey) return false;
	return true;
}
