/**
 * The gate's first half: build one review request per item (or one for the run), sign a link per
 * reviewer, record `requested`, notify the reviewers, and put the execution to wait until the deadline.
 * Nothing leaves the gate here; items leave only when the webhook resumes the run or n8n times it out
 * (then through output 0, Timed Out).
 */
import { randomUUID } from 'node:crypto';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { SigningKey } from '../../core/links';
import { buildReviewUrl, randomToken, signLinkToken, signRequest } from '../../core/links';
import { loadSigningKeys } from './signingKeys';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { maxTier, type Tier } from '../../core/tiers';
import { expireOverdueRequests, expiryResolution } from '../shared/expiry';
import { getStoreSettings, openReviewStore } from '../shared/reviewStore';
import { subjectIdsFor } from './evidence';
import { draftSha256, plainJson, riskOf } from './draft';
import { riskVerifierFor } from './riskProvenance';
import { notifyReviewers, type IssuedLink } from './notify/send';
import { requestRecordFields } from '../shared/requestRecords';
import { isExpressionParameter, parseReviewerList, readGateSettings } from './settings';
import type { GatePayload } from './types';
import { minSecondsForTier } from './timeOnPage';

function reviewersFor(ctx: IExecuteFunctions, itemIndex: number): string[] {
	const raw = ctx.getNodeParameter('reviewers', itemIndex, '');
	const { reviewers, invalid } = parseReviewerList(raw);
	if (invalid.length > 0) {
		throw new NodeOperationError(ctx.getNode(), `Invalid reviewer email: ${invalid.join(', ')}`, {
			itemIndex,
			description: 'Reviewers must be plain email addresses separated by commas or semicolons.',
		});
	}
	if (reviewers.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No reviewer for this item', {
			itemIndex,
			description: 'Fill in "Reviewers" with at least one email address (an expression that returns none fails closed).',
		});
	}
	return reviewers;
}

/** A text parameter read once, or per item when it is an expression. */
function textReader(ctx: IExecuteFunctions, name: string, fallback: string): (i: number) => string {
	if (!isExpressionParameter(ctx, name)) {
		const once = String(ctx.getNodeParameter(name, 0, fallback) ?? '');
		return () => once;
	}
	return (i) => String(ctx.getNodeParameter(name, i, fallback) ?? '');
}

