/** The verify CLI: in-process for every case, and once through the real bin script in a child process. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { signCheckpoint } from '../../../core/checkpoint';
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

	it('checks a checkpoint with the secret from an environment variable or as hex', async () => {
		const env = { HITL_CHECKPOINT_SECRET: KEY.secret };
		expect(await run(['verify', good, '--checkpoint', checkpointFile, '--key', 'HITL_CHECKPOINT_SECRET'], env)).toMatchObject({
			code: 0,
			out: expect.stringMatching(/Checkpoint verified: seq 6 of 2026-02-01/),
		});
		const hex = Buffer.from(KEY.secret, 'utf8').toString('hex');
		expect((await run(['verify', good, '--checkpoint', checkpointFile, '--key', hex])).code).toBe(0);
		const cut = await run(['verify', truncated, '--checkpoint', checkpointFile, '--key', 'HITL_CHECKPOINT_SECRET'], env);
		expect(cut).toMatchObject({ code: 1, out: expect.stringMatching(/truncated at seq 5/) });
		const wrong = await run(['verify', good, '--checkpoint', checkpointFile, '--key', 'K'], { K: 'a-different-secret-of-enough-length-000' });
		expect(wrong).toMatchObject({ code: 1, out: expect.stringMatching(/bad_checkpoint.*MAC does not match/) });
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
		// Nothing but Node: loading the CLI pulls in no package from node_modules.
		const loaded = spawnSync(
			process.execPath,
			['-e', `require(${JSON.stringify(join(pkg, 'dist', 'core', 'cli', 'main.js'))}); console.log(JSON.stringify(Object.keys(require.cache)))`],
			{ encoding: 'utf8' },
		);
		expect((JSON.parse(loaded.stdout) as string[]).filter((p) => p.includes('node_modules'))).toEqual([]);
	});
});
