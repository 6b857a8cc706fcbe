/**
 * Turns one input item into a review-log record input: reads the `hitl` annotation of HITL Gate and
 * the `blastRadius` annotation of Blast Radius Router, then the builder's mapped fields. Pure (no n8n
 * import) so every rule is unit-tested; the Append operation wraps errors into NodeOperationError.
 */
import { createHmac } from 'node:crypto';
import { isTier } from '../../../core/tiers';
import { REVIEW_DECISIONS, REVIEW_EVENTS, type FieldEdit, type ReviewDecision, type ReviewEvent, type ReviewRecordInput } from '../../../core/records';

/** A bad item: `message` says what is wrong, `description` what to do. */
export class RecordInputError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'RecordInputError';
	}
}

export type EventMode = ReviewEvent | 'auto';

/** Fields a builder maps in the node (expressions, evaluated per item). Empty strings mean "not set". */
export interface MappedFields {
	itemKey?: string | number;
	reviewerId?: string;
	requesterId?: string;
	decision?: string;
	tier?: string;
	modelName?: string;
	modelVersion?: string;
	promptVersion?: string;
	workflowVersion?: string | number;
	comment?: string;
	note?: string;
	details?: unknown;
	clientIp?: string;
	userAgent?: string;
}

export interface AppendSettings {
	event: EventMode;
	hitlField: string;
	blastRadiusField: string;
	hashClientInfo: boolean;
	privacySecret: string | null;
	context: { workflowId: string | null; workflowName: string | null; executionId: string | null; nodeName: string };
}

/** Public domain string used as the HMAC key when no privacy secret is configured (documented). */
export const PUBLIC_PRIVACY_DOMAIN = 'n8n-nodes-hitl/privacy/v1';

