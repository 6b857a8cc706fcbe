/**
 * Starts and stops everything the server suite shares: one n8n server with this package installed
 * as users install it, a capturing SMTP server, an embedded Postgres, and the Chromium check.
 * test/server/globalSetup.ts and globalTeardown.ts are thin wrappers around these two functions;
 * a demo script can call them directly.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';
import { writeConnectionInfo, type ConnectionInfo } from './connectionInfo';
import { login, setupOwner, startN8n, stopN8n, tailLog, type RunningN8n } from './n8nServer';
import { withoutInheritedNpmConfig } from './npmEnv';
import { buildPackage, installLikeCommunityNodes, packPackage } from './packageInstall';
import { ensureN8nInstalled, N8N_VERSION, REPO_ROOT } from './paths';
import { startPostgres, type RunningPostgres } from './postgres';
import { startSmtpCapture, type SmtpCapture } from './smtpCapture';
import { fetchFresh } from './http';

/** Test-only nodes n8n loads as custom extensions (`CUSTOM.scriptedChatModel`); never packed. */
const SCRIPTED_MODEL_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'scripted-model');

export interface RunningSuite {
	info: ConnectionInfo;
	infoFile: string;
	runDir: string;
	n8n: RunningN8n;
	smtp: SmtpCapture;
	postgres: RunningPostgres;
}

const OWNER = {
	email: 'owner@hitl.test',
	// n8n requires 8+ characters with a digit and an upper-case letter.
	password: `Owner-${randomBytes(6).toString('hex')}-1A`,
	firstName: 'Test',
	lastName: 'Owner',
};

function log(message: string): void {
	process.stderr.write(`[server-suite] ${message}\n`);
}

async function timed<T>(timings: Record<string, number>, step: string, work: () => T | Promise<T>): Promise<T> {
	const started = Date.now();
	const result = await work();
	timings[step] = Date.now() - started;
	log(`${step}: ${timings[step]} ms`);
	return result;
}

/**
 * Node types and credential types this package declares in package.json `n8n`, as n8n names them:
 * a node is `<package>.<description.name>` and a credential `<name>`, both normally the class name
 * with a lower-case first letter (dist/nodes/<Dir>/<Class>.node.js, dist/credentials/<Class>.credentials.js).
 */
function declaredTypes(packageDir: string, packageName: string): { nodes: string[]; credentials: string[] } {
	const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const lowerFirst = (name: string): string => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
	return {
		nodes: (manifest.n8n?.nodes ?? []).map((file) => `${packageName}.${lowerFirst(path.basename(file).replace(/\.node\.js$/, ''))}`),
		credentials: (manifest.n8n?.credentials ?? []).map((file) => lowerFirst(path.basename(file).replace(/\.credentials\.js$/, ''))),
	};
}

/**
 * Fails unless the server loaded every node and credential the package declares (compared
 * case-insensitively); returns the loaded node types. A package that fails to load in n8n only
 * logs an error there, so without this check its tests would fail later and less clearly.
 */
async function assertPackageLoaded(
	baseUrl: string,
	session: { cookie: string; browserId: string },
	packageName: string,
	expected: { nodes: string[]; credentials: string[] },
	logFile: string,
): Promise<string[]> {
	const headers = { cookie: session.cookie, 'browser-id': session.browserId };
	const fetchNames = async (file: string): Promise<string[]> => {
		const res = await fetchFresh(`${baseUrl}/types/${file}`, { headers });
		if (!res.ok) throw new Error(`GET /types/${file} → ${res.status}`);
		return ((await res.json()) as Array<{ name: string }>).map((type) => type.name);
	};
	const loadedNodes = [...new Set((await fetchNames('nodes.json')).filter((name) => name.startsWith(`${packageName}.`)))].sort();
	const credentialNames = new Set((await fetchNames('credentials.json')).map((name) => name.toLowerCase()));
	const nodeNames = new Set(loadedNodes.map((name) => name.toLowerCase()));
	const missing = [
		...expected.nodes.filter((name) => !nodeNames.has(name.toLowerCase())),
		...expected.credentials.filter((name) => !credentialNames.has(name.toLowerCase())).map((name) => `credential ${name}`),
	];
	if (missing.length > 0) {
		throw new Error(`n8n did not load ${missing.join(', ')} (loaded nodes: ${loadedNodes.join(', ') || 'none'}). Log tail:\n${tailLog(logFile)}`);
	}
	return loadedNodes;
}

