/**
 * What the builder sets on HITL Tool Approval. n8n turns a node with a "send and wait" operation into an
 * AI-agent tool variant (`…HitlTool`): it keeps these properties, hides `operation`, and replaces
 * `message` with its own (which may quote `$tool.name` and `$tool.parameters`). The reviewer, email and
 * time-on-page settings are the HITL Gate's own, read by the gate's code under the same names.
 */
import type { INodeProperties } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import { gateProperties } from '../HitlGate/description';
import { deadlineProperties } from '../HitlGate/deadlineDescription';

/** The gate's properties this node offers as they are (reviewers, email, reasons, time on page). */
const SHARED_GATE_PROPERTIES = ['reviewers', 'notifyByEmail', 'fromEmail', 'subject', 'requireRejectReason', 'requireTimeOnPageForHigh', 'timeOnPageOffNotice'];

/** The gate's options that mean something for one tool call. */
const SHARED_GATE_OPTIONS = ['hashClientInfo', 'minSecondsOnPageHigh', 'rubberStampSecondsHigh', 'timeZone'];

function gateProperty(name: string): INodeProperties[] {
	return gateProperties.filter((p) => p.name === name);
}

/** The deadline itself; reminders and escalation are not offered (see gateContext.ts). */
const DEADLINE_PROPERTIES = ['deadlineType', 'deadlineAmount', 'deadlineUnit', 'deadlineAt', 'businessAmount', 'businessUnit', 'workingDays', 'workingHours', 'holidays'];

function deadlineProperty(name: string): INodeProperties[] {
	return deadlineProperties.filter((p) => p.name === name);
}

function gateOptions(): INodeProperties {
	const options = gateProperties.find((p) => p.name === 'options');
	const kept = (options?.options ?? []).filter((o) => 'name' in o && SHARED_GATE_OPTIONS.includes(o.name));
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options: kept };
}

export const toolApprovalProperties: INodeProperties[] = [
	{
		displayName:
			'Connect a tool to this node and this node to an AI Agent\'s Tool input. Each time the agent calls the tool, a named reviewer approves or denies the call on a signed page; the tool runs only after an approval. A denial, with its reason, goes back to the agent.',
		name: 'toolApprovalNotice',
		type: 'notice',
		default: '',
	},
	{
		// n8n generates the agent-tool variant only for a node with this operation (and checks its own URL
		// signature on its waiting webhook); there is nothing else to choose.
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Send for Approval and Wait', value: SEND_AND_WAIT_OPERATION, action: 'Send a tool call for approval and wait' }],
		default: SEND_AND_WAIT_OPERATION,
	},
	...gateProperty('reviewers'),
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: 'An AI agent wants to run a tool. Check the arguments below before you approve.',
		description: 'Text shown above the tool call in the email and on the review page',
	},
	...SHARED_GATE_PROPERTIES.filter((n) => n !== 'reviewers').flatMap(gateProperty),
	{
		displayName: 'Email Credential',
		name: 'smtpCredentialType',
		type: 'options',
		options: [
			{ name: 'SMTP', value: 'smtp', description: 'The SMTP credential n8n\'s own Send Email node uses' },
			{ name: 'HITL SMTP', value: 'hitlSmtpApi', description: 'This package\'s own SMTP credential (same fields)' },
		],
		default: 'smtp',
		displayOptions: { show: { notifyByEmail: [true] } },
	},
	{
		displayName: 'Risk',
		name: 'riskTier',
		type: 'options',
		default: 'high',
		options: [
			{ name: 'Every Call Is High Risk', value: 'high', description: 'An agent acting on its own is high blast radius' },
			{ name: 'Classify Each Call by Its Arguments', value: 'presets', description: 'The Blast Radius Router\'s presets, run on the model\'s arguments' },
		],
		description: 'The tier the reviewer sees; High also applies the minimum time on page',
	},
	{
		displayName: 'Money Amount Argument',
		name: 'moneyAmountArgument',
		type: 'string',
		default: 'amount',
		displayOptions: { show: { riskTier: ['presets'] } },
		description: 'Argument holding a money amount (a path such as amount or payment.total); a call at or above the amount below is High. Empty: not checked. A call without it is High.',
	},
	{
		displayName: 'Money Amount From',
		name: 'moneyAmountFrom',
		type: 'number',
		default: 1000,
		displayOptions: { show: { riskTier: ['presets'] } },
	},
	{
		displayName: 'Candidate-Facing Argument',
		name: 'candidateFacingArgument',
		type: 'string',
		default: '',
		placeholder: 'audience',
		displayOptions: { show: { riskTier: ['presets'] } },
		description: 'Argument that says who receives the result; a call whose value is true or one of the values below is High. Empty: not checked.',
	},
	{
		displayName: 'Candidate-Facing Values',
		name: 'candidateFacingValues',
		type: 'string',
		default: 'candidate',
		displayOptions: { show: { riskTier: ['presets'] } },
	},
	{
		displayName: 'Tier Otherwise',
		name: 'otherwiseTier',
		type: 'options',
		default: 'high',
		options: [
			{ name: 'High', value: 'high' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'Low', value: 'low' },
		],
		displayOptions: { show: { riskTier: ['presets'] } },
		description: 'Tier of a call no preset raised. Unknown risk is high risk: lower it only for tools whose worst case you know.',
	},
	...DEADLINE_PROPERTIES.flatMap(deadlineProperty),
	{
		displayName:
			'The deadline is kept by the HITL Deadlines trigger (one active workflow per n8n instance and review store): at the deadline the agent is told the call was not approved, and the tool does not run. Without it the call waits until a reviewer decides — n8n\'s own wait timer is never used here, because it would hand the agent\'s call on unreviewed.',
		name: 'deadlineNotice',
		type: 'notice',
		default: '',
	},
	gateOptions(),
];
