/**
 * The review store: one interface for the audit log and the gate's working state, implemented by
 * an append-only JSON Lines file (embedded default) and by Postgres. No n8n import here.
 */
import type { Tier } from '../tiers';
import type { TreeConsistencyProof, TreeInclusionProof, TreeRoot } from '../tlog/logTree';
import type { FieldEdit, ReviewDecision, ReviewEvent, ReviewRecord, ReviewRecordInput, SignedCheckpoint, VerifyResult } from '../records';

// The record vocabulary lives in core/records.ts (the log's words, needed by chain, checkpoint and
// verify without the store); it is re-exported here so every store importer keeps working.
export * from '../records';

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

/** Status of one review request held by the gate (an index of the chain: see `REQUEST_BINDING_KEY` in core/records.ts). */
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
	/**
	 * Set when the request's content was erased (a data subject's erasure, or retention): its payload is
	 * then `{}` and its outcome keeps no content. Such a request can never be shown, decided or released
	 * again (core/store/requestErasure.ts). Absent on requests that were never erased.
	 */
	erased?: RequestErasure | null;
}

/** Who erased a request's working copy, when and why (mirrors the `erased` record in the chain). */
export interface RequestErasure {
	at: string;
	by: string;
	reason: string;
}

/**
 * Which working copies an erasure reaches: every request holding an item of this data subject
 * (pending ones included), or every ended request created before a retention cutoff.
 */
export type RequestErasureScope = { subjectId: string } | { endedBefore: Date };

export interface RequestErasureResult {
	/** Ids of the requests whose payload and outcome content were removed (random ids, never personal data). */
	requestIds: string[];
	/** Requests whose payload and outcome content were removed. */
	requests: number;
	/** Of those, still pending: they can no longer be decided, and leave only by timing out. */
	pending: number;
	/** Approved-content copies beside the chain that were deleted (file backend). */
	contents: number;
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

/** One request to end, with how: an entry of `ReviewStore.resolveReviewRequests`. */
export interface RequestResolution {
	id: string;
	resolution: Resolution;
}

export type ResolveResult =
	| { applied: true; request: ReviewRequest; record: ReviewRecord }
	/** Nothing was written: the request had already ended; `record` is its terminal record, if the chain has one. */
	| { applied: false; request: ReviewRequest; record: ReviewRecord | null };

/**
 * One scheduled act of the deadline mechanism (core/deadline/, the HITL Deadlines trigger) on a gate
 * run: a reminder, an escalation level, or the deadline itself. Written by the gate when it puts a run
 * on hold; claimed by one deadline worker at a time (a lease: a worker that crashed after claiming
 * loses it when `claim.until` passes, and another retries); ended once (`done` by the gate when it
 * acted, `cancelled` when the run ended first). Working state only: what was done is recorded in the
 * chain (`reminded`, `escalated`, `expired` records).
 */
export type DeadlineActionKind = 'remind' | 'escalate' | 'deadline';

export interface DeadlineEvent {
	/** `<groupId>#<kind>#<step>`: unique; scheduling the same id again keeps the stored one. */
	id: string;
	groupId: string;
	kind: DeadlineActionKind;
	/** Reminder number or escalation level (1-based); 0 for the deadline. */
	step: number;
	/** When it is due (ISO 8601, UTC). */
	dueAt: string;
	/** Where to act: the gate's waiting-webhook URL of the run (carries n8n's resume token). */
	target: string;
	executionId: string;
	nodeId: string;
	status: DeadlineEventStatus;
	/** Held by a worker until `until` (ISO); null when nobody holds it. */
	claim: DeadlineClaim | null;
	/** How many times it was claimed. */
	attempts: number;
	/** The last failure a worker reported (retried at a later tick); null after none. */
	lastError: string | null;
	/** When it ended (done or cancelled); null while scheduled. */
	endedAt: string | null;
	/** Why it ended, e.g. `acted`, `group_ended`, `execution_gone`; null while scheduled. */
	result: string | null;
}

export type DeadlineEventStatus = 'scheduled' | 'done' | 'cancelled';

export interface DeadlineClaim {
	/** The worker's name (host, pid, node). */
	by: string;
	/** Random per claim: only its holder may end or release the event under this claim. */
	token: string;
	until: string;
}

/** A deadline worker's last sign of life, so gates can tell whether anything will act on their deadlines. */
export interface DeadlineWorkerBeat {
	worker: string;
	seenAt: string;
	/** The worker's polling interval: a beat older than a few intervals means it stopped. */
	intervalMs: number;
}

/** A checkpoint (C2SP signed note) the store issued for its chain. */
export interface StoredCheckpointNote {
	/** Tree size (records) the checkpoint covers. */
	size: number;
	/** The signed note text, exactly as published. */
	note: string;
	signedAt: string;
}

export interface ReviewStore {
	/** Identifies the chain; records of one chain share `seq` space. */
	readonly chain: string;
	/**
	 * Appends one record and resolves once it is durable. Appends made at the same time in one process
	 * share one fsync (file) or transaction (Postgres) — group commit (groupCommit.ts) — and are answered
	 * in seq order after it; a failure fails every caller of that group.
	 */
	append(input: ReviewRecordInput): Promise<ReviewRecord>;
	/**
	 * Appends several records in order as one durable write, contiguous in the chain: one lock and one
	 * fsync for the group it joins (file), one transaction (Postgres). Every input is checked before
	 * anything is written; none may end a request (as `append`); one that cannot be stored fails this
	 * call alone. After a crash the file log keeps a prefix of the group (never a gap or a torn record),
	 * Postgres all or none; the caller learns of nothing as written before its fsync/commit.
	 */
	appendMany(inputs: ReviewRecordInput[]): Promise<ReviewRecord[]>;
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
	/**
	 * Ends several pending requests at once — a batch page's "Approve all", or a run's deadline — each
	 * exactly as `resolveReviewRequest` would, in one write: one lock and one fsync of the log (file), one
	 * transaction (Postgres), the terminal records contiguous in the chain in the order given. Results
	 * come back in that order; a request that had already ended gets `applied: false` and no record.
	 * Every input is checked first: an unknown id, an id given twice, a resolution that does not match
	 * its request or a record the store cannot take fails the whole call with nothing written. After a
	 * crash before it answers, the file log keeps a prefix of the records (each request then ended or
	 * still pending, never half), Postgres all or none; the caller learns of nothing before the fsync/commit.
	 */
	resolveReviewRequests(resolutions: readonly RequestResolution[]): Promise<ResolveResult[]>;
	/** The request's terminal record, read from the chain; null when the chain has none. */
	terminalRecord(id: string): Promise<ReviewRecord | null>;
	/**
	 * `terminalRecord` for many requests (a run's verdicts), by id; a request without one is absent. One
	 * read of the index per run (file), one query per 1,000 ids (Postgres) — not one per request.
	 */
	terminalRecords(ids: readonly string[]): Promise<Map<string, ReviewRecord>>;
	/** Pending requests whose deadline is before `now` (oldest deadline first, at most `limit`). */
	listOverdueRequests(now: Date, limit?: number): Promise<ReviewRequest[]>;
	/** Claims the one right to resume a group's execution; true for exactly one caller. */
	claimGroupResume(groupId: string): Promise<boolean>;
	/**
	 * Removes review content from the gate's working copies (request payloads, outcomes, approved
	 * content beside the chain) for an erasure or a retention sweep. The chain is not touched: the
	 * caller appends the `erased` record. Idempotent: an erased request is skipped.
	 */
	eraseRequestContent(scope: RequestErasureScope, erasure: RequestErasure): Promise<RequestErasureResult>;

