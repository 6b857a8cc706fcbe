/**
 * Prove Record: a receipt for one review record that an auditor checks offline with the log's public
 * verifier key alone — a c2sp.org/tlog-proof file holding the record, its inclusion path and a signed
 * checkpoint (`npx n8n-nodes-hitl verify --proof <file> --vkey <key>`).
 *
 * Why: "show me that the offer to candidate X was approved by a person, and that the log you show me
 * is the one you had then" is answered by one small file, without handing over the whole log.
 *
 * The record is found by seq, by the HITL Gate request it ended, or by item key (the newest decision
 * or expiry). The proof is made against the earliest checkpoint already issued that covers it —
 * likely the one an auditor already holds — or, when none does yet and the option allows it, a new
 * one. Given an earlier checkpoint (e.g. last month's, from the auditor), the checkpoint used is one
 * that covers both, and a consistency proof shows it extends the earlier one.
 *
 * Every proof and consistency proof is checked with the public keys before it leaves the node: a
 * proof that does not verify means the stored checkpoints or the tree index no longer match the log,
 * which is about the log, so it stops the node even with Continue On Fail.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ReviewRecord } from '../../../core/records';
import type { ReviewStore } from '../../../core/store';
import {
	checkpointCovering,
	NoteError,
	type NoteVerifier,
	openCheckpoint,
	proveCheckpointConsistency,
	proveRecordInclusion,
	type TreeHead,
	verifyConsistencyProof,
	verifyRecordProof,
} from '../../../core/tlog';
import type { StoreSettings } from '../../shared/reviewStore';
import { forEachItem, storeFailure } from '../helpers/perItem';
import { normaliseNoteText, originFileName, publishFailure, requireSigningKey, signCheckpointNow, textFile } from './checkpoint.operation';

const show = { show: { operation: ['prove'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Find Record By',
		name: 'proveBy',
		type: 'options',
		default: 'seq',
		displayOptions: show,
		options: [
			{ name: 'Item Key', value: 'itemKey', description: 'The newest decision or expiry recorded for this item key' },
			{ name: 'Request ID', value: 'requestId', description: 'The decision or expiry that ended this HITL Gate review request' },
			{ name: 'Seq', value: 'seq', description: 'The record with this sequence number' },
		],
	},
	{
		displayName: 'Seq',
		name: 'proveSeq',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { operation: ['prove'], proveBy: ['seq'] } },
		description: 'Sequence number of the record (1 is the first)',
	},
	{
		displayName: 'Request ID',
		name: 'proveRequestId',
		type: 'string',
		default: '',
		placeholder: '={{ $json.hitl.requestId }}',
		displayOptions: { show: { operation: ['prove'], proveBy: ['requestId'] } },
		description: 'The review request ID from HITL Gate\'s output',
	},
	{
		displayName: 'Item Key',
		name: 'proveItemKey',
		type: 'string',
		default: '',
		placeholder: '={{ $json.candidateId }}',
		displayOptions: { show: { operation: ['prove'], proveBy: ['itemKey'] } },
	},
	{
		displayName: 'Put Proof File in Field',
		name: 'proofOutputField',
		type: 'string',
		default: 'proof',
		displayOptions: show,
		hint: 'The name of the output binary field to put the .tlog-proof file in',
	},
	{
		displayName: 'Consistency Proof From',
		name: 'consistencyFrom',
		type: 'options',
		default: 'none',
		displayOptions: show,
		description: 'An earlier checkpoint someone holds (e.g. last month\'s): the output then also proves that the checkpoint used extends it',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'Earlier Checkpoint Text', value: 'text' },
			{ name: 'Earlier Checkpoint File From Input', value: 'binary' },
		],
	},
	{
		displayName: 'Earlier Checkpoint',
		name: 'earlierCheckpoint',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		displayOptions: { show: { operation: ['prove'], consistencyFrom: ['text'] } },
		placeholder: 'hitl.example.com/hiring-log\n120\n…\n\n— hitl.example.com/hiring-log …',
		description: 'The signed checkpoint, exactly as Sign Checkpoint wrote it',
	},
	{
		displayName: 'Earlier Checkpoint Field',
		name: 'earlierCheckpointField',
		type: 'string',
		default: 'checkpoint',
		displayOptions: { show: { operation: ['prove'], consistencyFrom: ['binary'] } },
		description: 'Binary field of the input item that holds the earlier checkpoint file',
	},
	{
		displayName: 'Options',
		name: 'proveOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Consistency Proof Field',
				name: 'consistencyOutputField',
				type: 'string',
				default: 'consistency',
				description: 'Output binary field for the consistency proof file',
			},
			{
				displayName: 'Sign a New Checkpoint If Needed',
				name: 'signIfNeeded',
				type: 'boolean',
				default: true,
				description: 'Whether to sign a new checkpoint when no checkpoint issued so far covers the record; off: such a record is an error',
			},
		],
	},
];

type Transparency = NonNullable<StoreSettings['transparency']>;

/** Runs a store read; a failure is the store's, not the item's. */
async function fromStore<T>(ctx: IExecuteFunctions, itemIndex: number, what: string, read: () => Promise<T>): Promise<T> {
	try {
		return await read();
	} catch (error) {
		throw storeFailure(
			new NodeOperationError(ctx.getNode(), error as Error, {
				itemIndex,
				message: `Could not ${what}: ${(error as Error).message}`,
				description: 'Check that the review store is reachable and readable; run the Verify operation to see whether the log is damaged.',
			}),
		);
	}
}

