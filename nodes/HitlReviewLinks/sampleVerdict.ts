/**
 * Recording a sample-review verdict: "Looks fine" is an `approved` decision, "Problem" a `rejected` one,
 * each with `details.sampleVerdict`. Why through the gate's own decision code (decide.ts prepareDecision,
 * ledger.ts sealDecision, commitDecision) and not a record of its own: the verdict is then a terminal
 * record like any decision — sealed with the decision MAC, written atomically with the request's new
 * state, at most one per request (the store refuses a second) — so Review Log Verify, the gate's
 * release check (ledger.ts verdictFor) and Metrics (skip rate, problem rate) read it as they read every
 * other decision. Unlike decide(), nothing is resumed: the item went on when the run passed the gate.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { commitDecision, prepareDecision, type DecisionInput } from '../HitlGate/decide';
import { withDecisionDetails } from '../HitlGate/ledger';
import type { EditError } from '../../core/edits';
import type { GatePayload } from '../HitlGate/types';

export type SampleVerdict = 'looks_fine' | 'problem';

export function sampleVerdictOf(decision: 'approve' | 'reject'): SampleVerdict {
	return decision === 'reject' ? 'problem' : 'looks_fine';
}

export type SampleVerdictResult =
	| { kind: 'recorded'; verdict: SampleVerdict }
	| { kind: 'already'; reviewer: string; at: string }
	| { kind: 'expired' }
	| { kind: 'bad_edit'; errors: EditError[] }
	| { kind: 'too_large'; message: string };

export async function recordSampleVerdict(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	request: ReviewRequest,
	payload: GatePayload,
	input: DecisionInput,
	keys: readonly SigningKey[],
	now: Date,
): Promise<SampleVerdictResult> {
	// Nothing is editable in a sample request (settings.ts): the item left the gate as it was.
	const prepared = await prepareDecision(ctx, store, request, payload, { ...input, edits: {} }, keys, now);
	if (prepared.kind !== 'ready') return prepared;
	const verdict = sampleVerdictOf(input.decision);
	// Signed again with the verdict in its details, as the gate does for a one-time code's note.
	const resolution = withDecisionDetails(prepared.resolution, request, { sampleVerdict: verdict }, keys[0]);
	const committed = await commitDecision(store, request, resolution, now);
	return committed.kind === 'decided' ? { kind: 'recorded', verdict } : committed;
}
