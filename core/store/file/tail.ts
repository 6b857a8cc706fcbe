/** Reads the end of a log file: its last complete line and any cut-off bytes after it. */
import type { FileHandle } from 'node:fs/promises';

import { MAX_RECORD_BYTES } from '../../chain';
import { StoreCorruptError } from '../errors';

export interface Tail {
	/** The last "\n"-terminated line (without "\n", null if not valid UTF-8) and its offset; null for none. */
	last: { text: string | null; offset: number } | null;
	/** Bytes after the last "\n" (a write cut off mid-way), with their offset; null for none. */
	torn: { offset: number; bytes: Buffer } | null;
}

/** A window that always holds a complete maximal line plus a maximal cut-off line after it. */
const WINDOW = 2 * (MAX_RECORD_BYTES + 1);
const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array): string | null {
	try {
		return decoder.decode(bytes);
	} catch {
		return null;
	}
}

export async function readTail(fd: FileHandle, size: number): Promise<Tail> {
	if (size === 0) return { last: null, torn: null };
	const start = Math.max(0, size - WINDOW);
	const buf = Buffer.alloc(size - start);
	const { bytesRead } = await fd.read(buf, 0, buf.length, start);
	if (bytesRead !== buf.length) throw new StoreCorruptError('The review log changed size while it was being read');
	let tornAt: number;
	if (buf[buf.length - 1] === 10) {
		tornAt = size;
	} else {
		const nl = buf.lastIndexOf(10);
		if (nl === -1 && start > 0) {
			throw new StoreCorruptError(
				`The last ${buf.length} bytes of the review log contain no line break: this is not a cut-off record but damage. Restore the file from a backup or move it aside.`,
			);
		}
		tornAt = nl === -1 ? 0 : start + nl + 1;
	}
	const torn = tornAt < size ? { offset: tornAt, bytes: Buffer.from(buf.subarray(tornAt - start)) } : null;
	if (tornAt === 0) return { last: null, torn };
	const endRel = tornAt - 1 - start; // index of the "\n" that ends the last complete line
	const prevNl = endRel === 0 ? -1 : buf.lastIndexOf(10, endRel - 1);
	if (prevNl === -1 && start > 0) {
		throw new StoreCorruptError('The last line of the review log is longer than the record size limit: the file is damaged.');
	}
	const lineStartRel = prevNl + 1;
	return {
		last: { text: decode(buf.subarray(lineStartRel, endRel)), offset: start + lineStartRel },
		torn,
	};
}
