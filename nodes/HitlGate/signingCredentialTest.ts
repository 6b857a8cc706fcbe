/**
 * The "Test" button of the HITL Signing Key credential (wired by the node as `testedBy`): checks the
 * key ids and secret lengths, then signs and verifies a probe link with every key. No network.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { randomToken, signingKeysFromCredential, signLinkToken, verifyLinkToken, type SigningCredentialData } from '../../core/links';

export async function hitlSigningApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const keys = signingKeysFromCredential((credential.data ?? {}) as SigningCredentialData);
		const now = Math.floor(Date.now() / 1000);
		for (const key of keys) {
			const claims = {
				v: 1 as const,
				kid: key.keyId,
				exec: 'credential-test',
				node: 'credential-test',
				req: 'credential-test',
				rev: 'test@example.com',
				dec: ['approve' as const, 'reject' as const],
				dh: '0'.repeat(64),
				iat: now,
				exp: now + 60,
				nonce: randomToken(),
			};
			const verdict = verifyLinkToken(signLinkToken(claims, key), keys, {
				now: new Date(now * 1000),
				executionId: 'credential-test',
				nodeId: 'credential-test',
			});
			if (!verdict.ok) return { status: 'Error', message: `Key "${key.keyId}" did not verify its own link (${verdict.reason}).` };
		}
		const rotation = keys.length > 1 ? ` Previous key "${keys[1].keyId}" still verifies old links.` : '';
		return { status: 'OK', message: `Key "${keys[0].keyId}" signs new links.${rotation}` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
