/** Small network and timing helpers for the harness. */
import { createServer } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
		});
	});
}

/**
 * Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs` with
 * `describe()` (called at the end, so it can report the last state seen).
 */
export async function pollUntil<T>(
	probe: () => Promise<T | undefined>,
	options: { timeoutMs: number; intervalMs?: number; describe: () => string },
): Promise<T> {
	const deadline = Date.now() + options.timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms: ${options.describe()}`);
		await sleep(options.intervalMs ?? 250);
	}
}
