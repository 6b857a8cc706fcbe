/** The verify CLI: in-process for every case, and once through the real bin script in a child process. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { MIN_CHECKPOINT_SECRET_LENGTH, signCheckpoint } from '../../../core/checkpoint';
import { main } from '../../../core/cli/main';
import { buildLog, KEY, tempDir, toFileText } from './helpers';
import { transpiledRoot } from './transpile';

const REPO = join(__dirname, '..', '..', '..');

describe('verify CLI', () => {
	let dir: string;
	let cleanup: () => void;
	let good: string;
	let tampered: string;
	let truncated: string;
	let checkpointFile: string;
	beforeAll(() => {
		({ dir, cleanup } = tempDir('cli'));
		const { lines, records } = buildLog(Array.from({ length: 6 }, (_, i) => ({ event: 'note' as const, comment: `c${i}` })));
		good = join(dir, 'good.jsonl');
		writeFileSync(good, toFileText(lines));
		tampered = join(dir, 'tampered.jsonl');
		writeFileSync(tampered, toFileText(lines.map((l, i) => (i === 3 ? l.replace('"c3"', '"c4"') : l))));
		truncated = join(dir, 'truncated.jsonl');
		writeFileSync(truncated, toFileText(lines.slice(0, 4)));
		checkpointFile = join(dir, 'checkpoint.json');
		const head = records[5];
		writeFileSync(checkpointFile, JSON.stringify(signCheckpoint({ chain: 'main', seq: 6, headHash: head.hash, time: '2026-02-01T00:00:00.000Z' }, KEY)));
	});
	afterAll(() => cleanup());

	async function run(argv: string[], env: Record<string, string> = {}) {
		let out = '';
		let err = '';
		const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), env });
		return { code, out, err };
	}

	it('exit 0 and a summary for an intact log, with the truncation caveat', async () => {
		const r = await run(['verify', good]);
		expect(r.code).toBe(0);
		expect(r.out).toMatch(/^OK: .*good\.jsonl: 6 records verified, head seq 6/);
		expect(r.out).toMatch(/No checkpoint given/);
	});

	it('exit 1 naming the first bad seq and line', async () => {
		const r = await run(['verify', tampered]);
		expect(r.code).toBe(1);
		expect(r.out).toMatch(/FAILED: .*hash_mismatch at seq 4 \(line 4\)/);
		expect(r.out).toMatch(/3 verified, up to seq 3/);
	});

	it('checks a checkpoint with the secret from the environment variable --key names', async () => {
		const env = { HITL_CHECKPOINT_SECRET: KEY.secret };
		expect(await run(['verify', good, '--checkpoint', checkpointFile, '--key', 'HITL_CHECKPOINT_SECRET'], env)).toMatchObject({
			code: 0,
			out: expect.stringMatching(/Checkpoint verified: seq 6 of 2026-02-01/),
		});
		const cut = await run(['verify', truncated, '--checkpoint', checkpointFile, '--key', 'HITL_CHECKPOINT_SECRET'], env);
		expect(cut).toMatchObject({ code: 1, out: expect.stringMatching(/truncated at seq 5/) });
		expect(cut.out).not.toMatch(/wrong secret/); // the checkpoint itself is fine: only the log is short
		const wrong = await run(['verify', good, '--checkpoint', checkpointFile, '--key', 'K'], { K: 'a-different-secret-of-enough-length-000' });
		expect(wrong).toMatchObject({ code: 1, out: expect.stringMatching(/bad_checkpoint.*MAC does not match/) });
	});

	describe('the checkpoint secret is text, exactly as the credential holds it', () => {
		// What the README tells users to put in the Checkpoint Secret field: `openssl rand -hex 32`.
		const hexSecret = randomBytes(32).toString('hex');
		let hexCheckpoint: string;
		let bytesCheckpoint: string;
		const cp = (file: string) => ['verify', good, '--checkpoint', file];
		beforeAll(() => {
			const head = { chain: 'main', seq: 6, time: '2026-02-01T00:00:00.000Z' };
			const { records } = buildLog(Array.from({ length: 6 }, (_, i) => ({ event: 'note' as const, comment: `c${i}` })));
			// The stores sign with the credential's text as it is (storeSettingsFromCredential → signCheckpoint).
			hexCheckpoint = join(dir, 'hex-text-checkpoint.json');
			writeFileSync(hexCheckpoint, JSON.stringify(signCheckpoint({ ...head, headHash: records[5].hash }, { keyId: 'cp-2026', secret: hexSecret })));
			// The same digits decoded to 32 bytes: what the old CLI used as the key.
			bytesCheckpoint = join(dir, 'hex-bytes-checkpoint.json');
			writeFileSync(
				bytesCheckpoint,
				JSON.stringify(signCheckpoint({ ...head, headHash: records[5].hash }, { keyId: 'cp-2026', secret: Buffer.from(hexSecret, 'hex') })),
			);
		});

		it('a 64-hex-digit secret verifies with --key <text>, --key-env and --key-file (trailing newline) → exit 0', async () => {
			expect(await run([...cp(hexCheckpoint), '--key', hexSecret])).toMatchObject({ code: 0, out: expect.stringMatching(/Checkpoint verified: seq 6/) });
			expect(await run([...cp(hexCheckpoint), '--key-env', 'CP_SECRET'], { CP_SECRET: hexSecret })).toMatchObject({ code: 0 });
			const keyFile = join(dir, 'key.txt');
			writeFileSync(keyFile, `${hexSecret}\n`); // as `openssl rand -hex 32 > key.txt` writes it
			expect(await run([...cp(hexCheckpoint), '--key-file', keyFile])).toMatchObject({ code: 0 });
			const windowsKeyFile = join(dir, 'key-crlf.txt');
			writeFileSync(windowsKeyFile, `${hexSecret}\r\n`);
			expect(await run([...cp(hexCheckpoint), '--key-file', windowsKeyFile])).toMatchObject({ code: 0 });
		});

		it('a 64-hex-digit secret is never decoded to bytes: a checkpoint signed with the decoded bytes fails', async () => {
			for (const keyArgs of [['--key', hexSecret], ['--key-env', 'CP_SECRET']]) {
				const r = await run([...cp(bytesCheckpoint), ...keyArgs], { CP_SECRET: hexSecret });
				expect(r).toMatchObject({ code: 1, out: expect.stringMatching(/bad_checkpoint.*MAC does not match/) });
			}
		});

		it('--key-file drops only ONE trailing newline: the rest is part of the secret', async () => {
			const keyFile = join(dir, 'key-two-newlines.txt');
			writeFileSync(keyFile, `${hexSecret}\n\n`);
			expect((await run([...cp(hexCheckpoint), '--key-file', keyFile])).code).toBe(1);
		});

		it('a wrong secret exits 1 and names both causes: the wrong secret, or an altered checkpoint', async () => {
			const r = await run([...cp(hexCheckpoint), '--key-env', 'CP_SECRET'], { CP_SECRET: randomBytes(32).toString('hex') });
			expect(r.code).toBe(1);
			expect(r.out).toMatch(/FAILED: .*bad_checkpoint/);
			expect(r.out).toMatch(/the wrong secret: the secret used, taken from environment variable CP_SECRET, is not the Checkpoint Secret/);
			expect(r.out).toMatch(/the checkpoint was altered after it was signed/);
		});

		it('an altered checkpoint with the right secret also exits 1 (the hint does not hide tampering)', async () => {
			const altered = join(dir, 'altered-checkpoint.json');
			const original = JSON.parse(readFileSync(hexCheckpoint, 'utf8')) as Record<string, unknown>;
			writeFileSync(altered, JSON.stringify({ ...original, time: '2026-03-01T00:00:00.000Z' }));
			expect(await run([...cp(altered), '--key', hexSecret])).toMatchObject({ code: 1, out: expect.stringMatching(/two possible causes/) });
		});

		it(`a secret shorter than ${MIN_CHECKPOINT_SECRET_LENGTH} characters is refused with exit 2, from every option`, async () => {
			const short = 'x'.repeat(MIN_CHECKPOINT_SECRET_LENGTH - 1);
			const keyFile = join(dir, 'short-key.txt');
			writeFileSync(keyFile, `${short}\n`);
			for (const keyArgs of [['--key', short], ['--key-env', 'SHORT'], ['--key-file', keyFile]]) {
				const r = await run([...cp(hexCheckpoint), ...keyArgs], { SHORT: short });
				expect(r).toMatchObject({ code: 2, out: '' });
				expect(r.err).toMatch(new RegExp(`is ${MIN_CHECKPOINT_SECRET_LENGTH - 1} characters long; checkpoint secrets have at least ${MIN_CHECKPOINT_SECRET_LENGTH}`));
			}
			// Exactly the minimum is enough to get past the check (and then it is simply the wrong secret).
			expect((await run([...cp(hexCheckpoint), '--key', 'x'.repeat(MIN_CHECKPOINT_SECRET_LENGTH)])).code).toBe(1);
		});

		it.each([
			[['--key', 'HEX', '--key-env', 'CP_SECRET'], /--key-env and --key were both given/],
			[['--key-file', 'KEYFILE', '--key-env', 'CP_SECRET'], /--key-env and --key-file were both given/],
			[['--key-env', 'CP_SECRET', '--key-env', 'CP_SECRET'], /--key-env is given more than once/],
			[['--key-env', 'UNSET_VARIABLE'], /no environment variable of that name is set/],
			[['--key-file', '/nonexistent/key.txt'], /Cannot read key file/],
			[['--key-env'], /argument missing/],
		])('key options %j → exit 2 (%p)', async (keyArgs: string[], message: RegExp) => {
			const keyFile = join(dir, 'key.txt');
			writeFileSync(keyFile, `${hexSecret}\n`);
			const argv = [...cp(hexCheckpoint), ...keyArgs.map((a) => (a === 'HEX' ? hexSecret : a === 'KEYFILE' ? keyFile : a))];
			const r = await run(argv, { CP_SECRET: hexSecret });
			expect(r).toMatchObject({ code: 2, out: '' });
			expect(r.err).toMatch(message);
		});
	});

	it('--json prints the result as JSON', async () => {
		const r = await run(['verify', tampered, '--json']);
		expect(r.code).toBe(1);
		expect(JSON.parse(r.out)).toMatchObject({ ok: false, firstBad: { seq: 4, line: 4, reason: 'hash_mismatch' } });
	});

	it.each([
		[[]],
		[['check', 'x']],
		[['verify']],
		[['verify', '/nonexistent/log.jsonl']],
		[['verify', 'GOOD', '--bogus']],
		[['verify', 'GOOD', '--checkpoint', 'CP']],
		[['verify', 'GOOD', '--checkpoint', 'CP', '--key', 'NOT_SET']],
		[['verify', 'GOOD', '--checkpoint', '/nonexistent.json', '--key', 'aabb']],
		[['verify', 'GOOD', '--key', 'aabb']],
		[['verify', 'GOOD', '--key-env', 'HITL_CHECKPOINT_SECRET']],
		[['verify', 'GOOD', 'GOOD']],
	])('usage error %j → exit 2 with help', async (argv: string[]) => {
		const r = await run(argv.map((a) => (a === 'GOOD' ? good : a === 'CP' ? checkpointFile : a)));
		expect(r.code).toBe(2);
		expect(r.err).toMatch(/Usage: n8n-nodes-hitl verify/);
	});

	it('--help exits 0', async () => {
		expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage/) });
	});

	it('the bin script runs with plain Node and returns the exit codes', () => {
		// Lay out a package like the published one: bin/ next to dist/ (here the transpiled core).
		const pkg = join(dir, 'pkg');
		mkdirSync(join(pkg, 'bin'), { recursive: true });
		copyFileSync(join(REPO, 'bin', 'n8n-nodes-hitl.js'), join(pkg, 'bin', 'n8n-nodes-hitl.js'));
		symlinkSync(transpiledRoot(), join(pkg, 'dist'));
		const bin = join(pkg, 'bin', 'n8n-nodes-hitl.js');
		const ok = spawnSync(process.execPath, [bin, 'verify', good], { encoding: 'utf8' });
		expect(ok.status).toBe(0);
		expect(ok.stdout).toMatch(/^OK:/);
		expect(spawnSync(process.execPath, [bin, 'verify', tampered], { encoding: 'utf8' }).status).toBe(1);
		expect(spawnSync(process.execPath, [bin, 'verify'], { encoding: 'utf8' }).status).toBe(2);
		const withCp = spawnSync(process.execPath, [bin, 'verify', truncated, '--checkpoint', checkpointFile, '--key', 'S'], {
			encoding: 'utf8',
			env: { ...process.env, S: KEY.secret },
		});
		expect(withCp.status).toBe(1);
		expect(withCp.stdout).toMatch(/truncated/);
		const withKeyEnv = spawnSync(process.execPath, [bin, 'verify', good, '--checkpoint', checkpointFile, '--key-env', 'S'], {
			encoding: 'utf8',
			env: { ...process.env, S: KEY.secret },
		});
		expect(withKeyEnv.status).toBe(0);
		// Nothing but Node: loading the CLI pulls in no package from node_modules.
		const loaded = spawnSync(
			process.execPath,
			['-e', `require(${JSON.stringify(join(pkg, 'dist', 'core', 'cli', 'main.js'))}); console.log(JSON.stringify(Object.keys(require.cache)))`],
			{ encoding: 'utf8' },
		);
		expect((JSON.parse(loaded.stdout) as string[]).filter((p) => p.includes('node_modules'))).toEqual([]);
	});
});
