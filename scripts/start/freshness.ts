/**
 * Content hashes that let a second `npm start` skip work whose inputs did not change: the build (when
 * the sources and the built dist/ are what they were after the last build) and the package install
 * (when the packed files are what was installed). Content, not timestamps: a checkout, a
 * `git stash` or an editor touching files must not fool it, and nothing stale is ever reused.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

function addTree(hash: Hash, root: string, relative: string): void {
	const full = path.join(root, relative);
	if (!existsSync(full)) {
		hash.update(`missing:${relative}\n`);
		return;
	}
	if (statSync(full).isDirectory()) {
		for (const entry of readdirSync(full).sort()) {
			if (entry === 'node_modules') continue;
			addTree(hash, root, path.join(relative, entry));
		}
		return;
	}
	const content = readFileSync(full);
	hash.update(`file:${relative}:${content.length}\n`).update(content);
}

/** SHA-256 over the paths and contents of `entries` (files or folders, relative to `root`), in a fixed order. */
export function treeHash(root: string, entries: readonly string[]): string {
	const hash = createHash('sha256');
	for (const entry of [...entries].sort()) addTree(hash, root, entry);
	return hash.digest('hex');
}

/** What `npm run build` reads. */
export const BUILD_INPUTS = ['core', 'credentials', 'nodes', 'tsconfig.json', 'tsconfig.build.json', 'gulpfile.js', 'package.json'];

/** What `npm pack` puts in the tarball: package.json's "files" plus package.json itself. */
export function packedEntries(root: string): string[] {
	const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files?: string[] };
	return [...(manifest.files ?? []), 'package.json'];
}
