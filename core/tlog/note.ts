/**
 * Signed notes (c2sp.org/signed-note) with Ed25519 keys, byte-compatible with Go's
 * golang.org/x/mod/sumdb/note (v0.7.0 and later: NewSigner, NewVerifier, Sign, Open).
 *
 * Why: the HMAC checkpoints of ../checkpoint.ts can only be checked by someone holding the secret.
 * A signed note is checked with a public "verifier key" alone, in a format that independent
 * transparency-log tools (Go's note package, witnesses, monitors) already read.
 *
 * A note is text ending in "\n", a blank line, then one or more lines
 * "— <key name> <base64(4-byte big-endian key hash || signature)>\n". The key hash is the first
 * 4 bytes of SHA-256(name || "\n" || 0x01 || 32-byte public key). Keys are text:
 * "<name>+<hash8hex>+<base64(0x01 || public key)>" and "PRIVATE+KEY+<name>+<hash8hex>+<base64(0x01 || seed)>".
 *
 * openNote follows note.Open step by step: the same syntax checks, at most 100 signature lines,
 * unknown keys listed (identical lines once), only the first signature of a known key checked
 * (later ones by that key are skipped unchecked, as Go does), one bad signature of a known key
 * fails the whole note, no good one fails it too ('unverified', with the parsed note attached).
 * Two verifiers with the same name and hash make a note they signed fail ('bad_key', Go's
 * "ambiguous key"). Deliberately stricter than Go, never more lenient: base64 must be canonical (Go
 * ignores non-zero padding bits and embedded newlines, so a note could be re-encoded without
 * breaking its signature), key hashes must be lowercase hex, and signNote refuses texts Go would
 * sign but no verifier could open (control characters) or with a line starting with "— " (it reads
 * like a signature line).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';

export type NoteErrorCode = 'malformed' | 'unverified' | 'invalid_signature' | 'bad_key' | 'wrong_origin';

export interface SignatureRef {
	name: string;
	keyHash: number;
}

export interface OpenedNote {
	/** The signed text, final newline included. */
	text: string;
	verified: SignatureRef[];
	/** Signatures by keys not among the verifiers, in order, identical lines listed once. */
	unverified: SignatureRef[];
}

export class NoteError extends Error {
	readonly code: NoteErrorCode;
	/** Set for 'unverified': the note as parsed, like Go's UnverifiedNoteError.Note. */
	readonly note?: OpenedNote;

	constructor(code: NoteErrorCode, message: string, note?: OpenedNote) {
		super(message);
		this.name = 'NoteError';
		this.code = code;
		if (note) this.note = note;
	}
}

export interface NoteSigner {
	readonly name: string;
	readonly keyHash: number;
	sign(message: Buffer): Buffer;
}

export interface NoteVerifier {
	readonly name: string;
	readonly keyHash: number;
	verify(message: Buffer, signature: Buffer): boolean;
}

export const ALG_ED25519 = 0x01;
/** Go's note.Open refuses a note with more signature lines than this. */
export const MAX_NOTE_SIGNATURES = 100;
export const SIGNATURE_PREFIX = '\u2014 ';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Go's unicode.IsSpace: not JavaScript's \s (which adds U+FEFF and lacks U+0085). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
/** ASCII control characters other than newline, forbidden anywhere in a note. */
const CONTROL = /[\x00-\x09\x0b-\x1f]/;
const HEX8 = /^[0-9a-f]{8}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** False for strings with lone surrogates, which have no UTF-8 encoding. */
export function isWellFormed(s: string): boolean {
	return Buffer.from(s, 'utf8').toString('utf8') === s;
}

/** Standard base64 with padding, in its one canonical spelling; null otherwise. */
export function decodeBase64Strict(s: string): Buffer | null {
	const bytes = Buffer.from(s, 'base64');
	return bytes.toString('base64') === s ? bytes : null;
}

/** Go's isValidName: non-empty, well-formed, no Unicode space, no "+". */
export function isValidKeyName(name: string): boolean {
	return typeof name === 'string' && name !== '' && isWellFormed(name) && !GO_SPACE.test(name) && !name.includes('+');
}

export function keyHash(name: string, keyBytesWithAlg: Buffer): number {
	return createHash('sha256').update(name, 'utf8').update('\n').update(keyBytesWithAlg).digest().readUInt32BE(0);
}

export function formatKeyHash(hash: number): string {
	return hash.toString(16).padStart(8, '0');
}

const badKey = (message: string): NoteError => new NoteError('bad_key', message);

