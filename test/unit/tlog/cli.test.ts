/**
 * The auditor's public-key commands of the CLI, exactly as docs/auditor-guide.md shows them: keygen,
 * verify a log against a signed checkpoint, prove a record from an export, verify a proof bundle and a
 * consistency proof — with only the verifier key — and each failure the guide names.
 */
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { main } from '../../../core/cli/main';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { generateNoteKey, signerFromPrivateKey } from '../../../core/tlog/note';
import { issueCheckpoint, proveCheckpointConsistency } from '../../../core/tlog/publish';
import { treeOfLogFile } from '../../../core/tlog/audit';
import { signCheckpoint } from '../../../core/tlog/checkpoint';
import { buildLog, tempDir, toFileText } from '../store/helpers';

const ORIGIN = 'hitl.example.com/hiring-log';

async function run(argv: string[]) {
	let out = '';
	let err = '';
	const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), env: {} });
	return { code, out, err };
}

describe('auditor CLI (public key only)', () => {
	let dir: string;
	let cleanup: () => void;
	let log: string;
	let vkey: string;
	const files: Record<string, string> = {};
	beforeAll(async () => {
		({ dir, cleanup } = tempDir('tlog-cli'));
		const keygen = await run(['keygen', ORIGIN, '--out', join(dir, 'signing.key')]);
		expect(keygen.code).toBe(0);
		expect(statSync(join(dir, 'signing.key')).mode & 0o777).toBe(0o600);
		vkey = /^(hitl\.example\.com\/hiring-log\+[0-9a-f]{8}\+\S+)$/m.exec(keygen.out)![1];
		const signer = signerFromPrivateKey(readFileSync(join(dir, 'signing.key'), 'utf8').trim());
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		for (let i = 0; i < 9; i++) await store.append({ event: 'decided', decision: 'approved', reviewerId: `r${i}@example.com`, comment: `c${i}` });
		const march = await issueCheckpoint(store, { signer, origin: ORIGIN });
		for (let i = 9; i < 14; i++) await store.append({ event: 'note', comment: `n${i}` });
		const june = await issueCheckpoint(store, { signer, origin: ORIGIN });
		files.march = join(dir, 'march.checkpoint');
		files.june = join(dir, 'june.checkpoint');
		writeFileSync(files.march, march.note);
		writeFileSync(files.june, june.note);
		files.consistency = join(dir, 'march-to-june.proof');
		writeFileSync(files.consistency, await proveCheckpointConsistency(store, march.note, june.note));
		await store.close();
		log = join(dir, 'export.jsonl');
		copyFileSync(join(dir, 'main.jsonl'), log);
	});
	afterAll(() => cleanup());

	test('keygen prints the verifier key and never overwrites a key file', async () => {
		expect(vkey).toMatch(/^hitl\.example\.com\/hiring-log\+[0-9a-f]{8}\+/);
		const again = await run(['keygen', ORIGIN, '--out', join(dir, 'signing.key')]);
		expect(again.code).toBe(2);
		expect(again.err).toContain('never overwrites');
	});

	test('verify an export against a signed checkpoint; a cut or rewritten export fails with the reason', async () => {
		const ok = await run(['verify', log, '--checkpoint', files.june, '--vkey', vkey, '--origin', ORIGIN]);
		expect(ok.code).toBe(0);
		expect(ok.out).toContain('14 records verified; the first 14 match the checkpoint');
		const lines = readFileSync(log, 'utf8').split('\n');
		const cut = join(dir, 'cut.jsonl');
		writeFileSync(cut, lines.slice(0, 12).join('\n') + '\n');
		const truncated = await run(['verify', cut, '--checkpoint', files.june, '--vkey', vkey, '--json']);
		expect(truncated.code).toBe(1);
		expect(JSON.parse(truncated.out)).toMatchObject({ ok: false, reason: 'truncated' });
		// A log rewritten consistently (a valid chain of other records) by someone without the key.
		const { dir: elsewhere, cleanup: done } = tempDir('tlog-cli-forger');
		try {
			const forger = await JsonlReviewStore.open({ directory: elsewhere, chain: 'main' });
			for (let i = 0; i < 14; i++) await forger.append({ event: 'note', comment: `forged ${i}` });
			await forger.close();
			const rewritten = await run(['verify', join(elsewhere, 'main.jsonl'), '--checkpoint', files.june, '--vkey', vkey, '--json']);
			expect(rewritten.code).toBe(1);
			expect(JSON.parse(rewritten.out)).toMatchObject({ ok: false, reason: 'rewritten' });
		} finally {
			done();
		}
		// Against the older checkpoint the cut export is fine: it still holds those 9 records.
		expect((await run(['verify', cut, '--checkpoint', files.march, '--vkey', vkey])).code).toBe(0);
		const other = generateNoteKey(ORIGIN);
		const wrongKey = await run(['verify', log, '--checkpoint', files.june, '--vkey', other.verifierKey, '--json']);
		expect(wrongKey.code).toBe(1);
		expect(JSON.parse(wrongKey.out).reason).toBe('unverified');
		const privateAsVkey = await run(['verify', log, '--checkpoint', files.june, '--vkey', other.privateKey]);
		expect(privateAsVkey.code).toBe(2);
		expect(privateAsVkey.err).toContain('That is a private key');
	});

	test('prove a record from the export, then verify the bundle with only the key; an altered bundle fails', async () => {
		const bundle = join(dir, 'seq4.tlog-proof');
		const proved = await run(['prove', log, '--seq', '4', '--checkpoint', files.june, '--vkey', vkey, '--out', bundle]);
		expect(proved.code).toBe(0);
		const ok = await run(['verify', '--proof', bundle, '--vkey', vkey, '--origin', ORIGIN]);
		expect(ok.code).toBe(0);
		expect(ok.out).toContain('record seq 4 (decided approved by r3@example.com');
		const text = readFileSync(bundle, 'utf8');
		// Another reviewer written into the record carried in the bundle.
		const extra = /^extra (\S+)$/m.exec(text)![1];
		const forged = Buffer.from(Buffer.from(extra, 'base64').toString('utf8').replace('r3@example.com', 'r9@example.com')).toString('base64');
		writeFileSync(join(dir, 'forged.tlog-proof'), text.replace(extra, forged));
		const bad = await run(['verify', '--proof', join(dir, 'forged.tlog-proof'), '--vkey', vkey, '--json']);
		expect(bad.code).toBe(1);
		expect(JSON.parse(bad.out).reason).toBe('bad_record');
		const wrongOrigin = await run(['verify', '--proof', bundle, '--vkey', vkey, '--origin', 'other.example/log', '--json']);
		expect(JSON.parse(wrongOrigin.out).reason).toBe('wrong_origin');
		expect((await run(['prove', log, '--seq', '15', '--checkpoint', files.june, '--vkey', vkey])).code).toBe(1);
	});

	test('prove by the record of a gate request or an item key, and a consistency proof from an export', async () => {
		// An export holding terminal records of gate requests, signed by a checkpoint of its own.
		const { lines } = buildLog([
			{ event: 'requested', itemKey: 'req-a', reviewerId: 'ann@example.com' },
			{ event: 'decided', decision: 'approved', itemKey: 'req-a', reviewerId: 'ann@example.com', details: { hitlRequest: { id: 'req-a', groupId: 'g', nodeId: 'n', keyId: null, mac: null } } },
			{ event: 'expired', itemKey: 'req-b', details: { hitlRequest: { id: 'req-b', groupId: 'g', nodeId: 'n', keyId: null, mac: null } } },
			{ event: 'note', itemKey: 'req-b' },
		]);
		const gateLog = join(dir, 'gate-export.jsonl');
		writeFileSync(gateLog, toFileText(lines));
		const signer = signerFromPrivateKey(readFileSync(join(dir, 'signing.key'), 'utf8').trim());
		const tree = await treeOfLogFile(gateLog);
		await tree.close();
		const note = join(dir, 'gate.checkpoint');
		writeFileSync(note, signCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root, extensions: [] }, signer));
		for (const [selector, seq] of [[['--request-id', 'req-a'], 2], [['--request-id', 'req-b'], 3], [['--item-key', 'req-b'], 3]] as const) {
			const out = join(dir, `by-${selector[1]}-${seq}.tlog-proof`);
			expect((await run(['prove', gateLog, ...selector, '--checkpoint', note, '--vkey', vkey, '--out', out])).code).toBe(0);
			const verified = await run(['verify', '--proof', out, '--vkey', vkey, '--json']);
			expect(JSON.parse(verified.out)).toMatchObject({ ok: true, record: { seq } });
		}
		const missing = await run(['prove', gateLog, '--request-id', 'req-zz', '--checkpoint', note, '--vkey', vkey, '--json']);
		expect(missing.code).toBe(1);
		expect(JSON.parse(missing.out).reason).toBe('bad_record');
		expect((await run(['prove', gateLog, '--seq', '1', '--item-key', 'x', '--checkpoint', note, '--vkey', vkey])).code).toBe(2);

		const fromExport = join(dir, 'from-export.proof');
		expect((await run(['prove', log, '--old', files.march, '--new', files.june, '--vkey', vkey, '--out', fromExport])).code).toBe(0);
		expect((await run(['verify', '--consistency', fromExport, '--old', files.march, '--new', files.june, '--vkey', vkey])).code).toBe(0);
	});

	test('consistency between two checkpoints; swapped checkpoints fail', async () => {
		const ok = await run(['verify', '--consistency', files.consistency, '--old', files.march, '--new', files.june, '--vkey', vkey]);
		expect(ok.code).toBe(0);
		expect(ok.out).toContain('the log of 14 records extends the log of 9 records');
		const swapped = await run(['verify', '--consistency', files.consistency, '--old', files.june, '--new', files.march, '--vkey', vkey, '--json']);
		expect(swapped.code).toBe(1);
		expect(JSON.parse(swapped.out).reason).toBe('malformed');
	});

	test('an Ed25519 checkpoint given to the HMAC verify names the public-key path', async () => {
		const r = await run(['verify', log, '--checkpoint', files.june, '--key', 'x'.repeat(40)]);
		expect(r.code).toBe(2);
		expect(r.err).toContain('--vkey');
	});
});
