/**
 * Erase Subject's Evidence: a data subject's erasure request (e.g. GDPR Art. 17) against the evidence
 * vault beside the review log — every draft, approved item and edit kept for that subject becomes
 * unreadable (its key is destroyed, its envelopes deleted), while the log itself, which holds only
 * ids and salted commitments, keeps verifying.
 *
 * Why through the log node: an erasure must itself leave a trace. The vault hands back `erased`
 * records (who erased, why, which evidence ids and subject references — never the subject id); every
 * one is appended to the chain here, so the log shows that evidence named by an earlier record is gone
 * on purpose, not lost. Shared with Apply Retention: opening the vault and appending those records.
 *
 * The subject id is read from the item and handed to the vault and the store only (to find the gate's
 * working copies of the same content): it never appears in the output,
 * in an error message, or in the log ("Erased By" and "Reason" go into the permanent log, so the
 * vault refuses them when they contain the subject id).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { type ErasedRecordInput, EvidenceError, type EvidenceVault } from '../../../core/evidence';
import type { ReviewRecordInput } from '../../../core/records';
import { requestErasureRecords, type RequestErasureResult, type RequestErasureScope, type ReviewStore } from '../../../core/store';
import { openEvidenceVaultFor } from '../../shared/evidence';
import type { StoreSettings } from '../../shared/reviewStore';
import { forEachItem, storeFailure } from '../helpers/perItem';

const show = { show: { operation: ['erase'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Subject ID',
		name: 'subjectId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.candidateId }}',
		displayOptions: show,
		description: 'The data subject whose evidence is erased, as the gate kept it (e.g. the candidate ID). Never written to the log or the output.',
	},
	{
		displayName: 'Erased By',
		name: 'erasedBy',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'dpo@example.com',
		displayOptions: show,
		description: 'Who carries out the erasure (n8n does not tell a node who started a run). Written to the permanent log.',
	},
	{
		displayName: 'Reason',
		name: 'erasureReason',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Erasure request DSR-2026-0142',
		displayOptions: show,
		description: 'Why, e.g. the request\'s ticket number. Written to the permanent log: never the person\'s name or ID.',
	},
];

/** The vault of the credential, opened on first use; an item error when the credential keeps no evidence. */
export class VaultOnDemand {
	private vault: EvidenceVault | null = null;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly settings: StoreSettings,
	) {}

	async get(itemIndex: number, purpose: string): Promise<EvidenceVault> {
		if (this.vault) return this.vault;
		if (!this.settings.evidence) {
			throw new NodeOperationError(this.ctx.getNode(), `No evidence is kept for this review store: ${purpose} needs the evidence vault`, {
				itemIndex,
				description: this.settings.isDefault
					? 'Add a HITL Review Store credential to this node with an Evidence Encryption Secret (the one HITL Gate uses to keep evidence).'
					: 'Set the Evidence Encryption Secret in the HITL Review Store credential — the same secret HITL Gate keeps evidence with.',
			});
		}
		let vault: EvidenceVault | null = null;
		try {
			vault = await openEvidenceVaultFor(this.settings);
		} catch (error) {
			throw storeFailure(
				new NodeOperationError(this.ctx.getNode(), error as Error, {
					itemIndex,
					message: `Could not open the evidence vault: ${(error as Error).message}`,
					description:
						error instanceof EvidenceError && error.code === 'key_mismatch'
							? 'The Evidence Encryption Secret is not the one the vault was written with. Use the credential that created this vault.'
							: 'Check that the review store\'s folder or database is reachable and writable.',
				}),
			);
		}
		if (!vault) throw new NodeOperationError(this.ctx.getNode(), 'The evidence vault did not open', { itemIndex });
		this.vault = vault;
		return vault;
	}

	async close(): Promise<void> {
		await this.vault?.close().catch(() => undefined);
		this.vault = null;
	}
}

/**
 * Appends every `erased` record of an erasure to the log, in order, with the run's context; returns
 * their seqs. The evidence is already gone when this runs, so a failure says which records are
 * missing from the log and gives them to append by hand.
 */
export async function appendErasedRecords(ctx: IExecuteFunctions, store: ReviewStore, records: Array<Pick<ErasedRecordInput, 'event'> & { details: Record<string, unknown> }>, itemIndex: number): Promise<number[]> {
	const node = ctx.getNode();
	const workflow = ctx.getWorkflow();
	const context = { workflowId: workflow.id ?? null, workflowName: workflow.name ?? null, executionId: ctx.getExecutionId() ?? null, nodeName: node.name };
	const seqs: number[] = [];
	for (let k = 0; k < records.length; k++) {
		try {
			const input: ReviewRecordInput = { ...context, event: records[k].event, details: records[k].details };
			seqs.push((await store.append(input)).seq);
		} catch (error) {
			const written = seqs.length ? ` Records seq ${seqs.join(', ')} were written.` : '';
			throw storeFailure(
				new NodeOperationError(node, error as Error, {
					itemIndex,
					message: `The evidence was erased, but the review log refused erased record ${k + 1} of ${records.length}: ${(error as Error).message}.${written}`,
					description: `Fix the store (disk space, permissions, database connection), then append the missing records with Review Log → Append (event "note", the details below), so the log shows the erasure: ${JSON.stringify(records.slice(k).map((r) => r.details))}`,
				}),
			);
		}
	}
	return seqs;
}

