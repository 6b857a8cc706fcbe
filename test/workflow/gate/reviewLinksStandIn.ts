/**
 * The HITL Review Links node for workflow tests: the BUILT node's webhook() behind a real loopback HTTP
 * server, so the gate's run-time probe (an HTTP GET from inside n8n's engine) finds it, and a test can
 * open and post the mailed links over HTTP as a browser would. The context is a stand-in for n8n's
 * webhook context (request, response, query, parsed form, credentials), as gateHarness.ts callWebhook
 * is for the gate; nothing here decides anything the node does not.
 */
import { createServer, type Server } from 'node:http';

import type { IDataObject, INodeType, IWebhookFunctions } from 'n8n-workflow';

import { createNodeTypes } from '../harness';
import type { GateEnv } from './gateHarness';

export interface ReviewLinksStandIn {
	/** n8n's base URL for runWorkflow({ baseUrl }): the links and the probe go to `<base>/webhook/<path>`. */
	baseUrl: string;
	/** Requests the node answered (probes included). */
	calls: Array<{ method: string; url: string }>;
	close(): Promise<void>;
}

export interface PageAnswer {
	status: number;
	text: string;
	headers: Headers;
}

export async function startReviewLinks(env: GateEnv, path = 'hitl-review'): Promise<ReviewLinksStandIn> {
	const node = createNodeTypes().getByName('n8n-nodes-hitl.hitlReviewLinks') as INodeType;
	const calls: ReviewLinksStandIn['calls'] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			calls.push({ method: req.method ?? 'GET', url: url.toString() });
			if (url.pathname !== `/webhook/${path}`) {
				res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":404,"message":"not registered"}');
				return;
			}
			const raw = Buffer.concat(chunks);
			// As n8n parses a form body: an object of strings (a repeated field becomes an array).
			const body: IDataObject = {};
			for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
				const prev = body[k];
				body[k] = prev === undefined ? v : Array.isArray(prev) ? [...(prev as string[]), v] : [prev as string, v];
			}
			let status = 200;
			const response = {
				headersSent: false,
				setHeader: (name: string, value: string) => res.setHeader(name, value),
				status(code: number) {
					status = code;
					return response;
				},
				end(text: string) {
					response.headersSent = true;
					res.statusCode = status;
					res.end(text);
				},
				json(value: unknown) {
					res.setHeader('content-type', 'application/json');
					response.end(JSON.stringify(value));
				},
			};
			const ctx = {
				getRequestObject: () => ({ method: req.method, headers: req.headers, ip: '127.0.0.1', socket: {}, rawBody: raw }),
				getResponseObject: () => response,
				getQueryData: () => Object.fromEntries(url.searchParams),
				getBodyData: () => body,
				getNode: () => ({
					id: 'review-links-node',
					name: 'HITL Review Links',
					type: 'n8n-nodes-hitl.hitlReviewLinks',
					typeVersion: 1,
					position: [0, 0],
					parameters: { path },
					credentials: { hitlSigningApi: { id: '1', name: 'Signing' }, hitlStoreApi: { id: '3', name: 'Store' } },
				}),
				getNodeParameter: (name: string) => (name === 'path' ? path : undefined),
				getCredentials: async (type: string) => env.credentials[type],
				getWorkflow: () => ({ id: 'review-links', name: 'HITL Review Links', active: true }),
				logger: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} },
				helpers: {
					httpRequest: async () => {
						throw new Error('the Review Links stand-in relays nothing (no waiting run in these tests)');
					},
				},
			};
			node.webhook!.call(ctx as unknown as IWebhookFunctions).catch((error: Error) => {
				if (!res.headersSent) res.writeHead(599).end(error.message);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		calls,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

export async function openLink(link: string): Promise<PageAnswer> {
	const r = await fetch(link, { headers: { 'user-agent': 'Mozilla/5.0 (SampleReviewTest)' }, redirect: 'manual' });
	return { status: r.status, text: await r.text(), headers: r.headers };
}

export async function postLink(link: string, fields: Record<string, string>): Promise<PageAnswer> {
	const r = await fetch(link, {
		method: 'POST',
		headers: { 'user-agent': 'Mozilla/5.0 (SampleReviewTest)', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
		redirect: 'manual',
	});
	return { status: r.status, text: await r.text(), headers: r.headers };
}
