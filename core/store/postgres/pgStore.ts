/**
 * The Postgres backend, for n8n queue mode and several hosts. One transaction per append, serialised
 * per chain by `pg_advisory_xact_lock`; `UNIQUE (chain, seq)` backs it up. Each row keeps the exact
 * canonical line, so an export is byte-for-byte what was hashed; a few columns are copied out of the
 * record for queries. The schema is created on first use unless it exists (then the connecting role
 * needs no DDL rights; see the grants in the README).
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg';

import { createRecord, normaliseInput, parseRecordLine, ZERO_HASH } from '../../chain';
import { assertChainName } from '../../chain';
import { type CheckpointKey, type CheckpointKeyConfig, checkpointKeyList, signCheckpoint } from '../../checkpoint';
import { verifyLines } from '../../verify';
import { StoreCorruptError, StoreUsageError } from '../errors';
import { encodeCursor, normaliseQuery } from '../query';
import { checkOutcome, checkReviewRequest } from '../requests';
import type {
	QueryFilter, QueryPage, QueryResult, ReviewOutcome, ReviewRecord, ReviewRecordInput, ReviewRequest,
	ReviewStore, SignedCheckpoint, VerifyResult,
} from '../types';
import { LOG_TABLE, REQUEST_TABLE, RESUME_TABLE, SCHEMA_SQL } from './schema';

export interface PostgresConnection {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	/** `disable` (default), `require` (encrypted, certificate not checked) or `verify-full`. */
	ssl?: boolean | 'disable' | 'require' | 'verify-full';
}

export interface PostgresStoreOptions {
	connection: PostgresConnection;
	chain: string;
	checkpointKey?: CheckpointKeyConfig;
	now?: () => Date;
	/** Pool size (default 4). */
	maxConnections?: number;
}

const BATCH = 2000;

function sslOption(ssl: PostgresConnection['ssl']): PoolConfig['ssl'] {
	if (ssl === true || ssl === 'verify-full') return { rejectUnauthorized: true };
	if (ssl === 'require') return { rejectUnauthorized: false };
	return false;
}

export class PostgresReviewStore implements ReviewStore {
	private readonly keys: CheckpointKey[] | null;
	private readonly now: () => Date;
	private closed = false;

	private constructor(
		readonly chain: string,
		private readonly pool: Pool,
		options: PostgresStoreOptions,
	) {
		this.keys = options.checkpointKey ? checkpointKeyList(options.checkpointKey) : null;
		this.now = options.now ?? (() => new Date());
	}

	static async open(options: PostgresStoreOptions): Promise<PostgresReviewStore> {
		assertChainName(options.chain);
		const c = options.connection;
		const pool = new Pool({
			host: c.host,
			port: c.port,
			database: c.database,
			user: c.user,
			password: c.password,
			ssl: sslOption(c.ssl),
			max: options.maxConnections ?? 4,
			idleTimeoutMillis: 30_000,
			connectionTimeoutMillis: 10_000,
		});
		// An idle client losing its connection must not crash n8n; the next query reconnects.
		pool.on('error', () => undefined);
		const store = new PostgresReviewStore(options.chain, pool, options);
		try {
			await store.ensureSchema();
		} catch (error) {
			await pool.end().catch(() => undefined);
			throw error;
		}
		return store;
	}

