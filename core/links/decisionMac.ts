/**
 * The gate's own authentication of what it keeps in the review store, with its signing key (which
 * lives in an n8n credential, never in the store). Whoever can write the store — its folder, or the
 * Postgres grants the README gives — can change working state and even append well-formed records,
 * but cannot produce these MACs, so the gate never releases an item on state it did not write itself.
 *
 * - Request MAC: over a review request's definition (who may review, the draft, the deadline, the
 *   page payload) — everything but its status and outcome. Checked before a page is shown and before
 *   an item is released.
 * - Decision MAC: over a terminal record's meaning — request, execution, node, event, decision,
 *   reviewer, time, comment, the draft's and the final item's SHA-256. Carried in the record's
 *   `details.hitlRequest.mac`; an item leaves through Approved or Rejected only on a record whose MAC
 *   verifies and whose hashes match the content being released. A decision (or quorum vote) taken with
 *   a one-time code is MAC'd as version 2, which also covers the seq of the `otp_accepted` record that
 *   spent the code: a store writer can neither add the code to a decision taken without one nor strip
 *   it from one taken with it (the ledger then requires that record in the chain). Decisions without a
 *   code keep version 1, so every record written before version 2 existed verifies unchanged, and the
 *   two domains keep a v2 MAC from ever verifying as v1 (or the other way round).
 *
 * MAC = base64url(HMAC-SHA256(secret, domain + RFC 8785 canonical JSON of the fields)).
 */
import { createHmac } from 'node:crypto';

import { canonicalize } from '../canonicalJson';
import type { ReviewRequest } from '../store/types';
import { constantTimeEqual } from './linkToken';
import { assertSigningKey, type SigningKey } from './signingKey';

export const REQUEST_MAC_DOMAIN = 'n8n-nodes-hitl/request/v1\n';
export const DECISION_MAC_DOMAIN = 'n8n-nodes-hitl/decision/v1\n';
/** A decision taken with a one-time code: the v1 fields plus `oneTimeCodeAcceptedSeq`. */
export const DECISION_MAC_DOMAIN_V2 = 'n8n-nodes-hitl/decision/v2\n';

/** The parts of a review request its MAC covers: everything but its status, outcome and the MAC itself. */
export type RequestDefinition = Pick<
	ReviewRequest,
	'id' | 'groupId' | 'executionId' | 'nodeId' | 'itemIndex' | 'reviewers' | 'draftSha256' | 'createdAt' | 'expiresAt' | 'payload'
>;

/** What a terminal record's MAC covers. */
export interface DecisionFacts {
	requestId: string;
	groupId: string;
	executionId: string;
	nodeId: string;
	/** `vote`: one approver's vote under a quorum policy (not terminal; the `decided` record ends the request). */
	event: 'decided' | 'expired' | 'vote';
	decision: string | null;
	reviewerId: string | null;
	decidedAt: string | null;
	comment: string | null;
	draftSha256: string;
	finalSha256: string | null;
	/**
	 * The seq of the `otp_accepted` record whose code this decision spent (version 2 of the MAC); absent
	 * or null for a decision without a code (version 1).
	 */
	oneTimeCodeAcceptedSeq?: number | null;
}

function mac(domain: string, keyId: string, canonicalFields: string, key: SigningKey): string {
	assertSigningKey(key);
	return createHmac('sha256', key.secret)
		.update(`${domain}${keyId}\n${canonicalFields}`, 'utf8')
		.digest('base64url');
}

/** The canonical JSON the MAC covers; null when the fields are not JSON data (a forged payload with odd values). */
function canonicalOrNull(fields: unknown): string | null {
	try {
		return canonicalize(fields);
	} catch {
		return null;
	}
}

/** Checks `given` against every key with the MAC's key id (constant time per key, no early exit). */
function verify(domain: string, keyId: string | null, canonicalFields: string | null, given: unknown, keys: readonly SigningKey[]): boolean {
	// Not canonical JSON, or no MAC text: not authentic.
	if (canonicalFields === null || typeof given !== 'string') return false;
	let ok = false;
	for (const key of keys) {
		if (key.keyId !== keyId) continue;
		ok = constantTimeEqual(mac(domain, key.keyId, canonicalFields, key), given) || ok;
	}
	return ok;
}

function definitionFields(r: RequestDefinition): RequestDefinition {
	return {
		id: r.id,
		groupId: r.groupId,
		executionId: r.executionId,
		nodeId: r.nodeId,
		itemIndex: r.itemIndex,
		reviewers: r.reviewers,
		draftSha256: r.draftSha256,
		createdAt: r.createdAt,
		expiresAt: r.expiresAt,
		payload: r.payload,
	};
}

/** `keyId` + MAC of a request definition; store the MAC with the request and the key id in its payload. */
export function signRequest(request: RequestDefinition, key: SigningKey): string {
	return mac(REQUEST_MAC_DOMAIN, key.keyId, canonicalize(definitionFields(request)), key);
}

export function verifyRequestMac(request: RequestDefinition, keyId: string | null, given: unknown, keys: readonly SigningKey[]): boolean {
	return verify(REQUEST_MAC_DOMAIN, keyId, canonicalOrNull(definitionFields(request)), given, keys);
}

/** The domain and fields of a decision MAC: version 2 exactly when a one-time code was spent. */
function decisionInput(f: DecisionFacts): { domain: string; fields: DecisionFacts } {
	const fields = decisionFields(f);
	if (f.oneTimeCodeAcceptedSeq === undefined || f.oneTimeCodeAcceptedSeq === null) return { domain: DECISION_MAC_DOMAIN, fields };
	return { domain: DECISION_MAC_DOMAIN_V2, fields: { ...fields, oneTimeCodeAcceptedSeq: f.oneTimeCodeAcceptedSeq } };
}

function decisionFields(f: DecisionFacts): DecisionFacts {
	return {
		requestId: f.requestId,
		groupId: f.groupId,
		executionId: f.executionId,
		nodeId: f.nodeId,
		event: f.event,
		decision: f.decision,
		reviewerId: f.reviewerId,
		decidedAt: f.decidedAt,
		comment: f.comment,
		draftSha256: f.draftSha256,
		finalSha256: f.finalSha256,
	};
}

export function signDecision(facts: DecisionFacts, key: SigningKey): string {
	const seq = facts.oneTimeCodeAcceptedSeq;
	if (seq !== undefined && seq !== null && !(Number.isSafeInteger(seq) && seq >= 0)) {
		throw new TypeError(`oneTimeCodeAcceptedSeq must be a record seq, got ${String(seq)}`);
	}
	const { domain, fields } = decisionInput(facts);
	return mac(domain, key.keyId, canonicalize(fields), key);
}

export function verifyDecisionMac(facts: DecisionFacts, keyId: string | null, given: unknown, keys: readonly SigningKey[]): boolean {
	const { domain, fields } = decisionInput(facts);
	return verify(domain, keyId, canonicalOrNull(fields), given, keys);
}
