/**
 * The file store's id index for a gate run (core/store/file/fsUtil.ts writeSameContentFiles): many new
 * files with the same content, made durable with one file fsync and one directory fsync by hard-linking
 * one written inode under every name. Each file must end up with exactly the content; the data must be
 * fsynced before any name exists and the directory after the last; no temp name may be left; where
 * link() is refused, or a name already exists, the files are still written whole (the rename way).
 */
import { promises as fs, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { LINKS_PER_INODE, writeSameContentFiles } from '../../../core/store/file/fsUtil';
import { tempDir } from './helpers';

async function syncProto(): Promise<{ sync: () => Promise<void> }> {
	const handle = await fs.open(__filename, 'r');
	await handle.close();
	return Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `i-${String(i).padStart(3, '0')}`);

test('every name holds the content, all on one inode, no temp name left', async () => {
	const { dir, cleanup } = tempDir('same-content');
	try {
		const paths = names(25).map((n) => join(dir, n));
		await writeSameContentFiles(dir, paths, 'run-1:node:group');
		for (const p of paths) expect(readFileSync(p, 'utf8')).toBe('run-1:node:group');
		expect(readdirSync(dir).sort()).toEqual(names(25));
		expect(new Set(paths.map((p) => statSync(p).ino)).size).toBe(1);
		expect(statSync(paths[0]).nlink).toBe(25);
	} finally {
		cleanup();
	}
});

test('the data is fsynced before the first name exists, the directory after the last: two fsyncs in all', async () => {
	const { dir, cleanup } = tempDir('same-content-order');
	const events: string[] = [];
	const proto = await syncProto();
	const realSync = proto.sync;
	const realLink = fs.link;
	const sync = jest.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
		events.push('sync');
		return realSync.call(this);
	});
	const link = jest.spyOn(fs, 'link').mockImplementation(async (from, to) => {
		events.push('link');
		return realLink(from, to);
	});
	try {
		const paths = names(30).map((n) => join(dir, n));
		await writeSameContentFiles(dir, paths, 'g');
		expect(events).toEqual(['sync', ...Array(30).fill('link'), 'sync']);
		for (const p of paths) expect(readFileSync(p, 'utf8')).toBe('g');
	} finally {
		sync.mockRestore();
		link.mockRestore();
		cleanup();
	}
});

test('link() refused part-way (a file system without hard links): every file still written whole, no temp left', async () => {
	const { dir, cleanup } = tempDir('same-content-nolink');
	const realLink = fs.link;
	let made = 0;
	const link = jest.spyOn(fs, 'link').mockImplementation(async (from, to) => {
		if (made === 4) throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
		made += 1;
		return realLink(from, to);
	});
	try {
		const paths = names(12).map((n) => join(dir, n));
		await writeSameContentFiles(dir, paths, 'group-x');
		for (const p of paths) expect(readFileSync(p, 'utf8')).toBe('group-x');
		expect(readdirSync(dir).sort()).toEqual(names(12));
		expect(statSync(paths[0]).nlink).toBe(4);
		expect(statSync(paths[11]).nlink).toBe(1);
	} finally {
		link.mockRestore();
		cleanup();
	}
});

test('a name that already exists is replaced whole; any other link error fails the write', async () => {
	const { dir, cleanup } = tempDir('same-content-exists');
	try {
		writeFileSync(join(dir, 'i-002'), 'a stale and much longer content');
		const paths = names(5).map((n) => join(dir, n));
		await writeSameContentFiles(dir, paths, 'new');
		for (const p of paths) expect(readFileSync(p, 'utf8')).toBe('new');
		expect(readdirSync(dir).sort()).toEqual(names(5));

		const link = jest.spyOn(fs, 'link').mockRejectedValue(Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
		try {
			await expect(writeSameContentFiles(dir, [join(dir, 'i-900')], 'x')).rejects.toThrow('no space left');
			expect(readdirSync(dir).sort()).toEqual(names(5));
		} finally {
			link.mockRestore();
		}
	} finally {
		cleanup();
	}
});

test('more names than one inode takes: a fresh inode per chunk; a name that existed in one chunk does not push the next ones off the link way', async () => {
	const { dir, cleanup } = tempDir('same-content-chunks');
	try {
		const paths = Array.from({ length: LINKS_PER_INODE + 5 }, (_, i) => join(dir, `i-${i}`));
		writeFileSync(paths[0], 'stale');
		await writeSameContentFiles(dir, paths, 'g');
		expect(readFileSync(paths[0], 'utf8')).toBe('g');
		expect(statSync(paths[0]).nlink).toBe(1);
		expect(statSync(paths[1]).nlink).toBe(LINKS_PER_INODE - 1);
		expect(statSync(paths[LINKS_PER_INODE + 4]).nlink).toBe(5);
		expect(readFileSync(paths[LINKS_PER_INODE + 4], 'utf8')).toBe('g');
		expect(readdirSync(dir)).toHaveLength(LINKS_PER_INODE + 5);
	} finally {
		cleanup();
	}
}, 60_000);

test('the links are made several at a time, never before the data is fsynced, all before the directory fsync', async () => {
	const { dir, cleanup } = tempDir('same-content-parallel');
	const proto = await syncProto();
	const realSync = proto.sync;
	const realLink = fs.link;
	let syncs = 0;
	let inFlight = 0;
	let mostInFlight = 0;
	const linkedAfterSyncs: number[] = [];
	const sync = jest.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
		syncs += 1;
		return realSync.call(this);
	});
	const link = jest.spyOn(fs, 'link').mockImplementation(async (from, to) => {
		inFlight += 1;
		mostInFlight = Math.max(mostInFlight, inFlight);
		linkedAfterSyncs.push(syncs);
		try {
			return await realLink(from, to);
		} finally {
			inFlight -= 1;
		}
	});
	try {
		const paths = names(100).map((n) => join(dir, n));
		await writeSameContentFiles(dir, paths, 'g');
		expect(mostInFlight).toBeGreaterThan(1);
		expect(new Set(linkedAfterSyncs)).toEqual(new Set([1]));
		expect(syncs).toBe(2);
		for (const p of paths) expect(readFileSync(p, 'utf8')).toBe('g');
		expect(readdirSync(dir)).toHaveLength(100);
	} finally {
		sync.mockRestore();
		link.mockRestore();
		cleanup();
	}
});