function notFound(ctx: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/** The seq of the record this item asks for; an item error when there is none. */
async function findSeq(ctx: IExecuteFunctions, store: ReviewStore, i: number): Promise<number> {
	const by = ctx.getNodeParameter('proveBy', i, 'seq') as string;
	if (by === 'seq') {
		const raw = ctx.getNodeParameter('proveSeq', i, 1) as unknown;
		const seq = typeof raw === 'string' && /^[1-9][0-9]*$/.test(raw.trim()) ? Number(raw.trim()) : raw;
		if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
			throw notFound(ctx, i, `Seq ${JSON.stringify(raw)} is not a record number`, 'Give the record\'s seq: a whole number from 1 (as in the reviewLog.seq of Append, or Query\'s output).');
		}
		const head = await fromStore(ctx, i, 'read the review log', () => store.head());
		if (seq > head.seq) throw notFound(ctx, i, `There is no record seq ${seq}: the log has ${head.seq} record(s)`, 'Give the seq of an existing record.');
		return seq;
	}
	if (by === 'requestId') {
		const id = ctx.getNodeParameter('proveRequestId', i, '') as unknown;
		if (typeof id !== 'string' || id.trim() === '') {
			throw notFound(ctx, i, 'No request ID is given', 'Map the review request ID from HITL Gate\'s output (hitl.requestId) into "Request ID".');
		}
		const record = await fromStore(ctx, i, 'read the review request', () => store.terminalRecord(id.trim()));
		if (!record) {
			throw notFound(
				ctx,
				i,
				`No decision or expiry is recorded for review request ${JSON.stringify(id.trim())}`,
				'Give the request ID from HITL Gate\'s output (hitl.requestId). A request still waiting for its reviewer has no decision yet; a request of another store or chain is not in this log.',
			);
		}
		return record.seq;
	}
	if (by === 'itemKey') {
		const key = ctx.getNodeParameter('proveItemKey', i, '') as unknown;
		if (typeof key !== 'string' || key === '') {
			throw notFound(ctx, i, 'No item key is given', 'Map the business item\'s key (e.g. the candidate ID) into "Item Key".');
		}
		const newest = async (event: 'decided' | 'expired'): Promise<ReviewRecord | undefined> => (await store.query({ itemKey: key, event }, { limit: 1 })).records[0];
		const [decided, expired] = await fromStore(ctx, i, 'query the review log', () => Promise.all([newest('decided'), newest('expired')]));
		const seq = Math.max(decided?.seq ?? 0, expired?.seq ?? 0);
		if (seq === 0) {
			throw notFound(ctx, i, 'No decision or expiry is recorded for that item key', 'Give the item key exactly as it was recorded (Query with the Item Key filter shows what is there).');
		}
		return seq;
	}
	throw notFound(ctx, i, `"${String(by)}" is not a way to find a record`, 'Choose Seq, Request ID or Item Key.');
}

