/**
 * The batch append's fast paths (issue 14: a batch's CPU per record) write what the code before them
 * wrote: the file store's group buffer (linesBuffer: lines encoded straight into one buffer, not joined
 * first) has the bytes of the joined text; a 1,000-record appendMany leaves the file the old
 * normaliseInput/createRecord (test/unit/canonical/oracle) would have written, and it verifies; the
 * Postgres inserts (placeholder tuples kept per position) send the SQL text and parameters the old
 * construction sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { JsonlReviewStore, linesBuffer } from '../../../core/store/file/jsonlStore';
import { fastAppend, insertRows, LOG_COLUMNS, recordRow, type StoredRow } from '../../../core/store/postgres/fastAppend';
import { LOG_TABLE } from '../../../core/store/postgres/schema';
import { verifyFile } from '../../../core/verify';
import * as chainV1 from '../canonical/oracle/chainV1';
import { tempDir } from './helpers';

const COLUMN_TYPES = ['text', 'bigint', 'char(64)', 'char(64)', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

function input(i: number) {
	// Non-ASCII in some records: the UTF-8 encoding of the buffer must match the joined text's.
	return { event: 'note' as const, reviewerId: `reviewer${i % 17}@example.com`, itemKey: `candidate-${i}`, tier: 'high' as const, comment: i % 7 === 0 ? `é ✓ \uD83D\uDE00 ${i}` : `bench record ${i}`, details: { i } };
}

/** The old code's lines for these inputs, chained from the start at one time (what the store does per group). */
function oldLines(inputs: unknown[], chain: string, recordedAt: string): { lines: string[]; rows: StoredRow[] } {
	const lines: string[] = [];
	const rows: StoredRow[] = [];
	let prev = { seq: 0, hash: chainV1.ZERO_HASH };
	for (const i of inputs) {
		const { record, line } = chainV1.createRecord(chainV1.normaliseInput(i), { chain, seq: prev.seq + 1, prevHash: prev.hash, recordedAt });
		lines.push(line);
		rows.push({ record, line });
		prev = record;
	}
	return { lines, rows };
}

describe('linesBuffer', () => {
	it('gives the bytes of Buffer.from(lines.slice(from, to).join("\\n") + "\\n"), any text, any range', () => {
		fc.assert(
			fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })), { maxLength: 12 }), fc.nat(), fc.nat(), (lines, a, b) => {
				const from = lines.length === 0 ? 0 : a % (lines.length + 1);
				const to = from + (lines.length - from === 0 ? 0 : b % (lines.length - from + 1));
				const expected = Buffer.from(`${lines.slice(from, to).join('\n')}${to > from ? '\n' : ''}`, 'utf8');
				expect(linesBuffer(lines, from, to).equals(expected)).toBe(true);
			}),
			{ numRuns: 2000 },
		);
		expect(linesBuffer(['a', 'é', '\uD83D\uDE00'], 0, 3).toString('hex')).toBe(Buffer.from('a\né\n\uD83D\uDE00\n').toString('hex'));
	});
});

describe('a 1,000-record appendMany on the file store', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({ dir, cleanup } = tempDir('batch-bytes')));
	afterEach(() => cleanup());

	it('writes byte for byte what the old record code gives for the same input and time, and verifies', async () => {
		const at = new Date('2026-12-02T12:00:00.000Z');
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'bytes', now: () => at });
		const inputs = Array.from({ length: 1000 }, (_, i) => input(i));
		try {
			const written = await store.appendMany(inputs);
			const { lines, rows } = oldLines(inputs, 'bytes', at.toISOString());
			expect(readFileSync(join(dir, 'bytes.jsonl')).equals(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'))).toBe(true);
			expect(written.map((r) => JSON.stringify(r))).toEqual(rows.map((r) => JSON.stringify(r.record)));
			const result = await verifyFile(join(dir, 'bytes.jsonl'), { chain: 'bytes' });
			expect(result.ok).toBe(true);
			expect(result.recordsChecked).toBe(1000);
		} finally {
			await store.close();
		}
	});
});

describe('Postgres inserts with kept placeholder tuples', () => {
	/** What the code before the tuple cache sent (insertRows). */
	function oldInsert(rows: readonly StoredRow[]): { text: string; values: unknown[] } {
		const params: unknown[] = [];
		const values = rows.map((row) => {
			const base = params.length;
			params.push(...recordRow(row));
			return `(${LOG_COLUMNS.map((_, k) => `$${base + k + 1}`).join(', ')})`;
		});
		return { text: `INSERT INTO ${LOG_TABLE} (${LOG_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, values: params };
	}
	/** The VALUES list the code before the tuple cache built in fastAppend, for `first` leading parameters. */
	function oldFastValues(rows: readonly StoredRow[], first: number): string {
		let n = first;
		return rows.map(() => {
			const base = n;
			n += LOG_COLUMNS.length;
			return `(${COLUMN_TYPES.map((type, k) => `$${base + k + 1}::${type}`).join(', ')})`;
		}).join(', ');
	}

	const { rows } = oldLines(Array.from({ length: 201 }, (_, i) => input(i)), 'pg', '2026-12-02T12:00:00.000Z');

	it('insertRows sends the same SQL text and parameters, for every row count, cached or not', async () => {
		for (const round of [1, 2]) {
			for (const n of [1, 2, 3, 50, 199, 200, 201]) {
				const sent: Array<{ text: string; values: unknown[] }> = [];
				await insertRows({ query: (async (text: string, values: unknown[]) => void sent.push({ text, values })) as never }, rows.slice(0, n));
				expect({ round, n, ...sent[0] }).toEqual({ round, n, ...oldInsert(rows.slice(0, n)) });
			}
		}
	});

	it('fastAppend sends the same VALUES list and parameters, with and without a head', async () => {
		for (const round of [1, 2]) {
			for (const head of [{ seq: 0, hash: chainV1.ZERO_HASH }, { seq: 5, hash: 'ab'.repeat(32) }]) {
				for (const n of [1, 2, 100, 200]) {
					const sent: Array<{ text: string; values: unknown[] }> = [];
					const pool = { query: (async (q: { text: string; values: unknown[] }) => (sent.push(q), { rowCount: n })) as never };
					expect(await fastAppend(pool, 'pg', head, rows.slice(0, n))).toBe(true);
					const first = head.seq === 0 ? 1 : 3;
					expect({ round, n, head: head.seq, values: sent[0].text.includes(`(VALUES ${oldFastValues(rows.slice(0, n), first)})`) }).toEqual({ round, n, head: head.seq, values: true });
					expect(sent[0].values).toEqual([...(head.seq === 0 ? ['pg'] : ['pg', head.seq, head.hash]), ...rows.slice(0, n).flatMap((r) => recordRow(r))]);
				}
			}
		}
	});
});
