/**
 * Proof files: c2sp.org/tlog-proof@v1 inclusion proofs, and a consistency-proof file of our own.
 *
 * Why: a review record's inclusion proof plus the signed checkpoint it leads to is a self-contained,
 * offline-verifiable receipt (a "spicy signature") an auditor can keep next to the record. The
 * tlog-proof format is read by other transparency-log tools; C2SP defines no file for consistency
 * proofs, so that one is ours.
 *
 * tlog-proof (https://c2sp.org/tlog-proof), every line ending in "\n":
 *
 *     c2sp.org/tlog-proof@v1
 *     extra <base64>          (optional, unauthenticated application data)
 *     index <decimal>
 *     <base64 hash>           (zero or more: the RFC 6962 inclusion proof, leaf's sibling first)
 *     <empty line>
 *     <signed checkpoint, verbatim>
 *
 * Consistency proof (`n8n-nodes-hitl/consistency-proof@v1`), every line ending in "\n":
 *
 *     n8n-nodes-hitl/consistency-proof@v1
 *     old <decimal>           (size of the older tree)
 *     new <decimal>           (size of the newer tree, at least old)
 *     <base64 hash>           (zero or more: the RFC 6962 consistency proof, in proof order)
 *
 * Both parsers are strict (decimals without leading zeros up to 2^53-1, canonical base64 of 32-byte
 * hashes, no CR, nothing after the last line) and say what is wrong. Parsing checks the structure
 * only: the checkpoint's signatures (openCheckpoint) and the hashes against a tree (merkle.ts) are
 * checked by the caller. The checkpoint's text must parse and its signature lines must look like
 * signature lines, so the example of the C2SP spec, whose signatures are elided, still parses.
 */
import { HASH_SIZE, parseCheckpointText, parseTreeSize, type TreeHead } from './checkpoint';
import { decodeBase64Strict, isWellFormed, NoteError, SIGNATURE_PREFIX } from './note';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
export const CONSISTENCY_PROOF_HEADER = 'n8n-nodes-hitl/consistency-proof@v1';
/** More hashes than any tree of at most 2^53 leaves needs. */
export const MAX_PROOF_HASHES = 128;

export interface TlogProof {
	index: number;
	hashes: Buffer[];
	/** The signed checkpoint note, verbatim. */
	checkpoint: string;
	/** Opaque, unauthenticated extra data; null when the line is absent. */
	extra: Buffer | null;
}

export interface ConsistencyProof {
	oldSize: number;
	newSize: number;
	hashes: Buffer[];
}

function malformed(what: string, why: string): NoteError {
	return new NoteError('malformed', `Malformed ${what}: ${why}`);
}

function checkHashes(what: string, hashes: readonly Buffer[]): void {
	if (!Array.isArray(hashes)) throw malformed(what, 'hashes must be an array');
	if (hashes.length > MAX_PROOF_HASHES) throw malformed(what, `more than ${MAX_PROOF_HASHES} hashes`);
	hashes.forEach((h, i) => {
		if (!Buffer.isBuffer(h) || h.length !== HASH_SIZE) throw malformed(what, `hash ${i + 1} is not ${HASH_SIZE} bytes`);
	});
}

function checkSize(what: string, field: string, n: number): void {
	if (!Number.isSafeInteger(n) || n < 0) throw malformed(what, `${field} must be a non-negative safe integer`);
}

function checkText(what: string, text: string): void {
	if (typeof text !== 'string' || !isWellFormed(text)) throw malformed(what, 'not well-formed Unicode text');
	if (text.includes('\r')) throw malformed(what, 'carriage return (CRLF line endings are not allowed)');
	if (/[\x00-\x09\x0b-\x1f]/.test(text)) throw malformed(what, 'control character other than newline');
}

/** Reads the "\n"-terminated lines of a text. */
class Lines {
	private at = 0;

	constructor(
		private readonly text: string,
		private readonly what: string,
	) {
		checkText(what, text);
	}

	get done(): boolean {
		return this.at === this.text.length;
	}

	next(expecting: string): string {
		const end = this.text.indexOf('\n', this.at);
		if (end < 0) throw malformed(this.what, this.done ? `ends before ${expecting}` : 'last line has no newline');
		const line = this.text.slice(this.at, end);
		this.at = end + 1;
		return line;
	}

	rest(): string {
		return this.text.slice(this.at);
	}
}

function prefixed(what: string, line: string, prefix: string): string {
	if (!line.startsWith(`${prefix} `)) throw malformed(what, `expected "${prefix} <value>", got ${JSON.stringify(line)}`);
	return line.slice(prefix.length + 1);
}

function decimal(what: string, field: string, s: string): number {
	const n = parseTreeSize(s);
	if (n === null) throw malformed(what, `${field} ${JSON.stringify(s)} is not a decimal without leading zeros up to 2^53-1`);
	return n;
}

function hash(what: string, line: string, i: number): Buffer {
	const h = decodeBase64Strict(line);
	if (h === null || h.length !== HASH_SIZE) {
		throw malformed(what, `hash ${i} must be the canonical base64 of ${HASH_SIZE} bytes, got ${JSON.stringify(line)}`);
	}
	return h;
}

