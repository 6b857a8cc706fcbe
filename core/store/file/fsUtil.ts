import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/** fsync a directory so a created, renamed or removed entry survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
	const handle = await fs.open(dir, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** Replaces `path` atomically: write a temp file, fsync it, rename over, fsync the directory. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
	const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
	const handle = await fs.open(tmp, 'w', 0o600);
	try {
		await handle.writeFile(data);
		await handle.sync();
	} finally {
		await handle.close();
	}
	await fs.rename(tmp, path);
	await fsyncDir(dirname(path));
}

export async function readFileOrNull(path: string): Promise<string | null> {
	try {
		return await fs.readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
}
