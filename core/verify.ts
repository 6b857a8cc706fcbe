/**
 * Streaming verification of a review log: constant memory (one record of look-behind, one pending
 * out-of-order record), so it runs over exports of any size. Reports OK or the first bad position.
 *
 * `firstBad.seq` is the seq the verifier expected at the first bad line: every record before it is
 * proven intact and in order. `line` is the 1-based line number in the file (or row number).
 */
import { MAX_RECORD_BYTES, parseRecordLine, ZERO_HASH } from './chain';
import { type CheckpointKey, verifyCheckpointMac } from './checkpoint';
import { readLines, type RawLine } from './lineReader';
import type { ReviewRecord, SignedCheckpoint, VerifyFailureReason, VerifyResult } from './records';

export interface VerifyOptions {
	/** Expected chain name; by default the first record's chain is expected on every line. */
	chain?: string;
	/** A signed checkpoint to check the log against (detects truncation). Needs `checkpointKeys`. */
	checkpoint?: SignedCheckpoint | unknown;
	checkpointKeys?: CheckpointKey[];
	/**
	 * Continue after an already verified prefix: the state after its last record. `recordsChecked`
	 * then counts only the new records.
	 */
	resumeFrom?: { seq: number; hash: string; line: number };
}

type LineSource = AsyncIterable<RawLine | string>;

class Failure {
	constructor(
		readonly seq: number | null,
		readonly line: number,
		readonly reason: VerifyFailureReason,
		readonly message: string,
	) {}
}

export async function verifyLines(source: LineSource, options: VerifyOptions = {}): Promise<VerifyResult> {
	let checkpoint: SignedCheckpoint | undefined;
	if (options.checkpoint !== undefined) {
		if (!options.checkpointKeys || options.checkpointKeys.length === 0) {
			throw new Error('A checkpoint can only be verified with its key: pass the checkpoint key');
		}
		const check = verifyCheckpointMac(options.checkpoint, options.checkpointKeys);
		if (!check.ok) {
			return {
				ok: false,
				recordsChecked: 0,
				headSeq: 0,
				headHash: ZERO_HASH,
				firstBad: { seq: null, line: 0, reason: 'bad_checkpoint', message: check.message },
				checkpoint: { seq: -1, verified: false },
			};
		}
		checkpoint = check.checkpoint;
		if (options.chain !== undefined && checkpoint.chain !== options.chain) {
			return {
				ok: false,
				recordsChecked: 0,
				headSeq: 0,
				headHash: ZERO_HASH,
				firstBad: {
					seq: null,
					line: 0,
					reason: 'bad_checkpoint',
					message: `checkpoint is for chain "${checkpoint.chain}", not "${options.chain}"`,
				},
				checkpoint: { seq: checkpoint.seq, verified: false },
			};
		}
	}
	let chain = options.chain ?? checkpoint?.chain;
	let prevSeq = options.resumeFrom?.seq ?? 0;
	let prevHash = options.resumeFrom?.hash ?? ZERO_HASH;
	let lineNo = options.resumeFrom?.line ?? 0;
	let checked = 0;
	// A record whose seq jumped ahead: a gap, unless the next line holds the expected seq (a swap).
	let ahead: { seq: number; line: number } | null = null;

	const result = (failure: Failure | null): VerifyResult => {
		const out: VerifyResult = { ok: failure === null, recordsChecked: checked, headSeq: prevSeq, headHash: prevHash };
		if (failure) out.firstBad = { seq: failure.seq, line: failure.line, reason: failure.reason, message: failure.message };
		if (checkpoint) out.checkpoint = { seq: checkpoint.seq, verified: failure === null };
		return out;
	};

	for await (const item of source) {
		lineNo++;
		const raw: RawLine = typeof item === 'string' ? { text: item, terminated: true, offset: -1 } : item;
		const expected = prevSeq + 1;
		if (raw.text === null) {
			return result(new Failure(expected, lineNo, 'malformed', `line ${lineNo}: ${raw.error ?? 'unreadable'}`));
		}
		const parsed = parseRecordLine(raw.text);
		if (!parsed.ok) {
			return result(new Failure(expected, lineNo, 'malformed', `line ${lineNo}: ${parsed.message}`));
		}
		if (!raw.terminated) {
			return result(
				new Failure(expected, lineNo, 'malformed', `line ${lineNo}: last line has no newline (an interrupted write?)`),
			);
		}
		const record: ReviewRecord = parsed.record;
		if (chain === undefined) chain = record.chain;
		if (record.chain !== chain) {
			return result(
				new Failure(expected, lineNo, 'wrong_chain', `line ${lineNo}: record of chain "${record.chain}" in chain "${chain}"`),
			);
		}
		if (ahead) {
			return result(
				record.seq === expected
					? new Failure(expected, ahead.line, 'reorder', `line ${ahead.line}: seq ${ahead.seq} comes before seq ${expected}`)
					: new Failure(expected, ahead.line, 'gap', `line ${ahead.line}: seq ${expected} is missing (found seq ${ahead.seq})`),
			);
		}
		if (record.seq !== expected) {
			if (record.seq > expected) {
				ahead = { seq: record.seq, line: lineNo };
				continue;
			}
			return result(
				record.seq === prevSeq
					? new Failure(expected, lineNo, 'duplicate', `line ${lineNo}: seq ${record.seq} appears twice`)
					: new Failure(expected, lineNo, 'reorder', `line ${lineNo}: seq ${record.seq} after seq ${prevSeq}`),
			);
		}
		if (record.prevHash !== prevHash) {
			return result(
				new Failure(expected, lineNo, 'prev_hash_mismatch', `line ${lineNo}: seq ${record.seq} does not link to the record before it`),
			);
		}
		if (parsed.computedHash !== record.hash) {
			return result(
				new Failure(expected, lineNo, 'hash_mismatch', `line ${lineNo}: seq ${record.seq} was altered (its hash does not match its content)`),
			);
		}
		if (checkpoint && record.seq === checkpoint.seq && record.hash !== checkpoint.headHash) {
			return result(
				new Failure(expected, lineNo, 'bad_checkpoint', `line ${lineNo}: seq ${record.seq} differs from the checkpointed record`),
			);
		}
		prevSeq = record.seq;
		prevHash = record.hash;
		checked++;
	}
	if (ahead) {
		return result(new Failure(prevSeq + 1, ahead.line, 'gap', `line ${ahead.line}: seq ${prevSeq + 1} is missing (found seq ${ahead.seq})`));
	}
	if (checkpoint) {
		if (prevSeq < checkpoint.seq) {
			return result(
				new Failure(
					prevSeq + 1,
					lineNo + 1,
					'truncated',
					`log ends at seq ${prevSeq} but the checkpoint of ${checkpoint.time} covers seq ${checkpoint.seq}: records were removed from the end`,
				),
			);
		}
		if (checkpoint.seq === 0 && checkpoint.headHash !== ZERO_HASH) {
			return result(new Failure(null, 0, 'bad_checkpoint', 'checkpoint of an empty log must carry the zero hash'));
		}
	}
	return result(null);
}

/** Verifies a JSON Lines file (an export or the store's own file). */
export function verifyFile(path: string, options: VerifyOptions & { start?: number; end?: number } = {}): Promise<VerifyResult> {
	return verifyLines(readLines(path, { maxLineBytes: MAX_RECORD_BYTES, start: options.start, end: options.end }), options);
}
