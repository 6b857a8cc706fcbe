/**
 * The gate's link-signing keys: from the HITL Signing Key credential when the builder chose one (key
 * ids, rotation with a previous key), otherwise derived from n8n's own encryption key
 * (core/links deriveInstanceSigningKey, nodes/shared/instanceKey.ts) — so dropping the gate, choosing
 * n8n's SMTP credential and typing reviewers is enough for a first approval. The same keys sign the
 * links, the CSRF tokens, the request MACs and the decision MACs; both the run and its webhook calls
 * load them here, so they always agree.
 */
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { deriveInstanceSigningKey, signingKeysFromCredential, type SigningKey } from '../../core/links';
import { instanceEncryptionKey } from '../shared/instanceKey';

type KeyContext = Pick<IExecuteFunctions | IWebhookFunctions, 'getCredentials' | 'getNode'>;

/** True when the builder chose a HITL Signing Key credential on this gate. */
export function usesSigningCredential(ctx: Pick<KeyContext, 'getNode'>): boolean {
	return ctx.getNode().credentials?.hitlSigningApi !== undefined;
}

export async function loadSigningKeys(ctx: KeyContext): Promise<SigningKey[]> {
	if (usesSigningCredential(ctx)) {
		const data = await ctx.getCredentials('hitlSigningApi');
		try {
			return signingKeysFromCredential(data);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), error as Error, {
				description: 'Fix the HITL Signing Key credential (key id and a secret of at least 32 characters).',
			});
		}
	}
	const instanceKey = instanceEncryptionKey();
	try {
		if (instanceKey === null) throw new Error('n8n\'s encryption key could not be read (neither N8N_ENCRYPTION_KEY nor the n8n settings file)');
		return [derivedKey(instanceKey)];
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			message: `No signing key for the review links: ${(error as Error).message}`,
			description: 'Choose a HITL Signing Key credential on the gate (a key id and a secret of at least 32 characters), or run the gate inside n8n, which keeps its encryption key in N8N_ENCRYPTION_KEY or its settings file.',
		});
	}
}

/**
 * The last derivation, reused while n8n's key stays the same: HKDF took 3–4 ms under load, on every run
 * and on every reviewer's request (about half the gate's own CPU per decision). A changed key derives anew.
 */
let lastDerived: { from: string; key: SigningKey } | null = null;

function derivedKey(instanceKey: string): SigningKey {
	if (lastDerived?.from !== instanceKey) lastDerived = { from: instanceKey, key: deriveInstanceSigningKey(instanceKey) };
	return { ...lastDerived.key };
}
