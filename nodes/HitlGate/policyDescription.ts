/**
 * The gate's approval-policy parameters (apart from description.ts): how many reviewers must approve
 * (quorum.ts), and separation of duties — who requested the item, so that person can never decide it
 * (separationOfDuties.ts).
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
];
