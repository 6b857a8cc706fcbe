/**
 * A decision POST from the batch page. The same gates as the single page, in the same order — strict
 * form, CSRF token of this link's page, a choice, the minimum time on page, a reason to reject, edits
 * that type-check, a record the store can take — and all of them for every chosen item before any is
 * recorded: either every chosen item passes and all are recorded in one store step, each its own atomic
 * change with its own MAC'd `decided` record, or the page comes back saying what to fix and nothing is decided.
 * "Approve all" is refused while a High-risk or unclassified item waits, unless the builder allowed it
 * (signed into each request). Items left undecided stay open; the run resumes once every item ended.
 * "Preview changes" (the form's `preview`) is checked right after the CSRF token and the items named,
 * before the button or any choice is read: it never decides, whatever decision fields came along, and
 * brings the page back with each edited item's changes, what would be refused under its field, and
 * the time the page was first served kept.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { applyEdits, type EditError } from '../../core/edits';
import { verifyCsrfToken, type GroupLinkClaims, type SigningKey } from '../../core/links';
import type { Resolution, ReviewStore } from '../../core/store';
import { readGroup, type GroupMember, type GroupState } from './batchGroup';
import { approveAllAllowed, approveAllRefusal, sendBatchPage, type BatchPageState } from './batchRespond';
import { clientInfo } from './clientInfo';
import { commitDecisions, expireGroup, prepareDecision, resumeIfComplete, type CommitResult } from './decide';
import { parseBatchForm, type BatchForm } from './page';
import { requestRecordFields } from '../shared/requestRecords';
import { sendMessage } from './respond';
import { CONFIRM_DECISION_NOTICE, decisionTiming, minSecondsOfPayload } from './timeOnPage';

const WAIT: IWebhookResponseData = { noWebhookResponse: true };

type OpenGroup = Extract<GroupState, { kind: 'open' }>;

interface Chosen {
	member: GroupMember;
	decision: 'approve' | 'reject';
}

const itemName = (m: GroupMember): string => `item ${m.request.itemIndex + 1}`;

/** What the pressed button decides: Approve all / Reject all every open item, otherwise the items chosen. */
function chosenItems(form: BatchForm, open: readonly GroupMember[]): Chosen[] {
	if (form.bulk === 'approve_all' || form.bulk === 'reject_all') {
		const decision = form.bulk === 'approve_all' ? 'approve' : 'reject';
		return open.map((member) => ({ member, decision }));
	}
	return open.flatMap((member) => {
		const decision = form.items.get(member.request.itemIndex)?.decision ?? null;
		return decision === null ? [] : [{ member, decision }];
	});
}

/** The comment recorded with an item: its own, else the one for all items. */
function commentFor(form: BatchForm, member: GroupMember): string {
	return (form.items.get(member.request.itemIndex)?.comment ?? '').trim() || form.comment.trim();
}

