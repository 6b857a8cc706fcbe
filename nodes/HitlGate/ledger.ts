/**
 * The gate's side of "the log decides": what it writes when a reviewer decides, and what it checks
 * before an item leaves. A decision exists when, and only when, its terminal record is in the chain
 * with the gate's MAC; working state (status, outcome, stored content) is trusted only as far as that
 * record and the request's own MAC vouch for it. Anything that does not check out never leaves
 * through Approved or Rejected: the item is held, and a `tamper_suspected` record says why. A request
 * whose signed payload needs a one-time code is decided only by a record whose MAC names the accepted
 * code and whose `otp_accepted` record the chain holds before it (fail closed: anything else is tampered).
 */
import { sha256Json } from '../../core/edits';
import { EVIDENCE_DETAILS_KEY, type EvidenceReference } from '../../core/evidence';
import { signDecision, verifyDecisionMac, verifyRequestMac, type DecisionFacts, type SigningKey } from '../../core/links';
import { REQUEST_BINDING_KEY, type FieldEdit, type ReviewRecord, type ReviewRecordInput } from '../../core/records';
import { requestBindingOf, type RequestErasure, type Resolution, type ReviewOutcome, type ReviewRequest, type ReviewStore } from '../../core/store';
import { reviewersAt } from '../../core/deadline';
import { requestRecordFields } from '../shared/requestRecords';
import type { ClientInfo } from './clientInfo';
import { acceptanceUnbacked, codeNoteOf, type CodeNote } from './oneTimeCode';
import { rubberStampDetails } from './timeOnPage';
import { asGatePayload, type GatePayload } from './types';

/** Edit values whose canonical JSON is longer than this are logged by SHA-256 (the content is kept beside the chain). */
export const MAX_LOGGED_EDIT_VALUE_BYTES = 2048;

/** The draft a request holds, recomputed from its stored content (never trust a stored hash alone). */
export function draftOf(payload: GatePayload): unknown {
	return payload.items.length === 1 ? payload.items[0].json : payload.items.map((i) => i.json);
}

export type AuthenticRequest = { ok: true; payload: GatePayload } | { ok: false; reason: string };

/**
 * A stored request is authentic when its MAC (made by this gate's key when the request was created)
 * verifies and its stored draft still hashes to the draft hash the MAC covers.
 */
export function authenticateRequest(request: ReviewRequest, keys: readonly SigningKey[]): AuthenticRequest {
	const payload = asGatePayload(request.payload);
	if (!payload) return { ok: false, reason: 'the stored request is not a HITL Gate request' };
	if (!verifyRequestMac(request, payload.linkKeyId, request.mac, keys)) {
		return { ok: false, reason: 'the stored request does not carry a valid MAC of the gate signing key (altered in the store?)' };
	}
	// The MAC covers the payload's canonical JSON, so a payload that passed it is JSON data and hashes.
	const hash = sha256Json(draftOf(payload));
	if (hash !== request.draftSha256) return { ok: false, reason: 'the stored draft no longer matches its SHA-256' };
	return { ok: true, payload };
}

/** Edits as logged: small values in full, large ones by SHA-256 so the record always fits. */
export function loggedEdits(edits: FieldEdit[]): FieldEdit[] {
	return edits.map((e) => {
		const logged: FieldEdit = { path: e.path, before: e.before, after: e.after };
		for (const side of ['before', 'after'] as const) {
			const text = JSON.stringify(e[side] ?? null);
			if (Buffer.byteLength(text, 'utf8') > MAX_LOGGED_EDIT_VALUE_BYTES) {
				logged[side] = null;
				logged[`${side}Sha256`] = sha256Json(e[side] ?? null);
			}
		}
		return logged;
	});
}

export interface DecisionContext {
	request: ReviewRequest;
	payload: GatePayload;
	outcome: ReviewOutcome;
	/** SHA-256 of the content that leaves the gate if this decision stands. */
	finalSha256: string;
	queueTimeMs: number;
	linkKeyId: string;
	linkNonce: string;
	client: ClientInfo;
	key: SigningKey;
	/** References to the evidence kept for this decision (evidence.ts); null when none is kept. */
	evidence?: EvidenceReference[] | null;
	/** When the page the decision came from was served: the record's `viewedAt`, and its seconds on page. */
	servedAt?: Date | null;
}

