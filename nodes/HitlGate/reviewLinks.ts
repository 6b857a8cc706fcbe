/**
 * Whether this run's links go through the HITL Review Links node (links that still answer after the run
 * ended) or straight to the run's waiting webhook. Auto (the default) asks the Review Links URL at run
 * time: only a node that proves it holds this gate's signing key and serves this gate's review store
 * (core/links/reviewLinks.ts) gets the links; anything else — none active, another store, another key,
 * an unreachable URL — and the links point at the waiting webhook as before. The choice is fixed into
 * the MAC'd request payload, so reminders and escalations later send the same kind of link.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	checkProbeAnswer,
	DEFAULT_REVIEW_LINKS_PATH,
	isReviewLinksPath,
	newProbeNonce,
	PROBE_PARAM,
	reviewLinksUrlFrom,
	type SigningKey,
} from '../../core/links';
import { webhookEndpoint } from '../shared/instanceKey';

/** Options of the gate's Options collection (description.ts spreads them in). */
export const reviewLinksOptions: INodeProperties[] = [
	{
		displayName: 'Review Links',
		name: 'reviewLinks',
		type: 'options',
		default: 'auto',
		options: [
			{
				name: 'Through HITL Review Links When Active',
				value: 'auto',
				description: 'Links keep answering after the run ended (decided by whom, expired, cancelled) when a HITL Review Links node for this review store is active; otherwise as Off',
			},
			{ name: 'Off: Straight to the Run', value: 'off', description: 'Links point at this run\'s waiting webhook; once the run has ended, n8n answers them with its own error' },
		],
		description: 'Where the reviewers\' links point. See docs/review-links.md.',
	},
	{
		displayName: 'Review Links Path',
		name: 'reviewLinksPath',
		type: 'string',
		default: DEFAULT_REVIEW_LINKS_PATH,
		description: 'The Path set on the HITL Review Links node (one URL segment). Change both together.',
	},
];

/** A positive probe is reused for a minute per URL, store and key: a run of many gates asks once. */
const PROBE_CACHE_MS = 60_000;
const PROBE_TIMEOUT_MS = 3_000;
const confirmed = new Map<string, number>();

function readOptions(ctx: IExecuteFunctions): { mode: 'auto' | 'off'; path: string } {
	const options = ctx.getNodeParameter('options', 0, {}) as { reviewLinks?: unknown; reviewLinksPath?: unknown };
	const mode = options.reviewLinks === 'off' ? 'off' : 'auto';
	const path = typeof options.reviewLinksPath === 'string' && options.reviewLinksPath.trim() !== '' ? options.reviewLinksPath.trim() : DEFAULT_REVIEW_LINKS_PATH;
	if (!isReviewLinksPath(path)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid Review Links Path: "${path}"`, {
			description: 'Use one URL segment of letters, digits, dots, dashes or underscores (e.g. hitl-review), the same as on the HITL Review Links node.',
		});
	}
	return { mode, path };
}

/**
 * The Review Links URL for this run's links, or null for waiting-webhook links. `store` names the
 * review store (nodes/shared/storeIdentity.ts). Never throws for an unreachable or foreign URL.
 */
export async function reviewLinksUrlFor(ctx: IExecuteFunctions, key: SigningKey, store: string, resumeUrl: string): Promise<string | null> {
	const { mode, path } = readOptions(ctx);
	if (mode === 'off') return null;
	const url = reviewLinksUrlFrom(resumeUrl, path, webhookEndpoint());
	if (url === null) return null;
	const cacheKey = `${url}\n${store}\n${key.keyId}`;
	const seen = confirmed.get(cacheKey);
	if (seen !== undefined && Date.now() - seen < PROBE_CACHE_MS) return url;
	const nonce = newProbeNonce();
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			qs: { [PROBE_PARAM]: nonce },
			json: true,
			timeout: PROBE_TIMEOUT_MS,
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		if (response.statusCode === 200 && checkProbeAnswer(response.body, key, nonce, store)) {
			confirmed.set(cacheKey, Date.now());
			return url;
		}
	} catch (error) {
		ctx.logger.debug(`HITL Gate: no HITL Review Links at ${url} (${(error as Error).message}); links go to the run's waiting webhook`);
	}
	confirmed.delete(cacheKey);
	return null;
}
