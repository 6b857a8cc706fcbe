/**
 * Signed notes (core/tlog/note.ts) against known answers from Go's golang.org/x/mod/sumdb/note and
 * the C2SP signed-note spec, and Go's own tests of note.Open ported case by case: a verifier that
 * merely agrees with our signer would accept what the signer gets wrong.
 *
 * Vectors:
 * - PeterNeumann / EnochRoot keys, texts and signatures: golang/mod sumdb/note/note.go package docs and
 *   note_test.go (TestNewVerifier, TestNewSigner, TestSign, TestOpen), tag v0.7.0 (what Debian ships).
 * - example.com/foo: C2SP/C2SP signed-note.md, "Verifier keys / Example".
 * - quasimodo.example/salvatore: C2SP/C2SP signed-note.md, opening example (its key is not published).
 */
import fc from 'fast-check';

import {
	generateNoteKey,
	isValidKeyName,
	keyHash,
	NoteError,
	type NoteVerifier,
	openNote,
	signerFromPrivateKey,
	signNote,
	verifierFromKey,
} from '../../../core/tlog/note';

const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_B64 = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const ENOCH_B64 = 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=';
const PETER_SIG = `— PeterNeumann ${PETER_B64}\n`;
const ENOCH_SIG = `— EnochRoot ${ENOCH_B64}\n`;
const PETER = { name: 'PeterNeumann', keyHash: 0xc74f20a3 };
const ENOCH = { name: 'EnochRoot', keyHash: 0xaf0cfe78 };

const peter = verifierFromKey(PETER_VKEY);
const enoch = verifierFromKey(ENOCH_VKEY);

function noteError(fn: () => unknown): NoteError {
	try {
		fn();
	} catch (error) {
		if (error instanceof NoteError) return error;
		throw error;
	}
	throw new Error('expected a NoteError');
}

