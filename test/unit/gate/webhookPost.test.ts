/**
 * The chat notification POST carries every reviewer's personal link, so it must reach the configured
 * webhook URL and nothing else: a redirect answer is refused, never followed (a 307/308 would re-post
 * the links to the host it names; a 301/302/303 would still call that host). The requests go through
 * n8n's real `helpers.httpRequest`: n8n-core's `getRequestHelperFunctions`, the factory every n8n
 * execution context takes its `helpers.httpRequest` from (axios via @n8n/backend-network, SSRF
 * protection off as n8n's default), against real HTTP servers on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { getRequestHelperFunctions } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';
import type { IExecuteFunctions, INode, IWorkflowExecuteAdditionalData, Workflow } from 'n8n-workflow';

import type { NotifyEntry } from '../../../nodes/HitlGate/notify/content';
import { postNotification, type ReviewerEntries } from '../../../nodes/HitlGate/notify/webhookPost';
import type { GatePayload } from '../../../nodes/HitlGate/types';

interface Received {
	method: string;
	url: string;
	body: string;
}

interface TestServer {
	url: string;
	host: string;
	received: Received[];
	/** How the server answers; replaced per test. */
	answer: (res: ServerResponse) => void;
	server: Server;
}

async function startServer(): Promise<TestServer> {
	const state: Omit<TestServer, 'url' | 'host' | 'server'> = {
		received: [],
		answer: (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
	};
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			state.received.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
			state.answer(res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return Object.assign(state, { server, host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` });
}

const NODE: INode = {
	id: 'gate',
	name: 'HITL Gate',
	type: 'n8n-nodes-hitl.hitlGate',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** n8n's own request helpers, as an execution context gets them (only `httpRequest` is used here). */
const realHelpers = getRequestHelperFunctions({} as Workflow, NODE, {} as IWorkflowExecuteAdditionalData);
const ctx = { helpers: { httpRequest: realHelpers.httpRequest } } as unknown as IExecuteFunctions;

const REVIEW_LINK = 'https://n8n.example/webhook-waiting/7/gate?signature=abc&t=personal.token';
const DEADLINE = new Date('2026-11-26T10:00:00.000Z');
const perReviewer: ReviewerEntries[] = [
	{
		reviewer: 'alice@example.com',
		entries: [
			{
				link: { url: REVIEW_LINK, itemIndexes: [0], requestId: 'req-1' },
				// The fields the chat text's summary reads (tier, reasons, message, items); the rest is not used here.
				payload: { tier: 'high', tierReasons: ['amount > 1000'], message: '', items: [], shown: [] } as unknown as GatePayload,
			} satisfies NotifyEntry,
		],
	},
];

let webhook: TestServer;
let elsewhere: TestServer;

beforeAll(async () => {
	webhook = await startServer();
	elsewhere = await startServer();
});

afterAll(async () => {
	await Promise.all([webhook, elsewhere].map((s) => new Promise((resolve) => s.server.close(resolve))));
});

beforeEach(() => {
	webhook.received.length = 0;
	elsewhere.received.length = 0;
});

function redirectTo(status: number, location: string | null) {
	return (res: ServerResponse) => {
		res.writeHead(status, location === null ? {} : { location }).end();
	};
}

describe('postNotification through n8n’s real httpRequest helper', () => {
	test('a 200 answer: the webhook receives one JSON POST with the reviewer’s link, and the call resolves', async () => {
		webhook.answer = (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
		await expect(postNotification(ctx.helpers.httpRequest, `${webhook.url}/hook`, perReviewer, DEADLINE, 'Offers')).resolves.toBeUndefined();
		expect(webhook.received).toHaveLength(1);
		const [post] = webhook.received;
		expect(post.method).toBe('POST');
		expect(post.url).toBe('/hook');
		const body = JSON.parse(post.body) as { text: string; reviews: Array<{ url: string; reviewer: string }> };
		expect(body.text).toContain(REVIEW_LINK);
		expect(body.reviews).toEqual([expect.objectContaining({ reviewer: 'alice@example.com', url: REVIEW_LINK })]);
		expect(elsewhere.received).toEqual([]);
	});

	test.each([301, 302, 303, 307, 308])(
		'a %i answer: refused with the redirect message, and the other host receives nothing',
		async (status) => {
			webhook.answer = redirectTo(status, `${elsewhere.url}/steal`);
			await expect(postNotification(ctx.helpers.httpRequest, `${webhook.url}/hook`, perReviewer, DEADLINE, 'Offers')).rejects.toThrow(
				`the notification webhook answered with a redirect to ${elsewhere.host}; use the final URL`,
			);
			expect(webhook.received).toHaveLength(1);
			expect(elsewhere.received).toEqual([]);
		},
	);

	test('a redirect without a Location header is refused too', async () => {
		webhook.answer = redirectTo(302, null);
		await expect(postNotification(ctx.helpers.httpRequest, `${webhook.url}/hook`, perReviewer, DEADLINE, 'Offers')).rejects.toThrow(
			'the notification webhook answered with a redirect to an unnamed location; use the final URL',
		);
	});

	test('an error answer fails with its status and the start of its body', async () => {
		webhook.answer = (res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service\nsecond line');
		await expect(postNotification(ctx.helpers.httpRequest, `${webhook.url}/hook`, perReviewer, DEADLINE, 'Offers')).rejects.toThrow(
			'the notification webhook answered HTTP 404: no_service second line',
		);
		expect(elsewhere.received).toEqual([]);
	});

	test('control: the same helper without redirects off does follow a 307 and re-posts the links (what the fix prevents)', async () => {
		webhook.answer = redirectTo(307, `${elsewhere.url}/steal`);
		await realHelpers.httpRequest({ method: 'POST', url: `${webhook.url}/hook`, body: { link: REVIEW_LINK }, json: true });
		expect(elsewhere.received).toHaveLength(1);
		expect(elsewhere.received[0]).toMatchObject({ method: 'POST', url: '/steal' });
		expect(elsewhere.received[0].body).toContain(REVIEW_LINK);
	});
});
