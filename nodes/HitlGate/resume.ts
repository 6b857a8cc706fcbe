/** Turning the group's resolved requests into the gate's three outputs. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ReviewRequest } from '../../core/store/types';
import { OUTPUT_APPROVED, OUTPUT_REJECTED, OUTPUT_TIMED_OUT } from './description';
import { draftSha256 } from './draft';
import { asGatePayload } from './types';

function ms(iso: string): number {
	return new Date(iso).getTime();
}

/**
 * Every request of the group, decided or expired → `[timedOut, approved, rejected]`.
 * If any request expired, the whole run leaves through Timed Out: the same thing n8n does when the
 * deadline fires on its own, so the outcome does not depend on who noticed the deadline first.
 */
export function buildOutputs(requests: ReviewRequest[], now: Date): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], [], []];
	const timedOut = requests.some((r) => r.status !== 'decided');
	const sorted = [...requests].sort((a, b) => a.itemIndex - b.itemIndex);
	for (const request of sorted) {
		const payload = asGatePayload(request.payload);
		if (!payload) continue;
		const outcome = request.outcome;
		for (const item of payload.items) {
			const common = {
				requestId: request.id,
				// n8n rewrites pairedItem when a webhook resumes a multi-output node; this stays true.
				itemIndex: item.index,
				requestedAt: request.createdAt,
				draftSha256: request.draftSha256,
				linkKeyId: payload.linkKeyId,
				...(payload.blastRadius ? { blastRadius: payload.blastRadius } : {}),
			};
			if (timedOut || !outcome) {
				outputs[OUTPUT_TIMED_OUT].push({
					json: {
						...item.json,
						hitl: {
							decision: 'timed_out',
							reviewer: null,
							decidedAt: now.toISOString(),
							queueTimeMs: now.getTime() - ms(request.createdAt),
							expiresAt: request.expiresAt,
							// A decision made before the deadline on another item of the run is kept for the record.
							earlierDecision: outcome ? { decision: outcome.decision, reviewer: outcome.reviewerId, decidedAt: outcome.decidedAt } : null,
							comment: null,
							edits: [],
							finalSha256: request.draftSha256,
							...common,
						} as IDataObject,
					},
					...(item.binary ? { binary: item.binary as INodeExecutionData['binary'] } : {}),
					pairedItem: { item: item.index },
				});
				continue;
			}
			const approved = outcome.decision !== 'rejected';
			// Edits apply to single-item requests; in batch mode items leave as they were shown.
			const finalJson =
				approved && payload.items.length === 1 && outcome.finalJson ? outcome.finalJson : item.json;
			outputs[approved ? OUTPUT_APPROVED : OUTPUT_REJECTED].push({
				json: {
					...finalJson,
					hitl: {
						decision: outcome.decision,
						reviewer: outcome.reviewerId,
						decidedAt: outcome.decidedAt,
						queueTimeMs: ms(outcome.decidedAt) - ms(request.createdAt),
						comment: outcome.comment,
						edits: approved ? outcome.edits : [],
						finalSha256: draftSha256(finalJson),
						...common,
					} as unknown as IDataObject,
				},
				...(item.binary ? { binary: item.binary as INodeExecutionData['binary'] } : {}),
				pairedItem: { item: item.index },
			});
		}
	}
	return outputs;
}
