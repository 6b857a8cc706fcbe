/**
 * The review-log fields every gate record about one request shares (requested, viewed, decided,
 * expired), built in one place so the records of a request always describe it the same way.
 */
import type { ReviewRecordInput, ReviewRequest } from '../../core/store/types';
import type { GatePayload } from './types';

export type RequestRecordFields = Pick<
	ReviewRecordInput,
	'requestedAt' | 'workflowId' | 'workflowName' | 'executionId' | 'nodeName' | 'itemKey' | 'tier' | 'tierReasons' | 'draftSha256'
>;

/** `payload` may be null when a stored request's payload is unreadable; the record still names the request. */
export function requestRecordFields(request: ReviewRequest, payload: GatePayload | null): RequestRecordFields {
	return {
		requestedAt: request.createdAt,
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
