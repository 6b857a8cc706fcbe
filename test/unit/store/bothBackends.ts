/**
 * The two backends for tests that run the same cases on both: the file store in a fresh temp folder and
 * a real Postgres (test/support/postgres.ts), started before the file's tests and removed after them.
 * One place for what every such test file otherwise repeated.
 */
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import type { ReviewStore } from '../../../core/store/types';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { tempDir } from './helpers';

export type Opener = (chain: string) => Promise<ReviewStore>;

export interface BothBackends {
	/** The file store's folder (set in beforeAll). */
	dir: string;
	/** The Postgres server (set in beforeAll). */
	pg: TestPostgres;
	/** `[name, open]` for `describe.each`. */
	backends: Array<[string, Opener]>;
}

/** Registers beforeAll/afterAll for both backends; read `dir` and `pg` inside tests only. */
export function bothBackends(prefix: string): BothBackends {
	let cleanup = (): void => undefined;
	const env: BothBackends = {
		dir: '',
		pg: undefined as unknown as TestPostgres,
		backends: [
			['file', (chain) => JsonlReviewStore.open({ directory: env.dir, chain })],
			['postgres', (chain) => PostgresReviewStore.open({ connection: env.pg.connection, chain })],
		],
	};
	beforeAll(async () => {
		({ dir: env.dir, cleanup } = tempDir(prefix));
		env.pg = await startTestPostgres();
	}, 120_000);
	afterAll(async () => {
		await env.pg?.stop();
		cleanup();
	});
	return env;
}
