/**
 * The file store's batched atomic writes (core/store/file/fsUtil.ts writeFilesAtomic), used to put a
 * gate run's requests: every file ends under its name with exactly its content, an existing file is
 * replaced whole, no temp file is left, and every write is fsynced before the renames (counted).
 */
import { promises as fs, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { writeFilesAtomic } from '../../../core/store/file/fsUtil';
import { tempDir } from './helpers';

async function syncProto(): Promise<{ sync: () => Promise<void> }> {
	const handle = await fs.open(__filename, 'r');
	await handle.close();
	return Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
}

test('writes many files (more than run at once), replaces an existing one whole, leaves no temp file', async () => {
	const { dir, cleanup } = tempDir('write-files');
	try {
		writeFileSync(join(dir, 'f-3'), 'old content that is longer than the new one');
		const files = Array.from({ length: 40 }, (_, i) => ({ path: join(dir, `f-${i}`), data: `content ${i}` }));
		await writeFilesAtomic(files);
		for (const f of files) expect(readFileSync(f.path, 'utf8')).toBe(f.data);
		expect(readdirSync(dir).sort()).toEqual(files.map((f) => `f-${files.indexOf(f)}`).sort());
	} finally {
		cleanup();
	}
});

test('every temp file is fsynced before any rename, and each directory once after them', async () => {
	const { dir, cleanup } = tempDir('write-files-order');
	const events: string[] = [];
	const proto = await syncProto();
	const realSync = proto.sync;
	const realRename = fs.rename;
	const sync = jest.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
		events.push('sync');
		return realSync.call(this);
	});
	const rename = jest.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
		events.push('rename');
		return realRename(from, to);
	});
	try {
		const files = Array.from({ length: 20 }, (_, i) => ({ path: join(dir, i < 10 ? `a-${i}` : `b-${i}`), data: String(i) }));
		await writeFilesAtomic(files);
		// 20 file fsyncs, then 20 renames, then one fsync of the (single) directory.
		expect(events).toEqual([...Array(20).fill('sync'), ...Array(20).fill('rename'), 'sync']);
		for (const f of files) expect(readFileSync(f.path, 'utf8')).toBe(f.data);
	} finally {
		sync.mockRestore();
		rename.mockRestore();
		cleanup();
	}
});

test('nothing to write: no file, no fsync', async () => {
	const sync = jest.spyOn(await syncProto(), 'sync');
	try {
		await writeFilesAtomic([]);
		expect(sync).not.toHaveBeenCalled();
	} finally {
		sync.mockRestore();
	}
});
