/**
 * The gate's approval-policy parameters (apart from description.ts): separation of duties for now —
 * who requested the item, so that person can never decide it (separationOfDuties.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

export const policyProperties: INodeProperties[] = [
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
