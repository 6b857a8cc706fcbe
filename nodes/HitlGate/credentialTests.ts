/**
 * The "Test" buttons of the credentials a gate uses (signing key, review store, SMTP), shared by every
 * node that runs the gate's code (HITL Gate, HITL Tool Approval) so each credential is tested one way.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { hitlStoreApiTest } from '../shared/reviewStore';
import { testSmtpConnection } from './notify/email';
import { hitlSigningApiTest } from './signingCredentialTest';

export const gateCredentialTests = {
	hitlSigningApiTest,
	hitlStoreApiTest,
	async hitlSmtpConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		return await testSmtpConnection(credential.data ?? {});
	},
};