function ed25519PublicKey(raw: Buffer): KeyObject {
	return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function rawPublicKey(key: KeyObject): Buffer {
	return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

/** The verifier key for a raw 32-byte Ed25519 public key (Go's NewEd25519VerifierKey). */
export function formatVerifierKey(name: string, publicKey: Buffer): string {
	if (!isValidKeyName(name)) throw badKey(`Invalid key name ${JSON.stringify(name)}`);
	if (!Buffer.isBuffer(publicKey) || publicKey.length !== 32) throw badKey('An Ed25519 public key is 32 bytes');
	const keyData = Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]);
	return `${name}+${formatKeyHash(keyHash(name, keyData))}+${keyData.toString('base64')}`;
}

/** name, hash and key data of "<name>+<hash8hex>+<base64>", checked as Go's NewVerifier does. */
function parseKeyParts(name: string, hash16: string, key64: string): { hash: number; key: Buffer } {
	if (!isValidKeyName(name)) throw badKey(`Invalid key name ${JSON.stringify(name)}`);
	if (!HEX8.test(hash16)) throw badKey(`Key hash of "${name}" must be 8 lowercase hex digits`);
	const key = decodeBase64Strict(key64);
	if (key === null || key.length === 0) throw badKey(`Key data of "${name}" is not canonical base64`);
	if (key[0] !== ALG_ED25519) throw badKey(`Key "${name}" uses an unknown algorithm ${key[0]}`);
	if (key.length !== 33) throw badKey(`Key "${name}" must hold 32 bytes of Ed25519 key data`);
	return { hash: parseInt(hash16, 16), key: key.subarray(1) };
}

/** Splits at the first `count` plus signs (base64 key data may hold more). */
function cutPlus(s: string, count: number): string[] | null {
	const parts: string[] = [];
	let rest = s;
	for (let i = 0; i < count; i++) {
		const at = rest.indexOf('+');
		if (at < 0) return null;
		parts.push(rest.slice(0, at));
		rest = rest.slice(at + 1);
	}
	parts.push(rest);
	return parts;
}

export function verifierFromKey(verifierKey: string): NoteVerifier & { verifierKey: string } {
	const parts = typeof verifierKey === 'string' ? cutPlus(verifierKey, 2) : null;
	if (!parts) throw badKey('A verifier key looks like <name>+<hash8hex>+<base64 key>');
	const [name, hash16, key64] = parts;
	const { hash, key } = parseKeyParts(name, hash16, key64);
	if (keyHash(name, Buffer.concat([Buffer.from([ALG_ED25519]), key])) !== hash) {
		throw badKey(`Key hash ${hash16} does not match the name and key of "${name}"`);
	}
	let publicKey: KeyObject;
	try {
		publicKey = ed25519PublicKey(key);
	} catch {
		throw badKey(`Key "${name}" is not an Ed25519 public key`);
	}
	return Object.freeze({
		name,
		keyHash: hash,
		verifierKey,
		verify(message: Buffer, signature: Buffer): boolean {
			if (signature.length !== 64) return false;
			try {
				return ed25519Verify(null, message, publicKey, signature);
			} catch {
				return false;
			}
		},
	});
}

export function signerFromPrivateKey(privateKey: string): NoteSigner & { verifierKey: string } {
	const parts = typeof privateKey === 'string' ? cutPlus(privateKey, 4) : null;
	if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
		throw badKey('A signer key looks like PRIVATE+KEY+<name>+<hash8hex>+<base64 key>');
	}
	const [, , name, hash16, key64] = parts;
	const { hash, key } = parseKeyParts(name, hash16, key64);
	const secret = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, key]), format: 'der', type: 'pkcs8' });
	const verifierKey = formatVerifierKey(name, rawPublicKey(createPublicKey(secret)));
	// The hash names the public key, so it can only be checked once that is derived.
	if (!verifierKey.startsWith(`${name}+${hash16}+`)) {
		throw badKey(`Key hash ${hash16} does not match the name and key of "${name}"`);
	}
	return Object.freeze({
		name,
		keyHash: hash,
		verifierKey,
		sign: (message: Buffer): Buffer => ed25519Sign(null, message, secret),
	});
}

export function generateNoteKey(name: string): { privateKey: string; verifierKey: string } {
	if (!isValidKeyName(name) || CONTROL.test(name)) throw badKey(`Invalid key name ${JSON.stringify(name)}`);
	const { privateKey, publicKey } = generateKeyPairSync('ed25519');
	const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
	const verifierKey = formatVerifierKey(name, rawPublicKey(publicKey));
	const hash16 = verifierKey.split('+')[1];
	const keyData = Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64');
	return { privateKey: `PRIVATE+KEY+${name}+${hash16}+${keyData}`, verifierKey };
}

