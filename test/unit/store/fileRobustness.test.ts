/** JSONL backend: repair of a cut-off tail, fail-closed on other damage, fatal fsync, locking, many processes. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { StoreCorruptError, StoreFatalError } from '../../../core/store/errors';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { FileLock, LockTimeoutError } from '../../../core/store/file/lock';
import { verifyFile } from '../../../core/verify';
import { buildLog, tempDir, toFileText } from './helpers';
import { startAppender } from './processes';
import { transpiledRoot } from './transpile';

describe('JSONL store robustness', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({ dir, cleanup } = tempDir('robust')));
	afterEach(() => cleanup());
	const logPath = () => join(dir, 'main.jsonl');

	it('moves a cut-off last line to quarantine, truncates, and records the repair', async () => {
		const { lines, records } = buildLog([{ event: 'note' }, { event: 'note' }, { event: 'note' }]);
		const torn = lines[2].slice(0, 40);
		writeFileSync(logPath(), toFileText(lines.slice(0, 2)) + torn);
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			const quarantine = readdirSync(dir).filter((n) => n.includes('.quarantine.'));
			expect(quarantine).toHaveLength(1);
			expect(readFileSync(join(dir, quarantine[0]), 'utf8')).toBe(torn);
			const all = [];
			for await (const r of store.readAll()) all.push(r);
			expect(all.slice(0, 2)).toEqual(records.slice(0, 2));
			expect(all[2]).toMatchObject({
				seq: 3,
				event: 'repaired',
				prevHash: records[1].hash,
				details: {
					quarantineFile: quarantine[0],
					offset: Buffer.byteLength(toFileText(lines.slice(0, 2))),
					bytes: 40,
					sha256: createHash('sha256').update(torn).digest('hex'),
				},
			});
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	it('quarantines a zero-filled tail without a line break (a power loss after the size grew)', async () => {
		const { lines } = buildLog([{ event: 'note' }, { event: 'note' }]);
		writeFileSync(logPath(), `${toFileText(lines)}\u0000\u0000\u0000`);
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		expect((await store.head()).seq).toBe(3);
		expect((await store.verify()).ok).toBe(true);
		await store.close();
	});

	it.each([
		['an unreadable complete last line', (lines: string[]) => `${toFileText(lines)}\u0000\u0000\u0000\n`],
		['a complete last record whose content was altered', (lines: string[]) => toFileText([...lines.slice(0, -1), lines[lines.length - 1].replace('"event":"decided"', '"event":"expired"')])],
		['a complete last record with a flipped decision', (lines: string[]) => toFileText([...lines.slice(0, -1), lines[lines.length - 1].replace('"rejected"', '"approved"')])],
	])('refuses, never repairs, %s: only a torn tail is repaired', async (_what, damage) => {
		const { lines } = buildLog([{ event: 'note' }, { event: 'decided', decision: 'rejected' }]);
		const text = damage(lines);
		writeFileSync(logPath(), text);
		await expect(JsonlReviewStore.open({ directory: dir, chain: 'main' })).rejects.toThrow(/damaged|altered/);
		// Nothing was moved, truncated or added.
		expect(readFileSync(logPath(), 'utf8')).toBe(text);
		expect(readdirSync(dir).filter((n) => n.includes('.quarantine.'))).toEqual([]);
	});

	it('a store opened read-only (Verify) reports a torn tail and writes nothing', async () => {
		const { lines } = buildLog([{ event: 'note' }, { event: 'note' }]);
		const text = `${toFileText(lines)}{"chain":"ma`;
		writeFileSync(logPath(), text);
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main', readOnly: true });
		try {
			expect(await store.verify()).toMatchObject({ ok: false, recordsChecked: 2, firstBad: { reason: 'malformed', line: 3 } });
			await expect(store.append({ event: 'note' })).rejects.toThrow(/read-only/);
		} finally {
			await store.close();
		}
		expect(readFileSync(logPath(), 'utf8')).toBe(text);
		expect(readdirSync(dir).sort()).toEqual(['main.jsonl']);
	});

	it('a torn tail written by another process is repaired by the next append', async () => {
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			await store.append({ event: 'note' });
			await new FileLock(`${logPath()}.lock`).run(async () => appendFileSync(logPath(), '{"chain":"ma'));
			const rec = await store.append({ event: 'note', comment: 'after the tear' });
			expect(rec.seq).toBe(3); // 2 = repaired
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	it('fails closed on damage before the last line, naming the line', async () => {
		const { lines } = buildLog([{ event: 'note', comment: 'one' }, { event: 'note' }, { event: 'note' }]);
		writeFileSync(logPath(), toFileText([lines[0].replace('"one"', '"0ne"'), ...lines.slice(1)]));
		await expect(JsonlReviewStore.open({ directory: dir, chain: 'main' })).rejects.toThrow(/damaged at line 1 \(seq 1\).*altered/);
		writeFileSync(logPath(), toFileText([lines[0], 'garbage', lines[2]]));
		await expect(JsonlReviewStore.open({ directory: dir, chain: 'main' })).rejects.toMatchObject({ name: 'StoreCorruptError', line: 2 });
		// A tampered last line is not "torn": it parses, so it is refused rather than quarantined.
		writeFileSync(logPath(), toFileText([lines[0], lines[1], lines[2].replace('"note"', '"expired"')]));
		await expect(JsonlReviewStore.open({ directory: dir, chain: 'main', verifyOnOpen: false })).rejects.toThrow(StoreCorruptError);
		expect(readdirSync(dir).filter((n) => n.includes('.quarantine.'))).toHaveLength(0);
	});

	it('a failed fsync is fatal: the append is not acknowledged and the store refuses all further writes', async () => {
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		const handle = await fs.open(join(dir, 'probe'), 'w');
		const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
		await handle.close();
		const spy = jest.spyOn(proto, 'sync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
		try {
			await expect(store.append({ event: 'note' })).rejects.toThrow(StoreFatalError);
			spy.mockRestore();
			await expect(store.append({ event: 'note' })).rejects.toThrow(/unusable after an earlier failure: fsync of the review log .* failed \(EIO/);
			await expect(store.putReviewRequests([])).rejects.toThrow(StoreFatalError);
		} finally {
			spy.mockRestore();
			await store.close();
		}
	});

	it('refuses a log file replaced while open', async () => {
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			await store.append({ event: 'note' });
			writeFileSync(join(dir, 'other.jsonl'), '');
			renameSync(join(dir, 'other.jsonl'), logPath());
			await expect(store.append({ event: 'note' })).rejects.toThrow(/moved or replaced/);
		} finally {
			await store.close();
		}
	});

	it('breaks the lock of a dead process; waits for, then times out on, a live one', async () => {
		const lockPath = `${logPath()}.lock`;
		const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
		writeFileSync(lockPath, JSON.stringify({ host: hostname(), pid: Number(dead.stdout), start: '1', token: 'dead' }));
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main', lockTimeoutMs: 2000 });
		await store.append({ event: 'note' });
		await store.close();

		// A live holder (here: the parent process) is waited for, then reported.
		const live = await JsonlReviewStore.open({ directory: dir, chain: 'main', lockTimeoutMs: 300 });
		try {
			writeFileSync(lockPath, JSON.stringify({ host: hostname(), pid: process.ppid, start: null, token: 'other' }));
			await expect(live.append({ event: 'note' })).rejects.toThrow(new RegExp(`held by pid ${process.ppid}`));
			await expect(live.append({ event: 'note' })).rejects.toThrow(LockTimeoutError);
			await fs.unlink(lockPath);
			expect((await live.append({ event: 'note' })).seq).toBe(2);
		} finally {
			await live.close();
		}
	});

	it('several processes appending to one file: no gap, no duplicate, every acknowledged append present', async () => {
		transpiledRoot();
		const per = Number(process.env.HITL_CONCURRENCY_APPENDS ?? 100);
		const children = Array.from({ length: 4 }, () => startAppender(dir, 'main', per));
		const exits = await Promise.all(children.map((c) => c.exited));
		for (const e of exits) expect(e).toMatchObject({ code: 0 });
		const acked = children.flatMap((c) => c.acked);
		expect(acked).toHaveLength(4 * per);
		expect(acked.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 4 * per }, (_, i) => i + 1));
		const result = await verifyFile(logPath());
		expect(result).toMatchObject({ ok: true, recordsChecked: 4 * per });
		const hashes = new Set(readFileSync(logPath(), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { hash: string }).hash));
		for (const a of acked) expect(hashes.has(a.hash)).toBe(true);
	}, 120_000);
});

describe('JSONL store reopen within one process', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({ dir, cleanup } = tempDir('reopen')));
	afterEach(() => cleanup());

	it('verifies only what was added since this process last verified or wrote, with true line numbers', async () => {
		const path = join(dir, 'main.jsonl');
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		for (let i = 0; i < 3; i++) await store.append({ event: 'note', comment: `own ${i}` });
		await store.close();
		// Another writer adds two records; the first of them is then altered.
		const text = readFileSync(path, 'utf8');
		const last = JSON.parse(text.trim().split('\n').pop() as string) as { seq: number; hash: string };
		const { lines } = buildLog([{ event: 'note', comment: 'theirs 1' }, { event: 'note', comment: 'theirs 2' }], 'main', last);
		appendFileSync(path, toFileText([lines[0].replace('theirs 1', 'THEIRS 1'), lines[1]]));
		await expect(JsonlReviewStore.open({ directory: dir, chain: 'main' })).rejects.toMatchObject({ line: 4 });

		// The limit: an in-place edit of the already verified prefix is not re-read on reopen in this
		// process (a new process, or verify(), reads everything).
		writeFileSync(path, text.replace('own 0', 'OWN 0'));
		const again = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			expect(await again.verify()).toMatchObject({ ok: false, firstBad: { seq: 1, reason: 'hash_mismatch' } });
		} finally {
			await again.close();
		}
	});
});
