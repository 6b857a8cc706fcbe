/**
 * What a review link says when the run can no longer answer it (HITL Review Links, relay.ts): n8n
 * refused the relayed request — the run finished, failed, was stopped, deleted or pruned (409/404/401
 * JSON), or could not be reached. The answer comes from the review log, checked as the gate checks it
 * (ledger.ts `verdictFor`: the request's MAC, the terminal record's binding and MAC): decided by whom
 * and when, expired, erased, or — no terminal record — closed undecided. A run that is only busy
 * resuming from another decision gets "try again in a moment"; nothing here ever decides.
 */
import type { SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { INTEGRITY_NOTICE } from '../HitlGate/batchWebhook';
import { verdictsFor, type Verdict } from '../HitlGate/ledger';
import type { StandardMessage } from '../HitlGate/page';
import { erasedNotice } from '../HitlGate/respond';

/** How the run's waiting webhook answered the relayed request. */
export type RunAnswer =
	| { kind: 'relayed' }
	/** n8n answered itself (not the gate's HTML): its status and body. */
	| { kind: 'n8n'; status: number; body: string }
	| { kind: 'unreachable'; detail: string };

/** n8n's 409 for an execution that is running (a resume in progress), as opposed to one that ended. */
function isBusy(answer: RunAnswer): boolean {
	return answer.kind === 'n8n' && answer.status === 409 && /is running|is currently running|already running/i.test(answer.body) && !/finished/i.test(answer.body);
}

export async function answerFromLog(store: ReviewStore, requests: ReviewRequest[], keys: readonly SigningKey[], answer: RunAnswer): Promise<StandardMessage> {
	if (requests.length === 0) return { kind: 'invalid' };
	if (isBusy(answer)) return { kind: 'busy' };
	const verdicts: Verdict[] = await verdictsFor(store, requests, keys);
	if (verdicts.some((v) => v.kind === 'tampered')) return { kind: 'error', detail: INTEGRITY_NOTICE };
	const erased = verdicts.find((v) => v.kind === 'erased');
	if (erased && verdicts.every((v) => v.kind === 'erased')) return { kind: 'error', detail: erasedNotice(erased.erasure) };
	if (verdicts.some((v) => v.kind === 'pending')) {
		// The run cannot take a decision any more; an unreachable run may only be down for a moment.
		return answer.kind === 'unreachable' ? { kind: 'error', detail: 'The workflow could not be reached. Nothing was decided; try the link again in a minute.' } : { kind: 'run_ended' };
	}
	if (requests.length > 1) return { kind: 'batch_done' };
	const only = verdicts[0];
	if (only.kind === 'decided') {
		return {
			kind: 'already',
			reviewer: only.record.reviewerId ?? 'another reviewer',
			at: only.record.decidedAt ?? only.record.recordedAt,
			decision: only.record.decision === 'rejected' ? 'rejected' : only.record.decision === 'approved_with_edits' ? 'approved with edits' : 'approved',
		};
	}
	return { kind: 'expired' };
}
