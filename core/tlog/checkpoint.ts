/**
 * Transparency-log checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n]*
 *
 * Why: a checkpoint signed with an Ed25519 note key lets anyone holding only the public verifier key
 * check the tree head of the review log, in the format Go's sumdb/tlog, witnesses and monitors read.
 * The signer's key name SHOULD equal the origin (so `example.com/log` signs as `example.com/log`);
 * that is what callers do, but other names are allowed for cosigners.
 *
 * Parsing is strict so that one tree head has exactly one text: the size is decimal without leading
 * zeros ("0" for the empty tree) and at most Number.MAX_SAFE_INTEGER, the root is the canonical
 * base64 of 32 bytes, the origin and every extension line are non-empty. Go's tlog.ParseTree is
 * the same except that it tolerates non-zero base64 padding bits.
 */
import {
	decodeBase64Strict,
	isWellFormed,
	NoteError,
	type NoteSigner,
	type NoteVerifier,
	openNote,
	type OpenedNote,
	signNote,
} from './note';

export const HASH_SIZE = 32;
/** Longest accepted checkpoint text, as Go's tlog.ParseTree. */
export const MAX_CHECKPOINT_TEXT = 1_000_000;

export interface TreeHead {
	origin: string;
	size: number;
	root: Buffer;
	/** Extension lines without their newlines; usually none. */
	extensions: string[];
}

export interface OpenedCheckpoint {
	head: TreeHead;
	/** Names of the verifiers whose signatures checked out, in note order. */
	verifiedBy: string[];
	note: OpenedNote;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const CONTROL = /[\x00-\x1f]/;

function malformed(why: string): NoteError {
	return new NoteError('malformed', `Malformed checkpoint: ${why}`);
}

/** A tree size as the checkpoint spells it; null unless canonical and a safe integer. */
export function parseTreeSize(s: string): number | null {
	if (!DECIMAL.test(s)) return null;
	const n = Number(s);
	return Number.isSafeInteger(n) ? n : null;
}

function checkLine(line: unknown, what: string): string {
	if (typeof line !== 'string' || line === '') throw malformed(`${what} must be non-empty text`);
	if (CONTROL.test(line)) throw malformed(`${what} must not contain newlines or control characters`);
	if (!isWellFormed(line)) throw malformed(`${what} is not well-formed Unicode`);
	return line;
}

export function formatCheckpointText(head: TreeHead): string {
	const origin = checkLine(head.origin, 'origin');
	if (!Number.isSafeInteger(head.size) || head.size < 0) {
		throw malformed('size must be a non-negative safe integer');
	}
	if (!Buffer.isBuffer(head.root) || head.root.length !== HASH_SIZE) {
		throw malformed(`root must be ${HASH_SIZE} bytes`);
	}
	const extensions = (head.extensions ?? []).map((line) => checkLine(line, 'extension line'));
	return [origin, String(head.size), head.root.toString('base64'), ...extensions].map((l) => `${l}\n`).join('');
}

export function parseCheckpointText(text: string): TreeHead {
	if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('text must end with a newline');
	if (text.length > MAX_CHECKPOINT_TEXT) throw malformed('text too long');
	const lines = text.slice(0, -1).split('\n');
	if (lines.length < 3) throw malformed('needs origin, size and root hash lines');
	const [origin, sizeLine, rootLine, ...extensions] = lines;
	checkLine(origin, 'origin');
	const size = parseTreeSize(sizeLine);
	if (size === null) {
		throw malformed(`size ${JSON.stringify(sizeLine)} is not a decimal without leading zeros up to 2^53-1`);
	}
	const root = decodeBase64Strict(rootLine);
	if (root === null || root.length !== HASH_SIZE) {
		throw malformed(`root hash must be the canonical base64 of ${HASH_SIZE} bytes`);
	}
	extensions.forEach((line) => checkLine(line, 'extension line'));
	return { origin, size, root, extensions };
}

export function signCheckpoint(head: TreeHead, signer: NoteSigner): string {
	return signNote(formatCheckpointText(head), [signer]);
}

function checkOrigin(head: TreeHead, expectedOrigin: string | undefined): void {
	if (expectedOrigin !== undefined && head.origin !== expectedOrigin) {
		throw new NoteError(
			'wrong_origin',
			`Checkpoint is for log ${JSON.stringify(head.origin)}, expected ${JSON.stringify(expectedOrigin)}`,
		);
	}
}

/**
 * Opens a signed checkpoint: the note must verify (see openNote) and its text must be a checkpoint
 * for `expectedOrigin` when given. A checkpoint of another log that none of the verifiers signed is
 * reported as 'wrong_origin' rather than 'unverified', the more useful diagnosis.
 */
export function openCheckpoint(
	note: string | Buffer,
	verifiers: readonly NoteVerifier[],
	expectedOrigin?: string,
): OpenedCheckpoint {
	let opened: OpenedNote;
	try {
		opened = openNote(note, verifiers);
	} catch (error) {
		if (error instanceof NoteError && error.code === 'unverified' && error.note && expectedOrigin !== undefined) {
			let head: TreeHead | undefined;
			try {
				head = parseCheckpointText(error.note.text);
			} catch {
				// Not a checkpoint at all: report that it is unverified.
			}
			if (head) checkOrigin(head, expectedOrigin);
		}
		throw error;
	}
	const head = parseCheckpointText(opened.text);
	checkOrigin(head, expectedOrigin);
	return { head, verifiedBy: opened.verified.map((s) => s.name), note: opened };
}
