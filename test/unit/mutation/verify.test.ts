// Tests added from mutation testing (docs/mutation-testing.md) for core/verify.ts: the verifier's whole
// answer — which record is the first bad one, on which line, why, and what it says — for each kind of
// damage, with and without a checkpoint, and when resuming after a verified prefix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createRecord, MAX_RECORD_BYTES, normaliseInput, ZERO_HASH } from '../../../core/chain';
import { signCheckpoint, type CheckpointKey } from '../../../core/checkpoint';
import type { RawLine } from '../../../core/lineReader';
import type { ReviewRecord } from '../../../core/store/types';
import { verifyFile, verifyLines } from '../../../core/verify';

const KEY: CheckpointKey = { keyId: 'k1', secret: 'verify-mutation-secret-0123456789-abc' };
const TIME = '2026-03-01T00:00:00.000Z';

/** A valid chain of `n` records: records and their stored lines. */
function chain(n: number, name = 'main', start = { seq: 0, hash: ZERO_HASH }) {
	const records: ReviewRecord[] = [];
	const lines: string[] = [];
	let prev = start;
	for (let i = 0; i < n; i++) {
		const { record, line } = createRecord(normaliseInput({ event: 'note', comment: `record ${prev.seq + 1}` }), {
			chain: name,
			seq: prev.seq + 1,
			prevHash: prev.hash,
			recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
		});
		records.push(record);
		lines.push(line);
		prev = { seq: record.seq, hash: record.hash };
	}
	return { records, lines };
}

async function* source(items: Array<string | RawLine>): AsyncGenerator<string | RawLine> {
	for (const item of items) yield item;
}
const verify = (items: Array<string | RawLine>, options?: Parameters<typeof verifyLines>[1]) => verifyLines(source(items), options);

