import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { canonicalize } from '../../../core/canonicalJson';
import { recordsToCsv } from '../../../core/exportCsv';
import type { SignedCheckpoint } from '../../../core/records';
import { StoreUsageError, type ReviewStore } from '../../../core/store';
import { EVIDENCE_DETAILS_KEY, type EvidenceReference } from '../../../core/evidence';
import { issueCheckpoint } from '../../../core/tlog';
import { openEvidenceVaultFor } from '../../shared/evidence';
import type { StoreSettings } from '../../shared/reviewStore';
import { forEachItem, storeFailure } from '../helpers/perItem';

const show = { show: { operation: ['export'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		default: 'jsonl',
		displayOptions: show,
		options: [
			{
				name: 'JSON Lines (Verifiable)',
				value: 'jsonl',
				description: 'The exact stored records, one per line: an auditor checks them with npx n8n-nodes-hitl verify',
			},
			{
				name: 'CSV (Spreadsheet)',
				value: 'csv',
				description: 'One column per field for reading; not verifiable (formula-like cells are prefixed with \')',
			},
		],
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		displayOptions: show,
		hint: 'The name of the output binary field to put the file in',
	},
	{
		displayName: 'Options',
		name: 'exportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Add UTF-8 BOM (CSV)',
				name: 'bom',
				type: 'boolean',
				default: true,
				description: 'Whether to start the CSV with a byte-order mark so Excel reads accents and other non-ASCII text correctly',
			},
			{
				displayName: 'Attach Checkpoint File',
				name: 'attachCheckpoint',
				type: 'boolean',
				default: true,
				description:
					'Whether to add signed checkpoints of the exported head as binary files: the Ed25519 checkpoint (a C2SP signed note, in the Checkpoint Field with "Note" appended) when the credential has a Checkpoint Signing Key, and the HMAC checkpoint (JSON) when it has a Checkpoint Secret',
			},
			{ displayName: 'Checkpoint Field', name: 'checkpointBinaryProperty', type: 'string', default: 'checkpoint', description: 'Binary field for the checkpoint file' },
			{ displayName: 'Evidence Field', name: 'evidenceBinaryProperty', type: 'string', default: 'evidence', description: 'Binary field for the evidence file' },
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: '', placeholder: 'review-log.jsonl', description: 'Default: review-log-CHAIN-DATE.jsonl (or .csv)' },
			{
				displayName: 'Include Evidence Content',
				name: 'includeEvidence',
				type: 'boolean',
				default: false,
				description:
					'Whether to add the decrypted evidence (draft, approved item, edits) of every exported record that names some, as a JSON Lines file in the Evidence Field: for an auditor, who can check it against the records\' commitments. It holds personal data: send it only where it may go.',
			},
		],
	},
];

/** The current signed checkpoint, or why there is none (no key configured is not an error: it is reported). */
async function currentCheckpoint(store: ReviewStore): Promise<{ checkpoint: SignedCheckpoint | null; reason: string | null }> {
	let failure: unknown = null;
	try {
		return { checkpoint: await store.checkpoint(), reason: null };
	} catch (error) {
		failure = error;
	}
	if (failure instanceof StoreUsageError) return { checkpoint: null, reason: failure.message };
	// Anything else (store unreadable) is raised by the caller as a node error.
	return Promise.reject(failure);
}

const FORMATS = ['jsonl', 'csv'] as const;

/** Evidence references a record names (the gate writes a list; one reference is accepted too). */
function evidenceRefsOf(record: { details: Record<string, unknown> | null }): EvidenceReference[] {
	const value = record.details?.[EVIDENCE_DETAILS_KEY];
	const list = Array.isArray(value) ? value : value ? [value] : [];
	return list.filter((ref): ref is EvidenceReference => typeof (ref as EvidenceReference)?.id === 'string');
}

