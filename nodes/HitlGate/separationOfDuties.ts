/**
 * Separation of duties: the person who requested an item (the recruiter who triggered the send, the
 * employee a bonus is for) can never approve it — not as a listed reviewer, not as an escalation
 * backup, not through another of their addresses (the alias list). The requester's addresses are read
 * per item and kept in the request's MAC'd payload; at run time they are taken out of the item's
 * reviewers and backups (a gate whose only reviewer is the requester fails closed with what to fix),
 * and the webhook refuses — and records as `self_approval_refused` — any link of theirs that still
 * reaches it. The ledger treats a decision naming the requester as tampered.
 */
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AnyLinkClaims, SigningKey } from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { requestRecordFields } from '../shared/requestRecords';
import { clientInfo } from './clientInfo';
import { itemParameterReader } from './itemParameters';
import { parseReviewerList } from './settings';
import type { GatePayload } from './types';

/** The requester as stored in the payload: every address of theirs (first = the one records name). */
export interface RequesterPolicy {
	ids: string[];
}

/**
 * The item's requester addresses (Requester + Requester Aliases), or null when the option is not used,
 * for any item of the run: each parameter read once per item (a `{{ $json.path }}` one by a field
 * lookup, itemParameters.ts, which keeps each item's value: a batch asks for item 0's for every item).
 */
export function requesterReader(ctx: IExecuteFunctions): (itemIndex: number) => RequesterPolicy | null {
	const requesterAt = itemParameterReader(ctx, 'requester', '');
	const aliasesAt = itemParameterReader(ctx, 'requesterAliases', '');
	return (itemIndex) => {
		const read = (value: unknown, label: string): string[] => {
			const { reviewers, invalid } = parseReviewerList(value);
			if (invalid.length > 0) {
				throw new NodeOperationError(ctx.getNode(), `Invalid ${label}: ${invalid.join(', ')}`, {
					itemIndex,
					description: `${label} must be plain email addresses separated by commas.`,
				});
			}
			return reviewers;
		};
		const ids = [...new Set([...read(requesterAt(itemIndex), 'Requester'), ...read(aliasesAt(itemIndex), 'Requester Aliases')])];
		return ids.length === 0 ? null : { ids };
	};
}

/** The reviewers who may decide: the listed ones without the requester's addresses; none left fails closed. */
export function withoutRequester(ctx: IExecuteFunctions, itemIndex: number, reviewers: string[], requester: RequesterPolicy | null): string[] {
	if (!requester) return reviewers;
	const left = reviewers.filter((r) => !requester.ids.includes(r));
	if (left.length === 0) {
		throw new NodeOperationError(ctx.getNode(), `The only reviewer of this item is its requester (${requester.ids[0]})`, {
			itemIndex,
			description: 'Separation of duties: the requester can never approve their own item. Add another reviewer who may decide it. Nothing was sent for review.',
		});
	}
	return left;
}

export function isRequester(payload: Pick<GatePayload, 'requester'>, reviewer: string): boolean {
	return payload.requester?.ids.includes(reviewer) === true;
}

/** Logs a requester's attempt to open or decide their own item (never throws: the page is refused either way). */
export async function recordSelfApproval(
	ctx: IWebhookFunctions,
	store: ReviewStore,
	requests: ReadonlyArray<{ request: ReviewRequest; payload: GatePayload }>,
	claims: AnyLinkClaims,
	method: string,
	key: SigningKey,
): Promise<void> {
	try {
		await store.appendMany(
			requests.map(({ request, payload }) => ({
				event: 'self_approval_refused' as const,
				reviewerId: claims.rev,
				requesterId: payload.requester?.ids[0] ?? null,
				...requestRecordFields(request, payload),
				linkKeyId: claims.kid,
				linkNonce: claims.nonce,
				...clientInfo(ctx, payload.hashClientInfo, key),
				details: { requestId: request.id, method, reason: 'separation_of_duties' },
			})),
		);
	} catch (error) {
		ctx.logger.warn(`HITL Gate could not record a refused self-approval: ${(error as Error).message}`);
	}
}