export async function executeGate(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[], [], []];
	const node = this.getNode();
	const settings = readGateSettings(this);
	const keys = await loadSigningKeys(this);
	const signingKey = keys[0];
	const executionId = String(this.getExecutionId());
	const resumeUrl = String(this.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? '');
	if (!/^https?:\/\//.test(resumeUrl)) {
		throw new NodeOperationError(node, 'n8n gave no resume URL for this execution', {
			description: 'The gate needs n8n\'s waiting webhooks; check WEBHOOK_URL / N8N_HOST settings.',
		});
	}
	const workflow = this.getWorkflow();
	const now = new Date();
	const deadline = new Date(now.getTime() + settings.deadlineMs);
	const groupId = `${executionId}:${node.id}:${randomUUID()}`;
	const subjectOf = textReader(this, 'subject', 'Review needed');
	const messageOf = textReader(this, 'message', '');
	const reviewersExpr = isExpressionParameter(this, 'reviewers');
	const sharedReviewers = reviewersExpr ? null : reviewersFor(this, 0);

	const requests: ReviewRequest[] = [];
	const perRequestReviewers: string[][] = [];
	const base = {
		shown: settings.fieldsShown,
		editable: settings.editableFields,
		displayFields: settings.displayFields,
		timeZone: settings.timeZone,
		requireRejectReason: settings.requireRejectReason,
		hashClientInfo: settings.hashClientInfo,
		workflowId: workflow.id ?? null,
		workflowName: workflow.name ?? null,
		nodeName: node.name,
		linkKeyId: signingKey.keyId,
	};
	const makeRequest = (gateItems: GatePayload['items'], reviewers: string[], message: string): void => {
		let tier: Tier | null = null;
		const reasons: string[] = [];
		let unclassified = false;
		let unverified = false;
		// Trusted only if a Blast Radius Router of this execution produced it; otherwise high (riskProvenance.ts).
		const verifyRisk = riskVerifierFor(this);
		const risks = gateItems.map((it) => riskOf(it.json, verifyRisk(it.index, it.json.blastRadius)));
		for (const risk of risks) {
			if (risk.tier === null) unclassified = true;
			else tier = tier === null ? risk.tier : maxTier(tier, risk.tier);
			if (risk.annotation !== null && !risk.verified) unverified = true;
			for (const r of risk.reasons) if (!reasons.includes(r)) reasons.push(r);
		}
		// One unclassified item makes the batch unclassified: unknown risk is shown as high.
		if (unclassified) tier = null;
		const payload: GatePayload = {
			v: 1,
			mode: settings.reviewMode,
			items: gateItems,
			...base,
			message,
			tier,
			tierReasons: reasons,
			riskProvenance: unverified ? 'unverified' : unclassified ? 'none' : 'router',
			// Only a verified annotation goes on into `hitl.blastRadius`.
			blastRadius: risks.length === 1 && risks[0].verified ? risks[0].annotation : null,
			minSecondsOnPage: minSecondsForTier(tier, settings.timeOnPage),
		};
		const draft = gateItems.length === 1 ? gateItems[0].json : gateItems.map((g) => g.json);
		requests.push({
			id: randomUUID(),
			groupId,
			executionId,
			nodeId: node.id,
			itemIndex: gateItems[0].index,
			reviewers,
			draftSha256: draftSha256(draft),
			createdAt: now.toISOString(),
			expiresAt: deadline.toISOString(),
			status: 'pending',
			outcome: null,
			payload: payload as unknown as Record<string, unknown>,
			// Signed below, once every request of the run is built.
			mac: null,
		});
		perRequestReviewers.push(reviewers);
	};

	const storeSettings = await getStoreSettings(this);
	const subjectIds = subjectIdsFor(this, storeSettings, items.length);
	const gateItems = items.map((item, index) => ({
		index,
		json: plainJson(item.json),
		...heldBinary(this, item, index),
		...(subjectIds[index] === null ? {} : { subjectId: subjectIds[index] as string }),
	}));
	if (settings.reviewMode === 'batch') {
		makeRequest(gateItems, sharedReviewers ?? reviewersFor(this, 0), messageOf(0));
	} else {
		for (const gi of gateItems) {
			makeRequest([gi], sharedReviewers ?? reviewersFor(this, gi.index), messageOf(gi.index));
		}
	}

	// The request's own MAC: what is read back from the store is authenticated before it is shown or released.
	for (const request of requests) request.mac = signRequest(request, signingKey);

	// One link per (reviewer, request): the decision then names a person.
	const iat = Math.floor(now.getTime() / 1000);
	const exp = Math.floor(deadline.getTime() / 1000);
	const links: IssuedLink[] = [];
	for (const request of requests) {
		for (const rev of request.reviewers) {
			const nonce = randomToken(16);
			const token = signLinkToken(
				{ v: 1, kid: signingKey.keyId, exec: executionId, node: node.id, req: request.id, rev, dec: ['approve', 'reject'], dh: request.draftSha256, iat, exp, nonce },
				signingKey,
			);
			const itemIndexes = (request.payload as unknown as GatePayload).items.map((g) => g.index);
			links.push({ requestId: request.id, itemIndexes, reviewer: rev, url: buildReviewUrl(resumeUrl, node.id, token), nonce });
		}
	}

	const byId = new Map(requests.map((r) => [r.id, r]));
	const store = await openReviewStore(this, storeSettings);
	try {
		await closeOverdueRequests(this, store, now, signingKey);
		await store.putReviewRequests(requests);
		for (const link of links) {
			const request = byId.get(link.requestId) as ReviewRequest;
			const payload = request.payload as unknown as GatePayload;
			await store.append({
				event: 'requested',
				reviewerId: link.reviewer,
				...requestRecordFields(request, payload),
				linkKeyId: signingKey.keyId,
				linkNonce: link.nonce,
				// minSecondsOnPage 0 on a High request is the builder's visible bypass; the log keeps it.
				details: { itemIndexes: link.itemIndexes, expiresAt: request.expiresAt, groupId, minSecondsOnPage: payload.minSecondsOnPage ?? null },
			});
		}
		await notifyReviewers(this, settings, byId, links, subjectOf, deadline);
	} catch (error) {
		await abandon(store, requests, signingKey, error);
		throw error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(node, error as Error, {
					description: 'The review requests could not be recorded or sent; no item left the gate.',
				});
	} finally {
		await store.close();
	}

	await this.putExecutionToWait(deadline);
	return [[], [], []];
}

/** Inline (base64) binary data above this size is refused rather than copied into the store. */
const MAX_INLINE_BINARY_CHARS = 5_000_000;

/**
 * Binary data must come out of Approved/Rejected as it went in (an attachment must not silently
 * vanish). n8n's filesystem/S3 modes hand over small references, kept as they are; inline base64
 * (n8n's "default" mode) is kept up to a limit, beyond which the gate refuses instead of dropping it.
 */
function heldBinary(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): { binary?: Record<string, unknown> } {
	if (!item.binary || Object.keys(item.binary).length === 0) return {};
	const binary = JSON.parse(JSON.stringify(item.binary)) as Record<string, unknown>;
	if (JSON.stringify(binary).length > MAX_INLINE_BINARY_CHARS) {
		throw new NodeOperationError(ctx.getNode(), 'The item\'s binary data is too large to hold for review', {
			itemIndex,
			description:
				'Run n8n with N8N_DEFAULT_BINARY_DATA_MODE=filesystem (binary data is then passed by reference), or remove the binary data before the gate.',
		});
	}
	return { binary };
}

/**
 * Every request ends in exactly one terminal record, also when n8n's own timer released its run (the
 * gate's code does not run then): close overdue requests of earlier runs now. Never fails the run.
 */
async function closeOverdueRequests(ctx: IExecuteFunctions, store: ReviewStore, now: Date, key: SigningKey): Promise<void> {
	try {
		await expireOverdueRequests(store, now, { key });
	} catch (error) {
		ctx.logger.warn(`HITL Gate could not close overdue review requests: ${(error as Error).message}`);
	}
}

/** Sending failed: the requests must not stay decidable for a run that will never resume. */
async function abandon(store: ReviewStore, requests: ReviewRequest[], key: SigningKey, cause: unknown): Promise<void> {
	const error = String((cause as Error)?.message ?? cause).slice(0, 500);
	for (const r of requests) {
		try {
			await store.resolveReviewRequest(r.id, expiryResolution(r, 'notification_failed', key, { error }));
		} catch {
			// The original error is what the user must see; the deadline sweep also ends these requests.
		}
	}
}
