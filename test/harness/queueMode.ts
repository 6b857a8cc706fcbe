/**
 * A real n8n queue-mode deployment for server tests, started beside the suite's shared n8n:
 * - Redis: Debian's `redis-server` (test/harness/install-redis.sh), one per stack, on a free loopback
 *   port with a throw-away folder and no persistence;
 * - n8n's own database on Postgres: a fresh database created in the suite's embedded Postgres;
 * - n8n main (`n8n start`: editor, REST API, triggers, wait timer), N workers (`n8n worker`: run the
 *   executions they take from the Bull queue in Redis) and one webhook processor (`n8n webhook`:
 *   production and waiting webhooks), all with EXECUTIONS_MODE=queue and one encryption key.
 * N8N_WEBHOOK_URL points every process at the webhook processor, so the resume URLs a worker puts in
 * `$execution.resumeUrl` lead there. Each process gets its own user folder with a copy of the package
 * as the suite installed it (Community Nodes layout): n8n keeps a crash journal, its event log and its
 * settings file per folder, which processes must not share.
 * `stopQueueMode` ends every process group (n8n's task runners included) and Redis, drops the
 * database and checks that nothing still listens on the stack's ports. The logs are copied to
 * `.test-tmp/queue-mode/`; the stack's folder is deleted unless HITL_KEEP_SUITE_DIR=1.
 * For crash tests (test/server/queueCrash.server.test.ts): `killN8nProcess` (SIGKILL), `startQueueWorker`
 * (a replacement worker) and `restartQueueRedis` (Redis stopped and started again on its port).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

import type { ConnectionInfo } from './connectionInfo';
import { N8nClient } from './n8nClient';
import { login, setupOwner, startN8n, stopN8n, tailLog, type OwnerAccount, type RunningN8n } from './n8nServer';
import { freePort, sleep } from './net';
import { ensureN8nInstalled, REPO_ROOT } from './paths';

export const REDIS_SERVER = process.env.HITL_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RunningRedis {
	pid: number;
	host: string;
	port: number;
	dir: string;
	logFile: string;
}

export interface QueueModeOptions {
	info: ConnectionInfo;
	/** How many `n8n worker` processes (default 2). */
	workers?: number;
	/** Extra environment for every n8n process (wins over the stack's settings). */
	env?: Record<string, string>;
	/** Progress lines (default: stderr with a `[queue-mode]` prefix). */
	log?: (message: string) => void;
	startTimeoutMs?: number;
}

export interface QueueModeStack {
	redis: RunningRedis;
	/** n8n's own database, created for this stack in the suite's Postgres. */
	database: { host: string; port: number; name: string; user: string; password: string };
	main: RunningN8n;
	workers: RunningN8n[];
	webhook: RunningN8n;
	/** Health/readiness port of each worker (QUEUE_HEALTH_CHECK_PORT), same order as `workers`. */
	workerHealthPorts: number[];
	encryptionKey: string;
	owner: OwnerAccount;
	/** The owner's client of the main's REST API; its webhook URLs are the webhook processor's. */
	client: N8nClient;
	/** Folder holding the user folders, Redis' folder and the logs. */
	dir: string;
	/** Milliseconds per start-up step. */
	timings: Record<string, number>;
	/** The environment every n8n process of the stack shares (for processes started later, e.g. a replacement worker). */
	env: Record<string, string>;
}

const defaultLog = (message: string): void => {
	process.stderr.write(`[queue-mode] ${message}\n`);
};

