/**
 * CSV export of review records for spreadsheets (RFC 4180: comma, CRLF, double-quote escaping).
 * One column per record field in a fixed order; nested values (reasons, edits, details) as JSON; null as
 * an empty cell. Every data cell is quoted, so a separator inside a value (";" or tab for spreadsheets
 * set to split on those, "," for the rest) never starts a new cell. Cells that a spreadsheet would run
 * as a formula (OWASP "CSV injection": starting with = + - @ tab CR, plus LF and NUL, or with = + - @
 * after leading whitespace) get a leading single quote, so the CSV is for reading, not for verifying:
 * the JSON Lines export is the verifiable one. The header (fixed column names) stays unquoted. No n8n
 * import.
 */
import { BODY_FIELDS } from './chain';
import type { ReviewRecord } from './records';

/** Column order: chain position first, then the record body in the order of `ReviewRecordBody`. */
export const CSV_COLUMNS = [
	'seq',
	'recordedAt',
	...BODY_FIELDS,
	'chain',
	'v',
	'prevHash',
	'hash',
] as const satisfies ReadonlyArray<keyof ReviewRecord>;

/**
 * Starts a spreadsheet may read as a formula: OWASP's = + - @ tab CR, and (ASVS 1.2.10) NUL; LF too,
 * and = + - @ behind leading whitespace, for importers that trim cells before reading them.
 */
const FORMULA_START = /^[=+\-@\t\r\n\u0000]|^\s*[=+\-@]/;

/** One CSV cell: text form, formula-neutralised, always quoted (inner quotes doubled). */
export function csvCell(value: unknown): string {
	let text: string;
	if (value === null || value === undefined) text = '';
	else if (typeof value === 'string') text = value;
	else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
	else text = JSON.stringify(value);
	if (FORMULA_START.test(text)) text = `'${text}`;
	return `"${text.replace(/"/g, '""')}"`;
}

export function csvHeader(): string {
	return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvRow(record: ReviewRecord): string {
	return CSV_COLUMNS.map((c) => csvCell(record[c])).join(',') + '\r\n';
}

/** Streams the CSV text chunk by chunk (header first); `bom` adds a UTF-8 BOM so Excel reads UTF-8. */
export async function* recordsToCsv(
	records: AsyncIterable<ReviewRecord> | Iterable<ReviewRecord>,
	options: { bom?: boolean } = {},
): AsyncGenerator<string> {
	yield (options.bom ? '\uFEFF' : '') + csvHeader();
	for await (const r of records) yield csvRow(r);
}
