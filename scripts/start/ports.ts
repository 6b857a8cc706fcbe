/**
 * Checks, before anything starts, that every demo port is free on loopback. A taken port found only
 * when n8n binds it would surface as a crash deep in n8n's log after a minute of start-up; checked
 * first, it is one clear message naming the port, what wanted it and the variable that moves it.
 */
import { createServer } from 'node:net';

import type { DemoPort } from './config';

/** Resolves with the error code if `port` cannot be bound on `host` (e.g. EADDRINUSE), else null. */
function bindError(host: string, port: number): Promise<string | null> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
		server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
	});
}

/** One message per port that cannot be used, with the way out; empty when all are free. */
export async function portProblems(host: string, ports: DemoPort[]): Promise<string[]> {
	const problems: string[] = [];
	for (const entry of ports) {
		const code = await bindError(host, entry.port);
		if (code === null) continue;
		const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges to bind' : `cannot be bound (${code})`;
		problems.push(
			`Port ${entry.port} (${entry.role}) ${why} on ${host}.\n` +
				`  See what holds it: ss -ltnp 'sport = :${entry.port}'\n` +
				`  Or choose another port: ${entry.envVar}=<free port> npm start`,
		);
	}
	return problems;
}
