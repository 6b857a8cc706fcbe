/**
 * The connection-info file: written once by test/server/globalSetup.ts, read by every server test
 * file (they run in other processes). Everything a test needs to reach the shared services.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

import { connectionInfoPath } from './paths';
import type { RunningPostgres } from './postgres';

export interface ConnectionInfo {
	format: 'n8n-nodes-hitl/server-info/v1';
	/** Random id of this suite run; lets helpers tell a stale file from the live one. */
	runId: string;
	createdAt: string;
	n8n: {
		version: string;
		/** e.g. http://127.0.0.1:41234 — no trailing slash. */
		baseUrl: string;
		/** Production webhooks: `${webhookUrl}/<path>`. */
		webhookUrl: string;
		/** Waiting (resume) webhooks: `${webhookWaitingUrl}/<executionId>/<nodeId>?signature=…`. */
		webhookWaitingUrl: string;
		port: number;
		brokerPort: number;
		pid: number;
		/** N8N_USER_FOLDER; n8n's data is in `<userFolder>/.n8n`, this package in `.n8n/nodes`. */
		userFolder: string;
		logFile: string;
		owner: { email: string; password: string };
		/** Cookie header value (`n8n-auth=…`) of the owner session; send with `browser-id`. */
		cookie: string;
		browserId: string;
		/** Public API key (`X-N8N-API-KEY`) of the owner, for `/api/v1`. */
		apiKey: string;
		/** The installed package and the prefix its node types carry (`n8n-nodes-hitl.<node>`). */
		packageName: string;
		packageVersion: string;
		packageDir: string;
		/** Every package installed into its node_modules by the Community-Nodes-style install, name → version. */
		installedDependencies: Record<string, string>;
		/** Node types of this package that the server loaded, e.g. `n8n-nodes-hitl.blastRadiusRouter`. */
		nodeTypes: string[];
	};
	smtp: {
		host: string;
		port: number;
		/** One JSON file per received message (see smtpCapture.ts, `CapturedMail`). */
		mailDir: string;
	};
	/** The suite's Postgres as `startPostgres()` reports it; `database` was created for the suite. */
	postgres: Omit<RunningPostgres, 'dataDir' | 'stop'>;
	chromium: {
		executablePath: string;
		args: string[];
	};
	/** Milliseconds spent in each set-up step, for the README's timing table. */
	timings: Record<string, number>;
}

export function writeConnectionInfo(info: ConnectionInfo, file = connectionInfoPath()): void {
	// Write-then-rename so a reader never sees half a file.
	writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2), { mode: 0o600 });
	renameSync(`${file}.tmp`, file);
}

/**
 * Reads the connection info of the running suite. Throws (so the test fails, never skips) if
 * globalSetup did not run or the server it describes is gone.
 */
export function readConnectionInfo(file = connectionInfoPath()): ConnectionInfo {
	if (!existsSync(file)) {
		throw new Error(
			`no n8n test server: ${file} is missing. Server tests run through jest's "server" project, whose ` +
				'globalSetup starts n8n (npx jest --selectProjects server).',
		);
	}
	const info = JSON.parse(readFileSync(file, 'utf8')) as ConnectionInfo;
	if (info.format !== 'n8n-nodes-hitl/server-info/v1') throw new Error(`unknown connection-info format in ${file}`);
	try {
		process.kill(info.n8n.pid, 0);
	} catch {
		throw new Error(`the n8n test server (pid ${info.n8n.pid}) described in ${file} is not running`);
	}
	return info;
}
