/**
 * The links the run's reviewers get. One request per item: a v1 link per (reviewer, request). Batch
 * mode: one v2 link per reviewer naming the run's group, whose `dh` is the group digest — the SHA-256
 * of the list of the group's requests (id and draft hash, in item order) — so the batch page a link
 * opens is exactly the set of drafts it was issued for: a request added to or removed from the group in
 * the store makes the link's page refuse (the webhook recomputes the digest from authenticated requests).
 */
import { createHmac } from 'node:crypto';

import { buildReviewUrl, relayedReviewUrl, signGroupLinkToken, signLinkToken, type SigningKey } from '../../core/links';
import { sha256Json } from '../../core/edits';
import type { ReviewRequest } from '../../core/store';
import type { IssuedLink } from './notify/send';
import type { ReviewMode } from './settings';

type GroupMember = Pick<ReviewRequest, 'id' | 'itemIndex' | 'draftSha256'>;

/** In item order (ids break ties, so the order never depends on how a store lists them). */
export function inItemOrder<T extends Pick<ReviewRequest, 'id' | 'itemIndex'>>(requests: readonly T[]): T[] {
	return [...requests].sort((a, b) => a.itemIndex - b.itemIndex || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What a batch link's `dh` names: the group's requests and their drafts, in item order. */
export function groupDigest(requests: readonly GroupMember[]): string {
	return sha256Json(inItemOrder(requests).map((r) => ({ id: r.id, draftSha256: r.draftSha256 })));
}

/** Longest item list a `requested` record spells out (a record must stay far below the chain's 64 KiB). */
export const MAX_LINK_ITEMS_TEXT = 1024;

/**
 * The items a batch link shows, as ranges in item order ("0-999", "0-3,5,8-9"): every `requested`
 * record of a batch run names them. Spelled out as a list they made each record grow with the run (a
 * 1,000-item run logged 2,000 records of 1,000 indexes each, and past about 12,000 items a record would
 * no longer fit the chain). A run whose items are too scattered to write in MAX_LINK_ITEMS_TEXT gets
 * null: the group's `requested` records for that reviewer name the same items one by one.
 */
export function linkItemRanges(itemIndexes: readonly number[]): string | null {
	const sorted = [...new Set(itemIndexes)].sort((a, b) => a - b);
	const parts: string[] = [];
	let length = 0;
	for (let i = 0; i < sorted.length; ) {
		let end = i;
		while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end += 1;
		const part = end === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[end]}`;
		length += part.length + (parts.length > 0 ? 1 : 0);
		if (length > MAX_LINK_ITEMS_TEXT) return null;
		parts.push(part);
		i = end + 1;
	}
	return parts.join(',');
}

export interface LinkRun {
	mode: ReviewMode;
	groupId: string;
	executionId: string;
	nodeId: string;
	resumeUrl: string;
	/** The HITL Review Links URL the links point at instead of the waiting webhook (reviewLinks.ts). */
	reviewLinksUrl?: string;
	/** Overrides both: a node whose links n8n checks with its own URL HMAC (HITL Tool Approval) signs each one. */
	linkUrlFor?: (token: string) => string;
	now: Date;
	deadline: Date;
	key: SigningKey;
	/** Who gets a link (default: the requests' reviewers); escalation passes the backups it adds. */
	reviewersOf?: (request: ReviewRequest) => readonly string[];
	/** Everyone who may decide the request (default: its reviewers); the mail names the others. */
	askedOf?: (request: ReviewRequest) => readonly string[];
}

/**
 * A link's nonce, derived from the signing key, the request (or group) and the reviewer: secret to
 * anyone without the key, and the same every time — so a reminder re-sends the reviewer's existing
 * personal link (same token, same CSRF binding) instead of a second one.
 */
export function linkNonce(key: SigningKey, scope: string, reviewer: string): string {
	return createHmac('sha256', key.secret).update(`n8n-nodes-hitl/link-nonce/v1\n${scope}\n${reviewer}`, 'utf8').digest('base64url').slice(0, 32);
}

/** Through the HITL Review Links node when the run found one, else straight to the run's waiting webhook. */
function linkUrl(run: LinkRun, token: string): string {
	if (run.linkUrlFor) return run.linkUrlFor(token);
	return run.reviewLinksUrl ? relayedReviewUrl(run.reviewLinksUrl, token) : buildReviewUrl(run.resumeUrl, run.nodeId, token);
}

/** Signs every reviewer's link(s) for the run's requests (already built and MAC'd). */
export function issueLinks(run: LinkRun, requests: readonly ReviewRequest[]): IssuedLink[] {
	const iat = Math.floor(run.now.getTime() / 1000);
	const exp = Math.floor(run.deadline.getTime() / 1000);
	const common = { kid: run.key.keyId, exec: run.executionId, node: run.nodeId, dec: ['approve', 'reject'] as Array<'approve' | 'reject'>, iat, exp };
	const links: IssuedLink[] = [];
	if (run.mode === 'batch') {
		// Batch mode reads its reviewers once, so every request of the group lists the same people.
		const ordered = inItemOrder(requests);
		const dh = groupDigest(ordered);
		for (const rev of ordered[0] ? (run.reviewersOf?.(ordered[0]) ?? ordered[0].reviewers) : []) {
			const nonce = linkNonce(run.key, run.groupId, rev);
			const token = signGroupLinkToken({ v: 2, ...common, grp: run.groupId, rev, dh, nonce }, run.key);
			links.push({
				requestId: run.groupId,
				requestIds: ordered.map((r) => r.id),
				itemIndexes: ordered.map((r) => r.itemIndex),
				reviewer: rev,
				url: linkUrl(run, token),
				nonce,
				alsoAsked: (ordered[0] ? (run.askedOf?.(ordered[0]) ?? ordered[0].reviewers) : []).filter((r) => r !== rev),
			});
		}
		return links;
	}
	for (const request of requests) {
		for (const rev of run.reviewersOf?.(request) ?? request.reviewers) {
			const nonce = linkNonce(run.key, request.id, rev);
			const token = signLinkToken({ v: 1, ...common, req: request.id, rev, dh: request.draftSha256, nonce }, run.key);
			links.push({
				requestId: request.id,
				requestIds: [request.id],
				itemIndexes: [request.itemIndex],
				reviewer: rev,
				url: linkUrl(run, token),
				nonce,
				alsoAsked: (run.askedOf?.(request) ?? request.reviewers).filter((r) => r !== rev),
			});
		}
	}
	return links;
}
