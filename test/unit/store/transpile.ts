/**
 * Child processes in the store tests run plain JavaScript: the core sources (and the test children)
 * are transpiled once into .test-tmp, keyed by a hash of their content, so a child starts in tens of
 * milliseconds instead of loading TypeScript.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const REPO = join(__dirname, '..', '..', '..');

function listTs(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) return listTs(full);
		return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
	});
}

/** Returns the folder holding `core/**.js` and `test/unit/store/children/*.js`. */
export function transpiledRoot(): string {
	const files = [...listTs(join(REPO, 'core')), ...listTs(join(REPO, 'test', 'unit', 'store', 'children'))].sort();
	const hash = createHash('sha256');
	for (const f of files) hash.update(f).update(readFileSync(f));
	const root = join(REPO, '.test-tmp', `js-${hash.digest('hex').slice(0, 16)}`);
	try {
		statSync(join(root, 'done'));
		return root;
	} catch {
		// not built yet
	}
	const tmp = `${root}.tmp-${process.pid}`;
	for (const f of files) {
		const out = ts.transpileModule(readFileSync(f, 'utf8'), {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
			fileName: f,
		}).outputText;
		const target = join(tmp, relative(REPO, f)).replace(/\.ts$/, '.js');
		mkdirSync(dirname(target), { recursive: true });
		writeFileSync(target, out);
	}
	writeFileSync(join(tmp, 'done'), '');
	try {
		renameSync(tmp, root);
	} catch {
		rmSync(tmp, { recursive: true, force: true }); // another worker won the race
	}
	return root;
}
