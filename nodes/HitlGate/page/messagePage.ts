/** The short pages the gate answers with instead of the review page. */
import { escapeHtml } from '../../../core/html';
import { formatTime, pageShell } from './layout';

export interface MessagePageInput {
	/** HTTP status the caller sends; 2xx pages are styled as success, others as errors. */
	status: number;
	title: string;
	message: string;
	/** Optional second paragraph. */
	detail?: string;
}

export function renderMessagePage(input: MessagePageInput): string {
	const tone = input.status >= 200 && input.status < 300 ? 'ok' : 'error';
	const body = [
		`<h1>${escapeHtml(input.title)}</h1>`,
		`<section class="card ${tone}" role="${tone === 'ok' ? 'status' : 'alert'}">`,
		`<p>${escapeHtml(input.message)}</p>`,
		input.detail ? `<p class="meta">${escapeHtml(input.detail)}</p>` : '',
		'</section>',
	].join('\n');
	return pageShell(input.title, body);
}

export type StandardMessage =
	| { kind: 'recorded'; decision: 'approve' | 'reject' }
	/** Sample review: the reviewer's verdict on an item that already went on was recorded. */
	| { kind: 'sample_recorded'; verdict: 'looks_fine' | 'problem' }
	/** `decision`: what the first decision was, when the answer comes from the log after the run ended. */
	| { kind: 'already'; reviewer: string; at: string; decision?: 'approved' | 'approved with edits' | 'rejected' }
	/** The run ended (stopped, failed, deleted or pruned) with this item never decided (HITL Review Links). */
	| { kind: 'run_ended' }
	/** The run is resuming from another decision right now (n8n: "running"); the link works again in a moment. */
	| { kind: 'busy' }
	/** The batch page's last open items were decided by this submit. */
	| { kind: 'batch_recorded'; approved: number; rejected: number }
	/** A batch link opened after every item of the batch was decided. */
	| { kind: 'batch_done' }
	| { kind: 'invalid' }
	| { kind: 'expired' }
	| { kind: 'forbidden' }
	| { kind: 'own_item' }
	/** Quorum: this vote was recorded; the request is still open (`approvals` of `required` so far). */
	| { kind: 'vote_recorded'; decision: 'approve' | 'reject'; approvals: number; required: number }
	/** Quorum: this reviewer had voted already; only their first vote counts. */
	| { kind: 'already_voted'; decision: 'approved' | 'rejected'; at: string }
	/** Sequential sign-off: someone earlier in the order has not approved yet. */
	| { kind: 'not_your_turn'; waitingFor: string }
	| { kind: 'csrf' }
	| { kind: 'error'; detail?: string };

/** Status, title and wording of the gate's standard answers, in one place so every path says the same. */
export function standardMessage(m: StandardMessage): MessagePageInput {
	switch (m.kind) {
		case 'recorded':
			return {
				status: 200,
				title: 'Decision recorded',
				message: `You ${m.decision === 'approve' ? 'approved' : 'rejected'} this item. Your decision has been recorded.`,
				detail: 'You can close this page.',
			};
		case 'sample_recorded':
			return {
				status: 200,
				title: 'Verdict recorded',
				message: `You marked this item ${m.verdict === 'problem' ? 'as a problem' : 'as looking fine'}. Your verdict has been recorded against it.`,
				detail: 'The item had already gone on; your verdict is counted in the review metrics. You can close this page.',
			};
		case 'vote_recorded':
			return {
				status: 200,
				title: 'Vote recorded',
				message: `You ${m.decision === 'approve' ? 'approved' : 'rejected'} this item. It needs ${m.required} approvals; ${m.approvals} so far.`,
				detail: 'The item stays on hold until enough reviewers have approved it. You can close this page.',
			};
		case 'not_your_turn':
			return {
				status: 409,
				title: 'Not your turn yet',
				message: `This item is signed off in order; it is waiting for ${m.waitingFor}.`,
				detail: 'Nothing was recorded. You will get an email when it is your turn.',
			};
		case 'already_voted':
			return {
				status: 200,
				title: 'You already voted',
				message: `You ${m.decision} this item at ${formatTime(m.at)}.`,
				detail: 'Nothing was changed. Only your first vote counts.',
			};
		case 'already':
			return {
				status: 200,
				title: 'Already decided',
				message: m.decision
					? `This review was already decided: ${m.decision} by ${m.reviewer} at ${formatTime(m.at)}.`
					: `This review was already decided by ${m.reviewer} at ${formatTime(m.at)}.`,
				detail: 'Nothing was changed. Only the first decision counts.',
			};
		case 'batch_recorded':
			return {
				status: 200,
				title: 'Decision recorded',
				message: `You ${batchCounts(m.approved, m.rejected)}. Your decisions have been recorded; every item of this batch is now decided.`,
				detail: 'You can close this page.',
			};
		case 'batch_done':
			return {
				status: 200,
				title: 'Already decided',
				message: 'Every item of this batch has already been decided.',
				detail: 'Nothing was changed. Only the first decision on each item counts.',
			};
		case 'invalid':
			return {
				status: 401,
				title: 'Invalid link',
				message: 'This review link is not valid. It may be incomplete, altered, or meant for another review.',
				detail: 'Nothing was changed. Open the link from your email again, copying it in full.',
			};
		case 'expired':
			return {
				status: 410,
				title: 'Link expired',
				message: 'The time to review this item has passed.',
				detail: 'Nothing was approved. The item left the gate as "timed out".',
			};
		case 'run_ended':
			return {
				status: 410,
				title: 'Review closed',
				message: 'The workflow run this review belonged to has ended without a decision on this item: it was stopped, failed or deleted.',
				detail: 'Nothing was approved, and nothing can be decided here any more. If the item still needs a decision, ask the workflow owner to send it for review again.',
			};
		case 'busy':
			return {
				status: 409,
				title: 'Busy — try again in a moment',
				message: 'The workflow is processing another decision on this review right now.',
				detail: 'Nothing was changed. Open the link again in a few seconds to see the outcome.',
			};
		case 'forbidden':
			return {
				status: 403,
				title: 'Not a reviewer',
				message: 'This link does not belong to a reviewer of this item.',
				detail: 'Nothing was changed. Ask the workflow owner to add you as a reviewer.',
			};
		case 'own_item':
			return {
				status: 403,
				title: 'You requested this item',
				message: 'Separation of duties: the person who requested an item cannot decide it.',
				detail: 'Nothing was changed, and this attempt was recorded. Another reviewer must decide.',
			};
		case 'csrf':
			return {
				status: 403,
				title: 'Form expired or not from the review page',
				message: 'This decision was not sent from the review page that belongs to your link.',
				detail: 'Nothing was changed. Open the link from your email again and decide there.',
			};
		case 'error':
			return {
				status: 500,
				title: 'Something went wrong',
				message: m.detail ?? 'The review could not be processed.',
				detail: 'Nothing was decided. Try again in a moment.',
			};
	}
}

/** "approved 2 items and rejected 1 item", "rejected 3 items". */
export function batchCounts(approved: number, rejected: number): string {
	const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
	const parts = [approved > 0 ? `approved ${items(approved)}` : '', rejected > 0 ? `rejected ${items(rejected)}` : ''].filter(Boolean);
	return parts.length > 0 ? parts.join(' and ') : 'decided nothing';
}
