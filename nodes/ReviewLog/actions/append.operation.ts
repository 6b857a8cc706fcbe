import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { assertStorable, normaliseInput, RecordError } from '../../../core/chain';
import { withMember } from '../../../core/withMember';
import type { ReviewRecord, ReviewRecordInput } from '../../../core/records';
import type { ReviewStore } from '../../../core/store';
import { failedItem } from '../helpers/perItem';
import { mappedFieldsReader } from '../helpers/mappedFieldsReader';
import { RecordInputError, recordFromItem, type AppendSettings, type EventMode, type MappedFields } from '../helpers/recordFromItem';
import type { StoreSettings } from '../../shared/reviewStore';
import { DECISION_OPTIONS, TIER_OPTIONS } from '../../shared/options';

const show = { show: { operation: ['append'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		default: 'auto',
		displayOptions: show,
		options: [
			{ name: 'Auto (From Item Annotations)', value: 'auto', description: 'Decided or expired for items from HITL Gate; sampled for sampled items from Blast Radius Router' },
			{ name: 'Decided', value: 'decided' },
			{ name: 'Escalated', value: 'escalated' },
			{ name: 'Expired', value: 'expired' },
			{ name: 'Note', value: 'note', description: 'A free note from the workflow builder' },
			{ name: 'Reminded', value: 'reminded' },
			{ name: 'Requested', value: 'requested' },
			{ name: 'Sampled', value: 'sampled' },
			{ name: 'Viewed', value: 'viewed' },
		],
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		description: 'Values to record for each item, usually expressions. They fill what the annotations do not say; they may not contradict the gate.',
		options: [
			{ displayName: 'Client IP', name: 'clientIp', type: 'string', default: '' },
			{ displayName: 'Comment', name: 'comment', type: 'string', default: '' },
			{
				displayName: 'Decision',
				name: 'decision',
				type: 'options',
				default: 'approved',
				options: DECISION_OPTIONS,
			},
			{ displayName: 'Details (JSON)', name: 'details', type: 'json', default: '{}', description: 'Extra data stored with the record (a JSON object)' },
			{ displayName: 'Item Key', name: 'itemKey', type: 'string', default: '', placeholder: '={{ $json.candidateId }}', description: 'Identifies the business item (e.g. candidate ID); used for queries and the skip rate' },
			{ displayName: 'Model Name', name: 'modelName', type: 'string', default: '' },
			{ displayName: 'Model Version', name: 'modelVersion', type: 'string', default: '' },
			{ displayName: 'Note', name: 'note', type: 'string', default: '', typeOptions: { rows: 3 } },
			{ displayName: 'Prompt Version', name: 'promptVersion', type: 'string', default: '' },
			{ displayName: 'Requester ID', name: 'requesterId', type: 'string', default: '' },
			{ displayName: 'Reviewer ID', name: 'reviewerId', type: 'string', default: '', description: 'Email or user ID of the reviewer' },
			{
				displayName: 'Tier',
				name: 'tier',
				type: 'options',
				default: 'high',
				options: TIER_OPTIONS,
			},
			{ displayName: 'User Agent', name: 'userAgent', type: 'string', default: '' },
			{ displayName: 'Workflow Version', name: 'workflowVersion', type: 'string', default: '' },
		],
	},
	{
		displayName: 'Options',
		name: 'appendOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Blast Radius Field', name: 'blastRadiusField', type: 'string', default: 'blastRadius', description: 'Item field holding the Blast Radius Router annotation' },
			{ displayName: 'Gate Annotation Field', name: 'hitlField', type: 'string', default: 'hitl', description: 'Item field holding the HITL Gate annotation' },
			{
				displayName: 'Hash Client IP and User Agent',
				name: 'hashClientInfo',
				type: 'boolean',
				default: false,
				description: 'Whether to store HMAC-SHA256 hashes instead of the raw values (keyed with the credential\'s privacy secret)',
			},
			{ displayName: 'Output Field', name: 'outputField', type: 'string', default: 'reviewLog', description: 'Item field that receives { seq, hash, chain } of the written record' },
		],
	},
];

