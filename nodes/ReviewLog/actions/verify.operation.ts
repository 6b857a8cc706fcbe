/**
 * Verify: the whole chain (every record's hash, the links, seq order, the chain name), and — given a
 * checkpoint kept elsewhere — that the log was neither cut off nor rewritten since.
 *
 * Two kinds of checkpoint are accepted. The legacy HMAC checkpoint (JSON, from Export) is checked by
 * the store's verifier with the credential's checkpoint secret. A signed checkpoint (C2SP signed note,
 * from Sign Checkpoint) is checked with public keys only — the credential's, or verifier keys given on
 * the node by an auditor who holds nothing secret — and then compared with the log: a checkpoint
 * larger than the log means records were removed (`truncated`); a Merkle root of the log's first
 * records that differs from the checkpoint's means they were changed and the chain rebuilt
 * (`rewritten`) — what the hash chain alone cannot see.
 *
 * Why the root is computed here, in memory, and not with the store's tree index: Verify opens the file
 * store read-only and must never write (no torn-tail repair, no index catch-up), and a check that
 * trusts the stored index would miss an index rewritten together with the log. So the log's records
 * are read once more and folded into an RFC 6962 root (O(log n) memory); it costs a second pass over
 * the log, on both backends alike.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { canonicalize } from '../../../core/canonicalJson';
import { parseCheckpoint } from '../../../core/checkpoint';
import type { SignedCheckpoint, VerifyFailureReason, VerifyResult } from '../../../core/records';
import type { ReviewStore } from '../../../core/store';
import { EMPTY_TREE_ROOT, nodeHash, NoteError, type NoteVerifier, openCheckpoint, recordHash, type TreeHead, verifierFromKey } from '../../../core/tlog';
import type { StoreSettings } from '../../shared/reviewStore';
import { forEachItem, storeFailure } from '../helpers/perItem';
import { normaliseNoteText } from './checkpoint.operation';

const show = { show: { operation: ['verify'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Checkpoint',
		name: 'checkpointSource',
		type: 'options',
		default: 'none',
		displayOptions: show,
		description: 'A checkpoint kept elsewhere (from Sign Checkpoint, or an earlier export). Without one, a cut-off tail of the log cannot be detected.',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'Signed Checkpoint Text', value: 'note', description: 'A checkpoint from Sign Checkpoint, checked with public keys' },
			{ name: 'JSON Text', value: 'json', description: 'A legacy HMAC checkpoint from Export (a signed checkpoint is recognised too)' },
			{ name: 'Binary File From Input', value: 'binary', description: 'Either kind, as a file' },
		],
	},
	{
		displayName: 'Signed Checkpoint',
		name: 'checkpointNote',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		displayOptions: { show: { operation: ['verify'], checkpointSource: ['note'] } },
		placeholder: 'hitl.example.com/hiring-log\n120\n…\n\n— hitl.example.com/hiring-log …',
		description: 'The signed checkpoint, exactly as Sign Checkpoint wrote it',
	},
	{
		displayName: 'Checkpoint JSON',
		name: 'checkpointJson',
		type: 'json',
		default: '',
		displayOptions: { show: { operation: ['verify'], checkpointSource: ['json'] } },
		placeholder: '{"v":1,"chain":"default","seq":120,"headHash":"…","time":"…","keyId":"…","mac":"…"}',
	},
	{
		displayName: 'Checkpoint Binary Property',
		name: 'checkpointBinaryProperty',
		type: 'string',
		default: 'checkpoint',
		displayOptions: { show: { operation: ['verify'], checkpointSource: ['binary'] } },
		description: 'Name of the binary property of the input item that holds the checkpoint file',
	},
	{
		displayName: 'Verifier Keys',
		name: 'verifierKeys',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		displayOptions: { show: { operation: ['verify'], checkpointSource: ['note', 'json', 'binary'] } },
		placeholder: 'hitl.example.com/hiring-log+1a2b3c4d+Ab…',
		description:
			'Public keys that may have signed the checkpoint, one per line (as keygen prints them). Used with the credential\'s own keys; lets an auditor verify with public keys only.',
	},
	{
		displayName: 'Fail When Verification Fails',
		name: 'failOnBroken',
		type: 'boolean',
		default: true,
		displayOptions: show,
		description:
			'Whether to stop the workflow with an error naming the first bad record. Off: output the report (ok: false) and let the workflow decide — an audit step that passes a broken log on silently is a bypass, so route on "ok".',
	},
];

/** Parses checkpoint JSON (text or object) with the core's strict shape check; throws on bad input. */
function checkpointFrom(raw: unknown): SignedCheckpoint {
	const parsed = parseCheckpoint(raw);
	if (!parsed.ok) throw new Error(`The checkpoint is not usable: ${parsed.message}`);
	return parsed.checkpoint;
}

/** The store's report, plus `rewritten`: a signed checkpoint whose root the log's intact chain no longer has. */
type Report = Omit<VerifyResult, 'firstBad'> & { firstBad?: { seq: number | null; line: number; reason: VerifyFailureReason | 'rewritten'; message: string } };