/** Throws NoteError('malformed') unless `text` can be the text of a note we sign. */
export function assertNoteText(text: string): void {
	const fail = (why: string): never => {
		throw new NoteError('malformed', `Note text ${why}`);
	};
	if (typeof text !== 'string' || !text.endsWith('\n')) fail('must end with a newline');
	if (!isWellFormed(text)) fail('is not well-formed Unicode');
	if (CONTROL.test(text)) fail('must not contain control characters other than newline');
	if (text.startsWith(SIGNATURE_PREFIX) || text.includes(`\n${SIGNATURE_PREFIX}`)) {
		fail('must not have a line starting with "— " (it reads like a signature line)');
	}
}

export function signNote(text: string, signers: readonly NoteSigner[]): string {
	assertNoteText(text);
	if (!Array.isArray(signers) || signers.length === 0) throw new NoteError('malformed', 'A note needs a signer');
	const message = Buffer.from(text, 'utf8');
	let lines = '';
	for (const signer of signers) {
		const hash = signer.keyHash;
		if (!isValidKeyName(signer.name) || CONTROL.test(signer.name)) {
			throw badKey(`Invalid signer name ${JSON.stringify(signer.name)}`);
		}
		if (!Number.isInteger(hash) || hash < 0 || hash > 0xffffffff) throw badKey(`Invalid key hash for "${signer.name}"`);
		const signature = signer.sign(message);
		if (!Buffer.isBuffer(signature) || signature.length === 0) throw badKey(`Signer "${signer.name}" returned no signature`);
		const prefix = Buffer.alloc(4);
		prefix.writeUInt32BE(hash);
		lines += `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([prefix, signature]).toString('base64')}\n`;
	}
	return `${text}\n${lines}`;
}

const malformed = (why: string): NoteError => new NoteError('malformed', `Malformed note: ${why}`);

/** The note as a string; bytes must be UTF-8 (a byte order mark is kept, as Go keeps it). */
function noteString(message: string | Buffer): string {
	if (Buffer.isBuffer(message)) {
		try {
			return UTF8.decode(message);
		} catch {
			throw malformed('not valid UTF-8');
		}
	}
	if (typeof message !== 'string' || !isWellFormed(message)) throw malformed('not well-formed Unicode');
	return message;
}

export function openNote(message: string | Buffer, verifiers: readonly NoteVerifier[]): OpenedNote {
	const msg = noteString(message);
	if (CONTROL.test(msg)) throw malformed('control character other than newline');
	const split = msg.lastIndexOf('\n\n');
	if (split < 0) throw malformed('no blank line before the signatures');
	const text = msg.slice(0, split + 1);
	const block = msg.slice(split + 2);
	if (block === '' || !block.endsWith('\n')) throw malformed('signature block must be lines ending in newline');

	const known = verifiers ?? [];
	const textBytes = Buffer.from(text, 'utf8');
	const note: OpenedNote = { text, verified: [], unverified: [] };
	const seen = new Set<string>();
	const seenUnverified = new Set<string>();
	let count = 0;
	for (const line of block.slice(0, -1).split('\n')) {
		if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('signature line must start with "— "');
		const body = line.slice(SIGNATURE_PREFIX.length);
		const space = body.indexOf(' ');
		const name = space < 0 ? body : body.slice(0, space);
		const b64 = space < 0 ? '' : body.slice(space + 1);
		const raw = decodeBase64Strict(b64);
		if (raw === null || !isValidKeyName(name) || b64 === '' || raw.length < 5) {
			throw malformed(`bad signature line for ${JSON.stringify(name)}`);
		}
		const hash = raw.readUInt32BE(0);
		if (++count > MAX_NOTE_SIGNATURES) throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);

		const matches = known.filter((v) => v.name === name && v.keyHash === hash);
		const id = `${name}+${formatKeyHash(hash)}`;
		if (matches.length === 0) {
			if (!seenUnverified.has(body)) note.unverified.push({ name, keyHash: hash });
			seenUnverified.add(body);
			continue;
		}
		if (matches.length > 1) throw badKey(`Ambiguous key ${id}: several verifiers share its name and hash`);
		if (seen.has(id)) continue;
		seen.add(id);
		if (!matches[0].verify(textBytes, raw.subarray(4))) {
			throw new NoteError('invalid_signature', `Invalid signature for key ${id}`);
		}
		note.verified.push({ name, keyHash: hash });
	}
	if (note.verified.length === 0) {
		throw new NoteError('unverified', 'Note has no verifiable signatures', note);
	}
	return note;
}
