import type { INodeProperties } from 'n8n-workflow';
import * as append from './append.operation';
import * as exportLog from './export.operation';
import * as metrics from './metrics.operation';
import * as query from './query.operation';
import * as verify from './verify.operation';

/** Every UI property of the node; the top-level description lives in ReviewLog.node.ts. */
export const properties: INodeProperties[] = [
	{
		displayName:
			'Without a HITL Review Store credential the log is the file .n8n/hitl/default.jsonl in the n8n user folder, and checkpoints are not signed.',
		name: 'storeNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'append',
		options: [
			{ name: 'Append', value: 'append', action: 'Append records to the review log', description: 'Write one record per input item and pass the items on' },
			{ name: 'Export', value: 'export', action: 'Export the review log', description: 'The whole log as a JSON Lines or CSV file, with a signed checkpoint' },
			{ name: 'Metrics', value: 'metrics', action: 'Compute review metrics', description: 'Approval, rejection, edit, expiry and skip rates, queue times, fast decisions' },
			{ name: 'Query', value: 'query', action: 'Query the review log', description: 'Find records by time, reviewer, decision, tier, workflow, execution or item key' },
			{ name: 'Verify', value: 'verify', action: 'Verify the review log', description: 'Check the hash chain (and a checkpoint) for edits, deletions, reordering and truncation' },
		],
	},
	...append.description,
	...query.description,
	...verify.description,
	...exportLog.description,
	...metrics.description,
];
