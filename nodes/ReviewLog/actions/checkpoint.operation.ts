/**
 * Sign Checkpoint: signs the current state of the review log as a C2SP checkpoint (an Ed25519 signed
 * note naming the log's origin, its size and its Merkle root) with the credential's signing key.
 *
 * Why a node operation: a checkpoint is only worth something once a copy of it sits where the log's
 * operator cannot change it — an auditor's mailbox, a second bucket, a ticket. A schedule that signs
 * one every night and mails the file makes a later cut or rewrite of the log provable: the log can be
 * re-signed by whoever holds the key, but it can no longer be made consistent with the copy already
 * sent. The note is output both as JSON and as a text file, ready to mail or write elsewhere.
 *
 * The core (core/tlog/publish.ts) signs only when the log extends the last checkpoint it issued. When
 * it does not — records were removed, or earlier records changed — the refusal is about the log, not
 * about the item: it stops the node even with Continue On Fail, since a schedule that keeps going
 * would hide the one thing a checkpoint exists to reveal.
 *
 * Shared with Prove Record and Verify: reading a signed note from text or a binary field, the key
 * check, the error mapping of a refused signature, and file naming.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ReviewStore } from '../../../core/store';
import { issueCheckpoint, type IssuedCheckpoint, PublishError, TreeIndexError } from '../../../core/tlog';
import type { StoreSettings } from '../../shared/reviewStore';
import { forEachItem, storeFailure } from '../helpers/perItem';

const show = { show: { operation: ['checkpoint'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Put Checkpoint File in Field',
		name: 'checkpointOutputField',
		type: 'string',
		default: 'checkpoint',
		displayOptions: show,
		hint: 'The name of the output binary field to put the signed checkpoint in',
	},
];

type Transparency = NonNullable<StoreSettings['transparency']>;

/** The credential's signing key, or an item error saying how to add one. */
export function requireSigningKey(ctx: IExecuteFunctions, settings: StoreSettings, itemIndex: number, purpose: string): Transparency {
	if (settings.transparency) return settings.transparency;
	throw new NodeOperationError(ctx.getNode(), `No checkpoint signing key is set: ${purpose} needs one`, {
		itemIndex,
		description: settings.isDefault
			? 'Add a HITL Review Store credential to this node with a Checkpoint Signing Key (Ed25519). Make the key with `npx n8n-nodes-hitl keygen <origin>` (the origin names this log, e.g. hitl.example.com/hiring-log) and give the printed verifier key to your auditors.'
			: 'Add a Checkpoint Signing Key (Ed25519) to the HITL Review Store credential. Make it with `npx n8n-nodes-hitl keygen <origin>` (the origin names this log, e.g. hitl.example.com/hiring-log) and give the printed verifier key to your auditors.',
	});
}

/** A file name from an origin: anything but letters, digits, ".", "_" and "-" (e.g. "/") becomes "_". */
export function originFileName(origin: string, suffix: string): string {
	return `${origin.replace(/[^A-Za-z0-9._-]/g, '_')}${suffix}`;
}

/**
 * A signed note as a person may paste it: CRLF line ends (a mail client, Windows) back to LF, and
 * exactly one final newline. Neither change touches the signed text of a note written with LF
 * (every C2SP note), and the signature is still checked afterwards, so nothing is accepted that
 * would not verify as written.
 */
export function normaliseNoteText(text: string): string {
	return `${text.replace(/\r\n/g, '\n').replace(/^\uFEFF/, '').trimEnd()}\n`;
}

/** A text file in an output binary field. */
export async function textFile(ctx: IExecuteFunctions, text: string, fileName: string): Promise<NonNullable<INodeExecutionData['binary']>[string]> {
	return ctx.helpers.prepareBinaryData(Buffer.from(text, 'utf8'), fileName, 'text/plain');
}

/** A store failure while publishing (unreadable store, damaged log or tree index): stops the node. */
export function publishFailure(ctx: IExecuteFunctions, error: unknown, itemIndex: number, doing: string): NodeOperationError {
	const err = error instanceof Error ? error : new Error(String(error));
	if (error instanceof PublishError && (error.code === 'log_shrank' || error.code === 'log_rewritten')) {
		return storeFailure(
			new NodeOperationError(ctx.getNode(), err, {
				itemIndex,
				message: `The review log no longer matches a checkpoint it signed: ${err.message}`,
				description:
					error.code === 'log_shrank'
						? 'Records that a signed checkpoint covers are gone. Keep the log, its tree folder and every checkpoint copy as evidence, restore the log from a backup, and run Verify with the last checkpoint you sent out to see what is missing. No new checkpoint is signed for a log that lost records.'
						: 'Records that a signed checkpoint covers were changed. Keep the log, its tree folder and every checkpoint copy as evidence, and run Verify with the last checkpoint you sent out (or `npx n8n-nodes-hitl verify <export> --checkpoint <file> --vkey <key>`) to find the change. No new checkpoint is signed for a rewritten log.',
			}),
		);
	}
	if (error instanceof TreeIndexError) {
		return storeFailure(
			new NodeOperationError(ctx.getNode(), err, {
				itemIndex,
				message: `Could not ${doing}: the review log does not match its Merkle tree index (${err.message})`,
				description:
					'The log was changed or damaged after it was indexed. Run the Verify operation (with your last checkpoint) to find where; nothing is signed or proven from a log in this state.',
			}),
		);
	}
	return storeFailure(
		new NodeOperationError(ctx.getNode(), err, {
			itemIndex,
			message: `Could not ${doing}: ${err.message}`,
			description: 'Check that the review store is reachable and writable; run the Verify operation to see whether the log is damaged.',
		}),
	);
}

/** Issues a checkpoint for the credential's origin; refusals and store errors become store failures. */
export async function signCheckpointNow(ctx: IExecuteFunctions, store: ReviewStore, transparency: Transparency, itemIndex: number): Promise<IssuedCheckpoint> {
	try {
		return await issueCheckpoint(store, { signer: transparency.signer, origin: transparency.origin });
	} catch (error) {
		throw publishFailure(ctx, error, itemIndex, 'sign a checkpoint');
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore, settings: StoreSettings): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		const transparency = requireSigningKey(this, settings, i, 'signing a checkpoint');
		const field = this.getNodeParameter('checkpointOutputField', i, 'checkpoint') as string;
		if (typeof field !== 'string' || field.trim() === '') {
			throw new NodeOperationError(node, 'No binary field is named for the checkpoint file', {
				itemIndex: i,
				description: 'Name the binary field that receives the file in "Put Checkpoint File in Field".',
			});
		}
		const issued = await signCheckpointNow(this, store, transparency, i);
		const json: IDataObject = {
			origin: issued.origin,
			size: issued.size,
			root: issued.root,
			signedAt: issued.signedAt,
			verifierKey: issued.verifierKey,
			extends: issued.extends as IDataObject | null,
			note: issued.note,
		};
		return [
			{
				json,
				binary: { [field]: await textFile(this, issued.note, originFileName(issued.origin, `-${issued.size}.checkpoint`)) },
				pairedItem: { item: i },
			},
		];
	});
}