/** PING over RESP; true when Redis answers +PONG. */
async function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect(port, host);
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (data) => done(String(data).startsWith('+PONG')));
		socket.on('error', () => done(false));
	});
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export async function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect(port, host);
		socket.setTimeout(1000, () => {
			socket.destroy();
			resolve(false);
		});
		socket.on('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

const exitKills = new Set<number>();
let exitHook = false;
function killOnExit(pid: number): void {
	exitKills.add(pid);
	if (exitHook) return;
	exitHook = true;
	process.on('exit', () => {
		for (const group of exitKills) {
			try {
				process.kill(-group, 'SIGKILL');
			} catch {
				// gone
			}
		}
	});
}

/**
 * redis-server on a free loopback port (or on `port`, e.g. to restart it where it was), no RDB
 * snapshots, no AOF, its folder `dir`.
 */
export async function startRedis(dir: string, timeoutMs = 20_000, fixedPort?: number): Promise<RunningRedis> {
	if (!existsSync(REDIS_SERVER)) {
		throw new Error(`${REDIS_SERVER} is missing: run bash test/harness/install-redis.sh (or npm run setup)`);
	}
	mkdirSync(dir, { recursive: true });
	const port = fixedPort ?? (await freePort());
	const logFile = path.join(dir, 'redis.log');
	const logFd = openSync(logFile, 'a');
	const child = spawn(
		REDIS_SERVER,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'],
		{ detached: true, stdio: ['ignore', logFd, logFd] },
	);
	closeSync(logFd);
	if (child.pid === undefined) throw new Error('redis-server did not start (no pid)');
	const pid = child.pid;
	let exited: string | undefined;
	child.on('exit', (code, signal) => {
		exited = `exit code ${String(code)}, signal ${String(signal)}`;
	});
	child.unref();
	killOnExit(pid);
	const deadline = Date.now() + timeoutMs;
	while (!(await redisPing(port))) {
		if (exited) throw new Error(`redis-server exited during start-up (${exited}). Log tail:\n${tailLog(logFile, 30)}`);
		if (Date.now() > deadline) {
			await stopRedis({ pid });
			throw new Error(`redis-server did not answer PING within ${timeoutMs} ms. Log tail:\n${tailLog(logFile, 30)}`);
		}
		await sleep(50);
	}
	return { pid, host: '127.0.0.1', port, dir, logFile };
}

export async function stopRedis(redis: { pid: number }, graceMs = 5_000): Promise<void> {
	exitKills.delete(redis.pid);
	try {
		process.kill(-redis.pid, 'SIGTERM');
	} catch {
		return;
	}
	const deadline = Date.now() + graceMs;
	while (groupAlive(redis.pid) && Date.now() < deadline) await sleep(50);
	if (groupAlive(redis.pid)) {
		try {
			process.kill(-redis.pid, 'SIGKILL');
		} catch {
			// gone
		}
		while (groupAlive(redis.pid)) await sleep(50);
	}
}

function pgAdmin(info: ConnectionInfo): Client {
	const { host, port, user, password, database } = info.postgres;
	return new Client({ host, port, user, password, database });
}

async function createDatabase(info: ConnectionInfo, name: string): Promise<void> {
	const client = pgAdmin(info);
	await client.connect();
	try {
		await client.query(`CREATE DATABASE "${name}"`);
	} finally {
		await client.end();
	}
}

async function dropDatabase(info: ConnectionInfo, name: string): Promise<void> {
	const client = pgAdmin(info);
	await client.connect();
	try {
		await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
	} finally {
		await client.end();
	}
}

/** The package as the suite installed it, copied into a fresh user folder. */
function userFolderFor(info: ConnectionInfo, parent: string, name: string): string {
	const folder = path.join(parent, name);
	mkdirSync(folder, { recursive: true });
	cpSync(path.join(info.n8n.userFolder, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true });
	return folder;
}

async function timed<T>(timings: Record<string, number>, step: string, log: (m: string) => void, work: () => Promise<T>): Promise<T> {
	const started = Date.now();
	const result = await work();
	timings[step] = Date.now() - started;
	log(`${step}: ${timings[step]} ms`);
	return result;
}

/**
 * Starts Redis, creates n8n's database, starts main, workers and the webhook processor in parallel
 * (n8n's Postgres migrations take an advisory lock, so only one process migrates), waits for each
 * one's readiness (main and webhook processor: /healthz/readiness on N8N_PORT; workers: the same path
 * on their health port, which answers 200 only once the worker is connected to Postgres and Redis and
 * takes jobs), sets up the owner on main and logs in. On any failure everything started so far is
 * stopped and the error carries every process' log tail.
 */
export async function startQueueMode(options: QueueModeOptions): Promise<QueueModeStack> {
	const { info } = options;
	const log = options.log ?? defaultLog;
	const timings: Record<string, number> = {};
	const install = ensureN8nInstalled();
	const dir = mkdtempSync(path.join(tmpdir(), 'hitl-queue-'));
	const encryptionKey = randomBytes(24).toString('hex');
	const dbName = `n8n_queue_${randomBytes(4).toString('hex')}`;
	const database = { host: info.postgres.host, port: info.postgres.port, name: dbName, user: info.postgres.user, password: info.postgres.password };
	const owner: OwnerAccount = { email: 'owner@queue.test', password: `Owner-${randomBytes(6).toString('hex')}-1A`, firstName: 'Queue', lastName: 'Mode' };
	const workerCount = options.workers ?? 2;

	const partial: Partial<QueueModeStack> & { dir: string; workers: RunningN8n[]; database: QueueModeStack['database'] } = {
		dir,
		workers: [],
		database,
	};
	let databaseCreated = false;
	const cleanUp = async (): Promise<void> => {
		await stopQueueMode(partial, { databaseCreated, info, keepDir: true });
	};

	try {
		const redis = await timed(timings, 'Redis + n8n database', log, async () => {
			// allSettled: if one fails, the other has finished too, so clean-up sees both.
			const [redisResult, databaseResult] = await Promise.allSettled([
				startRedis(path.join(dir, 'redis')).then((running) => {
					partial.redis = running;
					return running;
				}),
				createDatabase(info, dbName).then(() => {
					databaseCreated = true;
				}),
			]);
			if (redisResult.status === 'rejected') throw redisResult.reason;
			if (databaseResult.status === 'rejected') throw databaseResult.reason;
			return redisResult.value;
		});

		// Every port of the stack chosen up front and distinct: N8N_PORT of main and webhook processor,
		// each worker's health port, and a task-runner broker port for main and each worker.
		const taken = new Set<number>([redis.port]);
		const port = async (): Promise<number> => {
			let candidate = await freePort();
			while (taken.has(candidate)) candidate = await freePort();
			taken.add(candidate);
			return candidate;
		};
		const ports = { main: await port(), webhook: await port(), mainBroker: await port(), webhookBroker: await port() };
		const workerHealthPorts: number[] = [];
		const workerBrokerPorts: number[] = [];
		for (let i = 0; i < workerCount; i += 1) {
			workerHealthPorts.push(await port());
			workerBrokerPorts.push(await port());
		}
		partial.workerHealthPorts = workerHealthPorts;
		const mainUrl = `http://127.0.0.1:${ports.main}`;
		const webhookUrl = `http://127.0.0.1:${ports.webhook}`;
		const common: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: database.host,
			DB_POSTGRESDB_PORT: String(database.port),
			DB_POSTGRESDB_DATABASE: database.name,
			DB_POSTGRESDB_USER: database.user,
			DB_POSTGRESDB_PASSWORD: database.password,
			N8N_ENCRYPTION_KEY: encryptionKey,
			// Resume URLs ($execution.resumeUrl, built by the worker that runs the gate) and production
			// webhook URLs point at the webhook processor; the editor stays on main.
			N8N_WEBHOOK_URL: `${webhookUrl}/`,
			N8N_EDITOR_BASE_URL: `${mainUrl}/`,
			// A worker waits this long for running executions on SIGTERM (default 30 s).
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			...options.env,
		};
		const start = (
			name: string,
			command: 'start' | 'worker' | 'webhook',
			extra: { port?: number; brokerPort: number; env?: Record<string, string>; readinessUrl?: string },
		) =>
			startN8n({
				install,
				brokerPort: extra.brokerPort,
				userFolder: userFolderFor(info, dir, name),
				logFile: path.join(dir, `${name}.log`),
				command,
				startTimeoutMs: options.startTimeoutMs ?? 240_000,
				...(extra.port === undefined ? {} : { port: extra.port }),
				...(extra.readinessUrl === undefined ? {} : { readinessUrl: extra.readinessUrl }),
				env: { ...common, ...extra.env },
			});

		await timed(timings, `n8n main + ${workerCount} workers + webhook processor ready`, log, async () => {
			const tasks: Array<Promise<void>> = [
				start('main', 'start', { port: ports.main, brokerPort: ports.mainBroker }).then((running) => {
					partial.main = running;
					timings['main start to ready'] = running.startMs;
				}),
				start('webhook', 'webhook', { port: ports.webhook, brokerPort: ports.webhookBroker }).then((running) => {
					partial.webhook = running;
					timings['webhook processor start to ready'] = running.startMs;
				}),
				...workerHealthPorts.map((healthPort, i) =>
					start(`worker${i + 1}`, 'worker', {
						brokerPort: workerBrokerPorts[i],
						env: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
						readinessUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
					}).then((running) => {
						partial.workers[i] = running;
						timings[`worker${i + 1} start to ready`] = running.startMs;
					}),
				),
			];
			const results = await Promise.allSettled(tasks);
			const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
			if (failed.length > 0) throw new Error(failed.map((r) => String((r.reason as Error).message ?? r.reason)).join('\n\n'));
		});
		const main = partial.main as RunningN8n;
		const webhook = partial.webhook as RunningN8n;

		const client = await timed(timings, 'owner setup + login', log, async () => {
			await setupOwner(main.baseUrl, owner);
			const session = await login(main.baseUrl, owner);
			return new N8nClient({
				baseUrl: main.baseUrl,
				cookie: session.cookie,
				browserId: session.browserId,
				logFile: main.logFile,
				webhookUrl: `${webhook.baseUrl}/webhook`,
				webhookWaitingUrl: `${webhook.baseUrl}/webhook-waiting`,
			});
		});
		log(
			`main ${main.baseUrl} (broker ${main.brokerPort}), webhook processor ${webhook.baseUrl}, ` +
				partial.workers.map((w, i) => `worker${i + 1} health ${workerHealthPorts[i]} (broker ${w.brokerPort})`).join(', ') +
				`, Redis ${redis.port}, database ${dbName}`,
		);
		return { redis, database, main, workers: partial.workers, webhook, workerHealthPorts, encryptionKey, owner, client, dir, timings, env: common };
	} catch (error) {
		const tails = queueModeLogTails(partial);
		keepQueueModeLogs(partial);
		await cleanUp().catch(() => undefined);
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`queue-mode stack did not start: ${(error as Error).message}\n\n${tails}`);
	}
}

