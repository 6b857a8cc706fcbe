/**
 * Proof files (core/tlog/proofBundle.ts): the example of C2SP/C2SP tlog-proof.md parsed and written
 * back byte for byte, round trips with real signed checkpoints, and strict rejection of every way a
 * hand-edited or corrupted file can go wrong, each with a message that says what is wrong.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';

import { openCheckpoint, signCheckpoint } from '../../../core/tlog/checkpoint';
import { generateNoteKey, NoteError, signerFromPrivateKey, verifierFromKey } from '../../../core/tlog/note';
import {
	formatConsistencyProof,
	formatTlogProof,
	parseConsistencyProof,
	parseTlogProof,
	type TlogProof,
} from '../../../core/tlog/proofBundle';

// C2SP/C2SP tlog-proof.md, the example at the top (its signatures are elided with "[...]").
const SPEC_EXAMPLE = `c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
— witness1.example mJirIklj[...]qY9v2B/5bg==
— witness2.example TnKKVHLX[...]xwYwrSjgow==
— witness3.example S4X82uH5[...]3oEcROGLFQ==
`;

const ORIGIN = 'example.com/hitl-log';
const key = generateNoteKey(ORIGIN);
const signer = signerFromPrivateKey(key.privateKey);
const verifier = verifierFromKey(key.verifierKey);
const sha = (s: string) => createHash('sha256').update(s).digest();
const CHECKPOINT = signCheckpoint({ origin: ORIGIN, size: 7, root: sha('root'), extensions: [] }, signer);
const H1 = sha('h1').toString('base64');
const H2 = sha('h2').toString('base64');
const VALID = `c2sp.org/tlog-proof@v1\nindex 6\n${H1}\n${H2}\n\n${CHECKPOINT}`;

/** The same 32 bytes in base64 with a padding bit set: decoders that ignore those bits read it the same. */
function nonCanonical(b64: string): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
	const spelled = `${b64.slice(0, 42)}${alphabet[alphabet.indexOf(b64[42]) | 1]}=`;
	expect(Buffer.from(spelled, 'base64').equals(Buffer.from(b64, 'base64'))).toBe(true);
	return spelled;
}

function malformed(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof NoteError && error.code === 'malformed') return error.message;
		throw error;
	}
	throw new Error('expected a malformed error');
}

describe('tlog-proof', () => {
	it('parses the tlog-proof.md example and writes it back byte for byte', () => {
		const proof = parseTlogProof(SPEC_EXAMPLE);
		expect(proof.index).toBe(73894);
		expect(proof.hashes.map((h) => h.toString('base64'))).toEqual(SPEC_EXAMPLE.split('\n').slice(3, 8));
		expect(proof.extra?.subarray(0, 30).toString('latin1')).toBe('age-v1.2.1-darwin-arm64.tar.gz');
		expect(proof.checkpoint).toBe(SPEC_EXAMPLE.slice(SPEC_EXAMPLE.indexOf('example.com/fancylog')));
		expect(formatTlogProof(proof)).toBe(SPEC_EXAMPLE);
		// Its elided signatures are no signatures at all.
		expect(() => openCheckpoint(proof.checkpoint, [verifier])).toThrow(NoteError);
	});

	it('writes the lines the spec lays out, and reads them back', () => {
		const proof: TlogProof = { index: 6, hashes: [sha('h1'), sha('h2')], checkpoint: CHECKPOINT, extra: null };
		expect(formatTlogProof(proof)).toBe(VALID);
		expect(parseTlogProof(VALID)).toEqual(proof);
		expect(openCheckpoint(parseTlogProof(VALID).checkpoint, [verifier], ORIGIN).head.size).toBe(7);
		const none: TlogProof = { index: 0, hashes: [], checkpoint: CHECKPOINT, extra: Buffer.alloc(0) };
		expect(formatTlogProof(none)).toBe(`c2sp.org/tlog-proof@v1\nextra \nindex 0\n\n${CHECKPOINT}`);
		expect(parseTlogProof(formatTlogProof(none))).toEqual(none);
	});

	it('round-trips any proof', () => {
		const proof = fc.record({
			index: fc.nat({ max: 6 }),
			hashes: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)), { maxLength: 64 }),
			checkpoint: fc.constant(CHECKPOINT),
			extra: fc.option(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))),
		});
		fc.assert(fc.property(proof, (p) => expect(parseTlogProof(formatTlogProof(p))).toEqual(p)));
	});

	const head = VALID.slice(0, VALID.indexOf('\n\n') + 1);
	it.each([
		['empty input', '', /ends before the header/],
		['a wrong header', VALID.replace('@v1', '@v2'), /first line must be c2sp\.org\/tlog-proof@v1/],
		['CRLF line ends', VALID.replace(/\n/g, '\r\n'), /CRLF/],
		['a tab', VALID.replace('index ', 'index\t'), /control character/],
		['no index line', VALID.replace('index 6\n', ''), /expected "index <value>"/],
		['index with a leading zero', VALID.replace('index 6', 'index 06'), /index "06" is not a decimal/],
		['a negative index', VALID.replace('index 6', 'index -1'), /index "-1" is not a decimal/],
		['an index above 2^53-1', VALID.replace('index 6', 'index 9007199254740992'), /not a decimal/],
		['two spaces after index', VALID.replace('index 6', 'index  6'), /index " 6"/],
		['the index at the tree size', VALID.replace('index 6', 'index 7'), /index 7 is not below the checkpoint's tree size 7/],
		['extra after the index', VALID.replace('index 6\n', 'index 6\nextra AA==\n'), /hash 1 must be the canonical base64/],
		['non-canonical extra', VALID.replace('index 6\n', 'extra AB==\nindex 6\n'), /extra data is not canonical base64/],
		['extra without a space', VALID.replace('index 6\n', 'extra\nindex 6\n'), /expected "index <value>", got "extra"/],
		['a short hash', VALID.replace(H1, sha('x').subarray(1).toString('base64')), /hash 1 must be the canonical base64 of 32 bytes/],
		['a non-canonical hash', VALID.replace(H2, nonCanonical(H2)), /hash 2 must be the canonical/],
		['no blank line before the checkpoint', head + CHECKPOINT, /hash 3 must be the canonical base64/],
		['no checkpoint', `${head}\n`, /no checkpoint after the blank line/],
		['no final newline', VALID.slice(0, -1), /checkpoint is not a signed note|last line has no newline/],
		['an unsigned checkpoint', VALID.slice(0, VALID.indexOf('— ')), /checkpoint/],
		['a line after the signatures', `${VALID}junk\n`, /signature lines must start with "— "/],
		['a malformed checkpoint body', VALID.replace(`\n7\n`, `\n07\n`), /size "07"/],
		['more hashes than any tree needs', VALID.replace(`${H1}\n`, `${H1}\n`.repeat(129)), /more than 128 hashes/],
	])('rejects a proof with %s', (_why, text, message) => {
		expect(malformed(() => parseTlogProof(text))).toMatch(message);
	});

	it.each<[string, Partial<TlogProof>]>([
		['a negative index', { index: -1 }],
		['an index at the tree size', { index: 7 }],
		['a short hash', { hashes: [Buffer.alloc(31)] }],
		['a checkpoint that is no note', { checkpoint: 'example.com/hitl-log\n7\n' }],
		['a checkpoint with CRLF', { checkpoint: CHECKPOINT.replace(/\n/g, '\r\n') }],
	])('refuses to format %s', (_why, change) => {
		const proof: TlogProof = { index: 6, hashes: [], checkpoint: CHECKPOINT, extra: null, ...change };
		expect(() => formatTlogProof(proof)).toThrow(NoteError);
	});
});

