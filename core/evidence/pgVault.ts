/**
 * The Postgres backend of the evidence vault, for n8n queue mode and several hosts. Four tables
 * (default prefix `hitl_evidence_`): `meta` (the key checks, one row per chain), `subject` (the
 * HMAC lookup, the random subject reference and the wrapped subject key), `envelope` (ids, time,
 * part names, ciphertext; a foreign key with ON DELETE CASCADE means no envelope can outlive its
 * subject key) and `erasure` (tombstones, so a lookup of erased evidence says when, by whom and why).
 * Every change runs in one transaction under a per-chain advisory lock: an erasure is all or nothing,
 * and a put never interleaves with the erasure of its subject.
 *
 * What DELETE does not do: Postgres keeps the deleted rows as dead tuples until VACUUM reclaims them
 * (autovacuum does, eventually; run `VACUUM` on the envelope and subject tables after an erasure to
 * hasten it), and the WAL, replicas and backups keep them for as long as those are kept. They hold
 * only ciphertext and wrapped keys — useless without the master key, which the database never sees.
 */
import type { Pool, PoolClient } from 'pg';

import type { PostgresConnection } from '../store/postgres/pgStore';
import { openPool } from '../store/postgres/pool';
import type { KeyChecks } from './crypto';
import { EvidenceError } from './errors';
import type {
	EvidenceErasure, ExpiredEvidence, StoredEnvelope, StoredEvidence, StoredSubject, SubjectErasure, TombstoneFields, VaultStorage,
	VaultTx,
} from './storage';

export interface PgVaultOptions {
	/** A pool of the caller's (kept open on close), or a connection to open one for. */
	pool?: Pool;
	connection?: PostgresConnection;
	chain: string;
	/** Schema for the tables (created if missing); default: the connection's search path. */
	schema?: string;
	/** Table name prefix (default `hitl_evidence_`). */
	tablePrefix?: string;
}

const IDENT = /^[a-z_][a-z0-9_]{0,39}$/;

function tableNames(schema: string | undefined, prefix: string) {
	const q = (name: string) => (schema ? `${schema}.${prefix}${name}` : `${prefix}${name}`);
	return { meta: q('meta'), subject: q('subject'), envelope: q('envelope'), erasure: q('erasure') };
}

function schemaSql(schema: string | undefined, prefix: string): string {
	const t = tableNames(schema, prefix);
	return `
${schema ? `CREATE SCHEMA IF NOT EXISTS ${schema};` : ''}
CREATE TABLE IF NOT EXISTS ${t.meta} (chain text PRIMARY KEY, master_check text NOT NULL, lookup_check text NOT NULL);
CREATE TABLE IF NOT EXISTS ${t.subject} (
	chain text NOT NULL, lookup char(64) NOT NULL, subject_ref char(32) NOT NULL, wrapped_key text NOT NULL, created_at timestamptz NOT NULL,
	PRIMARY KEY (chain, lookup), CONSTRAINT ${prefix}subject_ref UNIQUE (chain, subject_ref)
);
CREATE TABLE IF NOT EXISTS ${t.envelope} (
	chain text NOT NULL, evidence_id char(32) NOT NULL, subject_ref char(32) NOT NULL, recorded_at timestamptz NOT NULL,
	parts text NOT NULL, sealed text NOT NULL,
	PRIMARY KEY (chain, evidence_id),
	FOREIGN KEY (chain, subject_ref) REFERENCES ${t.subject} (chain, subject_ref) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ${prefix}envelope_subject ON ${t.envelope} (chain, subject_ref);
CREATE INDEX IF NOT EXISTS ${prefix}envelope_recorded ON ${t.envelope} (chain, recorded_at, evidence_id);
CREATE TABLE IF NOT EXISTS ${t.erasure} (
	chain text NOT NULL, evidence_id char(32) NOT NULL, subject_ref char(32) NOT NULL, erased_at timestamptz NOT NULL,
	erased_by text NOT NULL, reason text NOT NULL, scope text NOT NULL CHECK (scope IN ('subject', 'evidence')),
	PRIMARY KEY (chain, evidence_id)
);
`;
}

export class PgVaultStorage implements VaultStorage {
	private closed = false;
	private readonly t: ReturnType<typeof tableNames>;

	private constructor(
		private readonly pool: Pool,
		private readonly ownsPool: boolean,
		private readonly chain: string,
		private readonly lockName: string,
		schema: string | undefined,
		prefix: string,
	) {
		this.t = tableNames(schema, prefix);
		this.location = `Postgres tables ${this.t.subject}, ${this.t.envelope} (chain ${chain})`;
	}

	readonly location: string;