/** Copies every process' log to `<repo>/.test-tmp/queue-mode/` (git-ignored) for a look after the run. */
function keepQueueModeLogs(stack: Partial<QueueModeStack>): void {
	const target = path.join(REPO_ROOT, '.test-tmp', 'queue-mode');
	const logs: Array<[string, string | undefined]> = [
		['main.log', stack.main?.logFile],
		['webhook.log', stack.webhook?.logFile],
		...(stack.workers ?? []).map((w, i): [string, string | undefined] => [`worker${i + 1}.log`, w?.logFile]),
		['redis.log', stack.redis?.logFile],
	];
	for (const [name, file] of logs) {
		try {
			if (!file) continue;
			mkdirSync(target, { recursive: true });
			copyFileSync(file, path.join(target, name));
		} catch {
			// a missing log is not worth failing over
		}
	}
}

/** The last lines of every process' log, for failure messages. */
export function queueModeLogTails(stack: Partial<QueueModeStack>, lines = 30): string {
	const parts: string[] = [];
	const add = (name: string, file: string | undefined) => {
		if (file) parts.push(`--- ${name} (${file}) ---\n${tailLog(file, lines)}`);
	};
	add('main', stack.main?.logFile);
	(stack.workers ?? []).forEach((w, i) => add(`worker${i + 1}`, w?.logFile));
	add('webhook processor', stack.webhook?.logFile);
	add('redis', stack.redis?.logFile);
	return parts.join('\n');
}

