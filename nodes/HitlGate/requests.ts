/**
 * Building the run's review requests. Every item is its own request in both review modes, so each
 * item's decision is its own MAC'd terminal record and its own output routing; batch mode differs only
 * in how reviewers reach them (one page and one link per reviewer for the whole group: batchLinks.ts).
 * The risk of a set of items (max tier, merged reasons, provenance) is computed here once, for a
 * request and for the batch summary the email shows.
 */
import { randomUUID } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { ReviewRequest } from '../../core/store';
import { maxTier, type Tier } from '../../core/tiers';
import { draftSha256, riskOf } from './draft';
import { riskVerifierFor, type RiskVerifier } from './riskProvenance';
import type { GateSettings } from './settings';
import { oneTimeCodeFor } from './oneTimeCodeSettings';
import { minSecondsForTier, rubberStampFor } from './timeOnPage';
import type { GateItem, GatePayload } from './types';

/** What every request of the run shares. */
export interface RunContext {
	settings: GateSettings;
	groupId: string;
	executionId: string;
	nodeId: string;
	nodeName: string;
	workflowId: string | null;
	workflowName: string | null;
	linkKeyId: string;
	now: Date;
	deadline: Date;
	/** Who vouches for an item's risk annotation instead of the Routers before the gate (HITL Tool Approval classifies its calls itself). */
	verifyRisk?: RiskVerifier;
	/** What a one-item request is about (GatePayload.about); set by a node built on the gate. */
	aboutOf?: (item: GateItem) => Record<string, unknown>;
}

type RiskFields = Pick<GatePayload, 'tier' | 'tierReasons' | 'riskProvenance' | 'blastRadius'>;

/** The risk of a set of items: the highest tier, every reason once; one unclassified item makes it unclassified. */
export function riskOfItems(ctx: IExecuteFunctions, items: readonly GateItem[], verifier?: RiskVerifier): RiskFields {
	let tier: Tier | null = null;
	const reasons: string[] = [];
	let unclassified = false;
	let unverified = false;
	// Trusted only if a Blast Radius Router of this execution produced it; otherwise high (riskProvenance.ts).
	const verifyRisk = verifier ?? riskVerifierFor(ctx);
	const risks = items.map((it) => riskOf(it.json, verifyRisk(it.index, it.json.blastRadius)));
	for (const risk of risks) {
		if (risk.tier === null) unclassified = true;
		else tier = tier === null ? risk.tier : maxTier(tier, risk.tier);
		if (risk.annotation !== null && !risk.verified) unverified = true;
		for (const r of risk.reasons) if (!reasons.includes(r)) reasons.push(r);
	}
	// Unknown risk is shown as high.
	if (unclassified) tier = null;
	return {
		tier,
		tierReasons: reasons,
		riskProvenance: unverified ? 'unverified' : unclassified ? 'none' : 'router',
		// Only a verified annotation goes on into `hitl.blastRadius`.
		blastRadius: risks.length === 1 && risks[0].verified ? risks[0].annotation : null,
	};
}

/** The payload for a set of items (one item per stored request; all of them for the batch email's summary). */
export function payloadFor(ctx: IExecuteFunctions, run: RunContext, items: GateItem[], message: string): GatePayload {
	const { settings } = run;
	const risk = riskOfItems(ctx, items, run.verifyRisk);
	return {
		v: 1,
		mode: settings.reviewMode,
		...(run.aboutOf && items.length === 1 ? { about: run.aboutOf(items[0]) } : {}),
		items,
		shown: settings.fieldsShown,
		editable: settings.editableFields,
		displayFields: settings.displayFields,
		timeZone: settings.timeZone,
		requireRejectReason: settings.requireRejectReason,
		hashClientInfo: settings.hashClientInfo,
		workflowId: run.workflowId,
		workflowName: run.workflowName,
		nodeName: run.nodeName,
		linkKeyId: run.linkKeyId,
		message,
		...risk,
		minSecondsOnPage: minSecondsForTier(risk.tier, settings.timeOnPage),
		...rubberStampFor(settings.rubberStamp, risk.tier),
		...oneTimeCodeFor(settings.oneTimeCode, risk.tier),
		// Signed with the request: the webhook enforces what the builder chose when the run started.
		...(settings.reviewMode === 'batch' ? { allowApproveAllHigh: settings.allowApproveAllHigh } : {}),
	};
}

/** One review request for one item (its MAC is added once every request of the run is built). */
export function buildRequest(
	ctx: IExecuteFunctions,
	run: RunContext,
	item: GateItem,
	reviewers: string[],
	message: string,
	later: Partial<Pick<GatePayload, 'deadlinePlan' | 'notify' | 'requester' | 'quorum' | 'editable' | 'displayFields'>> = {},
): ReviewRequest {
	const payload: GatePayload = { ...payloadFor(ctx, run, [item], message), ...later };
	return {
		id: randomUUID(),
		groupId: run.groupId,
		executionId: run.executionId,
		nodeId: run.nodeId,
		itemIndex: item.index,
		reviewers,
		draftSha256: draftSha256(item.json),
		createdAt: run.now.toISOString(),
		expiresAt: run.deadline.toISOString(),
		status: 'pending',
		outcome: null,
		payload: payload as unknown as Record<string, unknown>,
		mac: null,
	};
}
