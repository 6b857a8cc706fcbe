/**
 * Runtime dependencies are exactly what the code imports. n8n installs a community package's
 * `dependencies` into every instance that uses it, with install scripts off: a dependency nothing
 * imports is dead weight and attack surface, and an import missing from `dependencies` breaks the
 * package the first time that code runs. Read from the source (every TypeScript file that is built
 * into dist: nodes, credentials, core), so it fails the moment either side changes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** Provided by n8n itself (a peer dependency), never installed with the package. */
const PROVIDED_BY_N8N = new Set(['n8n-workflow']);

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) return sourceFiles(full);
		return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
	});
}

/** The package a bare specifier names: `pg`, `@scope/name`, `luxon` for `luxon/x`. */
function packageOf(specifier: string): string {
	const parts = specifier.split('/');
	return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function importedPackages(): Map<string, string[]> {
	const found = new Map<string, string[]>();
	const patterns = [/\bfrom\s+'([^'.][^']*)'/g, /\bimport\s+'([^'.][^']*)'/g, /\brequire\(\s*'([^'.][^']*)'\s*\)/g, /\bimport\(\s*'([^'.][^']*)'\s*\)/g];
	for (const file of ['nodes', 'credentials', 'core'].flatMap((d) => sourceFiles(join(ROOT, d)))) {
		const text = readFileSync(file, 'utf8');
		for (const re of patterns) {
			for (const m of text.matchAll(re)) {
				const spec = m[1];
				if (spec.startsWith('node:')) continue;
				const pkg = packageOf(spec);
				found.set(pkg, [...(found.get(pkg) ?? []), file.slice(ROOT.length + 1)]);
			}
		}
	}
	return found;
}

describe('runtime dependencies', () => {
	const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies?: Record<string, string> };
	const imported = importedPackages();

	it('every imported package is a runtime dependency (or n8n\'s own peer dependency)', () => {
		const missing = [...imported.keys()].filter((pkg) => !builtinModules.includes(pkg) && !PROVIDED_BY_N8N.has(pkg) && !(pkg in manifest.dependencies));
		expect(missing.map((pkg) => `${pkg} (imported by ${imported.get(pkg)?.join(', ')})`)).toEqual([]);
		for (const pkg of PROVIDED_BY_N8N) if (imported.has(pkg)) expect(manifest.peerDependencies?.[pkg]).toBeDefined();
	});

	it('every runtime dependency is imported somewhere', () => {
		expect(Object.keys(manifest.dependencies).filter((pkg) => !imported.has(pkg))).toEqual([]);
	});

	it('built-ins are imported with the node: prefix, so they can never resolve to a package of the same name', () => {
		const bare = [...imported.keys()].filter((pkg) => builtinModules.includes(pkg));
		expect(bare).toEqual([]);
	});
});