describe('consistency proof', () => {
	const CONSISTENT = `n8n-nodes-hitl/consistency-proof@v1\nold 3\nnew 7\n${H1}\n${H2}\n`;

	it('writes the documented lines and reads them back', () => {
		const proof = { oldSize: 3, newSize: 7, hashes: [sha('h1'), sha('h2')] };
		expect(formatConsistencyProof(proof)).toBe(CONSISTENT);
		expect(parseConsistencyProof(CONSISTENT)).toEqual(proof);
		const same = { oldSize: 7, newSize: 7, hashes: [] };
		expect(formatConsistencyProof(same)).toBe('n8n-nodes-hitl/consistency-proof@v1\nold 7\nnew 7\n');
		expect(parseConsistencyProof(formatConsistencyProof(same))).toEqual(same);
	});

	it('round-trips any proof', () => {
		const proof = fc
			.tuple(fc.maxSafeNat(), fc.maxSafeNat(), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 20 }))
			.map(([a, b, hashes]) => {
				const [oldSize, newSize] = a <= b ? [a, b] : [b, a];
				const empty = oldSize === 0 || oldSize === newSize;
				return { oldSize, newSize, hashes: empty ? [] : hashes.map((h) => Buffer.from(h)) };
			});
		fc.assert(fc.property(proof, (p) => expect(parseConsistencyProof(formatConsistencyProof(p))).toEqual(p)));
	});

	it.each([
		['a wrong header', CONSISTENT.replace('@v1', '@v2'), /first line must be/],
		['the sizes swapped', CONSISTENT.replace('old 3\nnew 7', 'new 7\nold 3'), /expected "old <value>"/],
		['old above new', CONSISTENT.replace('old 3', 'old 8'), /old size 8 exceeds new size 7/],
		['a leading zero', CONSISTENT.replace('new 7', 'new 07'), /new size "07" is not a decimal/],
		['hashes for the same size', CONSISTENT.replace('old 3', 'old 7'), /has no hashes/],
		['hashes from the empty tree', CONSISTENT.replace('old 3', 'old 0'), /has no hashes/],
		['a blank line at the end', `${CONSISTENT}\n`, /hash 3 must be the canonical base64/],
		['no final newline', CONSISTENT.slice(0, -1), /last line has no newline/],
		['CRLF line ends', CONSISTENT.replace(/\n/g, '\r\n'), /CRLF/],
		['a short hash', CONSISTENT.replace(H2, 'AAAA'), /hash 2 must be the canonical base64 of 32 bytes/],
		['a missing new size', 'n8n-nodes-hitl/consistency-proof@v1\nold 3\n', /ends before the new size/],
	])('rejects a proof with %s', (_why, text, message) => {
		expect(malformed(() => parseConsistencyProof(text))).toMatch(message);
	});

	it('refuses to format sizes out of order or hashes that cannot be', () => {
		expect(() => formatConsistencyProof({ oldSize: 8, newSize: 7, hashes: [] })).toThrow(NoteError);
		expect(() => formatConsistencyProof({ oldSize: 7, newSize: 7, hashes: [sha('x')] })).toThrow(NoteError);
		expect(() => formatConsistencyProof({ oldSize: 1.5, newSize: 7, hashes: [] })).toThrow(NoteError);
		expect(() => formatConsistencyProof({ oldSize: 1, newSize: 7, hashes: [Buffer.alloc(33)] })).toThrow(NoteError);
	});
});
