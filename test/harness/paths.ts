/**
 * Where things live: the repository, the n8n + Node 24 cache, and the connection-info file that
 * jest's globalSetup writes for the server test files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// HITL_REPO_ROOT: for running a compiled copy of the harness from elsewhere (e.g. a demo script).
export const REPO_ROOT = process.env.HITL_REPO_ROOT ?? path.resolve(__dirname, '..', '..');
export const N8N_VERSION = process.env.HITL_N8N_VERSION ?? '2.41.1';
export const NODE24_VERSION = process.env.HITL_NODE24_VERSION ?? '24.9.0';

/**
 * The connection-info file of the running test server: `HITL_SERVER_INFO`, which the suite's
 * globalSetup sets to a file in its own run folder (test workers inherit it). The fallback, keyed
 * by the repository path, is only for tools started outside jest.
 */
export function connectionInfoPath(): string {
	if (process.env.HITL_SERVER_INFO) return process.env.HITL_SERVER_INFO;
	const key = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
	return path.join(tmpdir(), `n8n-nodes-hitl-server-${key}.json`);
}

export interface N8nInstall {
	/** Absolute path of the Node.js 24 binary n8n runs on. */
	node24: string;
	/** Folder whose `node_modules/n8n` is the pinned n8n release. */
	n8nDir: string;
	/** `node_modules/n8n/bin/n8n` inside n8nDir. */
	n8nBin: string;
}

/**
 * Runs `install-n8n.sh` (a no-op once the cache is complete; several minutes on a fresh machine)
 * and returns where Node 24 and n8n are. Throws with the script's output if it fails.
 */
export function ensureN8nInstalled(): N8nInstall {
	const script = path.join(REPO_ROOT, 'test', 'harness', 'install-n8n.sh');
	const result = spawnSync('bash', [script], {
		encoding: 'utf8',
		// The install log goes to our stderr so a long first install is visibly alive.
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, HITL_N8N_VERSION: N8N_VERSION, HITL_NODE24_VERSION: NODE24_VERSION },
	});
	if (result.status !== 0) {
		throw new Error(`install-n8n.sh failed (exit ${String(result.status)}): ${result.stdout}`);
	}
	const values: Record<string, string> = {};
	for (const line of result.stdout.split('\n')) {
		const match = /^(NODE24|N8N_DIR)=(.+)$/.exec(line.trim());
		if (match) values[match[1]] = match[2];
	}
	if (!values.NODE24 || !values.N8N_DIR) {
		throw new Error(`install-n8n.sh printed no NODE24=/N8N_DIR= lines: ${result.stdout}`);
	}
	return {
		node24: values.NODE24,
		n8nDir: values.N8N_DIR,
		n8nBin: path.join(values.N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}