/**
 * The tree head of a signed checkpoint, checking its shape only: text, blank line, then lines
 * starting with "— ". Signatures are checked by openCheckpoint.
 */
export function checkpointShape(what: string, checkpoint: string): TreeHead {
	const split = checkpoint.lastIndexOf('\n\n');
	if (split < 0 || !checkpoint.endsWith('\n')) throw malformed(what, 'checkpoint is not a signed note');
	const signatures = checkpoint.slice(split + 2, -1);
	if (signatures === '' || signatures.split('\n').some((l) => !l.startsWith(SIGNATURE_PREFIX))) {
		throw malformed(what, 'checkpoint signature lines must start with "— "');
	}
	try {
		return parseCheckpointText(checkpoint.slice(0, split + 1));
	} catch (error) {
		throw malformed(what, error instanceof Error ? error.message : String(error));
	}
}

function checkTlogProof(proof: TlogProof): void {
	const what = 'tlog-proof';
	checkSize(what, 'index', proof.index);
	checkHashes(what, proof.hashes);
	if (proof.extra !== null && !Buffer.isBuffer(proof.extra)) throw malformed(what, 'extra must be a Buffer or null');
	checkText(what, proof.checkpoint);
	const head = checkpointShape(what, proof.checkpoint);
	if (proof.index >= head.size) {
		throw malformed(what, `index ${proof.index} is not below the checkpoint's tree size ${head.size}`);
	}
}

export function formatTlogProof(proof: TlogProof): string {
	checkTlogProof(proof);
	const extra = proof.extra === null ? '' : `extra ${proof.extra.toString('base64')}\n`;
	const hashes = proof.hashes.map((h) => `${h.toString('base64')}\n`).join('');
	return `${TLOG_PROOF_HEADER}\n${extra}index ${proof.index}\n${hashes}\n${proof.checkpoint}`;
}

export function parseTlogProof(text: string): TlogProof {
	const what = 'tlog-proof';
	const lines = new Lines(text, what);
	if (lines.next('the header') !== TLOG_PROOF_HEADER) throw malformed(what, `first line must be ${TLOG_PROOF_HEADER}`);
	let line = lines.next('the index line');
	let extra: Buffer | null = null;
	if (line.startsWith('extra ')) {
		extra = decodeBase64Strict(line.slice('extra '.length));
		if (extra === null) throw malformed(what, 'extra data is not canonical base64');
		line = lines.next('the index line');
	}
	const index = decimal(what, 'index', prefixed(what, line, 'index'));
	const hashes: Buffer[] = [];
	for (line = lines.next('the blank line before the checkpoint'); line !== ''; line = lines.next('the blank line')) {
		if (hashes.length === MAX_PROOF_HASHES) throw malformed(what, `more than ${MAX_PROOF_HASHES} hashes`);
		hashes.push(hash(what, line, hashes.length + 1));
	}
	if (lines.done) throw malformed(what, 'no checkpoint after the blank line');
	const proof: TlogProof = { index, hashes, checkpoint: lines.rest(), extra };
	checkTlogProof(proof);
	return proof;
}

function checkConsistencyProof(proof: ConsistencyProof): void {
	const what = 'consistency proof';
	checkSize(what, 'old size', proof.oldSize);
	checkSize(what, 'new size', proof.newSize);
	if (proof.oldSize > proof.newSize) throw malformed(what, `old size ${proof.oldSize} exceeds new size ${proof.newSize}`);
	checkHashes(what, proof.hashes);
	if ((proof.oldSize === 0 || proof.oldSize === proof.newSize) && proof.hashes.length > 0) {
		throw malformed(what, 'a proof from the empty tree or to the same size has no hashes');
	}
}

export function formatConsistencyProof(proof: ConsistencyProof): string {
	checkConsistencyProof(proof);
	const hashes = proof.hashes.map((h) => `${h.toString('base64')}\n`).join('');
	return `${CONSISTENCY_PROOF_HEADER}\nold ${proof.oldSize}\nnew ${proof.newSize}\n${hashes}`;
}

export function parseConsistencyProof(text: string): ConsistencyProof {
	const what = 'consistency proof';
	const lines = new Lines(text, what);
	if (lines.next('the header') !== CONSISTENCY_PROOF_HEADER) {
		throw malformed(what, `first line must be ${CONSISTENCY_PROOF_HEADER}`);
	}
	const oldSize = decimal(what, 'old size', prefixed(what, lines.next('the old size'), 'old'));
	const newSize = decimal(what, 'new size', prefixed(what, lines.next('the new size'), 'new'));
	const hashes: Buffer[] = [];
	while (!lines.done) {
		if (hashes.length === MAX_PROOF_HASHES) throw malformed(what, `more than ${MAX_PROOF_HASHES} hashes`);
		hashes.push(hash(what, lines.next('a hash'), hashes.length + 1));
	}
	const proof = { oldSize, newSize, hashes };
	checkConsistencyProof(proof);
	return proof;
}