/**
 * SIGTERM to every n8n process group at once (SIGKILL after 10 s), then Redis; drops n8n's
 * database; throws if any of the stack's ports still accepts connections afterwards.
 */
export async function stopQueueMode(
	stack: Partial<QueueModeStack> & { dir: string; workers: RunningN8n[]; database: QueueModeStack['database'] },
	options: { info: ConnectionInfo; databaseCreated?: boolean; keepDir?: boolean },
): Promise<void> {
	const processes = [stack.main, stack.webhook, ...stack.workers].filter((p): p is RunningN8n => p !== undefined);
	await Promise.all(processes.map(async (p) => await stopN8n(p)));
	if (stack.redis) await stopRedis(stack.redis);
	if (options.databaseCreated !== false) await dropDatabase(options.info, stack.database.name).catch(() => undefined);
	const ports = [
		...(stack.main ? [stack.main.port, stack.main.brokerPort] : []),
		...(stack.webhook ? [stack.webhook.port] : []),
		...stack.workers.filter(Boolean).map((w) => w.brokerPort),
		...(stack.workerHealthPorts ?? []),
		...(stack.redis ? [stack.redis.port] : []),
	];
	const still: number[] = [];
	for (const port of ports) if (await listening(port)) still.push(port);
	keepQueueModeLogs(stack);
	if (!options.keepDir && process.env.HITL_KEEP_SUITE_DIR !== '1') rmSync(stack.dir, { recursive: true, force: true });
	if (still.length > 0) throw new Error(`after stopping the queue-mode stack, ports ${still.join(', ')} still accept connections`);
}

