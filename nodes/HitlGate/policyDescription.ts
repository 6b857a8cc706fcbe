/**
 * The gate's approval-policy parameters (apart from description.ts): how many reviewers must approve
 * (quorum.ts), and separation of duties — who requested the item, so that person can never decide it
 * (separationOfDuties.ts) — and whether a decision needs a one-time code from a second email
 * (oneTimeCode.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

export const policyProperties: INodeProperties[] = [
	{
		displayName: 'Approval Policy',
		name: 'approvalPolicy',
		type: 'options',
		default: 'first',
		options: [
			{ name: 'First Reviewer Decides', value: 'first', description: 'One approval or rejection by any listed reviewer decides' },
			{ name: 'Quorum (Any Rejection Vetoes)', value: 'quorum', description: 'N approvals needed; one rejection rejects' },
			{ name: 'Quorum (Majority)', value: 'majority', description: 'N approvals needed; rejected only once N can no longer be reached' },
			{ name: 'Sequential Sign-Off', value: 'sequential', description: 'Every reviewer approves, in the listed order; the next is mailed only after the previous approved; a rejection ends it' },
		],
		description: 'How many of the listed reviewers must approve. Under a quorum each vote is recorded, items are approved as shown (no edits), and one request per item is needed (not batch mode).',
	},
	{
		displayName: 'Required Approvals',
		name: 'requiredApprovals',
		type: 'number',
		default: 2,
		typeOptions: { minValue: 2, maxValue: 20 },
		displayOptions: { show: { approvalPolicy: ['quorum', 'majority'] } },
		description: 'How many different reviewers must approve (at most the number of reviewers of the item)',
	},
	{
		displayName: 'Requester (Separation of Duties)',
		name: 'requester',
		type: 'string',
		default: '',
		placeholder: '{{ $json.requestedBy }}',
		description:
			'Email address of the person who requested this item (e.g. the recruiter who triggered the send). They can never decide it: they are taken out of the reviewers and backups, their links are refused and the attempt is recorded. Read per item. Empty: not used.',
	},
	{
		displayName: 'Requester Aliases',
		name: 'requesterAliases',
		type: 'string',
		default: '',
		displayOptions: { hide: { requester: [''] } },
		placeholder: 'anna.private@example.com, a.smith@example.com',
		description: 'Other addresses of the same person, separated by commas (may be an expression reading the item)',
	},
	{
		displayName: 'Require One-Time Code',
		name: 'requireOneTimeCode',
		type: 'options',
		default: 'off',
		options: [
			{ name: 'Always', value: 'always', description: 'Every decision needs a code' },
			{ name: 'For High Tier Only', value: 'high', description: 'Decisions on High-risk and unclassified items need a code' },
			{ name: 'Off', value: 'off', description: 'The emailed link alone lets its reviewer decide' },
		],
		description:
			'Before a decision is taken, the reviewer presses "Email me a code" on the page and types the 6-digit code from a second email to the same address (valid 10 minutes, works once; 5 wrong codes lock the link). Not in batch mode; needs Send Email.',
	},
	{
		displayName: 'Code Validity (Seconds)',
		name: 'oneTimeCodeValiditySeconds',
		type: 'number',
		default: 600,
		typeOptions: { minValue: 5, maxValue: 600 },
		displayOptions: { hide: { requireOneTimeCode: ['off'] } },
		description: 'How long a code is valid after it was sent (at most 600 seconds, 10 minutes)',
	},
];