	static async open(options: PgVaultOptions): Promise<PgVaultStorage> {
		const prefix = options.tablePrefix ?? 'hitl_evidence_';
		for (const [what, value] of [['schema', options.schema], ['tablePrefix', prefix]] as const) {
			if (value !== undefined && !IDENT.test(value)) {
				throw new EvidenceError(`The evidence vault's ${what} must be a plain lower-case SQL identifier (letters, digits, "_"; at most 40)`, 'invalid_input');
			}
		}
		let pool = options.pool;
		if (!pool) {
			const c = options.connection;
			if (!c) throw new EvidenceError('The Postgres evidence vault needs a pool or a connection', 'invalid_input');
			pool = openPool(c, 2);
		}
		const lockName = `n8n-nodes-hitl:evidence:${options.schema ?? ''}.${prefix}:${options.chain}`;
		const storage = new PgVaultStorage(pool, !options.pool, options.chain, lockName, options.schema, prefix);
		try {
			await storage.ensureSchema(schemaSql(options.schema, prefix));
		} catch (error) {
			if (!options.pool) await pool.end().catch(() => undefined);
			throw error;
		}
		return storage;
	}

	private async ensureSchema(sql: string): Promise<void> {
		const names = Object.values(this.t);
		const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL', [names]);
		if (Number(rows[0].n) === names.length) return;
		await this.tx(async (client) => {
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:schema'))`);
			await client.query(sql);
		}, false);
	}

