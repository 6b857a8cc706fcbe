/**
 * Test child for the cross-process deadline claim test: opens a review store (file or Postgres), says
 * `ready`, waits for a line on stdin (so every child starts claiming at once), then claims due deadline
 * events a few at a time until a claim comes back empty, and exits.
 *
 * argv: <file|postgres> <directory (file) | - (postgres)> <chain> <now ISO> <leaseMs> <limit per claim>
 * env HITL_TEST_PG_CONNECTION: the Postgres connection as JSON (postgres only).
 *
 * Prints, with a blocking write(2) on fd 1 (see resolver.ts), one line per claimed event:
 *   ready
 *   claimed <id> <token> <attempts>
 */
import { writeSync } from 'node:fs';

import { JsonlReviewStore } from '../../../../core/store/file/jsonlStore';
import type { ReviewStore } from '../../../../core/store/types';

function say(line: string): void {
	const bytes = Buffer.from(`${line}\n`, 'utf8');
	let done = 0;
	while (done < bytes.length) {
		try {
			done += writeSync(1, bytes, done, bytes.length - done);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
		}
	}
}

async function main(): Promise<void> {
	const [backend, directory, chain, nowIso, leaseText, limitText] = process.argv.slice(2);
	const store: ReviewStore =
		backend === 'postgres'
			? await (await import('../../../../core/store/postgres/pgStore')).PostgresReviewStore.open({
					connection: JSON.parse(process.env.HITL_TEST_PG_CONNECTION ?? ''),
					chain,
				})
			: await JsonlReviewStore.open({ directory, chain });
	say('ready');
	await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
	const worker = `test-host/${process.pid}`;
	for (;;) {
		const claimed = await store.claimDueDeadlineEvents(new Date(nowIso), worker, Number(leaseText), Number(limitText));
		if (claimed.length === 0) break;
		for (const e of claimed) {
			if (e.claim?.by !== worker) throw new Error(`claimed event ${e.id} is not held by this worker: ${JSON.stringify(e.claim)}`);
			say(`claimed ${e.id} ${e.claim.token} ${e.attempts}`);
		}
		// As a worker does between steps (it posts each order): the others get at the lock between our claims.
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
	await store.close();
	process.stdin.destroy();
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(3);
});