/** The earlier checkpoint the item gives, opened with the log's keys; null when none is asked for. */
async function earlierCheckpoint(ctx: IExecuteFunctions, i: number, t: Transparency): Promise<{ note: string; head: TreeHead } | null> {
	const source = ctx.getNodeParameter('consistencyFrom', i, 'none') as string;
	if (source === 'none') return null;
	let text: string;
	if (source === 'text') {
		const raw = ctx.getNodeParameter('earlierCheckpoint', i, '') as unknown;
		text = typeof raw === 'string' ? raw : '';
	} else if (source === 'binary') {
		const field = ctx.getNodeParameter('earlierCheckpointField', i, 'checkpoint') as string;
		text = (await ctx.helpers.getBinaryDataBuffer(i, field)).toString('utf8');
	} else {
		throw notFound(ctx, i, `"${String(source)}" is not a checkpoint source`, 'Choose None, Earlier Checkpoint Text or Earlier Checkpoint File From Input.');
	}
	if (text.trim() === '') throw notFound(ctx, i, 'The earlier checkpoint is empty', 'Give the signed checkpoint exactly as Sign Checkpoint wrote it.');
	const note = normaliseNoteText(text);
	try {
		return { note, head: openCheckpoint(note, t.verifiers, t.origin).head };
	} catch (error) {
		if (!(error instanceof NoteError)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
		throw new NodeOperationError(ctx.getNode(), `The earlier checkpoint is not usable: ${error.message}`, {
			itemIndex: i,
			description:
				error.code === 'malformed'
					? 'Give the signed checkpoint exactly as Sign Checkpoint wrote it (origin, size and root lines, a blank line, then lines starting with "— ").'
					: `It must be a checkpoint of this log (${t.origin}) signed with the credential's Checkpoint Signing Key or one of its Previous Verifiers. A checkpoint signed by another key proves nothing about this log.`,
		});
	}
}

/** The verifier key of the log's keys that verifies `note`; null when none does. */
function verifierKeyOf(note: string, t: Transparency): string | null {
	for (const verifier of t.verifiers) {
		try {
			openCheckpoint(note, [verifier], t.origin);
		} catch {
			continue;
		}
		return (verifier as NoteVerifier & { verifierKey?: string }).verifierKey ?? null;
	}
	return null;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore, settings: StoreSettings): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		const t = requireSigningKey(this, settings, i, 'proving a record');
		const options = this.getNodeParameter('proveOptions', i, {}) as IDataObject;
		const proofField = this.getNodeParameter('proofOutputField', i, 'proof') as string;
		const consistencyField = (options.consistencyOutputField as string) || 'consistency';
		if (typeof proofField !== 'string' || proofField.trim() === '') {
			throw new NodeOperationError(node, 'No binary field is named for the proof file', { itemIndex: i, description: 'Name the binary field that receives the file in "Put Proof File in Field".' });
		}
		const seq = await findSeq(this, store, i);
		const earlier = await earlierCheckpoint(this, i, t);
		if (earlier && consistencyField === proofField) {
			throw new NodeOperationError(node, `The proof and the consistency proof cannot both go to the binary field "${proofField}"`, { itemIndex: i, description: 'Choose a different Consistency Proof Field.' });
		}
		if (earlier) {
			const head = await fromStore(this, i, 'read the review log', () => store.head());
			if (earlier.head.size > head.seq) {
				// Signed with this log's key, yet larger than the log: records it covers are gone.
				throw storeFailure(
					new NodeOperationError(node, `The earlier checkpoint covers ${earlier.head.size} records but the log has only ${head.seq}: records were removed`, {
						itemIndex: i,
						description: 'Keep the log and that checkpoint as evidence, restore the log from a backup, and run Verify with the checkpoint to see what is missing.',
					}),
				);
			}
		}

		// The checkpoint: the earliest issued one covering the record (and the earlier checkpoint), else a new one.
		const need = Math.max(seq, earlier?.head.size ?? 0);
		let checkpoint = await fromStore(this, i, 'read the issued checkpoints', () => checkpointCovering(store, t.origin, need));
		let issued = false;
		if (!checkpoint) {
			if (options.signIfNeeded === false) {
				throw new NodeOperationError(node, `No signed checkpoint covers seq ${need} yet`, {
					itemIndex: i,
					description: 'Run Sign Checkpoint first (e.g. on a schedule), or turn on the option "Sign a New Checkpoint If Needed".',
				});
			}
			const fresh = await signCheckpointNow(this, store, t, i);
			checkpoint = { size: fresh.size, note: fresh.note };
			issued = true;
		}
		const verifierKey = verifierKeyOf(checkpoint.note, t);
		if (verifierKey === null) {
			throw new NodeOperationError(node, `The checkpoint of ${checkpoint.size} records that covers seq ${need} is not signed by any key of the credential`, {
				itemIndex: i,
				description:
					'It was signed by an earlier key: add that key\'s verifier (public) key to "Previous Verifiers" in the HITL Review Store credential, so proofs against it can be checked.',
			});
		}

		let proof: string;
		try {
			proof = await proveRecordInclusion(store, seq, checkpoint.note);
		} catch (error) {
			throw publishFailure(this, error, i, `prove record seq ${seq}`);
		}
		const checked = verifyRecordProof(proof, t.verifiers, { origin: t.origin });
		if (!checked.ok || checked.record.seq !== seq) {
			throw storeFailure(
				new NodeOperationError(node, `The proof built for seq ${seq} does not verify${checked.ok ? '' : ` (${checked.reason}: ${checked.message})`}`, {
					itemIndex: i,
					description: 'The stored checkpoints or the tree index no longer match the log. Run the Verify operation with your last checkpoint; no proof is handed out meanwhile.',
				}),
			);
		}

		let consistency: string | null = null;
		if (earlier) {
			try {
				consistency = await proveCheckpointConsistency(store, earlier.note, checkpoint.note);
			} catch (error) {
				throw publishFailure(this, error, i, 'prove consistency with the earlier checkpoint');
			}
			const result = verifyConsistencyProof(earlier.note, checkpoint.note, consistency, t.verifiers, { origin: t.origin });
			if (!result.ok) {
				throw storeFailure(
					new NodeOperationError(node, `The log does not extend the earlier checkpoint (${result.reason}: ${result.message})`, {
						itemIndex: i,
						description: 'Both checkpoints are signed by this log\'s keys, so the log was rewritten or forked after the earlier one. Keep both as evidence and run Verify with the earlier checkpoint.',
					}),
				);
			}
		}

		const record = checked.record;
		const binary: INodeExecutionData['binary'] = {
			[proofField]: await textFile(this, proof, originFileName(t.origin, `-seq${seq}.tlog-proof`)),
		};
		if (earlier && consistency !== null) {
			binary[consistencyField] = await textFile(this, consistency, originFileName(t.origin, `-${earlier.head.size}-${checkpoint.size}.consistency-proof`));
		}
		return [
			{
				json: {
					seq,
					event: record.event,
					decision: record.decision,
					reviewerId: record.reviewerId,
					recordedAt: record.recordedAt,
					checkpointSize: checkpoint.size,
					checkpointIssued: issued,
					origin: t.origin,
					verifierKey,
					consistencyFromSize: earlier ? earlier.head.size : null,
					consistency,
				},
				binary,
				pairedItem: { item: i },
			},
		];
	});
}