async function createApiKey(baseUrl: string, cookie: string, browserId: string): Promise<string> {
	const headers = { cookie, 'browser-id': browserId, 'content-type': 'application/json' };
	const scopesRes = await fetchFresh(`${baseUrl}/rest/api-keys/scopes`, { headers });
	const scopes = ((await scopesRes.json()) as { data: string[] }).data;
	const res = await fetchFresh(`${baseUrl}/rest/api-keys`, {
		method: 'POST',
		headers,
		body: JSON.stringify({ label: 'server tests', scopes, expiresAt: null }),
	});
	if (!res.ok) throw new Error(`creating an API key failed: ${res.status} ${await res.text()}`);
	return ((await res.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
}

export interface SuiteOptions {
	/** How the SMTP capture keeps mail (smtpCapture.ts CaptureOptions); tests read it parsed. */
	mail?: 'parsed' | 'raw';
}

/**
 * Installs what is missing (n8n + Node 24, Chromium), builds and packs this package, installs it
 * into a fresh n8n user folder, starts SMTP capture, Postgres and n8n, sets up the owner, and
 * writes the connection-info file. Throws — failing the suite — if any step fails.
 */
export async function startSuite(options: SuiteOptions = {}): Promise<RunningSuite> {
	const timings: Record<string, number> = {};
	const suiteStarted = Date.now();

	const install = await timed(timings, 'install n8n (cached after the first run)', () => ensureN8nInstalled());
	await timed(timings, 'check/install Chromium', () => {
		const result = spawnSync('bash', [path.join(REPO_ROOT, 'test', 'harness', 'install-chromium.sh')], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		if (result.status !== 0) throw new Error(`install-chromium.sh failed: ${result.stderr}`);
	});
	await timed(timings, 'npm run build', () => buildPackage());
	const packed = await timed(timings, 'npm pack', () => packPackage());

	const runDir = mkdtempSync(path.join(tmpdir(), 'hitl-suite-'));
	// One info file per run, handed to the test workers through the environment (they start after
	// globalSetup and inherit it): several suites can run at once in one checkout without one
	// reading — or tearing down — another's server.
	const infoFile = process.env.HITL_SERVER_INFO ?? path.join(runDir, 'server-info.json');
	process.env.HITL_SERVER_INFO = infoFile;
	rmSync(infoFile, { force: true });
	// If the process ends without teardown (Ctrl-C on the dev server), leave no run folder behind.
	process.on('exit', () => {
		if (process.env.HITL_KEEP_SUITE_DIR !== '1') rmSync(runDir, { recursive: true, force: true });
	});
	const userFolder = path.join(runDir, 'n8n');
	mkdirSync(userFolder);
	const installed = await timed(timings, 'install package like Community Nodes', () =>
		installLikeCommunityNodes(packed, userFolder, {
			...withoutInheritedNpmConfig(),
			PATH: `${path.dirname(install.node24)}:${process.env.PATH ?? ''}`,
		}),
	);
	rmSync(path.dirname(packed.tarball), { recursive: true, force: true });

	const started: Array<() => Promise<void>> = [];
	try {
		const smtp = await timed(timings, 'start SMTP capture', async () => await startSmtpCapture(path.join(runDir, 'mail'), 0, { parse: options.mail !== 'raw' }));
		started.push(async () => await smtp.stop());

		// Postgres and n8n start in parallel; both take a while.
		const [postgres, n8n] = await timed(timings, 'start Postgres + n8n', async () => {
			const pg = startPostgres({ logFile: path.join(runDir, 'postgres.log') }).then((running) => {
				started.push(async () => await running.stop());
				return running;
			});
			// The scripted chat model (test/fixtures/scripted-model) drives n8n's real AI Agent with no network.
			const env = { N8N_CUSTOM_EXTENSIONS: SCRIPTED_MODEL_DIR };
			const server = startN8n({ install, userFolder, env }).then((running) => {
				started.push(async () => await stopN8n(running));
				return running;
			});
			const [pgResult, serverResult] = await Promise.allSettled([pg, server]);
			if (pgResult.status === 'rejected') throw pgResult.reason;
			if (serverResult.status === 'rejected') throw serverResult.reason;
			return [pgResult.value, serverResult.value] as const;
		});
		timings['n8n start to ready'] = n8n.startMs;

		const session = await timed(timings, 'owner setup + login + API key', async () => {
			await setupOwner(n8n.baseUrl, OWNER);
			const loggedIn = await login(n8n.baseUrl, OWNER);
			const apiKey = await createApiKey(n8n.baseUrl, loggedIn.cookie, loggedIn.browserId);
			return { ...loggedIn, apiKey };
		});

		const expected = declaredTypes(installed.packageDir, packed.name);
		const loaded = await assertPackageLoaded(n8n.baseUrl, session, packed.name, expected, n8n.logFile);
		log(`n8n ${N8N_VERSION} loaded ${loaded.join(', ')} and credentials ${expected.credentials.join(', ')}`);
		timings.total = Date.now() - suiteStarted;

		const info: ConnectionInfo = {
			format: 'n8n-nodes-hitl/server-info/v1',
			runId: randomBytes(8).toString('hex'),
			createdAt: new Date().toISOString(),
			n8n: {
				version: N8N_VERSION,
				baseUrl: n8n.baseUrl,
				webhookUrl: `${n8n.baseUrl}/webhook`,
				webhookWaitingUrl: `${n8n.baseUrl}/webhook-waiting`,
				port: n8n.port,
				brokerPort: n8n.brokerPort,
				pid: n8n.pid,
				userFolder,
				logFile: n8n.logFile,
				owner: { email: OWNER.email, password: OWNER.password },
				cookie: session.cookie,
				browserId: session.browserId,
				apiKey: session.apiKey,
				packageName: packed.name,
				packageVersion: packed.version,
				packageDir: installed.packageDir,
				installedDependencies: installed.dependencies,
				nodeTypes: loaded,
			},
			smtp: { host: smtp.host, port: smtp.port, mailDir: smtp.mailDir },
			postgres: {
				host: postgres.host,
				port: postgres.port,
				user: postgres.user,
				password: postgres.password,
				database: postgres.database,
				connectionString: postgres.connectionString,
			},
			chromium: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
			timings,
		};
		writeConnectionInfo(info, infoFile);
		return { info, infoFile, runDir, n8n, smtp, postgres };
	} catch (error) {
		for (const stop of started.reverse()) await stop().catch(() => undefined);
		keepLogs(runDir);
		rmSync(runDir, { recursive: true, force: true });
		throw error;
	}
}

/** Copies the run's logs to `<repo>/.test-tmp/` (git-ignored) for a look after the run. */
function keepLogs(runDir: string): void {
	const target = path.join(REPO_ROOT, '.test-tmp');
	for (const [from, to] of [
		[path.join(runDir, 'n8n', 'n8n.log'), 'n8n-server.log'],
		[path.join(runDir, 'postgres.log'), 'postgres.log'],
	]) {
		try {
			mkdirSync(target, { recursive: true });
			copyFileSync(from, path.join(target, to));
		} catch {
			// a missing log is not worth failing over
		}
	}
}

/**
 * Stops n8n (whole process group), SMTP and Postgres, removes the connection-info file, keeps a
 * copy of the logs in `.test-tmp/`, and deletes the run folder unless
 * `HITL_KEEP_SUITE_DIR=1`.
 */
export async function stopSuite(suite: RunningSuite): Promise<void> {
	rmSync(suite.infoFile, { force: true });
	await stopN8n(suite.n8n);
	await suite.smtp.stop().catch(() => undefined);
	await suite.postgres.stop().catch(() => undefined);
	keepLogs(suite.runDir);
	if (process.env.HITL_KEEP_SUITE_DIR === '1') {
		log(`kept ${suite.runDir}`);
	} else {
		rmSync(suite.runDir, { recursive: true, force: true });
	}
}

