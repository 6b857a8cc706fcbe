/**
 * The review store: one interface for the audit log and the gate's working state, implemented by
 * an append-only JSON Lines file (embedded default) and by Postgres. No n8n import here.
 */
import type { Tier } from '../tiers';

export const REVIEW_EVENTS = [
	'requested',
	'viewed',
	'decided',
	'expired',
	'escalated',
	'reminded',
	'sampled',
	'note',
	'repaired',
	'tamper_suspected',
] as const;
export type ReviewEvent = (typeof REVIEW_EVENTS)[number];

/** Events that end a review request; a gate request has at most one such record in the chain. */
export const TERMINAL_EVENTS = ['decided', 'expired'] as const;
export type TerminalEvent = (typeof TERMINAL_EVENTS)[number];

/**
 * The reserved `details` key that binds a terminal record to the gate request it ends. Only
 * {@link ReviewStore.resolveReviewRequest} writes records carrying it (a plain `append` is refused), so
 * the chain alone tells which requests ended and how: the working state is an index rebuilt from it.
 */
export const REQUEST_BINDING_KEY = 'hitlRequest';

export interface RequestBinding {
	/** The review request's id. */
	id: string;
	groupId: string;
	/** n8n node id of the gate that issued the request. */
	nodeId: string;
	/** Key id of the gate signing key that made `mac`; null for records written without the key (expiry sweep). */
	keyId: string | null;
	/** The gate's MAC over the decision (see core/decisionMac.ts); null when written without the key. */
	mac: string | null;
}

