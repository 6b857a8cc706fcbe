import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { parseCheckpoint } from '../../../core/checkpoint';
import type { SignedCheckpoint, VerifyResult } from '../../../core/records';
import type { ReviewStore } from '../../../core/store';
import { forEachItem, storeFailure } from '../helpers/perItem';

const show = { show: { operation: ['verify'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Checkpoint',
		name: 'checkpointSource',
		type: 'options',
		default: 'none',
		displayOptions: show,
		description: 'A signed checkpoint kept elsewhere (e.g. from an earlier export). Without one, a cut-off tail of the log cannot be detected.',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'JSON Text', value: 'json' },
			{ name: 'Binary File From Input', value: 'binary' },
		],
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
		description: 'Name of the binary property of the input item that holds the checkpoint JSON file',
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

async function readCheckpoint(this: IExecuteFunctions, i: number): Promise<SignedCheckpoint | undefined> {
	const source = this.getNodeParameter('checkpointSource', i, 'none') as string;
	if (source === 'none') return undefined;
	if (source === 'json') return checkpointFrom(this.getNodeParameter('checkpointJson', i, ''));
	const prop = this.getNodeParameter('checkpointBinaryProperty', i, 'checkpoint') as string;
	const buffer = await this.helpers.getBinaryDataBuffer(i, prop);
	return checkpointFrom(buffer.toString('utf8'));
}

export function verifyReport(chain: string, result: VerifyResult, startedAt: number): IDataObject {
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

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		let checkpoint: SignedCheckpoint | undefined;
		try {
			checkpoint = await readCheckpoint.call(this, i);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, {
				itemIndex: i,
				description: 'Give the checkpoint exactly as the Export operation (or the store) wrote it: a JSON object with v, chain, seq, headHash, time, keyId and mac.',
			});
		}
		const startedAt = Date.now();
		let result: VerifyResult;
		try {
			result = await store.verify(checkpoint ? { checkpoint } : {});
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
		if (!result.ok && this.getNodeParameter('failOnBroken', i, true) !== false) {
			// The verdict this item asked for: under Continue On Fail it goes out as this item's error,
			// never as n8n's pass-through of the input, which would look like a clean run.
			const bad = result.firstBad;
			const where = bad ? (bad.seq !== null ? `seq ${bad.seq}` : `line ${bad.line}`) : 'an unknown record';
			throw new NodeOperationError(node, `Review log verification failed at ${where}: ${bad?.reason ?? 'unknown'}${bad?.message ? ` — ${bad.message}` : ''}`, {
				itemIndex: i,
				description:
					'The log was changed, cut off or damaged after it was written. Keep the file as evidence, compare it with your last export and checkpoint, and run `npx n8n-nodes-hitl verify <file> --checkpoint <file>` for details. Turn off "Fail When Verification Fails" to get the report as output instead.',
			});
		}
		return [{ json: report, pairedItem: { item: i } }];
	});
}
