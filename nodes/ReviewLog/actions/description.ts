import type { INodeProperties } from 'n8n-workflow';
import * as append from './append.operation';
import * as checkpoint from './checkpoint.operation';
import * as erase from './erase.operation';
import * as exportLog from './export.operation';
import * as metrics from './metrics.operation';
import * as prove from './prove.operation';
import * as query from './query.operation';
import * as report from './report.operation';
import * as retention from './retention.operation';
import * as verify from './verify.operation';

/** Every UI property of the node; the top-level description lives in ReviewLog.node.ts. */
export const properties: INodeProperties[] = [
	{
		displayName:
			'Without a HITL Review Store credential the log is the file .n8n/hitl/default.jsonl in the n8n user folder: checkpoints cannot be signed and no evidence is kept.',
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
			{
				name: 'Apply Retention',
				value: 'retention',
				action: 'Erase evidence past its retention period',
				description: 'Erase evidence older than the credential\'s Evidence Retention and log the erasure',
			},
			{
				name: 'Erase Subject\'s Evidence',
				value: 'erase',
				action: 'Erase the evidence of a data subject',
				description: 'Erase everything kept for one data subject (e.g. a candidate) and log the erasure',
			},
			{ name: 'Export', value: 'export', action: 'Export the review log', description: 'The whole log as a JSON Lines or CSV file, with a signed checkpoint' },
			{ name: 'Metrics', value: 'metrics', action: 'Compute review metrics', description: 'Approval, rejection, edit, expiry and skip rates, queue times, fast decisions' },
			{
				name: 'Prove Record',
				value: 'prove',
				action: 'Prove a record is in the review log',
				description: 'A proof file for one record that an auditor checks with the public key alone',
			},
			{ name: 'Query', value: 'query', action: 'Query the review log', description: 'Find records by time, reviewer, decision, tier, workflow, execution or item key' },
			{
				name: 'Report',
				value: 'report',
				action: 'Build an admin report of the review log',
				description: 'One HTML file with the chain\'s verification, key figures, charts and per-reviewer and per-tier tables',
			},
			{
				name: 'Sign Checkpoint',
				value: 'checkpoint',
				action: 'Sign a checkpoint of the review log',
				description: 'Sign the log\'s current state with the credential\'s Ed25519 key, as a file to send elsewhere',
			},
			{ name: 'Verify', value: 'verify', action: 'Verify the review log', description: 'Check the hash chain (and a checkpoint) for edits, deletions, reordering and truncation' },
		],
	},
	...append.description,
	...query.description,
	...verify.description,
	...exportLog.description,
	...metrics.description,
	...report.description,
	...checkpoint.description,
	...prove.description,
	...erase.description,
	...retention.description,
];