export const REVIEW_DECISIONS = ['approved', 'rejected', 'approved_with_edits'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface FieldEdit {
	/** JSON path of the edited field, e.g. `body` or `candidate.stage`. */
	path: string;
	before: unknown;
	after: unknown;
	/** Set (and `before` null) when the value was too large to log in full: SHA-256 of its canonical JSON. */
	beforeSha256?: string;
	/** Set (and `after` null) when the value was too large to log in full: SHA-256 of its canonical JSON. */
	afterSha256?: string;
}

/**
 * What a caller supplies for one event. Every field of {@link ReviewRecordBody} is optional here; the
 * store fills absent ones with explicit `null` so records always have the same shape.
 */
export type ReviewRecordInput = Partial<ReviewRecordBody> & { event: ReviewEvent };

/** The content of a record, before the chain fields are added. Absent values are `null`, never missing. */
export interface ReviewRecordBody {
	event: ReviewEvent;
	decision: ReviewDecision | null;
	reviewerId: string | null;
	requesterId: string | null;
	requestedAt: string | null;
	viewedAt: string | null;
	decidedAt: string | null;
	queueTimeMs: number | null;
	workflowId: string | null;
	workflowName: string | null;
	workflowVersion: string | null;
	executionId: string | null;
	nodeName: string | null;
	itemKey: string | null;
	modelName: string | null;
	modelVersion: string | null;
	promptVersion: string | null;
	tier: Tier | null;
	tierReasons: string[] | null;
	draftSha256: string | null;
	finalSha256: string | null;
	edits: FieldEdit[] | null;
	comment: string | null;
	linkKeyId: string | null;
	linkNonce: string | null;
	clientIp: string | null;
	userAgent: string | null;
	/** Free data for `note` and `repaired` records (JSON values only). */
	details: Record<string, unknown> | null;
}

/** A record as stored: body plus chain position and hashes. */
export interface ReviewRecord extends ReviewRecordBody {
	/** Record format version. */
	v: 1;
	chain: string;
	seq: number;
	/** ISO-8601 time the store accepted the record. */
	recordedAt: string;
	/** Hash of the previous record (64 zeros for seq 1). */
	prevHash: string;
	/** SHA-256 (hex) over the domain-separated canonical JSON of the record without `hash`. */
	hash: string;
}

export interface SignedCheckpoint {
	v: 1;
	chain: string;
	seq: number;
	headHash: string;
	time: string;
	keyId: string;
	/** HMAC-SHA256 (hex) over the canonical checkpoint without `mac`. */
	mac: string;
}

export type VerifyFailureReason =
	| 'malformed'
	| 'hash_mismatch'
	| 'prev_hash_mismatch'
	| 'gap'
	| 'reorder'
	| 'duplicate'
	| 'wrong_chain'
	| 'bad_checkpoint'
	| 'truncated';

export interface VerifyResult {
	ok: boolean;
	recordsChecked: number;
	headSeq: number;
	headHash: string;
	/** First bad seq (or line number for unparsable lines) and why. */
	firstBad?: { seq: number | null; line: number; reason: VerifyFailureReason; message: string };
	checkpoint?: { seq: number; verified: boolean };
}

export interface QueryFilter {
	from?: string;
	to?: string;
	reviewerId?: string;
	decision?: ReviewDecision;
	event?: ReviewEvent;
	tier?: Tier;
	workflowId?: string;
	executionId?: string;
	itemKey?: string;
}

export interface QueryPage {
	/** Page size (default 50, max 1000). */
	limit?: number;
	/** Opaque cursor from the previous page's `nextCursor`. */
	cursor?: string;
}

export interface QueryResult {
	/** Newest first. */
	records: ReviewRecord[];
	nextCursor: string | null;
}

/** Status of one review request held by the gate (an index of the chain: see {@link REQUEST_BINDING_KEY}). */
export type ReviewRequestStatus = 'pending' | 'decided' | 'expired';

export interface ReviewOutcome {
	decision: ReviewDecision;
	reviewerId: string;
	decidedAt: string;
	comment: string | null;
	edits: FieldEdit[];
	/** The item as it leaves through Approved (with reviewer edits applied). */
	finalJson: Record<string, unknown> | null;
}

/** The gate's working state for one item under review. */
export interface ReviewRequest {
	/** Unique id (random); also carried in links. */
	id: string;
	/** All requests created by one gate run share a group (execution + node + run). */
	groupId: string;
	executionId: string;
	nodeId: string;
	itemIndex: number;
	reviewers: string[];
	draftSha256: string;
	createdAt: string;
	expiresAt: string;
	status: ReviewRequestStatus;
	outcome: ReviewOutcome | null;
	/** Anything the gate needs to render the page again (draft, editable fields, tier...). JSON only. */
	payload: Record<string, unknown>;
	/**
	 * The gate's MAC over the request's definition (everything but status and outcome), so state read
	 * back from the store is authenticated before it is shown or released; null for requests made
	 * without a key (tests, other callers).
	 */
	mac: string | null;
}

/** Ending a request: the new status, its outcome, and the terminal record written in the same step. */
export interface Resolution {
	status: 'decided' | 'expired';
	outcome: ReviewOutcome | null;
	/**
	 * The terminal record. Its event must match `status`, and its `details.hitlRequest` must name the
	 * request (id, groupId, nodeId); the caller adds keyId and mac there.
	 */
	record: ReviewRecordInput;
}

export type ResolveResult =
	| { applied: true; request: ReviewRequest; record: ReviewRecord }
	/** Nothing was written: the request had already ended; `record` is its terminal record, if the chain has one. */
	| { applied: false; request: ReviewRequest; record: ReviewRecord | null };

export interface ReviewStore {
	/** Identifies the chain; records of one chain share `seq` space. */
	readonly chain: string;
	append(input: ReviewRecordInput): Promise<ReviewRecord>;
	/** Streams every record in seq order (constant memory). */
	readAll(): AsyncIterable<ReviewRecord>;
	head(): Promise<{ seq: number; hash: string }>;
	query(filter: QueryFilter, page?: QueryPage): Promise<QueryResult>;
	verify(options?: { checkpoint?: SignedCheckpoint }): Promise<VerifyResult>;
	/** Signs a checkpoint of the current head with the store's checkpoint key. */
	checkpoint(): Promise<SignedCheckpoint>;

	// Gate working state.
	putReviewRequests(requests: ReviewRequest[]): Promise<void>;
	getReviewRequest(id: string): Promise<ReviewRequest | null>;
	listReviewRequests(groupId: string): Promise<ReviewRequest[]>;
	/**
	 * Ends a pending request in one atomic step: its terminal record is appended to the chain and the
	 * request becomes decided (or expired) under the same lock (file) or in the same transaction
	 * (Postgres), or neither happens. Exactly one concurrent caller gets `applied: true`; a request
	 * never gets a second terminal record. A record the store cannot accept (too large, invalid)
	 * throws before anything changes.
	 */
	resolveReviewRequest(id: string, resolution: Resolution): Promise<ResolveResult>;
	/** The request's terminal record, read from the chain; null when the chain has none. */
	terminalRecord(id: string): Promise<ReviewRecord | null>;
	/** Pending requests whose deadline is before `now` (oldest deadline first, at most `limit`). */
	listOverdueRequests(now: Date, limit?: number): Promise<ReviewRequest[]>;
	/** Claims the one right to resume a group's execution; true for exactly one caller. */
	claimGroupResume(groupId: string): Promise<boolean>;

	close(): Promise<void>;
}
