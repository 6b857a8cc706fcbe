/** Checks for the gate's review requests and their resolutions, shared by both backends. */
import { assertStorable, normaliseInput } from '../chain';
import { canonicalize } from '../canonicalJson';
import { StoreUsageError } from './errors';
import {
	REQUEST_BINDING_KEY,
	TERMINAL_EVENTS,
	type RequestBinding,
	type RequestResolution,
	type Resolution,
	type ReviewOutcome,
	type ReviewRecord,
	type ReviewRecordBody,
	type ReviewRecordInput,
	type ReviewRequest,
} from './types';

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
	if (r.mac !== undefined && r.mac !== null && (typeof r.mac !== 'string' || r.mac.length > 512)) fail('mac must be a string or null');
	// A new request is never born erased: only eraseRequestContent sets this.
	if (r.erased !== undefined && r.erased !== null) fail('erased must not be set on a new request');
	// An absent MAC is stored as null: the request then cannot pass the gate's authentication.
	try {
		return JSON.parse(canonicalize({ ...r, mac: r.mac ?? null })) as ReviewRequest;
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

/** The request binding a stored record carries (details.hitlRequest), or null when it has none or a malformed one. */
export function requestBindingOf(record: Pick<ReviewRecord, 'details'>): RequestBinding | null {
	const raw = record.details?.[REQUEST_BINDING_KEY];
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
	const b = raw as Record<string, unknown>;
	const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 512;
	const opt = (v: unknown): v is string | null => v === null || str(v);
	if (!str(b.id) || !str(b.groupId) || !str(b.nodeId) || !opt(b.keyId) || !opt(b.mac)) return null;
	return { id: b.id, groupId: b.groupId, nodeId: b.nodeId, keyId: b.keyId, mac: b.mac };
}

/** True for a record that ends a gate request: a terminal event bound to a request. */
export function isRequestTerminalRecord(record: Pick<ReviewRecord, 'event' | 'details'>): boolean {
	return (TERMINAL_EVENTS as readonly string[]).includes(record.event) && requestBindingOf(record) !== null;
}

/** Refuses a plain append of a record that claims to end a gate request: only a resolution may. */
export function refuseReservedBinding(input: ReviewRecordInput): void {
	const details = input.details;
	if (details !== null && typeof details === 'object' && Object.prototype.hasOwnProperty.call(details, REQUEST_BINDING_KEY)) {
		throw new StoreUsageError(
			`details.${REQUEST_BINDING_KEY} is reserved: only the HITL Gate's resolution of a review request writes it`,
		);
	}
}

/**
 * Checks appends before they are queued: no record may claim to end a request, and each must be a valid
 * record input. Returns the normalised bodies, in order. The size check comes when the group is chained
 * (groupCommit.ts), at the record's real position, and refuses that caller's records only.
 */
export function normaliseAppendInputs(inputs: ReviewRecordInput[]): ReviewRecordBody[] {
	return inputs.map((input) => {
		refuseReservedBinding(input);
		// The bodies stay inside the store (queued, then chained): their canonical text is kept for createRecord.
		return normaliseInput(input, true);
	});
}

/** Resolutions handed to one `resolveReviewRequests` call; at most this many (a 10,000-item batch page: 10 calls). */
export const MAX_RESOLUTIONS_PER_CALL = 1000;

/**
 * The checks `resolveReviewRequests` makes before taking any lock: a list of at most
 * {@link MAX_RESOLUTIONS_PER_CALL}, each id once, each record one the store can take (size, types).
 * Returns the records' normalised bodies, in order. Throws {@link StoreUsageError} / RecordError.
 */
export function checkResolutionList(resolutions: readonly RequestResolution[], chain: string): ReviewRecordBody[] {
	if (!Array.isArray(resolutions)) throw new StoreUsageError('resolveReviewRequests takes a list of { id, resolution }');
	if (resolutions.length > MAX_RESOLUTIONS_PER_CALL) {
		throw new StoreUsageError(`resolveReviewRequests takes at most ${MAX_RESOLUTIONS_PER_CALL} resolutions a call (got ${resolutions.length}): split the list`);
	}
	const seen = new Set<string>();
	return resolutions.map((entry) => {
		if (entry === null || typeof entry !== 'object' || typeof entry.id !== 'string' || entry.id === '') {
			throw new StoreUsageError('Each entry of resolveReviewRequests needs a request id and a resolution');
		}
		if (seen.has(entry.id)) throw new StoreUsageError(`Review request ${entry.id} appears twice in one resolveReviewRequests call`);
		seen.add(entry.id);
		const body = normaliseInput(entry.resolution?.record);
		assertStorable(body, chain);
		return body;
	});
}

/**
 * Checks a resolution against the request it ends and returns its outcome as JSON data: the record's
 * event matches the status, its binding names this request, and a decision's outcome says what the
 * record says. Throws {@link StoreUsageError} before anything is written.
 */
export function checkResolution(request: ReviewRequest, resolution: Resolution): ReviewOutcome | null {
	const outcome = checkOutcome(resolution.status, resolution.outcome);
	// Its content is gone: a decision in flight when the erasure ran must not bring it back (expiry may still end it).
	if (request.erased && resolution.status === 'decided') {
		throw new StoreUsageError(`Review request ${request.id} was erased (${request.erased.reason}); it can no longer be decided`);
	}
	const record = resolution.record;
	if (record.event !== resolution.status) {
		throw new StoreUsageError(`A ${resolution.status} request needs a "${resolution.status}" record, not "${String(record.event)}"`);
	}
	const binding = requestBindingOf({ details: record.details ?? null });
	if (!binding || binding.id !== request.id || binding.groupId !== request.groupId || binding.nodeId !== request.nodeId) {
		throw new StoreUsageError(`The terminal record must carry details.${REQUEST_BINDING_KEY} naming request ${request.id}, its group and node`);
	}
	if (outcome && (record.decision !== outcome.decision || record.reviewerId !== outcome.reviewerId)) {
		throw new StoreUsageError('The terminal record and the outcome disagree on the decision or the reviewer');
	}
	return outcome;
}

/**
 * The outcome a terminal record stands for: what the working state is rebuilt from. `finalJson` is the
 * approved content kept beside the chain (bound by the record's finalSha256), null when unknown.
 */
export function outcomeFromRecord(record: ReviewRecord, finalJson: Record<string, unknown> | null): ReviewOutcome | null {
	if (record.event !== 'decided' || record.decision === null) return null;
	return {
		decision: record.decision,
		reviewerId: record.reviewerId ?? '',
		decidedAt: record.decidedAt ?? record.recordedAt,
		comment: record.comment,
		edits: record.edits ?? [],
		// Only an approval releases stored content; a rejection's finalSha256 names the draft it rejected.
		finalJson: record.decision === 'rejected' ? null : finalJson,
	};
}
