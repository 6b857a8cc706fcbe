/**
 * Writing the batch page from a group's state: the items that still wait (with what the reviewer typed
 * after a refused submit), the items already decided, the risk of the whole batch, and whether
 * "Approve all" is offered. Rendering lives in page/batchPage.ts; this file adapts the webhook's state.
 * After "Preview changes" each edited item also gets its changes against its draft: the same item view
 * built once from the draft alone and once with the reviewer's texts (page/changes.ts compares them).
 */
import { reviewersAt } from '../../core/deadline';
import type { EditError } from '../../core/edits';
import { csrfToken, type GroupLinkClaims, type SigningKey } from '../../core/links';
import { maxTier, type Tier } from '../../core/tiers';
import type { GroupMember } from './batchGroup';
import { isHighRisk } from './batchGroup';
import { groupDigest } from './links';
import { buildItemView, renderBatchPage, type BatchItemChoice, type ItemViewInput, type SettledItemView } from './page';
import { fieldChanges } from './page/changes';
import { sendHtml, type Response } from './respond';

export interface BatchPageState {
	members: GroupMember[];
	open: GroupMember[];
	settled: GroupMember[];
	claims: GroupLinkClaims;
	key: SigningKey;
	/** When the page counts as served (its CSRF token's time); default now. */
	servedAt?: Date;
	error?: string;
	notice?: string;
	/** After a refused submit: what the reviewer chose and typed, by item index. */
	choices?: ReadonlyMap<number, BatchItemChoice>;
	comment?: string;
	itemErrors?: ReadonlyMap<number, string>;
	editErrors?: ReadonlyMap<number, EditError[]>;
	/** "Preview changes": show each edited item's changes against its draft; the top says nothing was decided. */
	preview?: boolean;
}

/** "Approve all" may decide the open items: none is High risk, or the builder allowed it (signed in each request). */
export function approveAllAllowed(open: readonly GroupMember[]): boolean {
	return open.every((m) => !isHighRisk(m.payload) || m.payload.allowApproveAllHigh === true);
}

/** Why "Approve all" is not offered: which items are High risk. */
export function approveAllRefusal(open: readonly GroupMember[]): string {
	const high = open.filter((m) => isHighRisk(m.payload) && m.payload.allowApproveAllHigh !== true).map((m) => m.request.itemIndex + 1);
	const names = high.length === 1 ? `Item ${high[0]} is` : `Items ${high.slice(0, -1).join(', ')} and ${high[high.length - 1]} are`;
	return `Approve all is not available: ${names} High risk or not classified. Approve or reject ${high.length === 1 ? 'it' : 'them'} one by one.`;
}

function batchRisk(members: readonly GroupMember[]): { tier: Tier | null; reasons: string[]; unverified: boolean } {
	let tier: Tier | null = null;
	let unclassified = false;
	const reasons: string[] = [];
	for (const { payload } of members) {
		if (payload.tier === null) unclassified = true;
		else tier = tier === null ? payload.tier : maxTier(tier, payload.tier);
		for (const r of payload.tierReasons) if (!reasons.includes(r)) reasons.push(r);
	}
	return { tier: unclassified ? null : tier, reasons, unverified: members.some((m) => m.payload.riskProvenance === 'unverified') };
}

function settledView(m: GroupMember): SettledItemView {
	const record = m.verdict.kind === 'decided' ? m.verdict.record : null;
	const word = record?.decision === 'rejected' ? 'rejected' : record?.decision === 'approved_with_edits' ? 'approved with edits' : 'approved';
	return {
		itemIndex: m.request.itemIndex,
		text: `${word} by ${record?.reviewerId ?? 'another reviewer'}`,
		...(record?.decidedAt ? { at: record.decidedAt } : {}),
	};
}

/** What the top of a preview says: whether anything was changed, whether any edit would be refused. */
function previewNotice(changed: number, refused: number): string {
	const shown = changed === 0 ? 'You have not changed anything yet.' : `Your changes are shown above ${changed === 1 ? 'the edited item' : `each of the ${changed} edited items`}.`;
	const fix = refused > 0 ? ' Some edits could not be applied as typed: see the fields marked below.' : '';
	return `${shown}${fix} Nothing was decided: choose Approve or Reject and press Submit decisions when you are ready.`;
}

export function sendBatchPage(res: Response, status: number, s: BatchPageState): void {
	const first = s.members[0].payload;
	const risk = batchRisk(s.members);
	const allowed = approveAllAllowed(s.open);
	const items = s.open.map(({ request, payload }) => {
		const index = request.itemIndex;
		const choice = s.choices?.get(index);
		const error = s.itemErrors?.get(index);
		const editErrors = s.editErrors?.get(index);
		const draft: ItemViewInput = {
			json: payload.items[0].json,
			shown: payload.shown,
			...(payload.displayFields ? { displayFields: payload.displayFields } : {}),
			editable: payload.editable,
			editNamePrefix: `${index}.`,
			heading: `Item ${index + 1}`,
		};
		const item = buildItemView({ ...draft, ...(choice ? { submitted: choice.edits } : {}), ...(editErrors ? { errors: editErrors } : {}) });
		const changes = s.preview && choice ? fieldChanges(buildItemView(draft), item) : [];
		return {
			itemIndex: index,
			tier: payload.tier,
			tierReasons: payload.tierReasons,
			item,
			...(choice ? { choice: choice.decision, comment: choice.comment } : {}),
			...(error ? { error } : {}),
			...(changes.length > 0 ? { changes } : {}),
		};
	});
	const notice = s.notice ?? (s.preview ? previewNotice(items.filter((i) => i.changes).length, s.editErrors?.size ?? 0) : undefined);
	const html = renderBatchPage({
		title: first.workflowName ? `Review: ${first.workflowName}` : 'Review',
		message: first.message,
		reviewer: s.claims.rev,
		tier: risk.tier,
		tierReasons: risk.reasons,
		riskUnverified: risk.unverified,
		requestedAt: s.members[0].request.createdAt,
		expiresAt: s.members[0].request.expiresAt,
		alsoAsked: reviewersAt(s.members[0].request.reviewers, s.members[0].payload.deadlinePlan, s.servedAt ?? new Date()).filter((r) => r !== s.claims.rev),
		...(first.timeZone ? { timeZone: first.timeZone } : {}),
		csrf: csrfToken(s.claims.nonce, s.claims.grp, s.key, s.servedAt ?? new Date()),
		requireRejectReason: s.open.some((m) => m.payload.requireRejectReason),
		items,
		settled: s.settled.map(settledView),
		approveAllOffered: allowed,
		...(allowed ? {} : { approveAllNote: approveAllRefusal(s.open) }),
		...(s.comment !== undefined ? { comment: s.comment } : {}),
		...(s.error !== undefined ? { error: s.error } : {}),
		...(notice !== undefined ? { notice } : {}),
		groupId: s.claims.grp,
		groupDigest: groupDigest(s.members.map((m) => m.request)),
	});
	sendHtml(res, status, html);
}
