/**
 * Writing the gate's HTTP answers: the security headers on every page, then the review page or one
 * of the standard message pages. Rendering lives in `page/`; this file adapts the webhook's state.
 */
import { reviewersAt } from '../../core/deadline';
import type { IWebhookFunctions } from 'n8n-workflow';

import type { EditError } from '../../core/edits';
import { csrfToken, type LinkClaims, type SigningKey } from '../../core/links';
import type { RequestErasure, ReviewRequest } from '../../core/store';
import { buildItemView, renderMessagePage, renderReviewPage, SAMPLE_VERDICT_LABELS, securityHeaders, standardMessage, type CodeFieldView, type FieldChange, type ReviewItemView, type StandardMessage } from './page';
import type { GatePayload } from './types';

export type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Any page of the gate: the security headers first, then the HTML. */
export function sendHtml(res: Response, status: number, html: string): void {
	for (const [name, value] of Object.entries(securityHeaders())) res.setHeader(name, value);
	res.status(status).end(html);
}

/** A standard message page with the status that belongs to it (200, 401, 403, 410, 500). */
export function sendMessage(res: Response, message: StandardMessage): void {
	const page = standardMessage(message);
	sendHtml(res, page.status, renderMessagePage(page));
}

/** What a link to an erased request says: when and why, and that nothing can be decided. */
export function erasedNotice(erasure: RequestErasure): string {
	return `The content of this review was erased on ${erasure.at} (${erasure.reason}). Nothing can be decided here any more; if the item still needs a decision, ask the workflow owner to send it for review again.`;
}

export interface ReviewPageState {
	request: ReviewRequest;
	payload: GatePayload;
	claims: LinkClaims;
	key: SigningKey;
	/**
	 * When the page counts as served, signed into its CSRF token (the minimum time on page runs from it).
	 * Default now; a page re-rendered for a refused form keeps the time the reviewer first got it.
	 */
	servedAt?: Date;
	/** After a failed submit: what went wrong, and what the reviewer typed (so nothing is lost). */
	error?: string;
	comment?: string;
	submitted?: Record<string, string>;
	editErrors?: EditError[];
	/** "Preview changes": show the submitted edits against the draft above the fields. */
	preview?: boolean;
	/** The request needs a one-time code (oneTimeCode.ts): the code box, with what to say under it. */
	oneTimeCode?: CodeFieldView;
}

/**
 * The edits against the draft, per editable field whose submitted text differs from the draft's: the
 * same item view built without the submitted texts gives the draft's texts, so both sides are the text
 * the reviewer saw in the box.
 */
function changesOf(items: ReviewItemView[], s: ReviewPageState): FieldChange[] {
	if (s.payload.items.length !== 1 || !s.submitted) return [];
	const draft = buildItemView({
		json: s.payload.items[0].json,
		shown: s.payload.shown,
		...(s.payload.displayFields ? { displayFields: s.payload.displayFields } : {}),
		editable: s.payload.editable,
	});
	const before = new Map(draft.fields.flatMap((f) => (f.mode === 'edit' ? [[f.name, f.text] as const] : [])));
	return items[0].fields.flatMap((f) => {
		if (f.mode !== 'edit') return [];
		const original = before.get(f.name) ?? '';
		return f.text === original ? [] : [{ label: f.label, before: original, after: f.text }];
	});
}

export function sendReviewPage(res: Response, status: number, s: ReviewPageState): void {
	const single = s.payload.items.length === 1;
	const items = s.payload.items.map((it) =>
		buildItemView({
			json: it.json,
			shown: s.payload.shown,
			...(s.payload.displayFields ? { displayFields: s.payload.displayFields } : {}),
			// Edits are per item; a batch is approved or rejected as shown.
			editable: single ? s.payload.editable : [],
			...(single ? {} : { heading: `Item ${it.index + 1}` }),
			...(s.submitted ? { submitted: s.submitted } : {}),
			...(s.editErrors ? { errors: s.editErrors } : {}),
		}),
	);
	sendHtml(
		res,
		status,
		renderReviewPage({
			...(s.preview ? { changes: changesOf(items, s) } : {}),
			title: s.payload.workflowName ? `Review: ${s.payload.workflowName}` : 'Review',
			message: s.payload.message,
			reviewer: s.claims.rev,
			tier: s.payload.tier,
			tierReasons: s.payload.tierReasons,
			riskUnverified: s.payload.riskProvenance === 'unverified',
			requestedAt: s.request.createdAt,
			expiresAt: s.request.expiresAt,
			...(s.payload.mode === 'sample'
				? { policyNote: 'Sample review: this item has already gone on. Say whether it looks fine or has a problem; your verdict is recorded against it and stops nothing.', verdictLabels: SAMPLE_VERDICT_LABELS }
				: s.payload.quorum?.sequential
				? { policyNote: `Signed off in order: ${s.request.reviewers.join(' → ')}. A rejection ends it. Approve as shown: no edits.` }
				: s.payload.quorum
				? { policyNote: `Needs ${s.payload.quorum.required} approvals${s.payload.quorum.mode === 'veto' ? '; one rejection rejects it' : '; rejected once that many can no longer approve'}. Approve as shown: no edits.` }
				: {}),
			alsoAsked: reviewersAt(s.request.reviewers, s.payload.deadlinePlan, s.servedAt ?? new Date()).filter((r) => r !== s.claims.rev),
			draftSha256: s.request.draftSha256,
			requestId: s.request.id,
			...(s.payload.timeZone ? { timeZone: s.payload.timeZone } : {}),
			items,
			csrf: csrfToken(s.claims.nonce, s.request.id, s.key, s.servedAt ?? new Date()),
			// A link locked after too many wrong codes offers no decision buttons.
			decisions: s.oneTimeCode?.locked ? [] : s.claims.dec,
			...(s.oneTimeCode ? { oneTimeCode: s.oneTimeCode } : {}),
			requireRejectReason: s.payload.requireRejectReason,
			...(s.comment !== undefined ? { comment: s.comment } : {}),
			...(s.error !== undefined ? { error: s.error } : {}),
		}),
	);
}
