/**
 * The gate's first half: build one review request per item, sign the reviewers' links (one per
 * reviewer and item; in batch mode one per reviewer for the whole run), record `requested`, notify the
 * reviewers, and put the execution to wait until the deadline.
 * Nothing leaves the gate here; items leave only when the webhook resumes the run or n8n times it out
 * (then through output 0, Timed Out). Sample review (sample.ts) is the one exception, visible on the
 * canvas: it records `requested` and `sampled`, mails the links, and passes every item on at once
 * through its own single output — never through Approved.
 */
import { randomUUID } from 'node:crypto';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import type { SigningKey } from '../../core/links';
import { signRequest } from '../../core/links';
import { loadSigningKeys } from './signingKeys';
import { resolveEach, type ReviewRequest, type ReviewStore } from '../../core/store';
import { expireOverdueRequests, expiryResolution } from '../shared/expiry';
import { getStoreSettings, openReviewStore, storeIdentity } from '../shared/reviewStore';
import { subjectIdsFor } from './evidence';
import { plainJson } from './draft';
import { issueLinks, linkItemRanges } from './links';
import { notifyReviewers, smtpCredentialTypeOf, type IssuedLink } from './notify/send';
import { planForItem, readRunDeadline } from './deadlineSettings';
import { requesterReader, withoutRequester } from './separationOfDuties';
import { checkQuorumReviewers, policyForItem, readQuorumPolicy } from './quorum';
import { scheduleDeadlines } from './deadlineSchedule';
import { buildRequest, payloadFor, type RunContext } from './requests';
import { requestRecordFields } from '../shared/requestRecords';
import { isExpressionParameter, readGateSettings, readReviewMode } from './settings';
import { reviewersReader, textReader } from './itemParameters';
import type { GateItem, GatePayload } from './types';
import { reviewLinksUrlFor } from './reviewLinks';
import type { RiskVerifier } from './riskProvenance';
import { checkSampleSettings, checkSampleTiers, requireReviewLinks, sampledRecords, sampleOutputs } from './sample';

/** What a node built on the gate may change about its run (HITL Tool Approval signs links with n8n's URL HMAC). */
export interface GateHooks {
	/** The reviewer's URL for a link token, instead of the waiting webhook or HITL Review Links URL. */
	linkUrlFor?: (token: string) => string;
	/** Where the HITL Deadlines worker posts its deadline order, instead of the waiting webhook's URL. */
	deadlineOrderUrl?: string;
	/**
	 * Never set n8n's own wait timer: only a reviewer or a deadline order ends the wait. For a node whose
	 * input n8n's timer would pass on as its output (HITL Tool Approval: the agent would read it).
	 */
	noWaitTimer?: boolean;
	/** Vouches for the items' risk annotations (computed by the calling node itself, never read from input). */
	verifyRisk?: RiskVerifier;
	/** What each one-item request is about, for its records (GatePayload.about). */
	aboutOf?: (item: GateItem) => Record<string, unknown>;
}

