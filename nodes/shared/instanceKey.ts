/**
 * n8n's own instance encryption key, read the way n8n reads it (n8n-core's InstanceSettings): the
 * `N8N_ENCRYPTION_KEY` environment variable (or `N8N_ENCRYPTION_KEY_FILE`), else `encryptionKey` in
 * `<N8N_USER_FOLDER or home>/.n8n/config`. The gate derives its link-signing key from it when the
 * builder chose no HITL Signing Key credential (core/links deriveInstanceSigningKey), so a first
 * approval needs no secret generated outside n8n.
 *
 * Why read it rather than ask n8n: nodes get no API for instance secrets. This runs in n8n's own
 * process (never in the Code node's task runner), where n8n has already checked that the variable and
 * the file agree. Returns null when neither is there; the caller then asks for the credential.
 *
 * Also n8n's webhook endpoint name (N8N_ENDPOINT_WEBHOOK, default `webhook`), read the same way: the gate
 * derives the HITL Review Links URL from it (nodes/HitlGate/reviewLinks.ts).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function instanceEncryptionKey(env: NodeJS.ProcessEnv = process.env): string | null {
	const fromEnv = env.N8N_ENCRYPTION_KEY?.trim();
	if (fromEnv) return fromEnv;
	const file = env.N8N_ENCRYPTION_KEY_FILE?.trim();
	if (file) return readText(file)?.trim() || null;
	const settings = readText(join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'config'));
	if (settings === null) return null;
	try {
		const key = (JSON.parse(settings) as { encryptionKey?: unknown }).encryptionKey;
		return typeof key === 'string' && key !== '' ? key : null;
	} catch {
		return null;
	}
}

function readText(path: string): string | null {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return null;
	}
}

/** The path segment n8n serves production webhooks under (`/webhook/…` unless N8N_ENDPOINT_WEBHOOK says otherwise). */
export function webhookEndpoint(env: NodeJS.ProcessEnv = process.env): string {
	return env.N8N_ENDPOINT_WEBHOOK?.trim() || 'webhook';
}