describe('keys (Go note_test.go TestNewVerifier, TestNewSigner)', () => {
	it('computes Go key hashes', () => {
		const keyData = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64');
		expect(keyHash('PeterNeumann', keyData)).toBe(0xc74f20a3);
		expect(peter).toMatchObject(PETER);
		expect(enoch).toMatchObject(ENOCH);
	});

	it('derives the verifier key from the signer key', () => {
		const signer = signerFromPrivateKey(PETER_SKEY);
		expect(signer).toMatchObject(PETER);
		expect(signer.verifierKey).toBe(PETER_VKEY);
	});

	it.each([
		['wrong length key, with adjusted key hash', 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='],
		['unknown algorithm, with adjusted key hash', 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
		['upper-case hash (Go accepts it; we want the canonical spelling)', 'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
		['trailing newline', `${PETER_VKEY}\n`],
		['URL-safe base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW'],
	])('rejects a verifier key: %s', (_why, key) => {
		expect(noteError(() => verifierFromKey(key)).code).toBe('bad_key');
	});

	it('rejects every proper substring and every byte+1 of a key, as Go does', () => {
		for (const [key, parse] of [
			[PETER_VKEY, verifierFromKey],
			[PETER_SKEY, signerFromPrivateKey],
		] as const) {
			for (let i = 0; i <= key.length; i++) {
				for (let j = i + 1; j <= key.length; j++) {
					if (i !== 0 || j !== key.length) expect(() => parse(key.slice(i, j))).toThrow(NoteError);
				}
			}
			for (let i = 0; i < key.length; i++) {
				const mangled = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
				expect(noteError(() => parse(mangled)).code).toBe('bad_key');
			}
		}
	});

	it('generates keys that sign and verify, in Go key formats', () => {
		const { privateKey, verifierKey } = generateNoteKey('example.com/log');
		expect(privateKey).toMatch(/^PRIVATE\+KEY\+example\.com\/log\+[0-9a-f]{8}\+A[Q-f][A-Za-z0-9+/]{42}$/);
		expect(verifierKey).toMatch(/^example\.com\/log\+[0-9a-f]{8}\+A[Q-f][A-Za-z0-9+/]{42}$/);
		const signer = signerFromPrivateKey(privateKey);
		expect(signer.verifierKey).toBe(verifierKey);
		expect(openNote(signNote('hi\n', [signer]), [verifierFromKey(verifierKey)]).verified).toEqual([
			{ name: 'example.com/log', keyHash: signer.keyHash },
		]);
		expect(generateNoteKey('example.com/log').verifierKey).not.toBe(verifierKey);
		expect(noteError(() => generateNoteKey('bad name')).code).toBe('bad_key');
	});

	it('judges key names as Go does (unicode.IsSpace, not JavaScript \\s)', () => {
		for (const ok of ['PeterNeumann', 'example.com/log', 'a\ufeffb', 'a\u200bb', 'a\u180eb', 'ümlaut/日本']) {
			expect(isValidKeyName(ok)).toBe(true);
		}
		for (const bad of ['', 'a b', 'a+b', 'a\tb', 'a\u0085b', 'a\u00a0b', 'a\u2003b', 'a\u3000b', 'a\u2028b', 'a\ud800b']) {
			expect(isValidKeyName(bad)).toBe(false);
		}
	});
});

describe('signNote (Go TestSign)', () => {
	it("signs Go's example exactly as Go does (Ed25519 is deterministic)", () => {
		expect(signNote(TEXT, [signerFromPrivateKey(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
	});

	it.each([
		['no final newline', 'abc'],
		['a control character', 'a\x01b\n'],
		['a carriage return', 'a\r\n'],
		['a lone surrogate', 'a\ud800\n'],
		['a line that reads like a signature', 'a\n— PeterNeumann abc\n'],
		['a first line that reads like a signature', '— x\n'],
	])('refuses a text with %s', (_why, text) => {
		expect(noteError(() => signNote(text, [signerFromPrivateKey(PETER_SKEY)])).code).toBe('malformed');
	});

	it('refuses no signers and signers with bad names', () => {
		const signer = signerFromPrivateKey(PETER_SKEY);
		expect(noteError(() => signNote(TEXT, [])).code).toBe('malformed');
		expect(noteError(() => signNote(TEXT, [{ ...signer, name: 'bad name', sign: signer.sign }])).code).toBe('bad_key');
	});
});

describe('openNote (Go TestOpen)', () => {
	const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

	it("opens Go's signed note, one signature verified and one not", () => {
		expect(openNote(both, [peter])).toEqual({ text: TEXT, verified: [PETER], unverified: [ENOCH] });
		expect(openNote(Buffer.from(both, 'utf8'), [peter])).toEqual({ text: TEXT, verified: [PETER], unverified: [ENOCH] });
	});

	it('verifies both signatures', () => {
		expect(openNote(both, [peter, enoch])).toEqual({ text: TEXT, verified: [PETER, ENOCH], unverified: [] });
	});

	it('rejects a note no known key signed, attaching the parsed note', () => {
		const error = noteError(() => openNote(both, []));
		expect(error.code).toBe('unverified');
		expect(error.note).toEqual({ text: TEXT, verified: [], unverified: [PETER, ENOCH] });
	});

	it('rejects an ambiguous verifier list only when the ambiguous key signed', () => {
		expect(noteError(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch])).code).toBe('bad_key');
		expect(openNote(`${TEXT}\n${PETER_SIG}`, [enoch, peter, enoch]).verified).toEqual([PETER]);
	});

	it('rejects more than 100 signatures, known or not', () => {
		expect(noteError(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter])).code).toBe('malformed');
		expect(noteError(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [])).code).toBe('malformed');
		expect(openNote(`${TEXT}\n${PETER_SIG.repeat(100)}`, [peter]).verified).toEqual([PETER]);
	});

	const badPeter = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
	const badEnoch = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;

	it('rejects a bad signature by a known key', () => {
		const error = noteError(() => openNote(`${TEXT}\n${badPeter}`, [peter]));
		expect(error.code).toBe('invalid_signature');
		expect(error.message).toBe('Invalid signature for key PeterNeumann+c74f20a3');
		// A bad signature fails the note even beside a good one by another key.
		expect(noteError(() => openNote(`${TEXT}\n${ENOCH_SIG}${badPeter}`, [peter, enoch])).code).toBe('invalid_signature');
	});

	it('checks only the first signature of a known key and lists unknown ones once per line, as Go', () => {
		const msg = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${badEnoch}`;
		const enochAbcd = { name: 'EnochRoot', keyHash: 0xaf0cfe78 };
		expect(openNote(msg, [peter])).toEqual({ text: TEXT, verified: [PETER], unverified: [ENOCH, enochAbcd] });
		// Go skips later signatures by a key already seen, good or bad (checked against Go 0.7.0) ...
		expect(openNote(`${TEXT}\n${PETER_SIG}${badPeter}`, [peter]).verified).toEqual([PETER]);
		// ... so only the first one counts.
		expect(noteError(() => openNote(`${TEXT}\n${badPeter}${PETER_SIG}`, [peter])).code).toBe('invalid_signature');
	});

	it.each([
		['text only', TEXT],
		['no signature lines', `${TEXT}\n`],
		['no final newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
		['a control character', `\x01${TEXT}\n${PETER_SIG}`],
		['a bad key name', `${TEXT}\n— Bad Name ${PETER_B64}`],
		['a line after the signatures', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
		['CRLF line ends', `${TEXT}\n${PETER_SIG}`.replace(/\n/g, '\r\n')],
		['a blank line after the signatures', `${TEXT}\n${PETER_SIG}\n`],
		['a lone surrogate', `\ud800${TEXT}\n${PETER_SIG}`],
		['no signature after the name', `${TEXT}\n— PeterNeumann\n`],
		['an empty signature', `${TEXT}\n— PeterNeumann \n`],
		['a signature of 4 bytes', `${TEXT}\n— PeterNeumann x08gow==\n`],
		['two spaces after the name', `${TEXT}\n— PeterNeumann  ${PETER_B64}\n`],
		['a hyphen for the em dash', `${TEXT}\n- PeterNeumann ${PETER_B64}\n`],
		// Go decodes this to the same bytes and accepts it; we refuse re-encoded signatures.
		['non-canonical base64', `${TEXT}\n— PeterNeumann ${PETER_B64.replace('nAM=', 'nAN=')}\n`],
		['unpadded base64', `${TEXT}\n— PeterNeumann ${PETER_B64.slice(0, -1)}\n`],
	])('rejects a note with %s as malformed', (_why, msg) => {
		expect(noteError(() => openNote(msg, [peter])).code).toBe('malformed');
	});

	it('rejects bytes that are not UTF-8 and keeps a byte order mark as text, as Go', () => {
		const msg = Buffer.from(`${TEXT}\n${PETER_SIG}`, 'utf8');
		expect(noteError(() => openNote(Buffer.concat([Buffer.from([0xff]), msg]), [peter])).code).toBe('malformed');
		expect(noteError(() => openNote(Buffer.concat([Buffer.from([0xed, 0xa0, 0x80, 0x0a]), msg]), [peter])).code).toBe('malformed');
		expect(noteError(() => openNote(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), msg]), [peter])).code).toBe('invalid_signature');
	});

	it('splits at the last blank line, so texts may contain blank lines', () => {
		const signer = signerFromPrivateKey(PETER_SKEY);
		for (const text of ['\n', 'a\n\nb\n', 'a\n\n', '\n\n\n']) {
			expect(openNote(signNote(text, [signer]), [peter]).text).toBe(text);
		}
	});

	it('ignores a key that shares only the name or only the hash with a known key', () => {
		const other = signerFromPrivateKey(generateNoteKey('PeterNeumann').privateKey);
		expect(noteError(() => openNote(signNote(TEXT, [other]), [peter])).code).toBe('unverified');
		const sameHash: NoteVerifier = { name: 'PaulNeumann', keyHash: peter.keyHash, verify: () => true };
		expect(noteError(() => openNote(`${TEXT}\n${PETER_SIG}`, [sameHash])).code).toBe('unverified');
	});
});

describe('C2SP signed-note.md examples', () => {
	it('verifies the example.com/foo note with its key', () => {
		const foo = verifierFromKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
		const msg =
			'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
		expect(openNote(msg, [foo])).toEqual({
			text: 'This is an example message.\n',
			verified: [{ name: 'example.com/foo', keyHash: 0x530d903a }],
			unverified: [],
		});
		expect(noteError(() => openNote(msg.replace('example message', 'example massage'), [foo])).code).toBe('invalid_signature');
	});

	it('parses the quasimodo note, with a blank line in its text, as unverified', () => {
		const text = 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n';
		const sig = 'NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=';
		const error = noteError(() => openNote(`${text}\n— quasimodo.example/salvatore ${sig}\n`, [peter]));
		expect(error.code).toBe('unverified');
		expect(error.note).toEqual({ text, verified: [], unverified: [{ name: 'quasimodo.example/salvatore', keyHash: 0x367ba04b }] });
	});
});

describe('properties', () => {
	const keys = [generateNoteKey('example.com/a'), generateNoteKey('example.com/b')];
	const signers = keys.map((k) => signerFromPrivateKey(k.privateKey));
	const verifiers = keys.map((k) => verifierFromKey(k.verifierKey));
	const noteText = fc
		.array(fc.string({ unit: 'grapheme' }).filter((l) => !/[\x00-\x1f]/.test(l) && !l.startsWith('— ')), { minLength: 1, maxLength: 6 })
		.map((lines) => `${lines.join('\n')}\n`);

	it('opens what it signs, with every signer verified', () => {
		fc.assert(
			fc.property(noteText, (text) => {
				expect(openNote(signNote(text, signers), verifiers)).toEqual({
					text,
					verified: signers.map((s) => ({ name: s.name, keyHash: s.keyHash })),
					unverified: [],
				});
			}),
		);
	});

	it('never verifies a note whose text changed', () => {
		fc.assert(
			fc.property(noteText, noteText, (text, other) => {
				fc.pre(text !== other);
				const signed = signNote(text, [signers[0]]);
				expect(() => openNote(other + signed.slice(text.length), verifiers)).toThrow(NoteError);
			}),
		);
	});
});
