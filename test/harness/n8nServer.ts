/**
 * Lifecycle of one real n8n server for tests: start it on loopback with a throw-away user folder,
 * wait until it answers, create the owner, log in, and stop it (the whole process group, so the
 * task runner it spawned goes too). Used by test/server/globalSetup.ts; usable on its own.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { freePort, sleep } from './net';
import { withoutInheritedNpmConfig } from './npmEnv';
import type { N8nInstall } from './paths';
import { fetchFresh } from './http';

export interface StartN8nOptions {
	install: N8nInstall;
	/** N8N_USER_FOLDER: n8n keeps its database, config and community packages in `<this>/.n8n`. */
	userFolder: string;
	port?: number;
	brokerPort?: number;
	/** Extra environment for n8n (wins over the defaults below). */
	env?: Record<string, string>;
	/** How long to wait for /healthz/readiness. */
	startTimeoutMs?: number;
	/**
	 * Which n8n command to run (default `start`, the main instance). `worker` and `webhook` are the
	 * queue-mode processes (test/harness/queueMode.ts); a worker serves no N8N_PORT, so give it a
	 * `readinessUrl` on its health port (QUEUE_HEALTH_CHECK_PORT).
	 */
	command?: 'start' | 'worker' | 'webhook';
	/** URL polled until it answers 200 (default `<baseUrl>/healthz/readiness`). */
	readinessUrl?: string;
	/** Where n8n's output goes (default `<userFolder>/n8n.log`). */
	logFile?: string;
}

export interface RunningN8n {
	pid: number;
	port: number;
	brokerPort: number;
	baseUrl: string;
	userFolder: string;
	logFile: string;
	encryptionKey: string;
	/** Milliseconds from spawn until /healthz/readiness answered 200. */
	startMs: number;
	/** The n8n command this process runs (`start` unless asked otherwise). */
	command: 'start' | 'worker' | 'webhook';
}

/** The last `lines` lines of the server log, for failure messages. */
export function tailLog(logFile: string, lines = 60): string {
	if (!existsSync(logFile)) return '(no log file)';
	return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
}

export async function startN8n(options: StartN8nOptions): Promise<RunningN8n> {
	const port = options.port ?? (await freePort());
	let brokerPort = options.brokerPort ?? (await freePort());
	while (brokerPort === port) brokerPort = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const logFile = options.logFile ?? path.join(options.userFolder, 'n8n.log');
	const command = options.command ?? 'start';
	const readinessUrl = options.readinessUrl ?? `${baseUrl}/healthz/readiness`;
	const encryptionKey = randomBytes(24).toString('hex');

	// Start from the parent's environment minus any n8n settings, so a developer's own
	// N8N_* variables cannot change what the tests exercise.
	const inherited = Object.fromEntries(
		Object.entries(withoutInheritedNpmConfig()).filter(
			// NODE_ENV=test (set by jest) makes n8n exit silently at start; JEST_* are jest's own. The outer
			// npm run's npm_config_* would reach the npm that n8n itself runs for community packages.
			([key]) => !key.startsWith('N8N_') && !key.startsWith('JEST_') && !['NODE_OPTIONS', 'NODE_ENV'].includes(key),
		),
	);
	const env: NodeJS.ProcessEnv = {
		...inherited,
		// Node 24 first on PATH: the task runner and npm that n8n spawns must run on it too.
		PATH: `${path.dirname(options.install.node24)}:${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: options.userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `${baseUrl}/`,
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		// This package is an unverified community package: n8n says this will default to false.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_PUBLIC_API_DISABLED: 'false',
		// No Python runner venv here; without this n8n logs a start failure for it.
		N8N_PYTHON_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_PRUNE: 'false',
		...options.env,
	};

	const logFd = openSync(logFile, 'a');
	const started = Date.now();
	// detached: n8n leads its own process group, so stopN8n can signal it and its task runner at once.
	const child = spawn(options.install.node24, [options.install.n8nBin, command], {
		cwd: options.userFolder,
		env,
		detached: true,
		stdio: ['ignore', logFd, logFd],
	});
	closeSync(logFd);
	if (child.pid === undefined) throw new Error('n8n did not start (no pid)');
	const pid = child.pid;
	let exited: string | undefined;
	child.on('exit', (code, signal) => {
		exited = `exit code ${String(code)}, signal ${String(signal)}`;
	});
	// The server must not keep jest's main process alive on its own; stopN8n ends it.
	child.unref();
	registerExitKill(pid);

	const deadline = started + (options.startTimeoutMs ?? 180_000);
	for (;;) {
		if (exited) {
			throw new Error(`n8n ${command} exited during start-up (${exited}). Log tail:\n${tailLog(logFile)}`);
		}
		if (Date.now() > deadline) {
			await stopN8n({ pid });
			throw new Error(`n8n ${command} did not become ready within ${options.startTimeoutMs ?? 180_000} ms (${readinessUrl}). Log tail:\n${tailLog(logFile)}`);
		}
		try {
			const res = await fetchFresh(readinessUrl, { signal: AbortSignal.timeout(2000) });
			if (res.ok) break;
		} catch {
			// not listening yet
		}
		await sleep(250);
	}
	return { pid, port, brokerPort, baseUrl, userFolder: options.userFolder, logFile, encryptionKey, startMs: Date.now() - started, command };
}

const killOnExit = new Set<number>();
let exitHookInstalled = false;

/** Last resort if the test process dies without teardown: no orphaned n8n left behind. */
function registerExitKill(pid: number): void {
	killOnExit.add(pid);
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const group of killOnExit) killGroup(group, 'SIGKILL');
	});
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** SIGTERM to n8n's process group, then SIGKILL after `graceMs`; resolves when the group is gone. */
export async function stopN8n(server: { pid: number }, graceMs = 10_000): Promise<void> {
	killOnExit.delete(server.pid);
	if (!killGroup(server.pid, 'SIGTERM')) return;
	const deadline = Date.now() + graceMs;
	while (groupAlive(server.pid) && Date.now() < deadline) await sleep(100);
	if (groupAlive(server.pid)) {
		killGroup(server.pid, 'SIGKILL');
		while (groupAlive(server.pid)) await sleep(50);
	}
}

export interface OwnerAccount {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export interface Session {
	/** `n8n-auth=<jwt>` — send as the Cookie header. */
	cookie: string;
	/** n8n binds the auth cookie to this `browser-id` header; send both. */
	browserId: string;
}

/**
 * Creates the instance owner. n8n can refuse for a few seconds after /healthz answers, so this
 * retries until `timeoutMs`.
 */
export async function setupOwner(baseUrl: string, owner: OwnerAccount, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		try {
			const res = await fetchFresh(`${baseUrl}/rest/owner/setup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(owner),
			});
			if (res.ok) return;
			last = `${res.status} ${await res.text()}`;
		} catch (error) {
			last = String(error);
		}
		await sleep(500);
	}
	throw new Error(`owner setup failed for ${timeoutMs} ms: ${last}`);
}

export async function login(baseUrl: string, owner: OwnerAccount, browserId = randomBytes(8).toString('hex')): Promise<Session> {
	const res = await fetchFresh(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': browserId },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
	const auth = res.headers.getSetCookie().find((cookie) => cookie.startsWith('n8n-auth='));
	if (!auth) throw new Error('login answered without an n8n-auth cookie');
	return { cookie: auth.split(';')[0], browserId };
}
