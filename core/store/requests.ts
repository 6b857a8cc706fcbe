/** Checks for the gate's review requests, shared by both backends. */
import { canonicalize } from '../canonicalJson';
import { StoreUsageError } from './errors';
import type { ReviewOutcome, ReviewRequest } from './types';

const STATUSES = ['pending', 'decided', 'expired'];

function fail(what: string): never {
	throw new StoreUsageError(`Invalid review request: ${what}`);
}

/** Validates a request and returns a deep copy made of plain JSON data. */
export function checkReviewRequest(r: ReviewRequest): ReviewRequest {
	if (r === null || typeof r !== 'object') fail('not an object');
	for (const key of ['id', 'groupId', 'executionId', 'nodeId', 'draftSha256', 'createdAt', 'expiresAt'] as const) {
		if (typeof r[key] !== 'string' || r[key].length === 0 || r[key].length > 512) fail(`${key} must be a non-empty string`);
	}
	if (!Number.isInteger(r.itemIndex) || r.itemIndex < 0) fail('itemIndex must be a non-negative integer');
	if (!Array.isArray(r.reviewers) || !r.reviewers.every((x) => typeof x === 'string')) fail('reviewers must be strings');
	if (!STATUSES.includes(r.status)) fail(`status must be one of ${STATUSES.join(', ')}`);
	if (r.payload === null || typeof r.payload !== 'object' || Array.isArray(r.payload)) fail('payload must be an object');
	if (r.outcome !== null && (typeof r.outcome !== 'object' || Array.isArray(r.outcome))) fail('outcome must be an object or null');
	try {
		return JSON.parse(canonicalize(r)) as ReviewRequest;
	} catch (error) {
		return fail(`not JSON data (${(error as Error).message})`);
	}
}

export function checkOutcome(status: 'decided' | 'expired', outcome: ReviewOutcome | null): ReviewOutcome | null {
	if (status !== 'decided' && status !== 'expired') {
		throw new StoreUsageError(`A review request can only become "decided" or "expired", not ${JSON.stringify(status)}`);
	}
	if (status === 'decided' && outcome === null) throw new StoreUsageError('A decided review request needs its outcome');
	if (outcome === null) return null;
	try {
		return JSON.parse(canonicalize(outcome)) as ReviewOutcome;
	} catch (error) {
		throw new StoreUsageError(`Review outcome is not JSON data (${(error as Error).message})`);
	}
}
