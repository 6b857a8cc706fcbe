/**
 * Tamper matrix: random logs, one kind of damage each; verification must find it and name the
 * first bad seq. The one thing a hash chain cannot see — records cut off the end, or a whole chain
 * rewritten by someone able to rewrite the file — needs a checkpoint kept elsewhere; both limits
 * are shown here as such. That every single field (and nested value) of every record is covered by
 * the hash is shown field by field in tamperEveryField.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

import { hasLoneSurrogate } from '../../../core/canonicalJson';
import { signCheckpoint } from '../../../core/checkpoint';
import { REVIEW_DECISIONS, type ReviewRecordInput } from '../../../core/store/types';
import { verifyFile } from '../../../core/verify';
import { buildLog, KEY, tempDir, toFileText } from './helpers';

const text = fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !hasLoneSurrogate(s));
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const input: fc.Arbitrary<ReviewRecordInput> = fc.record({
	event: fc.constantFrom('requested', 'viewed', 'decided', 'expired', 'note' as const),
	// The fields a reviewer's decision lives in, so random damage lands in them too.
	decision: fc.option(fc.constantFrom(...REVIEW_DECISIONS), { nil: null }),
	finalSha256: fc.option(hex64, { nil: null }),
	edits: fc.option(fc.array(fc.record({ path: text, before: fc.jsonValue({ maxDepth: 1 }), after: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 2 }), { nil: null }),
	reviewerId: fc.option(text, { nil: null }),
	comment: fc.option(text, { nil: null }),
	tier: fc.option(fc.constantFrom('low', 'medium', 'high' as const), { nil: null }),
	queueTimeMs: fc.option(fc.nat(), { nil: null }),
	details: fc.option(fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), { nil: null }),
});
const logArb = fc.array(input, { minLength: 3, maxLength: 25 });
const RUNS = 40;

describe('tamper matrix', () => {
	let dir: string;
	let cleanup: () => void;
	let n = 0;
	beforeAll(() => ({ dir, cleanup } = tempDir('tamper')));
	afterAll(() => cleanup());
	const file = (content: string | Buffer) => {
		const path = join(dir, `log-${n++}.jsonl`);
		writeFileSync(path, content);
		return path;
	};

	it('an untouched random log verifies', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, async (inputs) => {
				const { lines, records } = buildLog(inputs);
				const result = await verifyFile(file(toFileText(lines)));
				expect(result).toEqual({ ok: true, recordsChecked: records.length, headSeq: records.length, headHash: records[records.length - 1].hash });
			}),
			{ numRuns: RUNS },
		);
	});

	it('a one-byte edit anywhere is detected at the edited record', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (inputs, at, delta) => {
				const { lines } = buildLog(inputs);
				const bytes = Buffer.from(toFileText(lines), 'utf8');
				const pos = at % bytes.length;
				bytes[pos] = (bytes[pos] + delta) % 256;
				// Index of the record whose line holds the edited byte (its "\n" belongs to it).
				const before = Buffer.from(toFileText(lines), 'utf8').subarray(0, pos).filter((b) => b === 10).length;
				const result = await verifyFile(file(bytes));
				expect(result.ok).toBe(false);
				expect(result.firstBad?.seq).toBe(before + 1);
			}),
			{ numRuns: RUNS * 3 },
		);
	});

	it('a deleted record (not the last) is reported as a gap at its seq', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, fc.nat(), async (inputs, at) => {
				const { lines } = buildLog(inputs);
				const i = at % (lines.length - 1);
				const result = await verifyFile(file(toFileText(lines.filter((_, j) => j !== i))));
				expect(result).toMatchObject({ ok: false, firstBad: { seq: i + 1, line: i + 1, reason: 'gap' } });
			}),
			{ numRuns: RUNS },
		);
	});

	it('two swapped records are reported as a reorder at the first of them', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, fc.nat(), async (inputs, at) => {
				const { lines } = buildLog(inputs);
				const i = at % (lines.length - 1);
				const swapped = [...lines];
				[swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
				const result = await verifyFile(file(toFileText(swapped)));
				expect(result).toMatchObject({ ok: false, firstBad: { seq: i + 1, line: i + 1, reason: 'reorder' } });
			}),
			{ numRuns: RUNS },
		);
	});

	it('a record moved further away is found at its old place', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(input, { minLength: 4, maxLength: 20 }), fc.nat(), async (inputs, at) => {
				const { lines } = buildLog(inputs);
				const i = at % (lines.length - 2);
				const moved = [...lines.slice(0, i), ...lines.slice(i + 1), lines[i]];
				const result = await verifyFile(file(toFileText(moved)));
				expect(result.ok).toBe(false);
				expect(result.firstBad?.seq).toBe(i + 1);
				expect(['gap', 'reorder']).toContain(result.firstBad?.reason);
			}),
			{ numRuns: RUNS },
		);
	});

	it('a duplicated record is reported as a duplicate right after the original', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, fc.nat(), async (inputs, at) => {
				const { lines } = buildLog(inputs);
				const i = at % lines.length;
				const dup = [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)];
				const result = await verifyFile(file(toFileText(dup)));
				expect(result).toMatchObject({ ok: false, firstBad: { seq: i + 2, line: i + 2, reason: 'duplicate' } });
			}),
			{ numRuns: RUNS },
		);
	});

	it('an inserted record is detected: a foreign one where it is, a well-forged one at the next record', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, input, fc.nat(), async (inputs, extra, at) => {
				const { lines } = buildLog(inputs);
				const i = at % lines.length; // insert after line i
				// Foreign: a record of the same chain from another log, claiming the right seq.
				const other = buildLog([...inputs.slice(0, i + 1).map(() => ({ event: 'note' as const, comment: 'from another log' })), extra]).lines[i + 1];
				const foreign = await verifyFile(file(toFileText([...lines.slice(0, i + 1), other, ...lines.slice(i + 1)])));
				expect(foreign).toMatchObject({ ok: false, firstBad: { seq: i + 2, line: i + 2, reason: 'prev_hash_mismatch' } });
				// Forged: correctly chained to record i; then the real record i+2 no longer fits.
				const forged = buildLog([...inputs.slice(0, i + 1), extra]).lines[i + 1];
				const result = await verifyFile(file(toFileText([...lines.slice(0, i + 1), forged, ...lines.slice(i + 1)])));
				if (i === lines.length - 1) {
					expect(result.ok).toBe(true); // an appended forgery is just a new record: see "rewritten chain" below
				} else {
					expect(result).toMatchObject({ ok: false, firstBad: { seq: i + 3, line: i + 3, reason: 'duplicate' } });
				}
			}),
			{ numRuns: RUNS },
		);
	});

	it('a cut-off tail: undetected without a checkpoint (the documented limit), detected with one', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, fc.integer({ min: 1, max: 3 }), async (inputs, k) => {
				const { lines, records } = buildLog(inputs);
				const head = records[records.length - 1];
				const checkpoint = signCheckpoint({ chain: 'main', seq: head.seq, headHash: head.hash, time: '2026-02-01T00:00:00.000Z' }, KEY);
				const cut = lines.slice(0, Math.max(0, lines.length - k));
				const path = file(toFileText(cut));
				const without = await verifyFile(path);
				expect(without.ok).toBe(true);
				expect(without.headSeq).toBe(cut.length);
				const withCp = await verifyFile(path, { checkpoint, checkpointKeys: [KEY] });
				expect(withCp).toMatchObject({ ok: false, firstBad: { seq: cut.length + 1, reason: 'truncated' }, checkpoint: { seq: head.seq, verified: false } });
				const full = await verifyFile(file(toFileText(lines)), { checkpoint, checkpointKeys: [KEY] });
				expect(full).toMatchObject({ ok: true, checkpoint: { seq: head.seq, verified: true } });
			}),
			{ numRuns: RUNS },
		);
	});

	it('a rewritten chain (every hash recomputed) passes alone but fails against a checkpoint', async () => {
		await fc.assert(
			fc.asyncProperty(logArb, fc.nat(), async (inputs, at) => {
				const { records } = buildLog(inputs);
				const head = records[records.length - 1];
				const checkpoint = signCheckpoint({ chain: 'main', seq: head.seq, headHash: head.hash, time: '2026-02-01T00:00:00.000Z' }, KEY);
				const i = at % inputs.length;
				const altered = inputs.map((x, j) => (j === i ? { ...x, comment: `${x.comment ?? ''}!` } : x));
				const path = file(toFileText(buildLog(altered).lines));
				expect((await verifyFile(path)).ok).toBe(true);
				expect(await verifyFile(path, { checkpoint, checkpointKeys: [KEY] })).toMatchObject({
					ok: false,
					firstBad: { seq: head.seq, reason: 'bad_checkpoint' },
				});
			}),
			{ numRuns: RUNS },
		);
	});

	it('a forged or foreign checkpoint is refused', async () => {
		const { lines, records } = buildLog([{ event: 'note' }, { event: 'note' }]);
		const path = file(toFileText(lines));
		const head = records[1];
		const cp = signCheckpoint({ chain: 'main', seq: 2, headHash: head.hash, time: '2026-02-01T00:00:00.000Z' }, KEY);
		const cases: unknown[] = [
			{ ...cp, seq: 1 },
			{ ...cp, mac: cp.mac.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
			{ ...cp, extra: 1 },
			signCheckpoint({ chain: 'main', seq: 2, headHash: head.hash, time: cp.time }, { keyId: 'k1', secret: 'another-secret-that-is-long-enough-0123' }),
			signCheckpoint({ chain: 'main', seq: 2, headHash: head.hash, time: cp.time }, { keyId: 'k9', secret: KEY.secret }),
			'not json',
		];
		for (const bad of cases) {
			const result = await verifyFile(path, { checkpoint: bad, checkpointKeys: [KEY] });
			expect(result).toMatchObject({ ok: false, firstBad: { reason: 'bad_checkpoint' } });
		}
		// Key rotation: a checkpoint signed with the previous key still verifies when that key is configured.
		const old = { keyId: 'k0', secret: 'previous-checkpoint-secret-0123456789' };
		const byOld = signCheckpoint({ chain: 'main', seq: 2, headHash: head.hash, time: cp.time }, old);
		expect((await verifyFile(path, { checkpoint: byOld, checkpointKeys: [KEY, old] })).ok).toBe(true);
	});
});