/** One JSON line per evidence reference of the exported records: the decrypted parts, or why there are none. */
async function evidenceLines(settings: StoreSettings, refs: Array<{ seq: number; ref: EvidenceReference }>): Promise<string> {
	const vault = await openEvidenceVaultFor(settings);
	if (!vault) throw new Error('The HITL Review Store credential keeps no evidence (no Evidence Encryption Secret), so there is none to include');
	try {
		const lines: string[] = [];
		for (const { seq, ref } of refs) {
			const read = await vault.get(ref.id);
			lines.push(JSON.stringify({ seq, reference: ref, ...read }));
		}
		return lines.join('\n') + (lines.length > 0 ? '\n' : '');
	} finally {
		await vault.close();
	}
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	store: ReviewStore,
	settings: StoreSettings,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		const format = this.getNodeParameter('format', i, 'jsonl') as (typeof FORMATS)[number];
		const binaryProperty = this.getNodeParameter('binaryPropertyName', i, 'data') as string;
		const options = this.getNodeParameter('exportOptions', i, {}) as IDataObject;
		const cpProperty = (options.checkpointBinaryProperty as string) || 'checkpoint';
		if (!FORMATS.includes(format)) {
			throw new NodeOperationError(node, `The export format "${String(format)}" is not jsonl or csv`, {
				itemIndex: i,
				description: 'Choose JSON Lines (jsonl) or CSV (csv).',
			});
		}
		if (typeof binaryProperty !== 'string' || binaryProperty.trim() === '') {
			throw new NodeOperationError(node, 'No binary field is named for the export file', {
				itemIndex: i,
				description: 'Name the binary field that receives the file in "Put Output File in Field".',
			});
		}
		if (options.attachCheckpoint !== false && cpProperty === binaryProperty) {
			throw new NodeOperationError(node, `The export and the checkpoint cannot both go to the binary field "${binaryProperty}"`, {
				itemIndex: i,
				description: 'Choose a different Checkpoint Field.',
			});
		}
		let checkpoint: { checkpoint: SignedCheckpoint | null; reason: string | null };
		let signedNote: { note: string; origin: string; size: number } | null = null;
		const evidenceRefs: Array<{ seq: number; ref: EvidenceReference }> = [];
		const chunks: string[] = [];
		let count = 0;
		let headSeq = 0;
		let headHash: string | null = null;
		try {
			// Checkpoint first: the export then holds at least every record it covers, so the pair verifies
			// even while other executions keep appending.
			checkpoint = await currentCheckpoint(store);
			if (settings.transparency && options.attachCheckpoint !== false) {
				const issued = await issueCheckpoint(store, { signer: settings.transparency.signer, origin: settings.transparency.origin });
				signedNote = { note: issued.note, origin: issued.origin, size: issued.size };
			}
			const collectEvidence = options.includeEvidence === true;
			const counted = (async function* () {
				for await (const r of store.readAll()) {
					count++;
					headSeq = r.seq;
					headHash = r.hash;
					if (collectEvidence) for (const ref of evidenceRefsOf(r)) evidenceRefs.push({ seq: r.seq, ref });
					yield r;
				}
			})();
			if (format === 'csv') {
				for await (const chunk of recordsToCsv(counted, { bom: options.bom !== false })) chunks.push(chunk);
			} else {
				// The stored line of a record is exactly its canonical JSON (see core/chain.ts).
				for await (const r of counted) chunks.push(canonicalize(r) + '\n');
			}
		} catch (error) {
			throw storeFailure(
				new NodeOperationError(node, error as Error, {
					itemIndex: i,
					message: `Could not export the review log: ${(error as Error).message}`,
					description: 'Check that the review store is reachable and readable; run the Verify operation to see whether the log is damaged.',
				}),
			);
		}
		const day = new Date().toISOString().slice(0, 10);
		const fileName = (options.fileName as string) || `review-log-${store.chain}-${day}.${format}`;
		const mime = format === 'csv' ? 'text/csv' : 'application/x-ndjson';
		const binary: INodeExecutionData['binary'] = {
			[binaryProperty]: await this.helpers.prepareBinaryData(Buffer.from(chunks.join(''), 'utf8'), fileName, mime),
		};
		if (options.includeEvidence === true) {
			const evidenceProperty = (options.evidenceBinaryProperty as string) || 'evidence';
			let text: string;
			try {
				text = await evidenceLines(settings, evidenceRefs);
			} catch (error) {
				throw new NodeOperationError(node, error as Error, {
					itemIndex: i,
					description: 'Turn off Include Evidence Content, or add the Evidence Encryption Secret that wrote the evidence to the credential.',
				});
			}
			binary[evidenceProperty] = await this.helpers.prepareBinaryData(Buffer.from(text, 'utf8'), `evidence-${store.chain}-${day}.jsonl`, 'application/x-ndjson');
		}
		if (signedNote) {
			binary[`${cpProperty}Note`] = await this.helpers.prepareBinaryData(
				Buffer.from(signedNote.note, 'utf8'),
				`${signedNote.origin.replace(/[^A-Za-z0-9._-]+/g, '_')}-${signedNote.size}.checkpoint`,
				'text/plain',
			);
		}
		const cp = checkpoint.checkpoint;
		if (cp && options.attachCheckpoint !== false) {
			binary[cpProperty] = await this.helpers.prepareBinaryData(
				Buffer.from(JSON.stringify(cp, null, 2) + '\n', 'utf8'),
				`checkpoint-${cp.chain}-seq${cp.seq}.json`,
				'application/json',
			);
		}
		return [
			{
				json: {
					chain: store.chain,
					format,
					fileName,
					records: count,
					headSeq,
					headHash,
					checkpoint: cp as IDataObject | null,
					checkpointMissingReason: checkpoint.reason,
					signedCheckpoint: signedNote ? { origin: signedNote.origin, size: signedNote.size, field: `${cpProperty}Note` } : null,
					evidenceItems: options.includeEvidence === true ? evidenceRefs.length : null,
				},
				binary,
				pairedItem: { item: i },
			},
		];
	});
}