/** The resolution for a reviewer's decision: outcome plus the MAC'd `decided` record, written atomically. */
export function decisionResolution(c: DecisionContext): Resolution {
	const { request, outcome } = c;
	const msOnPage = c.servedAt ? Date.parse(outcome.decidedAt) - c.servedAt.getTime() : null;
	const record: ReviewRecordInput = {
		event: 'decided',
		decision: outcome.decision,
		reviewerId: outcome.reviewerId,
		...requestRecordFields(request, c.payload),
		decidedAt: outcome.decidedAt,
		// Time on page, for rubber-stamp review: from the page the decision came from to the decision.
		viewedAt: c.servedAt ? c.servedAt.toISOString() : null,
		queueTimeMs: c.queueTimeMs,
		finalSha256: c.finalSha256,
		// With evidence kept, edit values live in the vault (erasable); the chain keeps which fields changed.
		edits: c.evidence ? outcome.edits.map((e) => ({ path: e.path, before: null, after: null })) : loggedEdits(outcome.edits),
		comment: outcome.comment,
		linkKeyId: c.linkKeyId,
		linkNonce: c.linkNonce,
		clientIp: c.client.clientIp,
		userAgent: c.client.userAgent,
		details: {
			...(msOnPage !== null ? { secondsOnPage: Math.round(msOnPage / 100) / 10 } : {}),
			// Taken, but quicker than its tier's threshold (fixed in the signed payload): flagged, not refused.
			...rubberStampDetails(c.payload, msOnPage),
			...(c.evidence ? { [EVIDENCE_DETAILS_KEY]: c.evidence } : {}),
			...(c.payload.about ? { about: c.payload.about } : {}),
		},
	};
	return { status: 'decided', outcome, record: sealDecision(record, request, c.key) };
}

type DecisionRecordFields = Pick<ReviewRecordInput, 'event' | 'decision' | 'reviewerId' | 'decidedAt' | 'comment' | 'finalSha256' | 'details'>;

/**
 * Signs a decided record as it will be written (the MAC in its request binding), from the same facts
 * the release check reads back: a one-time code it names (`details.oneTimeCodeAcceptedSeq`) is under
 * the MAC (version 2). Call again whenever its details change.
 */
export function sealDecision(record: ReviewRecordInput, request: ReviewRequest, key: SigningKey): ReviewRecordInput {
	const note = codeNoteOf(record.details);
	if (note.kind === 'malformed') throw new TypeError('a decided record names a one-time code without the seq of its acceptance');
	const mac = signDecision(decisionFactsOf(record, request, note), key);
	return { ...record, details: { ...record.details, [REQUEST_BINDING_KEY]: { id: request.id, groupId: request.groupId, nodeId: request.nodeId, keyId: key.keyId, mac } } };
}

/** The resolution with `details` added to its record (e.g. the accepted one-time code), signed again. */
export function withDecisionDetails(resolution: Resolution, request: ReviewRequest, details: Record<string, unknown>, key: SigningKey): Resolution {
	return { ...resolution, record: sealDecision({ ...resolution.record, details: { ...resolution.record.details, ...details } }, request, key) };
}

/** What the chain says about one request, checked against the gate's key and the content it would release. */
export type Verdict =
	| { kind: 'decided'; record: ReviewRecord; json: Array<Record<string, unknown>> }
	| { kind: 'expired'; record: ReviewRecord }
	/** Not ended in the chain. `inconsistent`: the stored status claims otherwise (a forged or stale status). */
	| { kind: 'pending'; inconsistent?: string }
	/** Its content was erased (core/store/requestErasure.ts): closed for good — never shown, decided or released. */
	| { kind: 'erased'; erasure: RequestErasure }
	| { kind: 'tampered'; reason: string };

function decisionFactsOf(record: DecisionRecordFields, request: ReviewRequest, note: CodeNote): DecisionFacts {
	return {
		requestId: request.id,
		groupId: request.groupId,
		executionId: request.executionId,
		nodeId: request.nodeId,
		event: record.event as 'decided' | 'expired',
		decision: record.decision ?? null,
		reviewerId: record.reviewerId ?? null,
		decidedAt: record.decidedAt ?? null,
		comment: record.comment ?? null,
		draftSha256: request.draftSha256,
		finalSha256: record.finalSha256 ?? null,
		...(note.kind === 'accepted' ? { oneTimeCodeAcceptedSeq: note.seq } : {}),
	};
}

/**
 * Reads the request's terminal record from the chain and decides what may leave the gate. A decided
 * item is released only when: the request is authentic, the record's binding and MAC verify for this
 * request, the reviewer was listed on it, a code the request needs was accepted for it (oneTimeCode.ts
 * acceptanceUnbacked), the record names the draft the request holds, and the content about to leave
 * hashes to the record's finalSha256.
 */
