/**
 * jest globalSetup of the "server" project: one n8n server (plus SMTP capture and Postgres) for the
 * whole server suite. Runs in jest's main process; the handle stays on globalThis for teardown.
 * If anything cannot start, this throws and the suite fails — it never skips.
 */
import { startSuite, type RunningSuite } from '../harness/suite';

declare global {
	var __HITL_SUITE__: RunningSuite | undefined;
}

export default async function globalSetup(): Promise<void> {
	globalThis.__HITL_SUITE__ = await startSuite();
}