export async function executeGate(this: IExecuteFunctions, hooks: GateHooks = {}): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return readReviewMode(this) === 'sample' ? [[]] : [[], [], []];
	const node = this.getNode();
	const settings = readGateSettings(this);
	const sample = settings.reviewMode === 'sample';
	if (sample) checkSampleSettings(this);
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
	const runDeadline = readRunDeadline(this, now, settings.timeZone);
	// No deadline: links and requests last until n8n's "indefinitely"; only people end the wait.
	const deadline = runDeadline.deadline ?? WAIT_INDEFINITELY;
	const groupId = `${executionId}:${node.id}:${randomUUID()}`;
	const subjectOf = textReader(this, 'subject', 'Review needed');
	const messageOf = textReader(this, 'message', '');
	const reviewersOf = reviewersReader(this);
	const reviewersExpr = isExpressionParameter(this, 'reviewers');
	const sharedReviewers = reviewersExpr ? null : reviewersOf(0);
	const run: RunContext = {
		settings,
		groupId,
		executionId,
		nodeId: node.id,
		nodeName: node.name,
		workflowId: workflow.id ?? null,
		workflowName: workflow.name ?? null,
		linkKeyId: signingKey.keyId,
		now,
		deadline,
		...(hooks.verifyRisk ? { verifyRisk: hooks.verifyRisk } : {}),
		...(hooks.aboutOf ? { aboutOf: hooks.aboutOf } : {}),
	};

	const storeSettings = await getStoreSettings(this);
	// Asked once per run, before any request is built: the choice goes into every request's MAC'd payload.
	const probed = await reviewLinksUrlFor(this, signingKey, storeIdentity(storeSettings.config), resumeUrl);
	// Sample review's links are answered only by HITL Review Links (nothing waits): none, no run.
	const reviewLinksUrl = sample ? requireReviewLinks(this, probed) : probed;
	const subjectIds = subjectIdsFor(this, storeSettings, items.length);
	const gateItems: GateItem[] = items.map((item, index) => ({
		index,
		json: plainJson(item.json),
		...heldBinary(this, item, index),
		...(subjectIds[index] === null ? {} : { subjectId: subjectIds[index] as string }),
	}));
	// One request per item in both modes: each item's decision is its own terminal record. A batch reads
	// its reviewers and message once (item 0), as its one page and one email per reviewer show them.
	const batch = settings.reviewMode === 'batch';
	const batchReviewers = batch ? (sharedReviewers ?? reviewersOf(0)) : null;
	const notify = { ...settings, smtpCredentialType: smtpCredentialTypeOf(this) };
	const quorum = readQuorumPolicy(this, batch);
	const requesterOf = requesterReader(this);
	const requests: ReviewRequest[] = gateItems.map((gi) => {
		// A batch reads its requester and backups once (item 0), as it reads its reviewers.
		const policyItem = batch ? 0 : gi.index;
		const requester = requesterOf(policyItem);
		const listed = batchReviewers ?? sharedReviewers ?? reviewersOf(gi.index);
		const reviewers = withoutRequester(this, policyItem, listed, requester);
		const itemQuorum = policyForItem(quorum, reviewers);
		checkQuorumReviewers(this, gi.index, reviewers, itemQuorum);
		return buildRequest(
			this,
			run,
			gi,
			reviewers,
			messageOf(batch ? 0 : gi.index),
			{
				deadlinePlan: planForItem(this, runDeadline, policyItem, requester?.ids ?? []),
				...(requester ? { requester } : {}),
				// Under a quorum every approver approves the same content: nothing is editable.
				...(itemQuorum ? { quorum: itemQuorum, editable: [], displayFields: settings.displayFields.map((f) => ({ ...f, editable: false })) } : {}),
				notify: {
					notifyByEmail: notify.notifyByEmail,
					fromEmail: notify.fromEmail,
					smtpCredentialType: notify.smtpCredentialType,
					notificationWebhookUrl: notify.notificationWebhookUrl,
					subject: subjectOf(batch ? 0 : gi.index),
					resumeUrl,
					...(reviewLinksUrl ? { reviewLinksUrl } : {}),
				},
			},
		);
	});

	// Before anything is recorded or sent: only router-verified Low items may pass on unreviewed.
	if (sample) checkSampleTiers(this, requests);
	// The request's own MAC: what is read back from the store is authenticated before it is shown or released.
	for (const request of requests) request.mac = signRequest(request, signingKey);

	const links = issueLinks(
		{
			mode: settings.reviewMode,
			groupId,
			executionId,
			nodeId: node.id,
			resumeUrl,
			...(reviewLinksUrl ? { reviewLinksUrl } : {}),
			now,
			deadline,
			key: signingKey,
			...(hooks.linkUrlFor ? { linkUrlFor: hooks.linkUrlFor } : {}),
			// Sequential sign-off: only the first reviewer is asked now; each next one once the previous approved.
			...(quorum?.sequential ? { reviewersOf: (r: ReviewRequest) => r.reviewers.slice(0, 1) } : {}),
		},
		requests,
	);
	const byId = new Map(requests.map((r) => [r.id, r]));
	// What each link's email entry shows: its request, or for a batch link the whole run in one summary.
	const payloads = new Map<string, GatePayload>(requests.map((r) => [r.id, r.payload as unknown as GatePayload]));
	if (batch) payloads.set(groupId, payloadFor(this, run, gateItems, messageOf(0)));
	const store = await openReviewStore(this, storeSettings);
	let waitUntil: Date = deadline;
	try {
		await closeOverdueRequests(this, store, now, signingKey);
		await store.putReviewRequests(requests);
		// One `requested` record per link and request, written as one durable batch (one fsync / one transaction).
		await store.appendMany(
			links.flatMap((link) => {
				const linkItems = batch ? linkItemRanges(link.itemIndexes) : null;
				return link.requestIds.map((requestId) => {
					const request = byId.get(requestId) as ReviewRequest;
					const payload = request.payload as unknown as GatePayload;
					return {
						event: 'requested' as const,
						reviewerId: link.reviewer,
						...requestRecordFields(request, payload),
						linkKeyId: signingKey.keyId,
						linkNonce: link.nonce,
						details: requestedDetails(request, payload, link, linkItems),
					};
				});
			}),
		);
		// Counted by Review Log Metrics (skip rate, problem rate) with the later verdict on the same item key.
		if (sample) await store.appendMany(sampledRecords(requests));
		// Scheduled before anyone is mailed: a run whose reminders and deadline cannot be kept notifies nobody.
		// Sample review schedules nothing: no run waits for an order (its link just expires at the deadline).
		if (!sample) waitUntil = await scheduleDeadlines(this, store, requests, resumeUrl, runDeadline, now, hooks.deadlineOrderUrl);
		await notifyReviewers(this, settings, payloads, links, subjectOf, deadline);
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

	if (sample) return sampleOutputs(requests, reviewLinksUrl as string);
	await this.putExecutionToWait(hooks.noWaitTimer ? WAIT_INDEFINITELY : waitUntil);
	return [[], [], []];
}

/**
 * The `requested` record's details. The builder's visible bypasses are logged with every request:
 * minSecondsOnPage 0 on a High request (time on page off), and in batch mode whether "Approve all" may
 * decide High-risk items. A batch link's items are written as ranges (links.ts linkItemRanges).
 */
function requestedDetails(request: ReviewRequest, payload: GatePayload, link: IssuedLink, linkItems: string | null): Record<string, unknown> {
	return {
		itemIndexes: [request.itemIndex],
		expiresAt: request.expiresAt,
		groupId: request.groupId,
		minSecondsOnPage: payload.minSecondsOnPage ?? null,
		...(payload.about ? { about: payload.about } : {}),
		...(payload.oneTimeCode ? { oneTimeCode: true } : {}),
		...(payload.mode === 'batch' ? { batchLink: true, linkItemCount: link.itemIndexes.length, linkItems, allowApproveAllHigh: payload.allowApproveAllHigh === true } : {}),
		// Visible on every request it affects: the item went on without waiting for this review.
		...(payload.mode === 'sample' ? { sampleReview: true } : {}),
	};
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
	// Refusals are dropped: the original error is what the user must see; the deadline sweep also ends these requests.
	await resolveEach(store, requests.map((r) => ({ id: r.id, resolution: expiryResolution(r, 'notification_failed', key, { error }) })));
}
