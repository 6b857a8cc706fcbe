import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { GATE_OUTPUTS_EXPRESSION, gateProperties, gateWebhooks } from './description';
import { executeGate } from './execute';
import { gateCredentialTests } from './credentialTests';
import { gateWebhook } from './webhook';

export class HitlGate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HITL Gate',
		name: 'hitlGate',
		icon: { light: 'file:hitlGate.svg', dark: 'file:hitlGate.dark.svg' },
		group: ['transform'],
		// 1.1: n8n's own SMTP credential by default (Email Credential); 1 keeps this package's.
		version: [1, 1.1],
		defaultVersion: 1.1,
		// A bypass is visible on the canvas: sample review (items pass on unreviewed), time on page off for
		// High, or Approve all allowed for High.
		subtitle:
			'={{ ($parameter["reviewMode"] === "sample" ? "⚠ sample review: items pass on unreviewed" : $parameter["reviewMode"] === "batch" ? "one page per run, a decision per item" : "one decision per item") + ($parameter["requireTimeOnPageForHigh"] === false ? " · ⚠ High: first click decides" : "") + ($parameter["reviewMode"] === "batch" && $parameter["allowApproveAllHigh"] === true ? " · ⚠ High: approve all allowed" : "") }}',
		description: 'Hold items until a named reviewer approves or rejects them on a signed, emailed link',
		defaults: { name: 'HITL Gate' },
		inputs: [NodeConnectionTypes.Main],
		// Timed Out first: when n8n's wait runs out it sends the original items to output 0 unseen.
		// Sample review has one output of its own instead (description.ts gateOutputs): no "Approved".
		outputs: GATE_OUTPUTS_EXPRESSION,
		credentials: [
			// Optional: without it the gate derives its signing key from n8n's encryption key (signingKeys.ts).
			{ name: 'hitlSigningApi', required: false, testedBy: 'hitlSigningApiTest' },
			{ name: 'smtp', required: true, testedBy: 'hitlSmtpConnectionTest', displayOptions: { show: { notifyByEmail: [true], smtpCredentialType: ['smtp'] } } },
			{ name: 'hitlSmtpApi', required: true, testedBy: 'hitlSmtpConnectionTest', displayOptions: { show: { notifyByEmail: [true], smtpCredentialType: ['hitlSmtpApi'] } } },
			{ name: 'hitlStoreApi', required: false, testedBy: 'hitlStoreApiTest' },
		],
		webhooks: gateWebhooks,
		// Not offered as an AI tool: the gate waits for a person, which an agent's tool call cannot do.
		usableAsTool: undefined,
		properties: gateProperties,
	};

	methods = { credentialTest: gateCredentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeGate.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await gateWebhook.call(this);
	}
}