export function hashClientValue(value: string, secret: string | null): string {
	return 'hmac-sha256:' + createHmac('sha256', secret || PUBLIC_PRIVACY_DOMAIN).update(value, 'utf8').digest('hex');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const HEX64 = /^[0-9a-f]{64}$/;

function optString(o: Obj, key: string, where: string): string | null {
	const v = own(o, key);
	if (v === undefined || v === null || v === '') return null;
	if (typeof v !== 'string') {
		throw new RecordInputError(
			`${where}.${key} must be text, got ${Array.isArray(v) ? 'array' : typeof v}`,
			`Check what the node before this one puts in ${where}.${key}.`,
		);
	}
	return v;
}

function optTime(o: Obj, key: string, where: string): string | null {
	const v = optString(o, key, where);
	if (v !== null && !Number.isFinite(Date.parse(v))) {
		throw new RecordInputError(`${where}.${key} "${v}" is not a valid date`, 'Use an ISO-8601 timestamp such as 2026-11-25T10:00:00Z.');
	}
	return v;
}

function optHash(o: Obj, key: string, where: string): string | null {
	const v = optString(o, key, where);
	if (v !== null && !HEX64.test(v)) {
		throw new RecordInputError(`${where}.${key} is not a SHA-256 hex digest`, 'Expected 64 lower-case hex characters.');
	}
	return v;
}

function readEdits(o: Obj, where: string): FieldEdit[] | null {
	const v = own(o, 'edits');
	if (v === undefined || v === null) return null;
	if (!Array.isArray(v) || !v.every((e) => isObj(e) && typeof own(e, 'path') === 'string')) {
		throw new RecordInputError(`${where}.edits must be a list of { path, before, after }`, 'Pass the edits exactly as HITL Gate produced them.');
	}
	return v.map((e) => ({ path: e.path as string, before: own(e as Obj, 'before') ?? null, after: own(e as Obj, 'after') ?? null }));
}

/** Maps the gate's decision words onto the log's decision (and event). */
function gateDecision(raw: string | null, edits: FieldEdit[] | null, where: string): { event: ReviewEvent; decision: ReviewDecision | null } {
	switch (raw) {
		case 'approve':
		case 'approved':
			return { event: 'decided', decision: edits && edits.length > 0 ? 'approved_with_edits' : 'approved' };
		case 'approved_with_edits':
			return { event: 'decided', decision: 'approved_with_edits' };
		case 'reject':
		case 'rejected':
			return { event: 'decided', decision: 'rejected' };
		case 'expired':
		case 'timeout':
		case 'timedOut':
		case 'timed_out':
			return { event: 'expired', decision: null };
		default:
			throw new RecordInputError(
				`${where}.decision "${raw ?? ''}" is not a known decision`,
				'Expected approve, reject or expired, as HITL Gate writes them.',
			);
	}
}

/** A router reason as one line: its label (or source), and the error when a rule failed closed. */
function reasonText(r: unknown): string {
	if (typeof r === 'string') return r;
	if (!isObj(r)) return JSON.stringify(r);
	const label = own(r, 'label');
	const source = own(r, 'source');
	const error = own(r, 'error');
	const text = typeof label === 'string' && label !== '' ? label : typeof source === 'string' ? source : JSON.stringify(r);
	return typeof error === 'string' && error !== '' ? `${text} (error: ${error})` : text;
}

function readBlastRadius(br: Obj, where: string): { tier: ReviewRecordInput['tier']; reasons: string[] | null; sampling: Obj | null } {
	const rawTier = own(br, 'tier');
	let tier: ReviewRecordInput['tier'] = null;
	if (rawTier !== undefined && rawTier !== null) {
		if (!isTier(rawTier)) {
			throw new RecordInputError(`${where}.tier "${String(rawTier)}" is not low, medium or high`, 'Check the Blast Radius Router annotation on this item.');
		}
		tier = rawTier;
	}
	const rawReasons = own(br, 'reasons');
	let reasons: string[] | null = null;
	if (Array.isArray(rawReasons)) {
		reasons = rawReasons.map(reasonText);
	} else if (rawReasons !== undefined && rawReasons !== null) {
		throw new RecordInputError(`${where}.reasons must be a list`, 'Check the Blast Radius Router annotation on this item.');
	}
	// The router records `sampled` plus `sampling: { rate, seed, key, value }` (what an auditor needs to
	// recompute the decision); older or hand-made annotations may carry rate/seed at the top level.
	const sampled = own(br, 'sampled');
	const record = own(br, 'sampling');
	const sampling =
		typeof sampled === 'boolean'
			? { sampled, ...(isObj(record) ? record : { rate: own(br, 'sampleRate') ?? own(br, 'rate') ?? null, seed: own(br, 'seed') ?? null }) }
			: null;
	return { tier, reasons, sampling };
}

function mappedText(m: MappedFields, key: keyof MappedFields): string | null {
	const v = m[key];
	if (v === undefined || v === null || v === '') return null;
	if (typeof v === 'string') return v;
	if (typeof v === 'number' && Number.isFinite(v)) return String(v);
	throw new RecordInputError(`Mapped field "${key}" must be text`, `Change the expression of "${key}" so it returns text.`);
}

function mappedDetails(v: unknown): Obj | null {
	if (v === undefined || v === null || v === '') return null;
	let parsed = v;
	if (typeof v === 'string') {
		let parseError: string | null = null;
		try {
			parsed = JSON.parse(v);
		} catch (error) {
			parseError = (error as Error).message;
		}
		if (parseError !== null) {
			throw new RecordInputError(`Details is not valid JSON: ${parseError}`, 'Enter a JSON object, e.g. {"ticket": "OPS-12"}.');
		}
	}
	if (!isObj(parsed)) throw new RecordInputError('Details must be a JSON object', 'Enter a JSON object, e.g. {"ticket": "OPS-12"}.');
	return parsed;
}

/** Builds the record input for one item; throws RecordInputError for anything it cannot record faithfully. */
export function recordFromItem(json: unknown, mapped: MappedFields, s: AppendSettings): ReviewRecordInput {
	if (!isObj(json)) throw new RecordInputError('The item has no JSON object', 'Pass items whose JSON is an object.');
	const hitlRaw = own(json, s.hitlField);
	const hitl = isObj(hitlRaw) ? hitlRaw : null;
	if (hitlRaw !== undefined && hitlRaw !== null && !hitl) {
		throw new RecordInputError(`Item field "${s.hitlField}" is not an object`, 'It should be the annotation HITL Gate adds, or absent.');
	}
	const brRaw = own(json, s.blastRadiusField) ?? (hitl ? own(hitl, 'blastRadius') : undefined);
	const br = isObj(brRaw) ? readBlastRadius(brRaw, s.blastRadiusField) : null;

	const input: ReviewRecordInput = { event: 'note' };
	// Entries, not assignment: a `__proto__` key in mapped JSON must stay data, never set a prototype.
	const details: Array<[string, unknown]> = [];
	let fromGate: { event: ReviewEvent; decision: ReviewDecision | null } | null = null;
	// An item a sample-review gate passed on carries no decision (nobody has reviewed it yet).
	let unreviewedSample = false;
	if (hitl) {
		const h = s.hitlField;
		const edits = readEdits(hitl, h);
		unreviewedSample = optString(hitl, 'mode', h) === 'sample';
		fromGate = unreviewedSample ? null : gateDecision(optString(hitl, 'decision', h), edits, h);
		Object.assign(input, {
			reviewerId: optString(hitl, 'reviewer', h),
			decidedAt: optTime(hitl, 'decidedAt', h),
			requestedAt: optTime(hitl, 'requestedAt', h),
			viewedAt: optTime(hitl, 'viewedAt', h),
			comment: optString(hitl, 'comment', h),
			edits,
			draftSha256: optHash(hitl, 'draftSha256', h),
			finalSha256: optHash(hitl, 'finalSha256', h),
			linkKeyId: optString(hitl, 'linkKeyId', h),
			linkNonce: optString(hitl, 'nonce', h),
			itemKey: optString(hitl, 'itemKey', h),
			clientIp: optString(hitl, 'clientIp', h),
			userAgent: optString(hitl, 'userAgent', h),
		});
		const q = own(hitl, 'queueTimeMs');
		if (q !== undefined && q !== null) {
			if (typeof q !== 'number' || !Number.isFinite(q) || q < 0) {
				throw new RecordInputError(`${h}.queueTimeMs must be a number ≥ 0`, 'Pass the annotation exactly as HITL Gate produced it.');
			}
			input.queueTimeMs = q;
		}
		const requestId = optString(hitl, 'requestId', h);
		if (requestId !== null) details.push(['requestId', requestId]);
		// Timed-out items: the deadline, and a decision made earlier on another item of the batch.
		const expiresAt = optTime(hitl, 'expiresAt', h);
		if (expiresAt !== null) details.push(['expiresAt', expiresAt]);
		const earlier = own(hitl, 'earlierDecision');
		if (isObj(earlier)) details.push(['earlierDecision', { ...earlier }]);
	}
	if (br) {
		input.tier = br.tier;
		input.tierReasons = br.reasons;
	}

	// Event: explicit, or derived from the annotations (auto).
	if (s.event === 'auto') {
		if (fromGate) input.event = fromGate.event;
		else if (unreviewedSample) {
			throw new RecordInputError(
				'The item went on unreviewed from a HITL Gate in sample review, which already logged it as `sampled`',
				'Choose an Event (e.g. Note) to log your own fields with it; Metrics already counts the gate\'s own `sampled` record and its later verdict.',
			);
		} else if (br?.sampling && br.sampling.sampled === true) input.event = 'sampled';
		else {
			throw new RecordInputError(
				`Event is "Auto" but the item has neither a "${s.hitlField}" annotation nor a sampled "${s.blastRadiusField}" annotation`,
				'Choose an Event in the node, or connect this node after HITL Gate or Blast Radius Router.',
			);
		}
	} else {
		if (!(REVIEW_EVENTS as readonly string[]).includes(s.event)) {
			throw new RecordInputError(`Unknown event "${s.event}"`, 'Choose one of the listed events.');
		}
		input.event = s.event;
	}
	// The gate's decision belongs on a decided record only: a note written after the gate (e.g. "paid")
	// describes the item without claiming to be the decision again.
	if (fromGate) input.decision = input.event === 'decided' ? fromGate.decision : null;
	if (input.event === 'sampled' && br?.sampling) {
		details.push(['sampling', br.sampling]);
		// The sampling key (e.g. candidate id) identifies the item for the skip rate unless mapped.
		const key = br.sampling.key;
		if ((typeof key === 'string' && key !== '') || typeof key === 'number') input.itemKey = String(key);
	}

	// Builder mappings fill gaps; they may not contradict what the gate recorded.
	const m = mapped;
	const decision = mappedText(m, 'decision');
	if (decision !== null) {
		if (!(REVIEW_DECISIONS as readonly string[]).includes(decision)) {
			throw new RecordInputError(`Decision "${decision}" is not one of ${REVIEW_DECISIONS.join(', ')}`, 'Map Decision to one of those values, or leave it empty.');
		}
		if (fromGate && input.event === 'decided' && input.decision !== decision) {
			throw new RecordInputError(`Mapped decision "${decision}" contradicts the gate's decision "${input.decision ?? 'expired'}"`, 'Remove the Decision mapping: the gate annotation is the record of what the reviewer did.');
		}
		input.decision = decision as ReviewDecision;
	}
	const reviewer = mappedText(m, 'reviewerId');
	if (reviewer !== null) {
		if (fromGate && input.reviewerId && input.reviewerId !== reviewer) {
			throw new RecordInputError(`Mapped reviewer "${reviewer}" contradicts the gate's reviewer "${input.reviewerId}"`, 'Remove the Reviewer mapping: the gate annotation names who decided.');
		}
		input.reviewerId = reviewer;
	}
	const tier = mappedText(m, 'tier');
	if (tier !== null) {
		if (!isTier(tier)) throw new RecordInputError(`Tier "${tier}" is not low, medium or high`, 'Map Tier to low, medium or high, or leave it empty.');
		input.tier = tier;
	}
	if (input.event === 'decided' && !input.decision) {
		throw new RecordInputError('A "decided" record needs a decision', 'Map Decision, or connect this node after HITL Gate so the item carries its annotation.');
	}
	if (input.event !== 'decided' && input.decision) {
		throw new RecordInputError(`A "${input.event}" record cannot carry a decision`, 'Choose the event "decided", or leave Decision empty.');
	}
	for (const key of ['itemKey', 'requesterId', 'modelName', 'modelVersion', 'promptVersion', 'workflowVersion', 'comment', 'clientIp', 'userAgent'] as const) {
		const v = mappedText(m, key);
		if (v !== null) input[key] = v;
	}
	const extra = mappedDetails(m.details);
	if (extra) details.push(...Object.entries(extra));
	const note = mappedText(m, 'note');
	if (note !== null) details.push(['note', note]);
	input.details = details.length > 0 ? Object.fromEntries(details) : null;

	if (s.hashClientInfo) {
		if (input.clientIp) input.clientIp = hashClientValue(input.clientIp, s.privacySecret);
		if (input.userAgent) input.userAgent = hashClientValue(input.userAgent, s.privacySecret);
	}
	input.workflowId = s.context.workflowId;
	input.workflowName = s.context.workflowName;
	input.executionId = s.context.executionId;
	input.nodeName = s.context.nodeName;
	return input;
}