type GivenCheckpoint = { kind: 'hmac'; checkpoint: SignedCheckpoint } | { kind: 'note'; note: string };

/** Text that is not a JSON object is taken for a signed note (C2SP checkpoint). */
function fromText(text: string): GivenCheckpoint {
	if (text.trimStart().startsWith('{')) return { kind: 'hmac', checkpoint: checkpointFrom(text) };
	if (text.trim() === '') throw new Error('The checkpoint is empty');
	return { kind: 'note', note: normaliseNoteText(text) };
}

async function readCheckpoint(this: IExecuteFunctions, i: number): Promise<GivenCheckpoint | undefined> {
	const source = this.getNodeParameter('checkpointSource', i, 'none') as string;
	if (source === 'none') return undefined;
	if (source === 'note') {
		const raw = this.getNodeParameter('checkpointNote', i, '') as unknown;
		return fromText(typeof raw === 'string' ? raw : '');
	}
	if (source === 'json') {
		const raw = this.getNodeParameter('checkpointJson', i, '') as unknown;
		return typeof raw === 'string' ? fromText(raw) : { kind: 'hmac', checkpoint: checkpointFrom(raw) };
	}
	const prop = this.getNodeParameter('checkpointBinaryProperty', i, 'checkpoint') as string;
	const buffer = await this.helpers.getBinaryDataBuffer(i, prop);
	return fromText(buffer.toString('utf8'));
}

/** The credential's verifiers and those given on the node; an item error when a given key is unusable or there are none. */
function verifiersFor(ctx: IExecuteFunctions, i: number, settings: StoreSettings): NoteVerifier[] {
	const verifiers: NoteVerifier[] = [...(settings.transparency?.verifiers ?? [])];
	const raw = ctx.getNodeParameter('verifierKeys', i, '') as unknown;
	const lines = (typeof raw === 'string' ? raw : '')
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#'));
	for (const key of lines) {
		if (key.startsWith('PRIVATE+KEY+')) {
			throw new NodeOperationError(ctx.getNode(), 'A private key was given as a verifier key', {
				itemIndex: i,
				description: 'Give the verifier (public) key that keygen printed beside the private key; remove the private key from this node and keep it only in the credential.',
			});
		}
		try {
			verifiers.push(verifierFromKey(key));
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), `Verifier key ${JSON.stringify(key.slice(0, 40))} is not usable: ${(error as Error).message}`, {
				itemIndex: i,
				description: 'Give verifier keys as keygen prints them (<origin>+<8 hex digits>+<base64>), one per line.',
			});
		}
	}
	if (verifiers.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'A signed checkpoint can only be checked with the log\'s public key, and none is given', {
			itemIndex: i,
			description: 'Put the log\'s verifier key in "Verifier Keys", or use a HITL Review Store credential with the Checkpoint Signing Key.',
		});
	}
	return verifiers;
}

/**
 * The RFC 6962 Merkle root of the log's first `size` records (leaf = the record's stored line, which
 * is its canonical JSON), folded from a stack of perfect subtrees: O(log n) memory, one pass.
 */
export async function rootOfFirst(store: ReviewStore, size: number): Promise<{ root: Buffer; records: number }> {
	const stack: Array<{ hash: Buffer; leaves: number }> = [];
	let records = 0;
	if (size > 0) {
		for await (const record of store.readAll()) {
			records++;
			let node = { hash: recordHash(Buffer.from(canonicalize(record), 'utf8')), leaves: 1 };
			while (stack.length > 0 && stack[stack.length - 1].leaves === node.leaves) {
				const left = stack.pop() as { hash: Buffer; leaves: number };
				node = { hash: nodeHash(left.hash, node.hash), leaves: left.leaves * 2 };
			}
			stack.push(node);
			if (records === size) break;
		}
	}
	if (stack.length === 0) return { root: Buffer.from(EMPTY_TREE_ROOT), records };
	let root = stack[stack.length - 1].hash;
	for (let k = stack.length - 2; k >= 0; k--) root = nodeHash(stack[k].hash, root);
	return { root, records };
}

type NoteCheck = { head: TreeHead; verifiedBy: string[] } | { failure: string };

