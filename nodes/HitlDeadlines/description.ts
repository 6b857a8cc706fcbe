/** The HITL Deadlines trigger's parameters (apart from its timer code in trigger.ts). */
import type { INodeProperties } from 'n8n-workflow';

/** The intervals offered: each divides a minute or an hour, so n8n's cron scheduler can run it exactly. */
export const INTERVAL_SECONDS = [1, 2, 5, 10, 15, 30, 60, 300];

/** n8n's six-field cron expression (with seconds) for an offered interval. */
export function cronFor(seconds: number): string {
	return seconds < 60 ? `*/${seconds} * * * * *` : `0 */${seconds / 60} * * * *`;
}

export const deadlinesProperties: INodeProperties[] = [
	{
		displayName:
			'Activate one workflow with this trigger per n8n instance and review store: it sends the HITL Gates\' reminders, adds their backup reviewers and ends their runs at the deadline. Several active copies (or n8n processes) are safe: each scheduled step is acted on once.',
		name: 'deadlinesNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Check Every',
		name: 'intervalSeconds',
		type: 'options',
		default: 30,
		options: INTERVAL_SECONDS.map((seconds) => ({ name: seconds < 60 ? `${seconds} Seconds` : seconds === 60 ? '1 Minute' : `${seconds / 60} Minutes`, value: seconds })),
		description: 'How often the review store is checked for due reminders, escalations and deadlines. A step is acted on at most this long after it is due.',
	},
	{
		displayName: 'Output Actions',
		name: 'emitActions',
		type: 'boolean',
		default: false,
		description:
			'Whether to start an execution with one item per action taken (reminder, escalation, deadline), e.g. to alert a channel. Off: nothing appears in the execution list unless you test the node.',
	},
];
