/** Who sent a request, as far as the log needs it: IP and user agent, optionally only as keyed hashes. */
import { createHmac } from 'node:crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

import type { SigningKey } from '../../core/links';

export interface ClientInfo {
	clientIp: string | null;
	userAgent: string | null;
}

/**
 * Hashing is keyed (HMAC with the signing key): a plain SHA-256 of an IPv4 address can be reversed by
 * trying all 2^32 of them. Equal inputs still give equal hashes, so repeated visits stay linkable.
 */
export function clientInfo(ctx: IWebhookFunctions, hash: boolean, key: SigningKey): ClientInfo {
	const req = ctx.getRequestObject();
	const ip = typeof req.ip === 'string' && req.ip !== '' ? req.ip : (req.socket?.remoteAddress ?? null);
	const uaHeader = req.headers['user-agent'];
	const ua = typeof uaHeader === 'string' && uaHeader !== '' ? uaHeader.slice(0, 512) : null;
	if (!hash) return { clientIp: ip, userAgent: ua };
	const h = (v: string | null) =>
		v === null ? null : `hmac-sha256:${createHmac('sha256', key.secret).update(`n8n-nodes-hitl/client/v1\n${v}`).digest('hex')}`;
	return { clientIp: h(ip), userAgent: h(ua) };
}