/** Opens a signed checkpoint: its head, or why its signature does not check out (an item error when it is not a checkpoint at all). */
function openNote(ctx: IExecuteFunctions, i: number, note: string, verifiers: NoteVerifier[], origin: string | undefined): NoteCheck {
	try {
		const opened = openCheckpoint(note, verifiers, origin);
		return { head: opened.head, verifiedBy: opened.verifiedBy };
	} catch (error) {
		if (!(error instanceof NoteError)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
		if (error.code === 'malformed' || error.code === 'bad_key') {
			throw new NodeOperationError(ctx.getNode(), `The checkpoint is not usable: ${error.message}`, {
				itemIndex: i,
				description:
					error.code === 'bad_key'
						? 'Two of the verifier keys have the same name and key hash; give each key once.'
						: 'Give the signed checkpoint exactly as Sign Checkpoint wrote it (origin, size and root lines, a blank line, then lines starting with "— "), or a JSON checkpoint from Export.',
			});
		}
		// unverified, invalid_signature, wrong_origin: a verdict on the checkpoint, reported like a broken log.
		return { failure: error.message };
	}
}

/**
 * Checks the log against an opened signed checkpoint: the chain first, then the checkpoint's size and
 * root. Store errors are thrown as they are (the caller reports them as the store's).
 */
async function verifyAgainstNote(store: ReviewStore, opened: NoteCheck): Promise<Report & { signed: IDataObject }> {
	const result = await store.verify({});
	if ('failure' in opened) {
		return {
			...result,
			ok: false,
			firstBad: { seq: null, line: 0, reason: 'bad_checkpoint', message: `the checkpoint does not verify with the given keys: ${opened.failure}` },
			signed: { seq: null, verified: false, origin: null, root: null, verifiedBy: [] },
		};
	}
	const { head } = opened;
	const signed = (verified: boolean): IDataObject => ({ seq: head.size, verified, origin: head.origin, root: head.root.toString('base64'), verifiedBy: opened.verifiedBy });
	if (!result.ok) return { ...result, signed: signed(false) };
	if (head.size > result.headSeq) {
		return {
			...result,
			ok: false,
			firstBad: {
				seq: result.headSeq + 1,
				line: result.recordsChecked + 1,
				reason: 'truncated',
				message: `log ends at seq ${result.headSeq} but the signed checkpoint covers ${head.size} records: records were removed from the end`,
			},
			signed: signed(false),
		};
	}
	const { root, records } = await rootOfFirst(store, head.size);
	if (records < head.size || !root.equals(head.root)) {
		return {
			...result,
			ok: false,
			firstBad: {
				seq: null,
				line: 0,
				// Not one of the chain's reasons: the chain is intact, the records under it are not those that were signed.
				reason: 'rewritten',
				message: `the log's first ${head.size} records do not match the signed checkpoint's root: they were changed (and the chain rebuilt) after it was signed`,
			},
			signed: signed(false),
		};
	}
	return { ...result, signed: signed(true) };
}

export function verifyReport(chain: string, result: Report, startedAt: number): IDataObject {
	return {
		ok: result.ok,
		chain,
		recordsChecked: result.recordsChecked,
		headSeq: result.headSeq,
		headHash: result.headHash,
		firstBad: (result.firstBad ?? null) as IDataObject | null,
		checkpoint: (result.checkpoint ?? null) as IDataObject | null,
		verifiedAt: new Date().toISOString(),
		durationMs: Date.now() - startedAt,
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore, settings: StoreSettings): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		let checkpoint: GivenCheckpoint | undefined;
		try {
			checkpoint = await readCheckpoint.call(this, i);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, {
				itemIndex: i,
				description:
					'Give the checkpoint exactly as it was written: a signed checkpoint from Sign Checkpoint (text), or a JSON object with v, chain, seq, headHash, time, keyId and mac from Export.',
			});
		}
		const startedAt = Date.now();
		// A signed checkpoint is opened with the public keys before the store is read: bad keys or a
		// malformed note are this item's errors.
		const opened = checkpoint?.kind === 'note' ? openNote(this, i, checkpoint.note, verifiersFor(this, i, settings), settings.transparency?.origin) : null;
		let result: Report;
		let signed: IDataObject | null = null;
		try {
			if (opened) {
				({ signed, ...result } = await verifyAgainstNote(store, opened));
			} else {
				result = await store.verify(checkpoint?.kind === 'hmac' ? { checkpoint: checkpoint.checkpoint } : {});
			}
		} catch (error) {
			throw storeFailure(
				new NodeOperationError(node, error as Error, {
					itemIndex: i,
					message: `Could not verify the review log: ${(error as Error).message}`,
					description: 'Check that the review store is reachable and readable.',
				}),
			);
		}
		const report = verifyReport(store.chain, result, startedAt);
		if (signed) report.checkpoint = signed;
		if (!result.ok && this.getNodeParameter('failOnBroken', i, true) !== false) {
			// The verdict this item asked for: under Continue On Fail it goes out as this item's error,
			// never as n8n's pass-through of the input, which would look like a clean run.
			const bad = result.firstBad;
			const where = bad ? (bad.seq !== null ? `seq ${bad.seq}` : bad.line > 0 ? `line ${bad.line}` : 'the checkpoint') : 'an unknown record';
			const cli = signed ? '`npx n8n-nodes-hitl verify <export> --checkpoint <file> --vkey <key>`' : '`npx n8n-nodes-hitl verify <file> --checkpoint <file>`';
			throw new NodeOperationError(node, `Review log verification failed at ${where}: ${bad?.reason ?? 'unknown'}${bad?.message ? ` — ${bad.message}` : ''}`, {
				itemIndex: i,
				description: `The log was changed, cut off or damaged after it was written. Keep the file as evidence, compare it with your last export and checkpoint, and run ${cli} for details. Turn off "Fail When Verification Fails" to get the report as output instead.`,
			});
		}
		return [{ json: report, pairedItem: { item: i } }];
	});
}
