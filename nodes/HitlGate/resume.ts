/**
 * Turning the group's verified terminal records into the gate's three outputs. Only what
 * ledger.ts verified against the chain gets here: the decision, reviewer and time come from the
 * terminal record, the content from the request, checked against the record's hashes.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ReviewRequest } from '../../core/store';
import { OUTPUT_APPROVED, OUTPUT_REJECTED, OUTPUT_TIMED_OUT } from './description';
import { draftSha256 } from './draft';
import type { Verdict } from './ledger';
import type { GatePayload } from './types';

export interface ReleasedRequest {
	request: ReviewRequest;
	payload: GatePayload;
	verdict: Extract<Verdict, { kind: 'decided' | 'expired' }>;
}

function ms(iso: string): number {
	return new Date(iso).getTime();
}

/**
 * Every request of the group, ended → `[timedOut, approved, rejected]`, each item by its own terminal
 * record: a decided item through its decision, an expired one through Timed Out — or Rejected, with
 * decision `timed_out`, when the run's plan says "reject on timeout". Never through Approved without a
 * person's decision. (When n8n's own timer ends the wait instead, the gate's code does not run and n8n
 * sends every item through output 0, Timed Out.)
 */
export function buildOutputs(released: ReleasedRequest[], now: Date): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], [], []];
	const sorted = [...released].sort((a, b) => a.request.itemIndex - b.request.itemIndex);
	for (const { request, payload, verdict } of sorted) {
		const record = verdict.record;
		payload.items.forEach((item, position) => {
			const common = {
				requestId: request.id,
				// n8n rewrites pairedItem when a webhook resumes a multi-output node; this stays true.
				itemIndex: item.index,
				requestedAt: request.createdAt,
				draftSha256: request.draftSha256,
				linkKeyId: payload.linkKeyId,
				logSeq: record.seq,
				...(payload.blastRadius ? { blastRadius: payload.blastRadius } : {}),
			};
			const binary = item.binary ? { binary: item.binary as INodeExecutionData['binary'] } : {};
			if (verdict.kind !== 'decided') {
				const rejectOnTimeout = payload.deadlinePlan?.rejectOnTimeout === true;
				outputs[rejectOnTimeout ? OUTPUT_REJECTED : OUTPUT_TIMED_OUT].push({
					json: {
						...item.json,
						hitl: {
							decision: 'timed_out',
							reviewer: null,
							decidedAt: now.toISOString(),
							queueTimeMs: now.getTime() - ms(request.createdAt),
							expiresAt: request.expiresAt,
							rejectedOnTimeout: rejectOnTimeout,
							comment: null,
							edits: [],
							finalSha256: request.draftSha256,
							...common,
						} as IDataObject,
					},
					...binary,
					pairedItem: { item: item.index },
				});
				return;
			}
			const approved = record.decision !== 'rejected';
			const finalJson = verdict.json[position] ?? item.json;
			outputs[approved ? OUTPUT_APPROVED : OUTPUT_REJECTED].push({
				json: {
					...finalJson,
					hitl: {
						decision: record.decision,
						reviewer: record.reviewerId,
						decidedAt: record.decidedAt,
						queueTimeMs: ms(record.decidedAt ?? record.recordedAt) - ms(request.createdAt),
						comment: record.comment,
						edits: approved ? (record.edits ?? []) : [],
						finalSha256: draftSha256(finalJson),
						// Under a quorum: every approver (and who rejected), from the decided record.
						...(record.details?.quorum ? { quorum: record.details.quorum } : {}),
						...common,
					} as unknown as IDataObject,
				},
				...binary,
				pairedItem: { item: item.index },
			});
		});
	}
	return outputs;
}
