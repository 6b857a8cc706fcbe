/**
 * Checkpoints (core/tlog/checkpoint.ts): Go-signed known answers, the C2SP examples, round trips,
 * and a tamper matrix, because a checkpoint that still verifies after any change would let a log
 * operator rewrite history unnoticed.
 *
 * Vectors:
 * - GO_NOTE / GO_NOTE_EXT: produced by Go's golang.org/x/mod/sumdb/note v0.7.0 (Debian
 *   golang-golang-x-mod-dev) note.Sign with the keys below, whose seeds are
 *   SHA-256("n8n-nodes-hitl test log key") and SHA-256("n8n-nodes-hitl test witness key"); the root
 *   is SHA-256("root"). Go also derived the verifier keys (note.NewEd25519VerifierKey).
 * - C2SP/C2SP tlog-checkpoint.md and tlog-proof.md examples (signatures unverifiable: no key given).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';

import {
	formatCheckpointText,
	openCheckpoint,
	parseCheckpointText,
	signCheckpoint,
	type TreeHead,
} from '../../../core/tlog/checkpoint';
import { generateNoteKey, NoteError, type NoteVerifier, signerFromPrivateKey, signNote, verifierFromKey } from '../../../core/tlog/note';

const ORIGIN = 'example.com/hitl-log';
const LOG_SKEY = 'PRIVATE+KEY+example.com/hitl-log+13d5cdb5+AQBYSRCJpRqQicgEZHx+sqM4AjY7d1HtaoGLhr5IAvPF';
const LOG_VKEY = 'example.com/hitl-log+13d5cdb5+AXF5Ucts9VbsHIW5B5YOFsfajXk2vMyLhy829LEv8U2A';
const WIT_SKEY = 'PRIVATE+KEY+witness.example/w1+a33718b9+Af48zUMg4mfJRBKPj4A88HUj0uLYAR7FW5C5RrQtBqBk';
const WIT_VKEY = 'witness.example/w1+a33718b9+AZxAV2GRuJEhByIv9WSrt16g58xdTXByIQvyGODIXZZw';
const ROOT = createHash('sha256').update('root').digest();
const TEXT = `${ORIGIN}\n5\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n`;
const GO_NOTE =
	`${TEXT}\n` +
	'— example.com/hitl-log E9XNtZ1PPGH3TOUrfQXtEdo5k6nTIL2+2xWB8cpdf2ZMFiPKDnPNTBZ8THCR10I/GZx6MeaxXgi2jbTDqG1+qa9y0w8=\n' +
	'— witness.example/w1 ozcYuWiCMaEKXDKAI2QpzF+LuDLsQyv9remb/Aj8tJr+Xs6PR/iBu3s0tqMifJIH4Wkta5V7F1Ty2gUQXHU0gf8jdg8=\n';
const GO_NOTE_EXT =
	`${ORIGIN}\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension line\n\n` +
	'— example.com/hitl-log E9XNtT+bNp/GeVCZy1p+Ecs6HYUqVpE/l69uslclktZT4K3kYdaUfSaFc9HwHYY2PBAKVIiXV/KY6CTTNd1V2SOcXgI=\n';
const HEAD: TreeHead = { origin: ORIGIN, size: 5, root: ROOT, extensions: [] };

const logSigner = signerFromPrivateKey(LOG_SKEY);
const witSigner = signerFromPrivateKey(WIT_SKEY);
const log = verifierFromKey(LOG_VKEY);
const witness = verifierFromKey(WIT_VKEY);

function noteError(fn: () => unknown): NoteError {
	try {
		fn();
	} catch (error) {
		if (error instanceof NoteError) return error;
		throw error;
	}
	throw new Error('expected a NoteError');
}

describe('known answers', () => {
	it('derives the keys Go derived', () => {
		expect(logSigner.verifierKey).toBe(LOG_VKEY);
		expect(witSigner.verifierKey).toBe(WIT_VKEY);
	});

	it('formats and signs byte for byte as Go, key name = origin', () => {
		expect(formatCheckpointText(HEAD)).toBe(TEXT);
		expect(signNote(TEXT, [logSigner, witSigner])).toBe(GO_NOTE);
		expect(signCheckpoint(HEAD, logSigner)).toBe(GO_NOTE.split('— witness')[0]);
		const ext: TreeHead = { origin: ORIGIN, size: 0, root: Buffer.alloc(32), extensions: ['extension line'] };
		expect(signCheckpoint(ext, logSigner)).toBe(GO_NOTE_EXT);
	});

	it('opens Go-signed checkpoints', () => {
		expect(openCheckpoint(GO_NOTE, [log], ORIGIN)).toMatchObject({ head: HEAD, verifiedBy: [ORIGIN] });
		expect(openCheckpoint(GO_NOTE, [log, witness], ORIGIN).verifiedBy).toEqual([ORIGIN, 'witness.example/w1']);
		expect(openCheckpoint(GO_NOTE_EXT, [log]).head.extensions).toEqual(['extension line']);
		// A witness alone also opens it: which keys suffice is the caller's policy.
		expect(openCheckpoint(GO_NOTE, [witness]).verifiedBy).toEqual(['witness.example/w1']);
	});

	it('parses the C2SP tlog-checkpoint.md and tlog-proof.md examples', () => {
		const sofa =
			'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
			'— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
		const error = noteError(() => openCheckpoint(sofa, [log]));
		expect(error.code).toBe('unverified');
		expect(parseCheckpointText(error.note!.text)).toEqual({
			origin: 'example.com/behind-the-sofa',
			size: 20852163,
			root: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'),
			extensions: [],
		});
		expect(noteError(() => openCheckpoint(sofa, [log], ORIGIN)).code).toBe('wrong_origin');
		expect(parseCheckpointText('example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n')).toMatchObject({
			origin: 'example.com/fancylog',
			size: 109482,
		});
	});
});

describe('strict text', () => {
	const root = ROOT.toString('base64');
	it.each([
		['leading zero', `${ORIGIN}\n05\n${root}\n`],
		['negative size', `${ORIGIN}\n-1\n${root}\n`],
		['plus sign', `${ORIGIN}\n+5\n${root}\n`],
		['exponent', `${ORIGIN}\n5e0\n${root}\n`],
		['space in size', `${ORIGIN}\n 5\n${root}\n`],
		['size above 2^53-1', `${ORIGIN}\n9007199254740992\n${root}\n`],
		['empty origin', `\n5\n${root}\n`],
		['missing root', `${ORIGIN}\n5\n`],
		['short root', `${ORIGIN}\n5\n${ROOT.subarray(1).toString('base64')}\n`],
		['non-canonical root base64', `${ORIGIN}\n5\n${root.slice(0, 42)}J=\n`],
		['unpadded root', `${ORIGIN}\n5\n${root.slice(0, -1)}\n`],
		['empty extension line', `${TEXT}\n`],
		['no final newline', TEXT.slice(0, -1)],
		['CRLF', TEXT.replace(/\n/g, '\r\n')],
	])('rejects a text with %s, also when validly signed', (_why, text) => {
		expect(noteError(() => parseCheckpointText(text)).code).toBe('malformed');
		if (!text.endsWith('\n') || /\r/.test(text)) return;
		const signed = signNote(text, [logSigner]);
		expect(noteError(() => openCheckpoint(signed, [log])).code).toBe('malformed');
	});

	it('accepts the largest safe size and size 0', () => {
		expect(parseCheckpointText(`${ORIGIN}\n9007199254740991\n${root}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
		expect(parseCheckpointText(`${ORIGIN}\n0\n${root}\n`).size).toBe(0);
	});

	it.each<[string, Partial<TreeHead>]>([
		['an empty origin', { origin: '' }],
		['a newline in the origin', { origin: 'a\nb' }],
		['a negative size', { size: -1 }],
		['a fractional size', { size: 1.5 }],
		['an unsafe size', { size: 2 ** 53 }],
		['a short root', { root: Buffer.alloc(31) }],
		['an empty extension line', { extensions: [''] }],
		['a newline in an extension', { extensions: ['a\nb'] }],
	])('refuses to format %s', (_why, change) => {
		expect(noteError(() => formatCheckpointText({ ...HEAD, ...change })).code).toBe('malformed');
	});
});

describe('tamper matrix', () => {
	const bytes = Buffer.from(GO_NOTE, 'utf8');
	const logLine = Buffer.byteLength(`${TEXT}\n`);
	const witnessLine = bytes.indexOf(Buffer.from('— witness', 'utf8'));

	it.each<[string, NoteVerifier[]]>([
		['log key known, witness unknown', [log]],
		['log and witness keys known', [log, witness]],
	])('rejects every flipped byte, or does not count the flipped signature (%s)', (_why, verifiers) => {
		let accepted = 0;
		for (let i = 0; i < bytes.length; i++) {
			for (const mask of [0x01, 0x02, 0x20, 0x80]) {
				const tampered = Buffer.from(bytes);
				tampered[i] ^= mask;
				let opened;
				try {
					opened = openCheckpoint(tampered, verifiers, ORIGIN);
				} catch (error) {
					expect(error).toBeInstanceOf(NoteError);
					continue;
				}
				accepted++;
				// Accepted only with the text intact and without the signature whose line changed.
				const touched = i >= witnessLine ? witness.name : i >= logLine ? log.name : 'the text';
				const untouched = verifiers.map((v) => v.name).filter((name) => name !== touched);
				expect({ i, mask, head: opened.head, verifiedBy: opened.verifiedBy }).toEqual({ i, mask, head: HEAD, verifiedBy: untouched });
			}
		}
		// Flips in a signature line's name or key hash leave the other signature standing.
		expect(accepted).toBeGreaterThan(0);
	});

	it('rejects a checkpoint of another origin', () => {
		expect(noteError(() => openCheckpoint(GO_NOTE, [log], 'example.com/other-log')).code).toBe('wrong_origin');
		const other = generateNoteKey('example.com/other-log');
		const foreign = signCheckpoint({ ...HEAD, origin: 'example.com/other-log' }, signerFromPrivateKey(other.privateKey));
		expect(noteError(() => openCheckpoint(foreign, [log], ORIGIN)).code).toBe('wrong_origin');
	});

	it('rejects a foreign key and a key with the same name but another key', () => {
		const foreign = signerFromPrivateKey(generateNoteKey('example.com/mallory').privateKey);
		expect(noteError(() => openCheckpoint(signCheckpoint(HEAD, foreign), [log], ORIGIN)).code).toBe('unverified');
		const impostor = signerFromPrivateKey(generateNoteKey(ORIGIN).privateKey);
		expect(noteError(() => openCheckpoint(signCheckpoint(HEAD, impostor), [log], ORIGIN)).code).toBe('unverified');
		// Same name and same key hash (a collision is cheap to find) but another key: a bad signature.
		const collided = { name: ORIGIN, keyHash: log.keyHash, sign: impostor.sign };
		expect(noteError(() => openCheckpoint(signCheckpoint(HEAD, collided), [log], ORIGIN)).code).toBe('invalid_signature');
	});

	it('rejects truncated signatures', () => {
		const line = GO_NOTE.split('\n')[4];
		const b64 = line.split(' ')[2];
		const raw = Buffer.from(b64, 'base64');
		const note = (sig: string) => `${TEXT}\n— ${ORIGIN} ${sig}\n`;
		expect(noteError(() => openCheckpoint(note(b64.slice(0, -1)), [log])).code).toBe('malformed');
		expect(noteError(() => openCheckpoint(note(b64.slice(0, -4)), [log])).code).toBe('invalid_signature');
		expect(noteError(() => openCheckpoint(note(raw.subarray(0, 67).toString('base64')), [log])).code).toBe('invalid_signature');
		expect(noteError(() => openCheckpoint(note(raw.subarray(0, 5).toString('base64')), [log])).code).toBe('invalid_signature');
	});

	it.each([
		['a blank line before the signatures', GO_NOTE.replace('\n\n', '\n\n\n')],
		['a blank line between signatures', GO_NOTE.replace('=\n—', '=\n\n—')],
		['a blank line at the end', `${GO_NOTE}\n`],
		['a blank line at the start', `\n${GO_NOTE}`],
		['CRLF line ends', GO_NOTE.replace(/\n/g, '\r\n')],
		['a trailing space', GO_NOTE.replace('=\n—', '= \n—')],
	])('rejects a checkpoint with %s', (_why, note) => {
		expect(() => openCheckpoint(note, [log], ORIGIN)).toThrow(NoteError);
	});
});

describe('round trips', () => {
	const line = fc.string({ unit: 'grapheme', minLength: 1 }).filter((l) => !/[\x00-\x1f]/.test(l) && !l.startsWith('— '));
	const head = fc.record({
		origin: line,
		size: fc.maxSafeNat(),
		root: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
		extensions: fc.array(line, { maxLength: 3 }),
	});

	it('parses what it formats', () => {
		fc.assert(fc.property(head, (h) => expect(parseCheckpointText(formatCheckpointText(h))).toEqual(h)));
	});

	it('opens what it signs', () => {
		fc.assert(
			fc.property(head, (h) => {
				expect(openCheckpoint(signCheckpoint(h, logSigner), [log], h.origin)).toMatchObject({ head: h, verifiedBy: [ORIGIN] });
			}),
			{ numRuns: 50 },
		);
	});
});
