/**
 * Installs this package into an n8n user folder exactly the way n8n's Community Nodes installer
 * does (n8n 2.41.1, `dist/modules/community-packages/community-packages.service.js`,
 * `downloadPackage`): a packed tarball is unpacked into `<user>/.n8n/nodes/node_modules/<name>`,
 * devDependencies / peerDependencies / optionalDependencies are stripped from its package.json,
 * then `npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
 * --ignore-scripts=true --package-lock=false` runs inside it, and the package is recorded in
 * `<user>/.n8n/nodes/package.json`. n8n then loads its nodes as `<package>.<node>`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { withoutInheritedNpmConfig } from './npmEnv';
import { REPO_ROOT } from './paths';

export interface PackedPackage {
	tarball: string;
	name: string;
	version: string;
}

/** `npm run build` in the repository (skip with `HITL_SKIP_BUILD=1` when dist is known fresh). */
export function buildPackage(): void {
	if (process.env.HITL_SKIP_BUILD === '1') return;
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** `npm pack` of the repository into a fresh temp folder; the tarball users would get from npm. */
export function packPackage(): PackedPackage {
	const destination = mkdtempSync(path.join(tmpdir(), 'hitl-pack-'));
	const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: REPO_ROOT,
		env: withoutInheritedNpmConfig(),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	// npm may print lifecycle noise before the JSON; the JSON array is the last thing on stdout.
	const json = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; name: string; version: string }>;
	const [entry] = json;
	return { tarball: path.join(destination, entry.filename), name: entry.name, version: entry.version };
}

export interface InstalledPackage {
	packageDir: string;
	/** Runtime dependencies that landed in the package's node_modules, name → version. */
	dependencies: Record<string, string>;
}

/**
 * Installs `pkg` into `<userFolder>/.n8n/nodes` like the Community Nodes installer. `npmEnv` should
 * put the npm that n8n would use first on PATH and carry no npm_config_* of an outer npm run. Fails if any installed dependency would have
 * needed an install script or a native build, since n8n never runs them.
 */
export function installLikeCommunityNodes(
	pkg: PackedPackage,
	userFolder: string,
	npmEnv: NodeJS.ProcessEnv = withoutInheritedNpmConfig(),
): InstalledPackage {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', pkg.name);
	mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['-xzf', pkg.tarball, '-C', packageDir, '--strip-components=1']);

	const packageJsonPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...stripped } = JSON.parse(
		readFileSync(packageJsonPath, 'utf8'),
	) as Record<string, unknown>;
	void devDependencies;
	void peerDependencies;
	void optionalDependencies;
	writeFileSync(packageJsonPath, JSON.stringify(stripped, null, 2), 'utf8');

	execFileSync(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: packageDir, env: npmEnv, stdio: ['ignore', 'pipe', 'inherit'] },
	);

	// n8n keeps the list of installed community packages in the nodes folder's package.json.
	const nodesPackageJson = path.join(nodesDir, 'package.json');
	const manifest = existsSync(nodesPackageJson)
		? (JSON.parse(readFileSync(nodesPackageJson, 'utf8')) as { dependencies?: Record<string, string> })
		: { name: 'installed-nodes', private: true, dependencies: {} };
	manifest.dependencies = { ...manifest.dependencies, [pkg.name]: pkg.version };
	writeFileSync(nodesPackageJson, JSON.stringify(manifest, null, 2), 'utf8');

	const dependencies = auditInstalledDependencies(packageDir);
	for (const dep of Object.keys((stripped.dependencies as Record<string, string> | undefined) ?? {})) {
		if (!(dep in dependencies)) throw new Error(`runtime dependency ${dep} was not installed into ${packageDir}`);
	}
	return { packageDir, dependencies };
}

/**
 * Lists the installed dependency tree and throws if one of them declares an install step
 * (preinstall / install / postinstall, or a binding.gyp that npm would build): with scripts off,
 * such a package would be broken inside n8n.
 */
function auditInstalledDependencies(packageDir: string): Record<string, string> {
	const found: Record<string, string> = {};
	const offenders: string[] = [];
	const visit = (modulesDir: string): void => {
		if (!existsSync(modulesDir)) return;
		for (const entry of readdirSync(modulesDir)) {
			if (entry.startsWith('.')) continue;
			const full = path.join(modulesDir, entry);
			if (entry.startsWith('@')) {
				visit(full);
				continue;
			}
			const manifestPath = path.join(full, 'package.json');
			if (!existsSync(manifestPath)) continue;
			const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
				name: string;
				version: string;
				scripts?: Record<string, string>;
			};
			found[manifest.name] = manifest.version;
			const scripts = manifest.scripts ?? {};
			const hooks = ['preinstall', 'install', 'postinstall'].filter((hook) => hook in scripts);
			if (hooks.length > 0 || existsSync(path.join(full, 'binding.gyp'))) {
				offenders.push(`${manifest.name}@${manifest.version} (${hooks.join(', ') || 'binding.gyp'})`);
			}
			visit(path.join(full, 'node_modules'));
		}
	};
	visit(path.join(packageDir, 'node_modules'));
	if (offenders.length > 0) {
		throw new Error(
			`dependencies need install scripts, which n8n's installer never runs: ${offenders.join('; ')}`,
		);
	}
	return found;
}