/**
 * Runs the store's own record checks (field types, canonical JSON, lone surrogates, the 64 KiB size
 * limit) on a dry-run record, so a batch is refused before anything is written. The largest possible
 * seq keeps the size check conservative.
 */
function storeWouldAccept(input: ReviewRecordInput, chain: string): void {
	assertStorable(normaliseInput(input), chain);
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	store: ReviewStore,
	storeSettings: StoreSettings,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	// Settings that cannot differ per item are read once.
	const options = this.getNodeParameter('appendOptions', 0, {}) as IDataObject;
	const workflow = this.getWorkflow();
	const settings: AppendSettings = {
		event: this.getNodeParameter('event', 0, 'auto') as EventMode,
		hitlField: (options.hitlField as string) || 'hitl',
		blastRadiusField: (options.blastRadiusField as string) || 'blastRadius',
		hashClientInfo: options.hashClientInfo === true,
		privacySecret: storeSettings.privacySecret,
		context: { workflowId: workflow.id ?? null, workflowName: workflow.name ?? null, executionId: this.getExecutionId() ?? null, nodeName: node.name },
	};
	const outputField = (options.outputField as string) || 'reviewLog';
	// Mapped fields are per-item expressions by nature: simple `{{ $json.path }}` ones are filled in by a
	// field lookup (n8n's own value), the rest by n8n; without any expression one read serves all items.
	const mappedOf = mappedFieldsReader(this, 'fields');

	// Validate every item before writing anything, so a bad item leaves the log untouched. With
	// "Continue On Fail" a bad item goes out with its error instead, unrecorded, and the rest is written
	// (the per-item policy of every Review Log operation: see helpers/perItem.ts).
	const inputs: Array<ReviewRecordInput | { failed: INodeExecutionData }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const mapped = mappedOf(i) as MappedFields;
			const input = recordFromItem(items[i].json, mapped, settings);
			storeWouldAccept(input, store.chain);
			inputs.push(input);
		} catch (error) {
			const nodeError = new NodeOperationError(node, error as Error, {
				itemIndex: i,
				message: `Item ${i}: ${(error as Error).message}. Nothing was written to the review log.`,
				description:
					error instanceof RecordInputError
						? error.description
						: error instanceof RecordError
							? 'Shorten or fix that value (text must be valid Unicode; store large drafts elsewhere and log their SHA-256).'
							: 'Unexpected error while reading the item; check its fields and the mapped expressions.',
			});
			inputs.push({ failed: failedItem(this, nodeError, i) });
		}
	}

	// Every valid item in one durable write (one fsync on the file store, one transaction on Postgres):
	// a 1,000-item run pays one write, not 1,000 (scripts/bench/append.js measures the difference).
	const valid = inputs.flatMap((input, i) => ('failed' in input ? [] : [{ input, i }]));
	let records: ReviewRecord[];
	try {
		records = await store.appendMany(valid.map((v) => v.input));
	} catch (error) {
		throw new NodeOperationError(node, error as Error, {
			itemIndex: valid[0]?.i ?? 0,
			message: `The review store refused the records of this run: ${(error as Error).message}. Nothing was written.`,
			description: 'Check the store (disk space, permissions, database connection) and the size of the items; then re-run the items.',
		});
	}
	const byItem = new Map(valid.map((v, k) => [v.i, records[k]]));
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < inputs.length; i++) {
		const input = inputs[i];
		if ('failed' in input) {
			out.push(input.failed);
			continue;
		}
		const record = byItem.get(i) as ReviewRecord;
		out.push({
			json: withMember(items[i].json, outputField, { seq: record.seq, hash: record.hash, chain: record.chain }) as IDataObject,
			...(items[i].binary ? { binary: items[i].binary } : {}),
			pairedItem: { item: i },
		});
	}
	return out;
}