	private async ensureSchema(): Promise<void> {
		const client = await this.pool.connect();
		try {
			const { rows } = await client.query<{ n: string }>(
				`SELECT count(*) AS n FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL`,
				[[LOG_TABLE, REQUEST_TABLE, RESUME_TABLE]],
			);
			if (Number(rows[0].n) === 3) return;
			await client.query('BEGIN');
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:schema'))`);
			await client.query(SCHEMA_SQL);
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	private usable(): void {
		if (this.closed) throw new StoreUsageError('The review store is closed');
	}

	private async tx<T>(fn: (client: PoolClient) => Promise<T>, mode = 'BEGIN'): Promise<T> {
		this.usable();
		const client = await this.pool.connect();
		try {
			await client.query(mode);
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

	async append(input: ReviewRecordInput): Promise<ReviewRecord> {
		const body = normaliseInput(input);
		return this.tx(async (client) => {
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:log:' || $1))`, [this.chain]);
			const head = await this.headWith(client);
			const { record, line } = createRecord(body, {
				chain: this.chain,
				seq: head.seq + 1,
				prevHash: head.hash,
				recordedAt: this.now().toISOString(),
			});
			await client.query(
				`INSERT INTO ${LOG_TABLE} (chain, seq, hash, prev_hash, recorded_at, event, decision, reviewer_id, tier, workflow_id, execution_id, item_key, line)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				[record.chain, record.seq, record.hash, record.prevHash, record.recordedAt, record.event, record.decision,
					record.reviewerId, record.tier, record.workflowId, record.executionId, record.itemKey, line],
			);
			return record;
		});
	}

	private async headWith(client: PoolClient): Promise<{ seq: number; hash: string }> {
		const { rows } = await client.query<{ seq: string; hash: string }>(
			`SELECT seq, hash FROM ${LOG_TABLE} WHERE chain = $1 ORDER BY seq DESC LIMIT 1`,
			[this.chain],
		);
		return rows.length ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0, hash: ZERO_HASH };
	}

	async head(): Promise<{ seq: number; hash: string }> {
		this.usable();
		const client = await this.pool.connect();
		try {
			return await this.headWith(client);
		} finally {
			client.release();
		}
	}

	/** Stored lines in seq order, fetched in batches inside one repeatable-read snapshot. */
	private async *lines(): AsyncGenerator<string> {
		this.usable();
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
			let after = 0;
			for (;;) {
				const { rows } = await client.query<{ seq: string; line: string }>(
					`SELECT seq, line FROM ${LOG_TABLE} WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${BATCH}`,
					[this.chain, after],
				);
				for (const row of rows) yield row.line;
				if (rows.length < BATCH) break;
				after = Number(rows[rows.length - 1].seq);
			}
			await client.query('COMMIT');
		} finally {
			await client.query('ROLLBACK').catch(() => undefined);
			client.release();
		}
	}

	async *readAll(): AsyncIterable<ReviewRecord> {
		let row = 0;
		for await (const line of this.lines()) {
			row++;
			const parsed = parseRecordLine(line);
			if (!parsed.ok) throw new StoreCorruptError(`Review log row ${row} of chain ${this.chain} is damaged: ${parsed.message}`, row);
			yield parsed.record;
		}
	}

	async query(filter: QueryFilter, page?: QueryPage): Promise<QueryResult> {
		this.usable();
		const q = normaliseQuery(filter, page);
		const where = ['chain = $1'];
		const args: unknown[] = [this.chain];
		const add = (sql: string, value: unknown) => {
			args.push(value);
			where.push(sql.replace('?', `$${args.length}`));
		};
		if (q.fromMs !== null) add('recorded_at >= ?', new Date(q.fromMs).toISOString());
		if (q.toMs !== null) add('recorded_at <= ?', new Date(q.toMs).toISOString());
		if (q.beforeSeq !== null) add('seq < ?', q.beforeSeq);
		const f = q.filter;
		if (f.reviewerId !== undefined) add('reviewer_id = ?', f.reviewerId);
		if (f.decision !== undefined) add('decision = ?', f.decision);
		if (f.event !== undefined) add('event = ?', f.event);
		if (f.tier !== undefined) add('tier = ?', f.tier);
		if (f.workflowId !== undefined) add('workflow_id = ?', f.workflowId);
		if (f.executionId !== undefined) add('execution_id = ?', f.executionId);
		if (f.itemKey !== undefined) add('item_key = ?', f.itemKey);
		const { rows } = await this.pool.query<{ line: string }>(
			`SELECT line FROM ${LOG_TABLE} WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${q.limit + 1}`,
			args,
		);
		const records = rows.slice(0, q.limit).map((row, i) => {
			const parsed = parseRecordLine(row.line);
			if (!parsed.ok) throw new StoreCorruptError(`A review log row of chain ${this.chain} is damaged: ${parsed.message}`, i);
			return parsed.record;
		});
		const more = rows.length > q.limit;
		return { records, nextCursor: more ? encodeCursor(records[records.length - 1].seq) : null };
	}

	async verify(options: { checkpoint?: SignedCheckpoint } = {}): Promise<VerifyResult> {
		if (options.checkpoint && !this.keys) {
			throw new StoreUsageError('Checking a checkpoint needs the checkpoint key: add it to the store credential');
		}
		return verifyLines(this.lines(), { chain: this.chain, checkpoint: options.checkpoint, checkpointKeys: this.keys ?? undefined });
	}

	async checkpoint(): Promise<SignedCheckpoint> {
		if (!this.keys) throw new StoreUsageError('No checkpoint key configured: add one to the store credential to sign checkpoints');
		const head = await this.head();
		return signCheckpoint({ chain: this.chain, seq: head.seq, headHash: head.hash, time: this.now().toISOString() }, this.keys[0]);
	}

	async putReviewRequests(requests: ReviewRequest[]): Promise<void> {
		const checked = requests.map((r) => checkReviewRequest(r));
		await this.tx(async (client) => {
			for (const r of checked) {
				try {
					await client.query(`INSERT INTO ${REQUEST_TABLE} (id, group_id, status, data) VALUES ($1, $2, $3, $4)`, [
						r.id, r.groupId, r.status, JSON.stringify(r),
					]);
				} catch (error) {
					if ((error as { code?: string }).code === '23505') {
						throw new StoreUsageError(`Review request id ${r.id} already exists; request ids must be unique`);
					}
					throw error;
				}
			}
		});
	}

	async getReviewRequest(id: string): Promise<ReviewRequest | null> {
		this.usable();
		const { rows } = await this.pool.query<{ data: ReviewRequest }>(`SELECT data FROM ${REQUEST_TABLE} WHERE id = $1`, [id]);
		return rows[0]?.data ?? null;
	}

	async listReviewRequests(groupId: string): Promise<ReviewRequest[]> {
		this.usable();
		const { rows } = await this.pool.query<{ data: ReviewRequest }>(
			`SELECT data FROM ${REQUEST_TABLE} WHERE group_id = $1 ORDER BY (data->>'itemIndex')::int, id`,
			[groupId],
		);
		return rows.map((r) => r.data);
	}

	async resolveReviewRequest(
		id: string,
		status: 'decided' | 'expired',
		outcome: ReviewOutcome | null,
	): Promise<{ applied: boolean; request: ReviewRequest }> {
		this.usable();
		const checked = checkOutcome(status, outcome);
		// The WHERE status = 'pending' makes this a compare-and-set: Postgres re-checks the condition
		// after waiting for a concurrent updater, so only one UPDATE can match.
		const { rows } = await this.pool.query<{ data: ReviewRequest }>(
			`UPDATE ${REQUEST_TABLE} SET status = $2, data = data || jsonb_build_object('status', $2::text, 'outcome', $3::jsonb)
			 WHERE id = $1 AND status = 'pending' RETURNING data`,
			[id, status, JSON.stringify(checked)],
		);
		if (rows.length === 1) return { applied: true, request: rows[0].data };
		const current = await this.getReviewRequest(id);
		if (!current) throw new StoreUsageError(`Unknown review request ${id}`);
		return { applied: false, request: current };
	}

	async claimGroupResume(groupId: string): Promise<boolean> {
		this.usable();
		const { rowCount } = await this.pool.query(
			`INSERT INTO ${RESUME_TABLE} (group_id) SELECT $1::text WHERE EXISTS (SELECT 1 FROM ${REQUEST_TABLE} WHERE group_id = $1)
			 ON CONFLICT (group_id) DO NOTHING`,
			[groupId],
		);
		return rowCount === 1;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.pool.end();
	}
}
