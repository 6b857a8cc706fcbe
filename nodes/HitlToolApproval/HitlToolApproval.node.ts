/**
 * HITL Tool Approval: a named person approves or denies an AI agent's tool call before the tool runs.
 * n8n (2.6 and later) generates an agent-tool variant, "HITL Tool Approval" under Human in the Loop,
 * from any node with a send-and-wait operation; this node gives that variant the HITL Gate's review:
 * personal signed links, a page where GET never decides, one recorded decision in the review log.
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { gateCredentialTests } from '../HitlGate/credentialTests';
import { gateWebhooks } from '../HitlGate/description';
import { toolApprovalProperties } from './description';
import { executeToolApproval } from './execute';
import { toolApprovalWebhook } from './webhook';

export class HitlToolApproval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HITL Tool Approval',
		name: 'hitlToolApproval',
		icon: { light: 'file:hitlToolApproval.svg', dark: 'file:hitlToolApproval.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'a named reviewer approves each tool call',
		description: 'Let a named reviewer approve or deny an AI agent\'s tool call before the tool runs',
		defaults: { name: 'HITL Tool Approval' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'hitlSigningApi', required: false, testedBy: 'hitlSigningApiTest' },
			{ name: 'smtp', required: true, testedBy: 'hitlSmtpConnectionTest', displayOptions: { show: { notifyByEmail: [true], smtpCredentialType: ['smtp'] } } },
			{ name: 'hitlSmtpApi', required: true, testedBy: 'hitlSmtpConnectionTest', displayOptions: { show: { notifyByEmail: [true], smtpCredentialType: ['hitlSmtpApi'] } } },
			{ name: 'hitlStoreApi', required: false, testedBy: 'hitlStoreApiTest' },
		],
		webhooks: gateWebhooks,
		// Not usableAsTool: n8n's generated …HitlTool variant is the agent-facing form; a plain …Tool
		// variant would let the agent call the approval itself.
		usableAsTool: undefined,
		properties: toolApprovalProperties,
	};

	methods = { credentialTest: gateCredentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeToolApproval.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await toolApprovalWebhook.call(this);
	}
}
