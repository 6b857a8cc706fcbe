/** Plain HTTP helpers for server tests (Node's fetch). */
import { sleep } from './net';
import type { WebhookResponse } from './n8nTypes';

/**
 * fetch on a fresh connection that is closed after the answer (`connection: close`). n8n closes idle
 * kept-alive sockets after a few seconds; a request that undici dispatches on such a socket at that
 * moment dies with "other side closed" — harmless to retry for a read, not for a write. With no
 * socket ever kept alive there is none to go stale; a loopback handshake costs nothing.
 */
export function fetchFresh(url: string | URL, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('connection', 'close');
	return fetch(url, { ...init, headers });
}

/**
 * fetch, retrying a GET up to twice when the connection drops before an answer (a kept-alive
 * socket the server closed at that moment: undici's "other side closed"). Writes are never
 * retried, since the server may have acted on them.
 */
export async function fetchRetryingReads(url: string, init: RequestInit): Promise<Response> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await fetchFresh(url, init);
		} catch (error) {
			if ((init.method ?? 'GET') !== 'GET' || attempt >= 2) throw error;
			await sleep(100);
		}
	}
}

/** A plain HTTP call that never throws on status and never follows redirects. */
export async function httpCall(
	url: string,
	options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<WebhookResponse> {
	const headers: Record<string, string> = { ...options.headers };
	let body: string | undefined;
	if (options.body !== undefined) {
		body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
		if (!Object.keys(headers).some((key) => key.toLowerCase() === 'content-type')) {
			headers['content-type'] = typeof options.body === 'string' ? 'text/plain' : 'application/json';
		}
	}
	const res = await fetchFresh(url, { method: options.method ?? 'POST', headers, body, redirect: 'manual' });
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}