/**
 * Starts one more `n8n worker` for a running stack (e.g. to replace one a test killed): its own user
 * folder, log (`worker<N>.log`), health and broker ports, the stack's shared environment. It is
 * appended to `stack.workers` / `stack.workerHealthPorts`, so stopQueueMode ends it too.
 */
export async function startQueueWorker(stack: QueueModeStack, info: ConnectionInfo, startTimeoutMs = 240_000): Promise<RunningN8n> {
	const number = stack.workers.length + 1;
	const name = `worker${number}`;
	const taken = new Set<number>([stack.redis.port, stack.main.port, stack.webhook.port, ...stack.workerHealthPorts, ...stack.workers.map((w) => w.brokerPort)]);
	const port = async (): Promise<number> => {
		let candidate = await freePort();
		while (taken.has(candidate)) candidate = await freePort();
		taken.add(candidate);
		return candidate;
	};
	const healthPort = await port();
	const brokerPort = await port();
	const worker = await startN8n({
		install: ensureN8nInstalled(),
		brokerPort,
		userFolder: userFolderFor(info, stack.dir, name),
		logFile: path.join(stack.dir, `${name}.log`),
		command: 'worker',
		startTimeoutMs,
		readinessUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
		env: { ...stack.env, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
	});
	stack.workers.push(worker);
	stack.workerHealthPorts.push(healthPort);
	return worker;
}

/**
 * SIGKILL to one n8n process' group (the process and its task runner die on the spot, nothing is
 * flushed or deregistered); resolves once the group is gone.
 */
export async function killN8nProcess(target: { pid: number }): Promise<void> {
	try {
		process.kill(-target.pid, 'SIGKILL');
	} catch {
		return;
	}
	while (groupAlive(target.pid)) await sleep(25);
	// stopN8n on it later (stopQueueMode) finds the group gone and returns at once.
	await stopN8n(target);
}

/**
 * Stops the stack's Redis (SIGTERM; with no persistence its data — Bull's queue — is gone), waits
 * `downMs`, and starts a new redis-server on the same port and folder. `stack.redis` is replaced, so
 * stopQueueMode stops the new one.
 */
export async function restartQueueRedis(stack: QueueModeStack, downMs = 0): Promise<RunningRedis> {
	const old = stack.redis;
	await stopRedis(old);
	if (downMs > 0) await sleep(downMs);
	stack.redis = await startRedis(old.dir, 20_000, old.port);
	return stack.redis;
}
