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
] as const;
export type ReviewEvent = (typeof REVIEW_EVENTS)[number];

export const REVIEW_DECISIONS = ['approved', 'rejected', 'approved_with_edits'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface FieldEdit {
	/** JSON path of the edited field, e.g. `body` or `candidate.stage`. */
	path: string;
	before: unknown;
	after: unknown;
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

/** Status of one review request held by the gate. */
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
}

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
	 * Atomic compare-and-set pending → decided (or expired). Exactly one concurrent caller gets
	 * `applied: true`; every other caller gets the request as it now stands.
	 */
	resolveReviewRequest(
		id: string,
		status: 'decided' | 'expired',
		outcome: ReviewOutcome | null,
	): Promise<{ applied: boolean; request: ReviewRequest }>;
	/** Claims the one right to resume a group's execution; true for exactly one caller. */
	claimGroupResume(groupId: string): Promise<boolean>;

	close(): Promise<void>;
}
