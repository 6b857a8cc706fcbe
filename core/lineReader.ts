/**
 * Streams the lines of a JSON Lines file with bounded memory. Splits on "\n" only (a stray "\r" is
 * part of a line, so it shows up as a malformed record instead of shifting line numbers), decodes
 * strict UTF-8, and gives up on a line longer than `maxLineBytes` without buffering the rest of it.
 */
import { createReadStream } from 'node:fs';

export interface RawLine {
	/** The line without its "\n"; null when it could not be read (see `error`). */
	text: string | null;
	/** False for a last line without "\n" (for a log: a write cut off by a crash). */
	terminated: boolean;
	/** Byte offset of the line's first byte in the file. */
	offset: number;
	error?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer): { text: string | null; error?: string } {
	try {
		return { text: decoder.decode(bytes) };
	} catch {
		return { text: null, error: 'invalid UTF-8' };
	}
}

export async function* readLines(
	path: string,
	options: { maxLineBytes: number; start?: number; end?: number },
): AsyncGenerator<RawLine> {
	if (options.end !== undefined && options.end <= (options.start ?? 0)) return;
	// `end` is inclusive in createReadStream; callers pass a byte count, so convert.
	const stream = createReadStream(path, {
		start: options.start ?? 0,
		end: options.end === undefined ? undefined : options.end - 1,
		highWaterMark: 256 * 1024,
	});
	let parts: Buffer[] = [];
	let partsLength = 0;
	let overlong = false;
	let lineStart = options.start ?? 0;
	let position = lineStart;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		let from = 0;
		while (from < chunk.length) {
			const nl = chunk.indexOf(10, from);
			const stop = nl === -1 ? chunk.length : nl;
			if (!overlong) {
				if (partsLength + (stop - from) > options.maxLineBytes) {
					overlong = true;
					parts = [];
					partsLength = 0;
				} else if (stop > from) {
					parts.push(chunk.subarray(from, stop));
					partsLength += stop - from;
				}
			}
			position += stop - from;
			if (nl === -1) break;
			const line: RawLine = overlong
				? { text: null, terminated: true, offset: lineStart, error: `line longer than ${options.maxLineBytes} bytes` }
				: { ...decode(parts.length === 1 ? parts[0] : Buffer.concat(parts, partsLength)), terminated: true, offset: lineStart };
			yield line;
			position += 1;
			lineStart = position;
			parts = [];
			partsLength = 0;
			overlong = false;
			from = nl + 1;
		}
	}
	if (overlong) {
		yield { text: null, terminated: false, offset: lineStart, error: `line longer than ${options.maxLineBytes} bytes` };
	} else if (partsLength > 0) {
		yield { ...decode(Buffer.concat(parts, partsLength)), terminated: false, offset: lineStart };
	}
}
