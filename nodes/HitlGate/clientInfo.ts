/**
 * Who sent a request, as far as the log needs it: IP and user agent, optionally only as keyed hashes.
 * A request relayed by the HITL Review Links node comes from n8n itself; the relay names the reviewer's
 * browser in a header MAC'd with the signing key (core/links/reviewLinks.ts), which is used only when it
 * verifies — a browser sending that header gets its own address logged, as always.
 */
import { createHmac } from 'node:crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

import { readRelayedClient, RELAYED_CLIENT_HEADER, type SigningKey } from '../../core/links';

export interface ClientInfo {
	clientIp: string | null;
	userAgent: string | null;
}

/**
 * Hashing is keyed (HMAC with the signing key): a plain SHA-256 of an IPv4 address can be reversed by
 * trying all 2^32 of them. Equal inputs still give equal hashes, so repeated visits stay linkable.
 */
export function clientInfo(ctx: IWebhookFunctions, hash: boolean, key: SigningKey, now = new Date()): ClientInfo {
	const req = ctx.getRequestObject();
	const relayed = readRelayedClient(req.headers[RELAYED_CLIENT_HEADER], [key], now);
	const ip = relayed ? relayed.ip : typeof req.ip === 'string' && req.ip !== '' ? req.ip : (req.socket?.remoteAddress ?? null);
	const uaHeader = relayed ? relayed.userAgent : req.headers['user-agent'];
	const ua = typeof uaHeader === 'string' && uaHeader !== '' ? uaHeader.slice(0, 512) : null;
	if (!hash) return { clientIp: ip, userAgent: ua };
	const h = (v: string | null) =>
		v === null ? null : `hmac-sha256:${createHmac('sha256', key.secret).update(`n8n-nodes-hitl/client/v1\n${v}`).digest('hex')}`;
	return { clientIp: h(ip), userAgent: h(ua) };
}
