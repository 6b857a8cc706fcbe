/**
 * Why: our transparency-log output (signed notes, C2SP checkpoints, RFC 6962 inclusion and
 * consistency proofs) must be checked by code we did not write. test/interop/go/hitlcheck is a
 * small Go program over Go's reference packages (golang.org/x/mod/sumdb/note and sumdb/tlog, from
 * Debian's golang-golang-x-mod-dev, installed by `npm run setup` via install-go.sh). This builds it
 * once per source hash into the project cache (GOPATH mode: no module proxy, no network, nothing
 * written outside the cache) and runs it. A missing Go or x/mod is an error, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

import { withoutInheritedNpmConfig } from './npmEnv';
import { REPO_ROOT } from './paths';

/** Where Debian's golang-*-dev packages put their sources; the GOPATH of the build. */
export const DEBIAN_GOPATH = '/usr/share/gocode';
const X_MOD_PACKAGES = ['golang.org/x/mod/sumdb/note', 'golang.org/x/mod/sumdb/tlog'];
const SOURCE_DIR = path.join(REPO_ROOT, 'test', 'interop', 'go', 'hitlcheck');
const SETUP_HINT =
	'run `npm run setup` (its step installs Debian\'s golang-go and golang-golang-x-mod-dev with test/harness/install-go.sh)';

/** The Go part of the project cache: `${HITL_CACHE_DIR:-$HOME/.cache/n8n-nodes-hitl}/go`. */
export function goCacheDir(): string {
	const root = process.env.HITL_CACHE_DIR ?? path.join(homedir(), '.cache', 'n8n-nodes-hitl');
	return path.join(root, 'go');
}

/**
 * The environment of every go command: the caller's, without the outer npm run's variables or any
 * GO* setting of the machine, in GOPATH mode against Debian's sources, with the build cache in the
 * project cache (so only that folder has to be writable) and GOENV off (no ~/.config/go/env).
 */
export function goEnv(): NodeJS.ProcessEnv {
	const env = Object.fromEntries(
		Object.entries(withoutInheritedNpmConfig()).filter(([name]) => !/^(GO|CGO_)/.test(name)),
	);
	return {
		...env,
		GO111MODULE: 'off',
		GOPATH: DEBIAN_GOPATH,
		GOCACHE: path.join(goCacheDir(), 'go-build'),
		GOFLAGS: '',
		GOPROXY: 'off',
		GOENV: 'off',
		GOTOOLCHAIN: 'local',
		CGO_ENABLED: '0',
	};
}

/** `go version`'s line; throws telling to run the set-up when Go is missing or broken. */
function goVersion(): string {
	const result = spawnSync('go', ['version'], { encoding: 'utf8', env: goEnv() });
	if (result.error || result.status !== 0) {
		const why = result.error ? result.error.message : `exit ${String(result.status)}: ${result.stderr}`;
		throw new Error(`Go is needed for the transparency-log interop tests but \`go version\` failed (${why}): ${SETUP_HINT}`);
	}
	return result.stdout.trim();
}

/** The x/mod sources the program compiles against, in a stable order; throws when missing. */
function xModSources(): Array<{ file: string; text: string }> {
	const sources: Array<{ file: string; text: string }> = [];
	for (const pkg of X_MOD_PACKAGES) {
		const dir = path.join(DEBIAN_GOPATH, 'src', pkg);
		if (!existsSync(dir)) {
			throw new Error(`${pkg} is needed for the transparency-log interop tests but ${dir} is missing: ${SETUP_HINT}`);
		}
		for (const name of readdirSync(dir).sort()) {
			if (name.endsWith('.go') && !name.endsWith('_test.go')) {
				sources.push({ file: `${pkg}/${name}`, text: readFileSync(path.join(dir, name), 'utf8') });
			}
		}
	}
	return sources;
}

/** What one run of hitlcheck gave: its exit status (0 verified, 1 rejected, 2 usage) and JSON. */
export interface HitlCheckResult {
	status: number;
	json: Record<string, unknown>;
	stdout: string;
	stderr: string;
}

export type HitlCheck = (args: string[]) => HitlCheckResult;

export interface HitlCheckBuild {
	run: HitlCheck;
	/** The built binary. */
	binary: string;
	/** False when a binary for this source hash was already in the cache. */
	built: boolean;
	/** Wall time of the `go build`, 0 when cached. */
	buildMs: number;
	goVersion: string;
}

/**
 * Builds test/interop/go/hitlcheck (once per hash of its sources, the x/mod sources and the Go
 * version) into the cache and returns a runner. Throws when Go or x/mod is missing or the build fails.
 */
export function buildHitlCheck(): HitlCheckBuild {
	const version = goVersion();
	const hash = createHash('sha256').update(`${version}\n`);
	const ownSources = readdirSync(SOURCE_DIR)
		.filter((name) => name.endsWith('.go'))
		.sort()
		.map((name) => ({ file: name, text: readFileSync(path.join(SOURCE_DIR, name), 'utf8') }));
	for (const { file, text } of [...ownSources, ...xModSources()]) hash.update(`${file}\n${text.length}\n${text}`);
	const dir = goCacheDir();
	const binary = path.join(dir, `hitlcheck-${hash.digest('hex').slice(0, 16)}`);
	let built = false;
	let buildMs = 0;
	if (!existsSync(binary)) {
		mkdirSync(dir, { recursive: true });
		// Built under a private name, then renamed: a concurrent test worker never runs half a binary.
		const partial = `${binary}.partial-${process.pid}`;
		const started = Date.now();
		// No -trimpath: it would make go rebuild the whole standard library (about 45 s) instead of
		// using the copy Debian's golang-go ships precompiled (about 2 s).
		const result = spawnSync('go', ['build', '-o', partial, '.'], {
			cwd: SOURCE_DIR,
			encoding: 'utf8',
			env: goEnv(),
		});
		buildMs = Date.now() - started;
		if (result.error || result.status !== 0) {
			rmSync(partial, { force: true });
			const why = result.error ? result.error.message : `exit ${String(result.status)}`;
			throw new Error(`go build of ${SOURCE_DIR} failed (${why}):\n${result.stdout}${result.stderr}\nIf Go or x/mod is missing: ${SETUP_HINT}`);
		}
		renameSync(partial, binary);
		built = true;
	}
	const run: HitlCheck = (args) => {
		// `proofs` prints megabytes of JSON for a few hundred leaves; spawnSync's default cap is 1 MiB.
		const result = spawnSync(binary, args, { encoding: 'utf8', env: goEnv(), maxBuffer: 256 * 1024 * 1024 });
		if (result.error) throw new Error(`hitlcheck ${args.join(' ')} did not run: ${result.error.message}`);
		const status = result.status;
		if (status === null || status > 2) {
			throw new Error(`hitlcheck ${args.join(' ')} ended abnormally (status ${String(status)}, signal ${String(result.signal)}): ${result.stderr}`);
		}
		let json: Record<string, unknown>;
		try {
			json = JSON.parse(result.stdout) as Record<string, unknown>;
		} catch {
			throw new Error(`hitlcheck ${args.join(' ')} printed no JSON (status ${status}): ${result.stdout}${result.stderr}`);
		}
		return { status, json, stdout: result.stdout, stderr: result.stderr };
	};
	return { run, binary, built, buildMs, goVersion: version };
}