/** Sorted-key JSON of a parsed record (its canonical form for the values used here). */
function reserialise(record: Record<string, unknown>): string {
	return `{${Object.keys(record)
		.sort()
		.map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`)
		.join(',')}}`;
}

// Built per test (beforeEach), not at load time: code run outside a test is a "static" mutant for Stryker,
// re-tested with every test file instead of only the tests that cover it.
let R: ReviewRecord[];
let L: string[];
beforeEach(() => ({ records: R, lines: L } = chain(4)));
const bad = (seq: number | null, line: number, reason: string, message: string) => ({ seq, line, reason, message });

describe('verifyLines without a checkpoint', () => {
	test('an intact log: every record checked, the head reported', async () => {
		expect(await verify(L)).toEqual({ ok: true, recordsChecked: 4, headSeq: 4, headHash: R[3].hash });
		expect(await verify([])).toEqual({ ok: true, recordsChecked: 0, headSeq: 0, headHash: ZERO_HASH });
	});

	test('a malformed line: its line number and the seq expected there', async () => {
		const result = await verify([L[0], 'garbage', L[2]]);
		expect(result).toMatchObject({ ok: false, recordsChecked: 1, headSeq: 1, headHash: R[0].hash });
		expect(result.firstBad).toEqual(bad(2, 2, 'malformed', expect.stringMatching(/^line 2: not valid JSON \(/)));
	});

	test('an unreadable line and a last line without newline', async () => {
		expect((await verify([L[0], { text: null, terminated: true, offset: 0, error: 'invalid UTF-8' }])).firstBad).toEqual(
			bad(2, 2, 'malformed', 'line 2: invalid UTF-8'),
		);
		expect((await verify([{ text: null, terminated: true, offset: 0 }])).firstBad).toEqual(bad(1, 1, 'malformed', 'line 1: unreadable'));
		const cut = await verify([L[0], { text: L[1], terminated: false, offset: 0 }]);
		expect(cut).toEqual({
			ok: false,
			recordsChecked: 1,
			headSeq: 1,
			headHash: R[0].hash,
			firstBad: bad(2, 2, 'malformed', 'line 2: last line has no newline (an interrupted write?)'),
		});
		// A terminated raw line is as good as a string.
		expect((await verify(L.map((text) => ({ text, terminated: true, offset: -1 })))).ok).toBe(true);
	});

	test('a record of another chain', async () => {
		const other = chain(2, 'other');
		expect((await verify([L[0], other.lines[1]])).firstBad).toEqual(bad(2, 2, 'wrong_chain', 'line 2: record of chain "other" in chain "main"'));
		expect((await verify(L, { chain: 'other' })).firstBad).toEqual(bad(1, 1, 'wrong_chain', 'line 1: record of chain "main" in chain "other"'));
		expect((await verify(other.lines, { chain: 'other' })).ok).toBe(true);
	});

	test('a missing record is a gap at its seq, in the middle or before the end', async () => {
		expect(await verify([L[0], L[2], L[3]])).toEqual({
			ok: false,
			recordsChecked: 1,
			headSeq: 1,
			headHash: R[0].hash,
			firstBad: bad(2, 2, 'gap', 'line 2: seq 2 is missing (found seq 3)'),
		});
		expect((await verify([L[0], L[1], L[3]])).firstBad).toEqual(bad(3, 3, 'gap', 'line 3: seq 3 is missing (found seq 4)'));
		expect((await verify([L[2]])).firstBad).toEqual(bad(1, 1, 'gap', 'line 1: seq 1 is missing (found seq 3)'));
	});

	test('two swapped records are a reorder at the first of them', async () => {
		expect(await verify([L[0], L[2], L[1], L[3]])).toEqual({
			ok: false,
			recordsChecked: 1,
			headSeq: 1,
			headHash: R[0].hash,
			firstBad: bad(2, 2, 'reorder', 'line 2: seq 3 comes before seq 2'),
		});
	});

	test('a repeated record is a duplicate; an older one is a reorder', async () => {
		expect((await verify([L[0], L[1], L[1]])).firstBad).toEqual(bad(3, 3, 'duplicate', 'line 3: seq 2 appears twice'));
		expect((await verify([L[0], L[1], L[2], L[0]])).firstBad).toEqual(bad(4, 4, 'reorder', 'line 4: seq 1 after seq 3'));
	});

	test('a record that does not link to the one before it', async () => {
		const forged = createRecord(normaliseInput({ event: 'note' }), { chain: 'main', seq: 2, prevHash: 'ff'.repeat(32), recordedAt: TIME });
		expect(await verify([L[0], forged.line, L[2]])).toEqual({
			ok: false,
			recordsChecked: 1,
			headSeq: 1,
			headHash: R[0].hash,
			firstBad: bad(2, 2, 'prev_hash_mismatch', 'line 2: seq 2 does not link to the record before it'),
		});
	});

	test('an altered record whose hash was kept', async () => {
		const altered = reserialise({ ...(JSON.parse(L[1]) as Record<string, unknown>), comment: 'approved by nobody' });
		expect((await verify([L[0], altered, L[2]])).firstBad).toEqual(
			bad(2, 2, 'hash_mismatch', 'line 2: seq 2 was altered (its hash does not match its content)'),
		);
	});
});

describe('verifyLines with a checkpoint', () => {
	const cpAt = (seq: number, headHash: string, name = 'main') => signCheckpoint({ chain: name, seq, headHash, time: TIME }, KEY);

	test('needs the checkpoint key', async () => {
		const message = 'A checkpoint can only be verified with its key: pass the checkpoint key';
		await expect(verify(L, { checkpoint: cpAt(2, R[1].hash) })).rejects.toThrow(message);
		await expect(verify(L, { checkpoint: cpAt(2, R[1].hash), checkpointKeys: [] })).rejects.toThrow(message);
	});

	test('a valid checkpoint inside or at the end of the log is verified', async () => {
		expect(await verify(L, { checkpoint: cpAt(2, R[1].hash), checkpointKeys: [KEY] })).toEqual({
			ok: true,
			recordsChecked: 4,
			headSeq: 4,
			headHash: R[3].hash,
			checkpoint: { seq: 2, verified: true },
		});
		expect((await verify(L, { checkpoint: cpAt(4, R[3].hash), checkpointKeys: [KEY] })).checkpoint).toEqual({ seq: 4, verified: true });
		expect(await verify(L, { checkpoint: cpAt(0, ZERO_HASH), checkpointKeys: [KEY] })).toMatchObject({ ok: true, checkpoint: { seq: 0, verified: true } });
		expect(await verify([], { checkpoint: cpAt(0, ZERO_HASH), checkpointKeys: [KEY] })).toMatchObject({ ok: true, checkpoint: { seq: 0, verified: true } });
	});

	test('a checkpoint whose MAC fails is reported before reading the log', async () => {
		const forged = { ...cpAt(4, R[3].hash), seq: 3 };
		expect(await verify(L, { checkpoint: forged, checkpointKeys: [KEY] })).toEqual({
			ok: false,
			recordsChecked: 0,
			headSeq: 0,
			headHash: ZERO_HASH,
			firstBad: bad(null, 0, 'bad_checkpoint', 'checkpoint MAC does not match: it was altered or signed with another secret'),
			checkpoint: { seq: -1, verified: false },
		});
	});

	test('a checkpoint of another chain than the one asked for', async () => {
		expect(await verify(L, { chain: 'main', checkpoint: cpAt(1, R[0].hash, 'other'), checkpointKeys: [KEY] })).toEqual({
			ok: false,
			recordsChecked: 0,
			headSeq: 0,
			headHash: ZERO_HASH,
			firstBad: bad(null, 0, 'bad_checkpoint', 'checkpoint is for chain "other", not "main"'),
			checkpoint: { seq: 1, verified: false },
		});
		// Without an explicit chain, the checkpoint's chain is the one expected.
		expect((await verify(L, { checkpoint: cpAt(1, R[0].hash, 'other'), checkpointKeys: [KEY] })).firstBad).toEqual(
			bad(1, 1, 'wrong_chain', 'line 1: record of chain "main" in chain "other"'),
		);
		expect((await verify(L, { chain: 'main', checkpoint: cpAt(1, R[0].hash), checkpointKeys: [KEY] })).ok).toBe(true);
	});

	test('a log cut off before the checkpointed record is truncated', async () => {
		expect(await verify(L.slice(0, 3), { checkpoint: cpAt(4, R[3].hash), checkpointKeys: [KEY] })).toEqual({
			ok: false,
			recordsChecked: 3,
			headSeq: 3,
			headHash: R[2].hash,
			firstBad: bad(4, 4, 'truncated', `log ends at seq 3 but the checkpoint of ${TIME} covers seq 4: records were removed from the end`),
			checkpoint: { seq: 4, verified: false },
		});
		expect((await verify([], { checkpoint: cpAt(1, R[0].hash), checkpointKeys: [KEY] })).firstBad).toEqual(
			bad(1, 1, 'truncated', `log ends at seq 0 but the checkpoint of ${TIME} covers seq 1: records were removed from the end`),
		);
	});

	test('a rewritten record at the checkpointed seq', async () => {
		expect((await verify(L, { checkpoint: cpAt(2, 'ee'.repeat(32)), checkpointKeys: [KEY] })).firstBad).toEqual(
			bad(2, 2, 'bad_checkpoint', 'line 2: seq 2 differs from the checkpointed record'),
		);
	});

	test('a checkpoint of the empty log must carry the zero hash', async () => {
		for (const lines of [[], L]) {
			expect(await verify(lines, { checkpoint: cpAt(0, R[0].hash), checkpointKeys: [KEY] })).toMatchObject({
				ok: false,
				firstBad: bad(null, 0, 'bad_checkpoint', 'checkpoint of an empty log must carry the zero hash'),
				checkpoint: { seq: 0, verified: false },
			});
		}
	});

	test('any failure leaves the checkpoint unverified', async () => {
		expect((await verify([L[0], 'garbage'], { checkpoint: cpAt(1, R[0].hash), checkpointKeys: [KEY] })).checkpoint).toEqual({ seq: 1, verified: false });
	});
});

describe('resuming after a verified prefix', () => {
	test('continues the chain, line numbers and seqs; counts only new records', async () => {
		const resumeFrom = { seq: 2, hash: R[1].hash, line: 2 };
		expect(await verify(L.slice(2), { resumeFrom })).toEqual({ ok: true, recordsChecked: 2, headSeq: 4, headHash: R[3].hash });
		expect((await verify(['garbage'], { resumeFrom })).firstBad).toEqual(bad(3, 3, 'malformed', expect.stringMatching(/^line 3: /)));
		expect((await verify(L.slice(2), { resumeFrom: { ...resumeFrom, hash: R[0].hash } })).firstBad).toEqual(
			bad(3, 3, 'prev_hash_mismatch', 'line 3: seq 3 does not link to the record before it'),
		);
		expect(await verify([], { resumeFrom })).toEqual({ ok: true, recordsChecked: 0, headSeq: 2, headHash: R[1].hash });
	});
});

describe('verifyFile', () => {
	let dir: string;
	beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hitl-verify-'))));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	test('reads the file line by line, refusing a line over the record limit', async () => {
		const path = join(dir, 'log.jsonl');
		writeFileSync(path, `${L.join('\n')}\n`);
		expect(await verifyFile(path)).toEqual({ ok: true, recordsChecked: 4, headSeq: 4, headHash: R[3].hash });
		writeFileSync(path, `${L[0]}\n${'x'.repeat(MAX_RECORD_BYTES + 1)}\n`);
		expect(await verifyFile(path)).toMatchObject({ ok: false, recordsChecked: 1, firstBad: { seq: 2, line: 2, reason: 'malformed' } });
	});

	test('verifies a byte range with start and end', async () => {
		const path = join(dir, 'range.jsonl');
		writeFileSync(path, `${L.join('\n')}\n`);
		const start = Buffer.byteLength(`${L[0]}\n${L[1]}\n`);
		const end = Buffer.byteLength(`${L.slice(0, 3).join('\n')}\n`);
		expect(await verifyFile(path, { start, end, resumeFrom: { seq: 2, hash: R[1].hash, line: 2 } })).toEqual({
			ok: true,
			recordsChecked: 1,
			headSeq: 3,
			headHash: R[2].hash,
		});
	});
});