export async function postBatch(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	state: OpenGroup,
	claims: GroupLinkClaims,
	keys: SigningKey[],
	now: Date,
): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const page: BatchPageState = { ...state, claims, key: keys[0] };
	const parsed = parseBatchForm(ctx.getBodyData());
	if (!parsed.ok) {
		sendBatchPage(res, 400, { ...page, error: `${parsed.message} Nothing was decided.` });
		return WAIT;
	}
	const form = parsed.form;
	const csrf = verifyCsrfToken(form.csrf, claims.nonce, claims.grp, keys, now);
	if (!csrf.valid) {
		sendMessage(res, { kind: 'csrf' });
		return WAIT;
	}
	// A page re-rendered for a refused form keeps the time the reviewer first got it, and what they typed.
	const retry: BatchPageState = { ...page, choices: form.items, comment: form.comment, servedAt: new Date(csrf.servedAtMs ?? now.getTime()) };
	const refuse = (error: string, extra: Partial<BatchPageState> = {}): IWebhookResponseData => {
		sendBatchPage(res, 400, { ...retry, error, ...extra });
		return WAIT;
	};
	const inBatch = new Set(state.members.map((m) => m.request.itemIndex));
	const foreign = [...form.items.keys()].find((i) => !inBatch.has(i));
	if (foreign !== undefined) return refuse(`The form names item ${foreign + 1}, which is not part of this batch. Nothing was decided.`);
	if (form.preview) return preview(res, retry, form, state.open);
	if (form.bulk === null) return refuse('Choose Approve or Reject on an item and press Submit decisions, or use Approve all or Reject all. Nothing was decided.');
	const chosen = chosenItems(form, state.open);
	if (chosen.length === 0) return refuse('Choose Approve or Reject on at least one item, then press Submit decisions. Nothing was decided.');
	if (form.bulk === 'approve_all' && !approveAllAllowed(state.open)) return refuse(`${approveAllRefusal(state.open)} Nothing was decided.`);

	// After the CSRF check, before anything is decided: the strictest minimum of the chosen items applies.
	const minSeconds = Math.max(...chosen.map((c) => minSecondsOfPayload(c.member.payload)));
	const timing = decisionTiming(csrf.servedAtMs, minSeconds, now);
	if (timing.tooFast) {
		// One record per chosen item, written together (one append).
		await store.appendMany(
			chosen.map(({ member, decision }) => ({
				event: 'decision_too_fast',
				reviewerId: claims.rev,
				...requestRecordFields(member.request, member.payload),
				linkKeyId: claims.kid,
				linkNonce: claims.nonce,
				...clientInfo(ctx, member.payload.hashClientInfo, keys[0]),
				details: {
					requestId: member.request.id,
					groupId: claims.grp,
					attempted: decision,
					bulk: form.bulk,
					elapsedMs: timing.elapsedMs,
					minSecondsOnPage: minSeconds,
					servedAt: csrf.servedAtMs === null ? null : new Date(csrf.servedAtMs).toISOString(),
				},
			})),
		);
		sendBatchPage(res, 200, { ...retry, servedAt: now, error: CONFIRM_DECISION_NOTICE });
		return WAIT;
	}

	const itemErrors = new Map<number, string>();
	for (const { member, decision } of chosen) {
		if (decision === 'reject' && member.payload.requireRejectReason && commentFor(form, member) === '') {
			itemErrors.set(member.request.itemIndex, `Give a reason for rejecting ${itemName(member)}: in its own box, or in the comment for all items.`);
		}
	}
	if (itemErrors.size > 0) return refuse('Please give a reason for each item you reject: it is recorded with your decision. Nothing was decided.', { itemErrors });

	// Every chosen item is prepared (edits applied, evidence kept, record checked) before any is recorded.
	const prepared: Array<Chosen & { resolution: Resolution }> = [];
	const editErrors = new Map<number, EditError[]>();
	for (const c of chosen) {
		const { request, payload } = c.member;
		const choice = form.items.get(request.itemIndex);
		const input = {
			decision: c.decision,
			comment: commentFor(form, c.member),
			edits: choice?.edits ?? {},
			claims,
			client: clientInfo(ctx, payload.hashClientInfo, keys[0]),
			servedAt: csrf.servedAtMs === null ? null : new Date(csrf.servedAtMs),
		};
		const p = await prepareDecision(ctx, store, request, payload, input, keys, now);
		if (p.kind === 'ready') prepared.push({ ...c, resolution: p.resolution });
		else if (p.kind === 'bad_edit') {
			editErrors.set(request.itemIndex, p.errors);
			itemErrors.set(request.itemIndex, `Some edits to ${itemName(c.member)} could not be applied: ${p.errors.map((e) => e.message).slice(0, 3).join(' ')}`);
		} else itemErrors.set(request.itemIndex, p.message);
	}
	if (itemErrors.size > 0) {
		const first = [...itemErrors.values()][0];
		return refuse(`${first}${itemErrors.size > 1 ? ` (and ${itemErrors.size - 1} more item${itemErrors.size > 2 ? 's' : ''} below)` : ''} Nothing was decided.`, { itemErrors, editErrors });
	}

	// One store step for every chosen item (one fsync or transaction), each its own record.
	const committed = await commitDecisions(store, prepared.map((p) => ({ request: p.member.request, resolution: p.resolution })), now);
	const results: Array<Chosen & { result: CommitResult }> = prepared.map((p, i) => ({ ...p, result: committed[i] }));
	if (results.some((r) => r.result.kind === 'expired')) {
		// The deadline passed while deciding: the run leaves through Timed Out, as after any expired POST.
		const resume = await expireGroup(ctx, store, claims.grp, keys, now);
		sendMessage(res, { kind: 'expired' });
		return resume ?? WAIT;
	}
	const resume = results.some((r) => r.result.kind === 'decided') ? await resumeIfComplete(ctx, store, claims.grp, keys, now) : null;
	const after = await readGroup(store, claims, keys, now, { executionId: String(ctx.getExecutionId()), nodeId: ctx.getNode().id });
	if (after.kind === 'open') {
		// Items still open keep what was typed for them; the shared comment went with the recorded decisions.
		sendBatchPage(res, 200, { ...after, claims, key: keys[0], choices: form.items, notice: recordedNotice(results, after.open.length) });
	} else {
		const decided = results.filter((r) => r.result.kind === 'decided');
		sendMessage(res, { kind: 'batch_recorded', approved: decided.filter((r) => r.decision === 'approve').length, rejected: decided.filter((r) => r.decision === 'reject').length });
	}
	return resume ?? WAIT;
}

/**
 * "Preview changes": nothing is decided or recorded, even when `bulk` or item decisions came along. Each
 * open item's edits are checked as a decision would check them (without deciding), so an edit that
 * would be refused is shown under its field now rather than after Submit.
 */
function preview(res: Parameters<typeof sendBatchPage>[0], retry: BatchPageState, form: BatchForm, open: readonly GroupMember[]): IWebhookResponseData {
	const editErrors = new Map<number, EditError[]>();
	for (const { request, payload } of open) {
		const edits = form.items.get(request.itemIndex)?.edits;
		if (!edits) continue;
		const applied = applyEdits(payload.items[0].json, payload.editable, edits);
		if (!applied.ok) editErrors.set(request.itemIndex, applied.errors);
	}
	sendBatchPage(res, 200, { ...retry, preview: true, ...(editErrors.size > 0 ? { editErrors } : {}) });
	return WAIT;
}

/** What the page says after a submit that left items open: what was recorded, what someone else decided first, what is left. */
function recordedNotice(results: Array<Chosen & { result: CommitResult }>, left: number): string {
	const recorded = results.filter((r) => r.result.kind === 'decided').map((r) => `${itemName(r.member)} ${r.decision === 'approve' ? 'approved' : 'rejected'}`);
	const parts = recorded.length > 0 ? [`Recorded: ${recorded.join(', ')}.`] : [];
	for (const r of results) {
		if (r.result.kind === 'already') parts.push(`${itemName(r.member)} was already decided by ${r.result.reviewer}; your choice for it was not recorded.`);
	}
	parts.push(`${left === 1 ? '1 item still waits' : `${left} items still wait`} for a decision.`);
	return parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join(' ');
}
