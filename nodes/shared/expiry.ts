/**
 * Ending overdue review requests. When n8n's own wait timer releases a gate's run, the gate's code
 * does not run (see ../../../shared n8n notes: the node is skipped), so nothing records that its
 * requests expired. Every request must still end in exactly one terminal record: the next gate run
 * and every Review Log operation sweep the store and close overdue pending requests with an
 * `expired` record, atomically (a reviewer deciding at the same moment cannot both win).
 */
import { signDecision, type SigningKey } from '../../core/links';
import { REQUEST_BINDING_KEY } from '../../core/records';
import { firstRefusal, resolveEach, type Resolution, type ReviewRequest, type ReviewStore } from '../../core/store';
import { isTier } from '../../core/tiers';
import { requestRecordFields, type RequestDescription } from './requestRecords';

/** Why a request expired, as logged in `details.reason`. */
export type ExpiryReason = 'deadline_passed' | 'notification_failed' | 'expired_link_posted';

/** The record fields a request's payload describes, read leniently (an unreadable payload still expires). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeRequest(payload: Record<string, unknown>): RequestDescription | null {
	if (payload === null || typeof payload !== 'object' || typeof payload.nodeName !== 'string') return null;
	const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
	return {
		workflowId: text(payload.workflowId),
		workflowName: text(payload.workflowName),
		nodeName: payload.nodeName,
		tier: isTier(payload.tier) ? payload.tier : null,
		tierReasons: Array.isArray(payload.tierReasons) ? payload.tierReasons.filter((r): r is string => typeof r === 'string') : [],
		...(isPlainObject(payload.about) ? { about: payload.about } : {}),
	};
}

/**
 * The resolution that expires `request`, with its `expired` record. With the gate's signing key the
 * record carries the decision MAC; the sweep from Review Log has no key and leaves it null (an
 * expired record never lets anything through, so it needs no proof of origin to be safe).
 */
export function expiryResolution(
	request: ReviewRequest,
	reason: ExpiryReason,
	key: SigningKey | null,
	extra: Record<string, unknown> = {},
): Resolution {
	const mac = key
		? signDecision(
				{
					requestId: request.id,
					groupId: request.groupId,
					executionId: request.executionId,
					nodeId: request.nodeId,
					event: 'expired',
					decision: null,
					reviewerId: null,
					decidedAt: null,
					comment: null,
					draftSha256: request.draftSha256,
					finalSha256: null,
				},
				key,
			)
		: null;
	const described = describeRequest(request.payload);
	return {
		status: 'expired',
		outcome: null,
		record: {
			event: 'expired',
			...requestRecordFields(request, described),
			details: {
				reason,
				...(described?.about ? { about: described.about } : {}),
				expiresAt: request.expiresAt,
				reviewers: request.reviewers,
				...extra,
				[REQUEST_BINDING_KEY]: { id: request.id, groupId: request.groupId, nodeId: request.nodeId, keyId: key?.keyId ?? null, mac },
			},
		},
	};
}

/**
 * Closes up to `limit` overdue pending requests with an `expired` record each; returns how many this
 * call closed. Requests another process closes first are skipped (the store's resolution is atomic).
 * Every request is tried; the first failure is thrown afterwards, for the caller to log.
 */
export async function expireOverdueRequests(
	store: ReviewStore,
	now: Date,
	options: { key?: SigningKey | null; limit?: number } = {},
): Promise<number> {
	const overdue = await store.listOverdueRequests(now, options.limit ?? 100);
	// One store step for all of them; one request that cannot be closed (damaged state) must not keep
	// the others open (resolveEach retries a refused step one request at a time).
	const outcomes = await resolveEach(store, overdue.map((request) => ({ id: request.id, resolution: expiryResolution(request, 'deadline_passed', options.key ?? null) })));
	const firstError = firstRefusal(outcomes);
	if (firstError !== null) throw firstError;
	return outcomes.filter((o) => o.ok && o.result.applied).length;
}
