/**
 * Every request to a review link, in order:
 * 1. A probe from a gate (`?hitlProbe=<nonce>`, no link token): answered with a MAC over the nonce and
 *    the store this node serves, proving it holds the gate's key (core/links/reviewLinks.ts).
 * 2. A link whose token does not verify with this node's keys: the "invalid link" page.
 * 3. The link's request(s) read from the store and authenticated (their MAC) before anything in them is
 *    used — the relay target comes from the MAC'd payload, so a store an attacker can write cannot point
 *    the relay anywhere (no SSRF through the store).
 * 4. Relayed to the run's waiting webhook with the reviewer's method and form, and the reviewer's
 *    address and user agent in a MAC'd header; the gate's HTML answer goes back as it is.
 * 5. When n8n answers instead of the gate (JSON: the run finished, failed, was deleted, or is busy), the
 *    page says what the log says (outcome.ts).
 * A link of a sample-review request (its verified payload says so) is never relayed: no run waits for
 * it, and this node shows the page and records the verdict itself (sampleReview.ts).
 * Whatever fails, the reviewer gets a page, never n8n's JSON or a stack trace.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import {
	answerProbe,
	buildReviewUrl,
	isGroupLink,
	isProbeNonce,
	linkTokenFromQuery,
	PROBE_PARAM,
	RELAYED_CLIENT_HEADER,
	signRelayedClient,
	verifyLinkSignature,
	type AnyLinkClaims,
	type SigningKey,
} from '../../core/links';
import type { ReviewRequest, ReviewStore } from '../../core/store';
import { INTEGRITY_NOTICE } from '../HitlGate/batchWebhook';
import { authenticateRequest, reportTamper } from '../HitlGate/ledger';
import { erasedNotice, sendMessage, type Response } from '../HitlGate/respond';
import { loadSigningKeys } from '../HitlGate/signingKeys';
import { getStoreSettings, openReviewStore, storeIdentity } from '../shared/reviewStore';
import { answerFromLog, type RunAnswer } from './outcome';
import { isSampleRequest, serveSampleLink } from './sampleReview';

const DONE: IWebhookResponseData = { noWebhookResponse: true };
/** The gate answers before the resumed run goes on; a minute covers a slow store or mail server. */
const RELAY_TIMEOUT_MS = 60_000;
/** The gate's answer headers passed on to the browser (its security headers; nothing hop-by-hop). */
const PASSED_HEADERS = [
	'content-type',
	'content-security-policy',
	'referrer-policy',
	'cache-control',
	'pragma',
	'x-robots-tag',
	'x-content-type-options',
	'x-frame-options',
	'cross-origin-opener-policy',
	'cross-origin-resource-policy',
	'permissions-policy',
];

export async function reviewLinksWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = this.getResponseObject();
	try {
		await handle(this, res);
	} catch (error) {
		this.logger.error(`HITL Review Links failed: ${(error as Error).message}`, { error });
		if (!res.headersSent) sendMessage(res, { kind: 'error' });
	}
	return DONE;
}