	// The deadline mechanism's schedule (see DeadlineEvent): working state, never evidence.
	/** Stores events; an id already stored is left as it is (idempotent for a retried gate run). */
	scheduleDeadlineEvents(events: DeadlineEvent[]): Promise<void>;
	/**
	 * Atomically claims up to `limit` due events (status `scheduled`, `dueAt` <= now, no claim or an
	 * expired one), oldest due first, for `leaseMs`: sets `claim` (a fresh random token) and counts the
	 * attempt. Across processes each event is held by at most one worker at a time.
	 */
	claimDueDeadlineEvents(now: Date, worker: string, leaseMs: number, limit: number): Promise<DeadlineEvent[]>;
	/**
	 * Ends a scheduled event (`done` or `cancelled`, with `result`), or with `status: 'scheduled'`
	 * releases its claim and keeps `error` as `lastError` for a later retry. With a `token`, only the
	 * holder of that claim (even if its lease ran out, as long as nobody claimed it since) may do it;
	 * without one (the gate, proven by the signed action) any scheduled event. True for exactly one
	 * caller that ends it; false when it had already ended or the claim is another's.
	 */
	finishDeadlineEvent(id: string, token: string | null, end: { status: DeadlineEventStatus; result?: string; error?: string; at: Date }): Promise<boolean>;
	/** Cancels every scheduled event of a group (its run ended); returns how many. */
	cancelDeadlineEvents(groupId: string, at: Date, result: string): Promise<number>;
	/** Every event of a group, by due time. */
	listDeadlineEvents(groupId: string): Promise<DeadlineEvent[]>;
	/** Scheduled events due before `now` that nobody holds (for reports: overdue and unattended). */
	listOverdueDeadlineEvents(now: Date, limit?: number): Promise<DeadlineEvent[]>;
	/** Records a worker's beat (one entry per worker name, replaced). */
	recordDeadlineWorker(beat: DeadlineWorkerBeat): Promise<void>;
	/** Every worker's last beat, newest first. */
	listDeadlineWorkers(): Promise<DeadlineWorkerBeat[]>;

	// The Merkle tree over the chain (core/tlog/logTree.ts): an index caught up from the chain on use.
	/** Brings the tree up to the chain's head: its size (the head seq) and root. */
	treeHead(): Promise<TreeRoot>;
	/** Inclusion proof of record `seq` in the tree of `size` records, checked before it is returned. */
	proveInclusion(seq: number, size: number): Promise<TreeInclusionProof>;
	/** Consistency proof from the tree of `oldSize` records to the tree of `size`, checked before it is returned. */
	proveConsistency(oldSize: number, size: number): Promise<TreeConsistencyProof>;
	/** Checkpoints issued for this chain, newest first. */
	listCheckpoints(limit?: number): Promise<StoredCheckpointNote[]>;
	/** Keeps an issued checkpoint (core/tlog/issue.ts signs one only when it extends the last). */
	saveCheckpoint(entry: StoredCheckpointNote): Promise<void>;

	close(): Promise<void>;
}
