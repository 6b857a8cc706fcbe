/** Plain HTTP helpers for server tests (Node's fetch). */
import { sleep } from './net';
import type { WebhookResponse } from './n8nTypes';

/**
 * fetch, retrying a GET up to twice when the connection drops before an answer (a kept-alive
 * socket the server closed at that moment: undici's "other side closed"). Writes are never
 * retried, since the server may have acted on them.
 */
export async function fetchRetryingReads(url: string, init: RequestInit): Promise<Response> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await fetch(url, init);
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
	const res = await fetch(url, { method: options.method ?? 'POST', headers, body, redirect: 'manual' });
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}
