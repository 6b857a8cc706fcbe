/**
 * The record vocabulary of the review log: which events and decisions exist, what a record holds, what
 * a signed checkpoint and a verification report look like, and how a terminal record names the gate
 * request it ends.
 *
 * Why a module of its own: these are the words of the *log*, not of a store. The chain (hashing and
 * parsing records), checkpoints, the verifier, the CSV export, the metrics and the field edits all
 * speak them, and so does every store backend — but none of them needs a store. With the vocabulary
 * here, the modules that define what the log *is* import nothing from core/store/, and the store
 * (core/store/types.ts) builds on this module rather than the other way round. core/store re-exports
 * everything here, so importing these names from the store keeps working. No n8n import here.
 */
import type { Tier } from './tiers';

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
	// Evidence kept beside the chain (core/evidence/) was erased: a data subject's request or retention.
	'erased',
	// A decision POST came sooner after its page was served than the gate's minimum time on page (a
	// clicking mail-security sandbox, or a very quick person): nothing was decided, the page asked to confirm.
	'decision_too_fast',
	// The item's requester opened or posted on a link to their own item: refused (separation of duties).
	'self_approval_refused',
	// One reviewer's vote under a quorum policy: not terminal; the `decided` record that reaches (or
	// defeats) the quorum ends the request and names every approver.
	'vote',
	// One-time codes (core/links/oneTimeCode.ts), none of them terminal: a code was mailed to the reviewer
	// (its keyed hash and expiry, never the code), a typed code was refused (wrong, expired, replaced,
	// spent, or the link is locked after too many), a code was accepted and spent by the decision after it.
	'otp_sent',
	'otp_failed',
	'otp_accepted',
] as const;
export type ReviewEvent = (typeof REVIEW_EVENTS)[number];

/** Events that end a review request; a gate request has at most one such record in the chain. */
export const TERMINAL_EVENTS = ['decided', 'expired'] as const;
export type TerminalEvent = (typeof TERMINAL_EVENTS)[number];

/**
 * The reserved `details` key that binds a terminal record to the gate request it ends. Only
 * `ReviewStore.resolveReviewRequest` (core/store/types.ts) writes records carrying it (a plain
 * `append` is refused), so the chain alone tells which requests ended and how: the working state is
 * an index rebuilt from it.
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
	/** The gate's MAC over the decision (see core/links/decisionMac.ts); null when written without the key. */
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