async function handle(ctx: IWebhookFunctions, res: Response): Promise<void> {
	const req = ctx.getRequestObject();
	const method = req.method.toUpperCase();
	const query = ctx.getQueryData() as IDataObject;
	const keys = await loadSigningKeys(ctx);
	const settings = await getStoreSettings(ctx);

	const token = linkTokenFromQuery(query);
	if (token === null && method === 'GET' && isProbeNonce(query[PROBE_PARAM])) {
		res.setHeader('Cache-Control', 'no-store');
		res.status(200).json(answerProbe(keys[0], query[PROBE_PARAM], storeIdentity(settings.config)));
		return;
	}
	const claims = token === null ? null : verifyLinkSignature(token, keys);
	if (token === null || claims === null) {
		sendMessage(res, { kind: 'invalid' });
		return;
	}

	const store = await openReviewStore(ctx, settings);
	let requests: ReviewRequest[];
	try {
		requests = await requestsOf(store, claims);
	} finally {
		await store.close();
	}
	const first = requests[0];
	if (!first) {
		// A genuine link whose request is not in this store: another store, or removed by retention.
		sendMessage(res, { kind: 'invalid' });
		return;
	}
	if (first.erased) {
		sendMessage(res, { kind: 'error', detail: erasedNotice(first.erased) });
		return;
	}
	const auth = authenticateRequest(first, keys);
	if (!auth.ok) {
		// Nothing is relayed or shown. Logged here too: no run may ever read this request again (a sample
		// review's gate never does), and the log must say why its link stopped working.
		const log = await openReviewStore(ctx, settings);
		try {
			await reportTamper(log, first, auth.reason, { reviewerId: claims.rev, via: 'review_links' });
		} finally {
			await log.close();
		}
		sendMessage(res, { kind: 'error', detail: INTEGRITY_NOTICE });
		return;
	}
	// Sample review: no run waits for this link; its verdict is taken here (sampleReview.ts), never relayed.
	if (isSampleRequest(auth.payload)) {
		await serveSampleLink(ctx, res, token, first, keys, settings);
		return;
	}
	const resumeUrl = auth.payload.notify?.resumeUrl;
	const answer: RunAnswer = resumeUrl ? await relay(ctx, res, buildReviewUrl(resumeUrl, first.nodeId, token), keys[0]) : { kind: 'unreachable', detail: 'no waiting webhook recorded' };
	if (answer.kind === 'relayed') return;
	if (answer.kind === 'unreachable') ctx.logger.warn(`HITL Review Links could not reach run ${first.executionId}: ${answer.detail}`);
	const reopened = await openReviewStore(ctx, settings);
	try {
		sendMessage(res, await answerFromLog(reopened, await requestsOf(reopened, claims), keys, answer));
	} finally {
		await reopened.close();
	}
}

/** The link's requests, only those of the run and node the (verified) link names. */
async function requestsOf(store: Pick<ReviewStore, 'getReviewRequest' | 'listReviewRequests'>, claims: AnyLinkClaims): Promise<ReviewRequest[]> {
	const found = isGroupLink(claims) ? await store.listReviewRequests(claims.grp) : [await store.getReviewRequest(claims.req)];
	return found.filter((r): r is ReviewRequest => r !== null && r.executionId === claims.exec && r.nodeId === claims.node);
}

/** The form as it came: the raw bytes when n8n kept them, else re-encoded from the parsed body. */
function formBody(ctx: IWebhookFunctions): string {
	const raw = (ctx.getRequestObject() as { rawBody?: unknown }).rawBody;
	if (Buffer.isBuffer(raw)) return raw.toString('utf8');
	const params = new URLSearchParams();
	for (const [name, value] of Object.entries(ctx.getBodyData() ?? {})) {
		for (const v of Array.isArray(value) ? value : [value]) params.append(name, typeof v === 'string' ? v : JSON.stringify(v));
	}
	return params.toString();
}

async function relay(ctx: IWebhookFunctions, res: Response, target: string, key: SigningKey): Promise<RunAnswer> {
	const req = ctx.getRequestObject();
	const method = req.method.toUpperCase() === 'POST' ? 'POST' : 'GET';
	const ua = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null;
	const ip = typeof req.ip === 'string' && req.ip !== '' ? req.ip : (req.socket?.remoteAddress ?? null);
	// The browser's address and user agent travel only in the MAC'd header: the gate logs nothing else of them.
	const headers: Record<string, string> = { [RELAYED_CLIENT_HEADER]: signRelayedClient({ ip, userAgent: ua }, key, new Date()), 'user-agent': 'n8n-nodes-hitl review links relay' };
	if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
	let response: { statusCode: number; headers: Record<string, unknown>; body: unknown };
	try {
		response = (await ctx.helpers.httpRequest({
			method,
			url: target,
			headers,
			...(method === 'POST' ? { body: formBody(ctx) } : {}),
			json: false,
			encoding: 'text',
			timeout: RELAY_TIMEOUT_MS,
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as typeof response;
	} catch (error) {
		return { kind: 'unreachable', detail: (error as Error).message };
	}
	const contentType = String(response.headers['content-type'] ?? '');
	const text = typeof response.body === 'string' ? response.body : Buffer.isBuffer(response.body) ? response.body.toString('utf8') : JSON.stringify(response.body ?? '');
	// The gate always answers with HTML; JSON (or anything else) is n8n answering before the gate ran.
	if (!contentType.toLowerCase().startsWith('text/html')) return { kind: 'n8n', status: response.statusCode, body: text };
	for (const name of PASSED_HEADERS) {
		const value = response.headers[name];
		if (typeof value === 'string') res.setHeader(name, value);
	}
	res.status(response.statusCode).end(text);
	return { kind: 'relayed' };
}