export async function verdictFor(
	store: ReviewStore,
	request: ReviewRequest,
	keys: readonly SigningKey[],
	/** The request's terminal record as just read from the chain (verdictsFor), null for none; else it is read here. */
	terminal?: ReviewRecord | null,
): Promise<Verdict> {
	// First: an erased request cannot authenticate (its MAC covered the content) and must not read as tampered.
	if (request.erased) return { kind: 'erased', erasure: request.erased };
	const auth = authenticateRequest(request, keys);
	if (!auth.ok) return { kind: 'tampered', reason: auth.reason };
	const payload = auth.payload;
	const record = terminal !== undefined ? terminal : await store.terminalRecord(request.id);
	if (!record) {
		// The log decides: without a terminal record the request is still open, whatever its status says.
		return request.status === 'pending'
			? { kind: 'pending' }
			: { kind: 'pending', inconsistent: `the stored request says "${request.status}" but the log has no record ending it` };
	}
	const binding = requestBindingOf(record);
	if (!binding || binding.id !== request.id || binding.groupId !== request.groupId || binding.nodeId !== request.nodeId) {
		return { kind: 'tampered', reason: 'the terminal record does not name this request' };
	}
	if (record.event === 'expired') return { kind: 'expired', record };
	const note = codeNoteOf(record.details);
	if (note.kind === 'malformed') return { kind: 'tampered', reason: 'the decided record\'s one-time code note is malformed (added or stripped in the store?)' };
	if (!verifyDecisionMac(decisionFactsOf(record, request, note), binding.keyId, binding.mac, keys)) {
		return { kind: 'tampered', reason: 'the decided record does not carry a valid MAC of the gate signing key' };
	}
	// A backup counts from the time their escalation level was reached (the request MAC covers the plan).
	const decidedAt = new Date(record.decidedAt ?? record.recordedAt);
	if (record.reviewerId === null || !reviewersAt(request.reviewers, payload.deadlinePlan, decidedAt).includes(record.reviewerId)) {
		return { kind: 'tampered', reason: `the decided record names ${String(record.reviewerId)}, who is not a reviewer of this request` };
	}
	if (payload.requester?.ids.includes(record.reviewerId) === true) {
		return { kind: 'tampered', reason: `the decided record names ${record.reviewerId}, the requester of this item (separation of duties)` };
	}
	if (payload.oneTimeCode) {
		// Fail closed: a request whose signed payload needs a code is decided only with an accepted code
		// the MAC names, backed by its otp_accepted record before the decision in the chain.
		if (note.kind !== 'accepted') return { kind: 'tampered', reason: 'the request needs a one-time code but the decided record names no accepted code' };
		const unbacked = await acceptanceUnbacked(store, request, record, note.seq);
		if (unbacked !== null) return { kind: 'tampered', reason: `the request needs a one-time code but ${unbacked}` };
	}
	if (record.draftSha256 !== request.draftSha256) return { kind: 'tampered', reason: 'the decided record is about another draft' };
	const approved = record.decision !== 'rejected';
	const single = payload.items.length === 1;
	// Approved single items leave as edited (content kept beside the chain); everything else as drafted.
	const stored = approved && single ? request.outcome?.finalJson ?? null : null;
	const json = stored ? [stored] : payload.items.map((i) => i.json);
	const released = single ? json[0] : json;
	if (approved && sha256Json(released) !== record.finalSha256) {
		return { kind: 'tampered', reason: 'the content to release does not match the SHA-256 the reviewer approved' };
	}
	return { kind: 'decided', record, json };
}

/**
 * verdictFor for every request of a run, in order, with their terminal records read from the chain in
 * one go (store.terminalRecords): a 1,000-item run read its index 1,000 times, once per request.
 */
export async function verdictsFor(store: ReviewStore, requests: readonly ReviewRequest[], keys: readonly SigningKey[]): Promise<Verdict[]> {
	const terminals = await store.terminalRecords(requests.map((r) => r.id));
	const verdicts: Verdict[] = [];
	for (const request of requests) verdicts.push(await verdictFor(store, request, keys, terminals.get(request.id) ?? null));
	return verdicts;
}

/** Logs that the gate refused to trust the store, for the request (or link) named. Never throws. */
export async function reportTamper(store: ReviewStore, request: ReviewRequest, reason: string, extra: Record<string, unknown> = {}): Promise<void> {
	try {
		await store.append({
			event: 'tamper_suspected',
			...requestRecordFields(request, asGatePayload(request.payload)),
			details: { requestId: request.id, groupId: request.groupId, reason, ...extra },
		});
	} catch {
		// The item is held either way; a store that cannot even log this is reported by the caller's page.
	}
}
