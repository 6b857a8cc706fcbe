/**
 * Apply Retention: erases the evidence kept longer than the credential's Evidence Retention (e.g.
 * P6M), the same way as a subject's erasure — keys destroyed when a subject's last evidence goes,
 * envelopes deleted — and appends the `erased` records (with the period and the cutoff) to the log.
 *
 * Why a node operation: retention is a promise made in a privacy notice ("we keep review evidence
 * six months"); a Schedule Trigger running this every night keeps it without anyone remembering, and
 * the log shows each sweep.
 *
 * The vault erases in batches; this loops until nothing older is left, but at most "Max Batches" per
 * run (so one run stays short on a large backlog) and reports `more: true` when the next run has work
 * left. One cutoff per item: every batch of a run erases by the same date. Every batch's records are
 * appended before the next batch starts. Then the HITL Gate's working copies of ended reviews
 * requested before the cutoff are emptied too (pending reviews are left alone), with their own record.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { sweepRetention } from '../../../core/evidence';
import type { ReviewStore } from '../../../core/store';
import type { StoreSettings } from '../../shared/reviewStore';
import { forEachItem } from '../helpers/perItem';
import { appendErasedRecords, erasureFailure, eraseWorkingCopies, VaultOnDemand } from './erase.operation';

const show = { show: { operation: ['retention'] } };
const MAX_BATCH_SIZE = 1000;
const MAX_BATCHES = 1000;

export const description: INodeProperties[] = [
	{
		displayName: 'Evidence older than the credential\'s Evidence Retention is erased; the log keeps an erased record for each batch.',
		name: 'retentionNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'retentionOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				default: 500,
				typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
				description: 'Evidence items erased per batch',
			},
			{
				displayName: 'Erased By',
				name: 'erasedBy',
				type: 'string',
				default: 'retention',
				description: 'Who the erased records name',
			},
			{
				displayName: 'Max Batches',
				name: 'maxBatches',
				type: 'number',
				default: 50,
				typeOptions: { minValue: 1, maxValue: MAX_BATCHES },
				description: 'Batches per run at most; "more" in the output says whether evidence is left for the next run',
			},
		],
	},
];

function wholeNumber(ctx: IExecuteFunctions, i: number, value: unknown, fallback: number, max: number, label: string): number {
	if (value === undefined || value === '') return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
		throw new NodeOperationError(ctx.getNode(), `${label} ${JSON.stringify(value)} is not a whole number from 1 to ${max}`, {
			itemIndex: i,
			description: `Set ${label} to a whole number from 1 to ${max}.`,
		});
	}
	return value;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore, settings: StoreSettings): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const vaults = new VaultOnDemand(this, settings);
	try {
		return await forEachItem(this, items, async (i) => {
			const options = this.getNodeParameter('retentionOptions', i, {}) as IDataObject;
			const batchSize = wholeNumber(this, i, options.batchSize, 500, MAX_BATCH_SIZE, 'Batch Size');
			const maxBatches = wholeNumber(this, i, options.maxBatches, 50, MAX_BATCHES, 'Max Batches');
			const by = typeof options.erasedBy === 'string' && options.erasedBy.trim() !== '' ? options.erasedBy : 'retention';
			const retention = settings.evidence?.retention ?? null;
			// Without a secret the vault's own error says so; with one but no period, nothing is opened.
			if (settings.evidence && retention === null) {
				throw new NodeOperationError(node, 'No Evidence Retention is set: there is no period to apply', {
					itemIndex: i,
					description: 'Set Evidence Retention in the HITL Review Store credential, as an ISO-8601 period such as P6M (six months) or P4Y (four years).',
				});
			}
			const vault = await vaults.get(i, 'applying retention');
			if (retention === null) throw new NodeOperationError(node, 'No Evidence Retention is set', { itemIndex: i });
			const now = new Date();
			let cutoff = '';
			let more = false;
			let batches = 0;
			let evidenceErased = 0;
			let subjectKeysDestroyed = 0;
			const recordSeqs: number[] = [];
			do {
				let sweep;
				try {
					sweep = await sweepRetention(vault, { retention, now, by, limit: batchSize });
				} catch (error) {
					throw erasureFailure(this, error, i, 'apply retention');
				}
				batches++;
				cutoff = sweep.cutoff;
				more = sweep.more;
				evidenceErased += sweep.evidenceIds.length;
				subjectKeysDestroyed += sweep.subjectKeysDestroyed.length;
				recordSeqs.push(...(await appendErasedRecords(this, store, sweep.records, i)));
			} while (more && batches < maxBatches);
			// The gate's working copies of ended reviews older than the same cutoff go too (never pending ones).
			let reviewRequestsErased = 0;
			if (cutoff !== '') {
				const reason = `retention period ${retention} ended (requested before ${cutoff})`;
				const working = await eraseWorkingCopies(this, store, i, { endedBefore: new Date(cutoff) }, {
					scope: 'retention',
					erasure: { at: now.toISOString(), by, reason },
					retention: { period: retention, cutoff },
				});
				reviewRequestsErased = working.requests;
				recordSeqs.push(...working.recordSeqs);
			}
			const json: IDataObject = { retention, cutoff, batches, evidenceErased, subjectKeysDestroyed, reviewRequestsErased, recordSeqs, more };
			return [{ json, pairedItem: { item: i } }];
		});
	} finally {
		await vaults.close();
	}
}
