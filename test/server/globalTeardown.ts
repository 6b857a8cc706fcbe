/** jest globalTeardown of the "server" project: stops what globalSetup started (nothing when attached). */
import { stopSuite } from '../harness/suite';

export default async function globalTeardown(): Promise<void> {
	const suite = globalThis.__HITL_SUITE__;
	globalThis.__HITL_SUITE__ = undefined;
	if (suite) await stopSuite(suite);
}
