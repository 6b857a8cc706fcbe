import fc from 'fast-check';
import { CSV_COLUMNS, csvCell, csvHeader, csvRow, recordsToCsv } from '../../../core/exportCsv';
import { rec } from './records';

/** A small RFC 4180 parser (quoted fields, "" escapes, CRLF rows) to read our output back. */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') quoted = false;
			else cell += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(cell);
			cell = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else cell += c;
	}
	if (cell !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
	return rows;
}

async function collect(gen: AsyncIterable<string>): Promise<string> {
	let s = '';
	for await (const c of gen) s += c;
	return s;
}

describe('CSV cells', () => {
	it.each([
		['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
		['+1+1', "'+1+1"],
		['-2+3', "'-2+3"],
		['@SUM(A1)', "'@SUM(A1)"],
		['\tcmd', "'\tcmd"],
		['\rcmd', `"'\rcmd"`],
		['plain', 'plain'],
		['a,b', '"a,b"'],
		['line1\nline2', '"line1\nline2"'],
		['say "hi"', '"say ""hi"""'],
		['', ''],
	])('%j → %j', (input, expected) => {
		expect(csvCell(input)).toBe(expected);
	});

	it('null is empty, numbers plain, nested values JSON', () => {
		expect(csvCell(null)).toBe('');
		expect(csvCell(1500)).toBe('1500');
		expect(csvCell(['needs review', 'money'])).toBe('"[""needs review"",""money""]"');
		expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
		// A nested value whose JSON starts harmlessly is not prefixed.
		expect(csvCell([{ path: '=x', before: 1, after: 2 }])).toBe('"[{""path"":""=x"",""before"":1,""after"":2}]"');
	});

	it('no cell ever starts (after unquoting) with a formula character (property)', () => {
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('=', '+', '-', '@', '\t', '\r')), (s) => {
				const parsed = parseCsv(csvCell(s) + '\r\n')[0];
				expect(parsed).toHaveLength(1);
				expect(parsed[0]).not.toMatch(/^[=+\-@\t\r]/);
				// Reading back gives the original text, with at most the one-quote prefix added.
				expect([s, `'${s}`]).toContain(parsed[0]);
			}),
		);
	});
});

describe('CSV export of records', () => {
	const records = [
		rec(1, {
			event: 'decided',
			decision: 'approved_with_edits',
			reviewerId: 'alice@example.com',
			tier: 'high',
			tierReasons: ['candidate-facing send'],
			edits: [{ path: 'body', before: 'Hi,\n"old"', after: '=cmd|calc' }],
			comment: '=1+1',
			queueTimeMs: 1234,
		}),
		rec(2, { event: 'note', details: { text: 'ünïcödé ‮ RTL', n: 2 } }),
	];

	it('writes a header and one row per record, one column per field, that read back losslessly', async () => {
		const text = await collect(recordsToCsv(records));
		expect(text.startsWith(csvHeader())).toBe(true);
		const rows = parseCsv(text);
		expect(rows[0]).toEqual([...CSV_COLUMNS]);
		expect(rows).toHaveLength(3);
		const byCol = (r: string[]) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]));
		const first = byCol(rows[1]);
		expect(first.seq).toBe('1');
		expect(first.decision).toBe('approved_with_edits');
		expect(first.comment).toBe("'=1+1");
		expect(JSON.parse(first.edits)).toEqual(records[0].edits);
		expect(JSON.parse(first.tierReasons)).toEqual(['candidate-facing send']);
		expect(first.queueTimeMs).toBe('1234');
		expect(first.requesterId).toBe('');
		const second = byCol(rows[2]);
		expect(JSON.parse(second.details)).toEqual({ text: 'ünïcödé ‮ RTL', n: 2 });
		expect(second.hash).toBe(records[1].hash);
	});

	it('covers every record field exactly once', () => {
		expect([...CSV_COLUMNS].sort()).toEqual(Object.keys(records[0]).sort());
		expect(csvRow(records[0]).split('\r\n')).toHaveLength(2);
	});

	it('adds a UTF-8 BOM only when asked', async () => {
		expect((await collect(recordsToCsv([], { bom: true }))).charCodeAt(0)).toBe(0xfeff);
		expect(await collect(recordsToCsv([]))).toBe(csvHeader());
	});
});