/**
 * Empties the gate's working copies the erasure reaches (core/store/requestErasure.ts) and appends the
 * `erased` record(s) naming those requests. Runs after the vault's records: a failure here leaves the
 * evidence erased and says to run the same erasure again, which finds only what is left.
 */
export async function eraseWorkingCopies(
	ctx: IExecuteFunctions,
	store: ReviewStore,
	itemIndex: number,
	scope: RequestErasureScope,
	s: Parameters<typeof requestErasureRecords>[1],
): Promise<{ requests: number; pending: number; recordSeqs: number[] }> {
	let result: RequestErasureResult;
	try {
		result = await store.eraseRequestContent(scope, s.erasure);
	} catch (error) {
		throw storeFailure(
			new NodeOperationError(ctx.getNode(), error as Error, {
				itemIndex,
				message: `The evidence was erased, but the HITL Gate's working copies were not: ${(error as Error).message}`,
				description: 'Fix the store (disk space, permissions, database connection), then run the same erasure again: it erases what is left and records it.',
			}),
		);
	}
	const recordSeqs = await appendErasedRecords(ctx, store, requestErasureRecords(result, s), itemIndex);
	return { requests: result.requests, pending: result.pending, recordSeqs };
}

/** Turns a vault error while erasing into the item's error (bad input) or the store's (anything else). */
export function erasureFailure(ctx: IExecuteFunctions, error: unknown, itemIndex: number, doing: string): NodeOperationError {
	const err = error instanceof Error ? error : new Error(String(error));
	if (error instanceof EvidenceError && error.code === 'invalid_input') {
		return new NodeOperationError(ctx.getNode(), `Could not ${doing}: ${err.message}`, {
			itemIndex,
			description: 'Fix the value named above. "Erased By" and "Reason" are written to the permanent log, so they must not contain the subject ID.',
		});
	}
	return storeFailure(
		new NodeOperationError(ctx.getNode(), err, {
			itemIndex,
			message: `Could not ${doing}: ${err.message}`,
			description:
				error instanceof EvidenceError && error.code === 'tampered'
					? 'The vault\'s stored data was altered or damaged. Keep it as evidence and restore it from a backup.'
					: 'Check that the evidence vault (the review store\'s folder or database) is reachable and writable.',
		}),
	);
}

function requiredText(ctx: IExecuteFunctions, i: number, name: string, label: string, hint: string): string {
	const value = ctx.getNodeParameter(name, i, '') as unknown;
	if (typeof value !== 'string' || value.trim() === '') {
		throw new NodeOperationError(ctx.getNode(), `"${label}" is empty`, { itemIndex: i, description: hint });
	}
	return value;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore, settings: StoreSettings): Promise<INodeExecutionData[]> {
	const vaults = new VaultOnDemand(this, settings);
	try {
		return await forEachItem(this, items, async (i) => {
			const subjectId = requiredText(this, i, 'subjectId', 'Subject ID', 'Map the data subject\'s ID (as HITL Gate kept the evidence, e.g. the candidate ID) into "Subject ID".');
			const by = requiredText(this, i, 'erasedBy', 'Erased By', 'Say who carries out the erasure, e.g. the data protection officer\'s email.');
			const reason = requiredText(this, i, 'erasureReason', 'Reason', 'Give the reason, e.g. the erasure request\'s ticket number (never the person\'s name or ID).');
			const vault = await vaults.get(i, 'erasing a subject\'s evidence');
			const at = new Date();
			let result;
			try {
				result = await vault.eraseSubject(subjectId, { by, reason, at });
			} catch (error) {
				throw erasureFailure(this, error, i, 'erase the subject\'s evidence');
			}
			const recordSeqs = await appendErasedRecords(this, store, result.records, i);
			// Then the gate's working copies of the same content (drafts, approved items, edit values).
			const working = await eraseWorkingCopies(this, store, i, { subjectId }, { scope: 'subject', erasure: { at: at.toISOString(), by, reason } });
			recordSeqs.push(...working.recordSeqs);
			const json: IDataObject = {
				evidenceErased: result.evidenceIds.length,
				subjectKeysDestroyed: result.subjectKeysDestroyed.length,
				reviewRequestsErased: working.requests,
				pendingReviewsClosed: working.pending,
				recordSeqs,
				erasedBy: by,
			};
			return [{ json, pairedItem: { item: i } }];
		});
	} finally {
		await vaults.close();
	}
}
