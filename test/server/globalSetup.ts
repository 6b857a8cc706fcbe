/**
 * jest globalSetup of the "server" project: one n8n server (plus SMTP capture and Postgres) for the
 * whole server suite. Runs in jest's main process; the handle stays on globalThis for teardown.
 * If anything cannot start, this throws and the suite fails — it never skips.
 *
 * Development shortcut: with HITL_ATTACH=<connection-info file> (written by
 * `bash test/harness/dev-server.sh`), the tests use that already-running server instead, and
 * nothing is started or stopped. The package is then NOT rebuilt: restart the dev server after
 * changing node code. CI never sets it.
 */
import { readConnectionInfo } from '../harness/connectionInfo';
import { startSuite, type RunningSuite } from '../harness/suite';

declare global {
	var __HITL_SUITE__: RunningSuite | undefined;
}

export default async function globalSetup(): Promise<void> {
	const attach = process.env.HITL_ATTACH;
	if (attach) {
		const info = readConnectionInfo(attach);
		// Test workers start after globalSetup and inherit this, so they read the same file.
		process.env.HITL_SERVER_INFO = attach;
		process.stderr.write(`[server-suite] attached to ${info.n8n.baseUrl} (HITL_ATTACH; package not rebuilt)\n`);
		return;
	}
	globalThis.__HITL_SUITE__ = await startSuite();
}
