/**
 * Publishing the log's state for outsiders: checkpoints as C2SP signed notes (Ed25519) and, for one
 * record, a c2sp.org/tlog-proof bundle an auditor checks with nothing but the public key.
 *
 * A checkpoint is signed only when the tree it covers extends the last checkpoint this store issued:
 * a log that shrank, or whose earlier records changed, gets no new signature (fail closed) — the
 * store says so instead. The bundle carries the record's stored line as its `extra` data, so it is
 * self-contained: the record, its position, the inclusion path and the checkpoint.
 */
import { checkpointShape, formatConsistencyProof, formatTlogProof } from './proofBundle';
import { signCheckpoint } from './checkpoint';
import type { NoteSigner } from './note';
import type { TreeConsistencyProof, TreeInclusionProof, TreeRoot } from './logTree';

/** What publishing needs of a review store (core/store/types.ts ReviewStore has all of it). */
export interface PublishingStore {
	treeHead(): Promise<TreeRoot>;
	proveInclusion(seq: number, size: number): Promise<TreeInclusionProof>;
	proveConsistency(oldSize: number, size: number): Promise<TreeConsistencyProof>;
	listCheckpoints(limit?: number): Promise<Array<{ size: number; note: string; signedAt: string }>>;
	saveCheckpoint(entry: { size: number; note: string; signedAt: string }): Promise<void>;
}

export class PublishError extends Error {
	constructor(
		message: string,
		readonly code: 'log_shrank' | 'log_rewritten' | 'not_covered' | 'no_record',
	) {
		super(message);
		this.name = 'PublishError';
	}
}

export interface IssuedCheckpoint {
	/** The signed note, to publish as it is. */
	note: string;
	origin: string;
	size: number;
	/** Base64, as in the note. */
	root: string;
	signedAt: string;
	/** The public key that verifies it (vkey format). */
	verifierKey: string;
	/** The checkpoint it extends (its size), proven consistent; null for the first one. */
	extends: { size: number; signedAt: string } | null;
}

/**
 * Signs a checkpoint of the current tree for `origin`, after proving it extends the last checkpoint
 * issued for the same origin. Keeps it in the store and returns it.
 */
export async function issueCheckpoint(
	store: PublishingStore,
	options: { signer: NoteSigner & { verifierKey: string }; origin: string; now?: () => Date },
): Promise<IssuedCheckpoint> {
	const head = await store.treeHead();
	// The last checkpoint issued for this origin, parsed once.
	let last: { entry: { size: number; note: string; signedAt: string }; head: ReturnType<typeof checkpointShape> } | null = null;
	for (const entry of await store.listCheckpoints(50)) {
		const parsed = checkpointShape('checkpoint', entry.note);
		if (parsed.origin === options.origin) {
			last = { entry, head: parsed };
			break;
		}
	}
	if (last) {
		const before = last.head;
		if (before.size > head.size) {
			throw new PublishError(
				`The log has ${head.size} records but the checkpoint issued ${last.entry.signedAt} covered ${before.size}: records were removed. No checkpoint is signed; restore the log from a backup and compare it with that checkpoint.`,
				'log_shrank',
			);
		}
		const proof = await store.proveConsistency(before.size, head.size);
		if (!proof.oldRoot.equals(before.root)) {
			throw new PublishError(
				`The first ${before.size} records differ from the checkpoint issued ${last.entry.signedAt}: the log was rewritten. No checkpoint is signed; verify the log against that checkpoint to find the change.`,
				'log_rewritten',
			);
		}
	}
	const signedAt = (options.now ?? (() => new Date()))().toISOString();
	const note = signCheckpoint({ origin: options.origin, size: head.size, root: head.root, extensions: [] }, options.signer);
	await store.saveCheckpoint({ size: head.size, note, signedAt });
	return {
		note,
		origin: options.origin,
		size: head.size,
		root: head.root.toString('base64'),
		signedAt,
		verifierKey: options.signer.verifierKey,
		extends: last ? { size: last.head.size, signedAt: last.entry.signedAt } : null,
	};
}

/** The earliest issued checkpoint of `origin` that covers record `seq`; null when none does yet. */
export async function checkpointCovering(store: PublishingStore, origin: string, seq: number): Promise<{ size: number; note: string } | null> {
	const all = await store.listCheckpoints(10_000);
	let best: { size: number; note: string } | null = null;
	for (const entry of all) {
		const head = checkpointShape('checkpoint', entry.note);
		if (head.origin === origin && head.size >= seq && (best === null || head.size < best.size)) best = { size: head.size, note: entry.note };
	}
	return best;
}

/**
 * A c2sp.org/tlog-proof bundle for record `seq` against `checkpoint` (a note this store issued):
 * index seq − 1, the inclusion path, the checkpoint, and the record's line as `extra`.
 */
export async function proveRecordInclusion(store: PublishingStore, seq: number, checkpoint: string): Promise<string> {
	const head = checkpointShape('checkpoint', checkpoint);
	if (seq > head.size) throw new PublishError(`Record seq ${seq} is newer than the checkpoint (${head.size} records): issue a checkpoint first.`, 'not_covered');
	const proof = await store.proveInclusion(seq, head.size);
	if (!proof.root.equals(head.root)) {
		throw new PublishError(`The log's first ${head.size} records differ from the checkpoint: the log was rewritten after it was signed.`, 'log_rewritten');
	}
	return formatTlogProof({ index: proof.index, hashes: proof.hashes, checkpoint, extra: Buffer.from(proof.line, 'utf8') });
}

/** A consistency proof (n8n-nodes-hitl/consistency-proof@v1) between two checkpoints of this log. */
export async function proveCheckpointConsistency(store: PublishingStore, oldCheckpoint: string, newCheckpoint: string): Promise<string> {
	const [before, after] = [checkpointShape('old checkpoint', oldCheckpoint), checkpointShape('new checkpoint', newCheckpoint)];
	if (before.size > after.size) throw new PublishError(`The old checkpoint (${before.size} records) is larger than the new one (${after.size}).`, 'not_covered');
	const proof = await store.proveConsistency(before.size, after.size);
	if (!proof.oldRoot.equals(before.root) || !proof.root.equals(after.root)) {
		throw new PublishError('The log does not match these checkpoints: it was rewritten, or they are not checkpoints of this log.', 'log_rewritten');
	}
	return formatConsistencyProof({ oldSize: before.size, newSize: after.size, hashes: proof.hashes });
}
