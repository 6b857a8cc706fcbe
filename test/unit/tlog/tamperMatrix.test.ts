/**
 * The tamper matrix with only the public key: an auditor holding a signed checkpoint and the verifier
 * key checks an export (the chain, then the tree against the checkpoint, as `verify --vkey` does).
 * Every edit, deletion, reorder, truncation, fork, foreign key and rewritten-and-re-signed log is
 * caught, each with its own reason — including the rewrites a hash chain alone cannot see.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ReviewRecordInput } from '../../../core/records';
import { treeOfLogFile, verifyConsistencyProof, verifyLogAgainstCheckpoint } from '../../../core/tlog/audit';
import { signCheckpoint } from '../../../core/tlog/checkpoint';
import { generateNoteKey, signerFromPrivateKey, verifierFromKey } from '../../../core/tlog/note';
import { formatConsistencyProof } from '../../../core/tlog/proofBundle';
import { verifyFile } from '../../../core/verify';
import { buildLog, tempDir, toFileText } from '../store/helpers';

const ORIGIN = 'hitl.example.com/hiring-log';
const keys = generateNoteKey(ORIGIN);
const signer = signerFromPrivateKey(keys.privateKey);
const verifier = verifierFromKey(keys.verifierKey);
const inputs: ReviewRecordInput[] = Array.from({ length: 20 }, (_, i) => ({ event: 'decided', decision: 'approved', reviewerId: `r${i}@example.com`, comment: `decision ${i}` }));

let dir: string;
let cleanup: () => void;
let n = 0;
beforeAll(() => ({ dir, cleanup } = tempDir('tamper-matrix')));
afterAll(() => cleanup());

function file(lines: string[]): string {
	const path = join(dir, `log-${++n}.jsonl`);
	writeFileSync(path, toFileText(lines));
	return path;
}

async function checkpointOf(lines: string[], by = signer): Promise<string> {
	const tree = await treeOfLogFile(file(lines));
	await tree.close();
	return signCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root, extensions: [] }, by);
}

/** What `n8n-nodes-hitl verify <log> --checkpoint <note> --vkey <key>` decides: the first failing check's reason. */
async function audit(lines: string[], note: string): Promise<string> {
	const path = file(lines);
	const chain = await verifyFile(path);
	if (!chain.ok) return `chain:${chain.firstBad?.reason}`;
	const result = await verifyLogAgainstCheckpoint(path, note, [verifier], { origin: ORIGIN });
	return result.ok ? 'ok' : result.reason;
}

describe('tamper matrix with only the public key', () => {
	const { lines } = buildLog(inputs);
	let note: string;
	beforeAll(async () => (note = await checkpointOf(lines)));

	test('the genuine export verifies, and so does a longer one that extends it', async () => {
		expect(await audit(lines, note)).toBe('ok');
		expect(await audit(buildLog([...inputs, { event: 'note' }]).lines, note)).toBe('ok');
	});

	test.each([
		['a record edited', 'chain:hash_mismatch', () => lines.map((l, i) => (i === 7 ? l.replace('decision 7', 'decision X') : l))],
		['a record deleted', 'chain:gap', () => lines.filter((_, i) => i !== 7)],
		['two records swapped', 'chain:reorder', () => lines.map((l, i) => (i === 7 ? lines[8] : i === 8 ? lines[7] : l))],
		['the last records cut off', 'truncated', () => lines.slice(0, 16)],
		['a record edited and the chain rebuilt after it', 'rewritten', () => buildLog(inputs.map((r, i) => (i === 7 ? { ...r, decision: 'rejected' as const } : r))).lines],
		['a record deleted and the chain rebuilt', 'truncated', () => buildLog(inputs.filter((_, i) => i !== 7)).lines],
		['a record deleted, one added at the end, the chain rebuilt', 'rewritten', () => buildLog([...inputs.filter((_, i) => i !== 7), { event: 'note' }]).lines],
		['two records swapped and the chain rebuilt', 'rewritten', () => buildLog(inputs.map((r, i) => (i === 7 ? inputs[8] : i === 8 ? inputs[7] : r))).lines],
	])('%s → %s', async (_what, reason, tamper) => {
		expect(await audit(tamper(), note)).toBe(reason);
	});

	test('a checkpoint signed by a foreign key, or a rewritten log re-signed with another key of the same name, is not accepted', async () => {
		const foreign = signerFromPrivateKey(generateNoteKey('evil.example/log').privateKey);
		expect(await audit(lines, await checkpointOf(lines, foreign))).toBe('unverified');
		const impostor = signerFromPrivateKey(generateNoteKey(ORIGIN).privateKey);
		const rewritten = buildLog(inputs.map((r, i) => (i === 3 ? { ...r, reviewerId: 'mallory@example.com' } : r))).lines;
		expect(await audit(rewritten, await checkpointOf(rewritten, impostor))).toBe('unverified');
		// An altered checkpoint text under the genuine signature.
		expect(await audit(lines, note.replace(/\n20\n/, '\n21\n'))).toBe('invalid_signature');
	});

	test('a fork — two signed checkpoints of one size with different roots — is reported as such', async () => {
		const forked = buildLog(inputs.map((r, i) => (i === 19 ? { ...r, comment: 'forked' } : r))).lines;
		const other = await checkpointOf(forked);
		const proof = formatConsistencyProof({ oldSize: 20, newSize: 20, hashes: [] });
		expect(verifyConsistencyProof(note, other, proof, [verifier])).toMatchObject({ ok: false, reason: 'fork' });
		expect(verifyConsistencyProof(note, note, proof, [verifier])).toMatchObject({ ok: true });
	});
});
