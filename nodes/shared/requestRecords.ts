/**
 * The review-log fields every record about one gate request shares (requested, viewed, decided,
 * expired, tamper_suspected), built in one place so the records of a request always describe it the
 * same way — whether the gate writes them or Review Log's expiry sweep does.
 */
import type { ReviewRecordInput } from '../../core/records';
import type { ReviewRequest } from '../../core/store';
import type { Tier } from '../../core/tiers';

/** The parts of the gate's request payload these fields come from. */
export interface RequestDescription {
	workflowId: string | null;
	workflowName: string | null;
	nodeName: string;
	tier: Tier | null;
	tierReasons: string[];
	/** Separation of duties: the requester's addresses (absent when not used). */
	requester?: { ids: string[] };
	/** What the request is about beyond its item (GatePayload.about), for the records' details. */
	about?: Record<string, unknown>;
}

export type RequestRecordFields = Pick<
	ReviewRecordInput,
	'requestedAt' | 'requesterId' | 'workflowId' | 'workflowName' | 'executionId' | 'nodeName' | 'itemKey' | 'tier' | 'tierReasons' | 'draftSha256'
>;

/** `payload` may be null when a stored request's payload is unreadable; the record still names the request. */
export function requestRecordFields(request: ReviewRequest, payload: RequestDescription | null): RequestRecordFields {
	return {
		requestedAt: request.createdAt,
		requesterId: payload?.requester?.ids[0] ?? null,
		workflowId: payload?.workflowId ?? null,
		workflowName: payload?.workflowName ?? null,
		executionId: request.executionId,
		nodeName: payload?.nodeName ?? null,
		itemKey: request.id,
		tier: payload?.tier ?? null,
		tierReasons: payload?.tierReasons ?? null,
		draftSha256: request.draftSha256,
	};
}

/**
 * A mail announced by an earlier record (`requested`, `reminded`, `escalated`) could not be handed to
 * the mail server. The announcing record is written before sending, so the chain never lacks a mail that
 * left; this note says which one did not.
 */
export function deliveryFailedNote(
	request: ReviewRequest,
	payload: RequestDescription | null,
	mail: { reviewer: string; nonce: string | null; announcedBy: 'requested' | 'reminded' | 'escalated' },
	error: string,
): ReviewRecordInput {
	return {
		event: 'note',
		reviewerId: mail.reviewer,
		...requestRecordFields(request, payload),
		linkNonce: mail.nonce,
		details: { requestId: request.id, groupId: request.groupId, deliveryFailed: error, announcedBy: mail.announcedBy },
	};
}