	private async tx<T>(fn: (client: PoolClient) => Promise<T>, lock = true): Promise<T> {
		if (this.closed) throw new EvidenceError('The evidence vault is closed', 'closed');
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			if (lock) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockName]);
			const result = await fn(client);
			await client.query('COMMIT');
			return result;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	keyChecks(proposed: KeyChecks): Promise<KeyChecks> {
		return this.tx(async (client) => {
			await client.query(`INSERT INTO ${this.t.meta} (chain, master_check, lookup_check) VALUES ($1, $2, $3) ON CONFLICT (chain) DO NOTHING`, [this.chain, proposed.master, proposed.lookup]);
			const { rows } = await client.query<{ master_check: string; lookup_check: string }>(`SELECT master_check, lookup_check FROM ${this.t.meta} WHERE chain = $1`, [this.chain]);
			return { master: rows[0].master_check, lookup: rows[0].lookup_check };
		});
	}

	mutate<T>(fn: (tx: VaultTx) => Promise<T>): Promise<T> {
		return this.tx((client) =>
			fn({
				subject: async (lookup) => {
					const { rows } = await client.query<{ subject_ref: string; wrapped_key: string; created_at: Date }>(
						`SELECT subject_ref, wrapped_key, created_at FROM ${this.t.subject} WHERE chain = $1 AND lookup = $2`,
						[this.chain, lookup],
					);
					return rows.length ? { subjectRef: rows[0].subject_ref, wrappedKey: rows[0].wrapped_key, createdAt: rows[0].created_at.toISOString() } : null;
				},
				addSubject: async (lookup, s: StoredSubject) => {
					await client.query(`INSERT INTO ${this.t.subject} (chain, lookup, subject_ref, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5)`, [
						this.chain, lookup, s.subjectRef, s.wrappedKey, s.createdAt,
					]);
				},
				addEnvelope: async (_lookup, e: StoredEnvelope) => {
					await client.query(`INSERT INTO ${this.t.envelope} (chain, evidence_id, subject_ref, recorded_at, parts, sealed) VALUES ($1, $2, $3, $4, $5, $6)`, [
						this.chain, e.evidenceId, e.subjectRef, e.recordedAt, JSON.stringify(e.parts), e.sealed,
					]);
				},
			}),
		);
	}

	/** Inside a transaction: tombstones for these envelopes, then the envelopes deleted. */
	private async bury(client: PoolClient, items: Array<{ evidenceId: string; subjectRef: string }>, f: TombstoneFields): Promise<void> {
		if (!items.length) return;
		const ids = items.map((i) => i.evidenceId);
		await client.query(
			`INSERT INTO ${this.t.erasure} (chain, evidence_id, subject_ref, erased_at, erased_by, reason, scope)
			 SELECT $1, id, ref, $4, $5, $6, $7 FROM unnest($2::text[], $3::text[]) AS x(id, ref) ON CONFLICT DO NOTHING`,
			[this.chain, ids, items.map((i) => i.subjectRef), f.erasedAt, f.by, f.reason, f.scope],
		);
		await client.query(`DELETE FROM ${this.t.envelope} WHERE chain = $1 AND evidence_id = ANY($2::text[])`, [this.chain, ids]);
	}

	eraseSubject(lookup: string, fields: TombstoneFields): Promise<SubjectErasure | null> {
		return this.tx(async (client) => {
			const subject = await client.query<{ subject_ref: string }>(`SELECT subject_ref FROM ${this.t.subject} WHERE chain = $1 AND lookup = $2`, [this.chain, lookup]);
			if (!subject.rows.length) return null;
			const subjectRef = subject.rows[0].subject_ref;
			const { rows } = await client.query<{ evidence_id: string }>(
				`SELECT evidence_id FROM ${this.t.envelope} WHERE chain = $1 AND subject_ref = $2 ORDER BY evidence_id`,
				[this.chain, subjectRef],
			);
			const evidenceIds = rows.map((r) => r.evidence_id);
			await this.bury(client, evidenceIds.map((evidenceId) => ({ evidenceId, subjectRef })), fields);
			await client.query(`DELETE FROM ${this.t.subject} WHERE chain = $1 AND lookup = $2`, [this.chain, lookup]);
			return { subjectRef, evidenceIds };
		});
	}

	eraseEvidence(evidenceIds: string[], fields: TombstoneFields): Promise<EvidenceErasure> {
		return this.tx(async (client) => {
			const { rows } = await client.query<{ evidence_id: string; subject_ref: string }>(
				`SELECT evidence_id, subject_ref FROM ${this.t.envelope} WHERE chain = $1 AND evidence_id = ANY($2::text[])`,
				[this.chain, evidenceIds],
			);
			const order = new Map(evidenceIds.map((id, i) => [id, i]));
			const erased = rows.map((r) => ({ evidenceId: r.evidence_id, subjectRef: r.subject_ref })).sort((a, b) => order.get(a.evidenceId)! - order.get(b.evidenceId)!);
			await this.bury(client, erased, fields);
			// A subject whose last evidence went loses its key and lookup entry too.
			const gone = await client.query<{ subject_ref: string }>(
				`DELETE FROM ${this.t.subject} s WHERE s.chain = $1 AND s.subject_ref = ANY($2::text[])
				 AND NOT EXISTS (SELECT 1 FROM ${this.t.envelope} e WHERE e.chain = s.chain AND e.subject_ref = s.subject_ref) RETURNING s.subject_ref`,
				[this.chain, [...new Set(erased.map((e) => e.subjectRef))]],
			);
			return { erased, keysDestroyed: gone.rows.map((r) => r.subject_ref).sort() };
		});
	}

	async read(evidenceId: string): Promise<StoredEvidence> {
		if (this.closed) throw new EvidenceError('The evidence vault is closed', 'closed');
		const found = await this.pool.query<{ subject_ref: string; recorded_at: Date; parts: string; sealed: string; wrapped_key: string; created_at: Date }>(
			`SELECT e.subject_ref, e.recorded_at, e.parts, e.sealed, s.wrapped_key, s.created_at FROM ${this.t.envelope} e
			 JOIN ${this.t.subject} s ON s.chain = e.chain AND s.subject_ref = e.subject_ref WHERE e.chain = $1 AND e.evidence_id = $2`,
			[this.chain, evidenceId],
		);
		if (found.rows.length) {
			const r = found.rows[0];
			let parts: unknown;
			try {
				parts = JSON.parse(r.parts);
			} catch {
				parts = null;
			}
			if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) throw new EvidenceError(`Evidence ${evidenceId} in ${this.location} has damaged part names`, 'tampered');
			return {
				state: 'present',
				envelope: { evidenceId, subjectRef: r.subject_ref, recordedAt: r.recorded_at.toISOString(), parts, sealed: r.sealed },
				subject: { subjectRef: r.subject_ref, wrappedKey: r.wrapped_key, createdAt: r.created_at.toISOString() },
			};
		}
		const tomb = await this.pool.query<{ subject_ref: string; erased_at: Date; erased_by: string; reason: string; scope: 'subject' | 'evidence' }>(
			`SELECT subject_ref, erased_at, erased_by, reason, scope FROM ${this.t.erasure} WHERE chain = $1 AND evidence_id = $2`,
			[this.chain, evidenceId],
		);
		if (!tomb.rows.length) return { state: 'unknown' };
		const t = tomb.rows[0];
		return { state: 'erased', tombstone: { evidenceId, subjectRef: t.subject_ref, erasedAt: t.erased_at.toISOString(), by: t.erased_by, reason: t.reason, scope: t.scope } };
	}

	async listExpired(before: string, limit: number): Promise<ExpiredEvidence[]> {
		if (this.closed) throw new EvidenceError('The evidence vault is closed', 'closed');
		const { rows } = await this.pool.query<{ evidence_id: string; subject_ref: string; recorded_at: Date }>(
			`SELECT evidence_id, subject_ref, recorded_at FROM ${this.t.envelope} WHERE chain = $1 AND recorded_at < $2 ORDER BY recorded_at, evidence_id LIMIT $3`,
			[this.chain, before, limit],
		);
		return rows.map((r) => ({ evidenceId: r.evidence_id, subjectRef: r.subject_ref, recordedAt: r.recorded_at.toISOString() }));
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		if (this.ownsPool) await this.pool.end();
	}
}
