/**
 * The Postgres backend, for n8n queue mode and several hosts. Appends are serialised per chain by
 * `pg_advisory_xact_lock`; `UNIQUE (chain, seq)` backs it up. Appends made at the same time in one
 * process are written together (group commit, ../groupCommit.ts): their callers are answered after the
 * commit that covers them, in seq order; a failed write fails all of them and writes nothing. A group
 * that fits one INSERT is first tried as ONE autocommit statement chained from the head this store last
 * saw (fastAppend.ts: it takes the same lock and writes only if that head is still the chain's head);
 * when the head moved — another store or process appended — nothing is written and the group goes the
 * locked way: one transaction that takes the lock, reads the head, inserts, commits (three round trips).
 * A single caller's append is then one round trip. Each row keeps the exact canonical line, so an
 * export is byte-for-byte what was hashed; a few columns are copied out of the record for queries
 * (indexed for Query: schema.ts). The schema is created on first use unless it exists (then the
 * connecting role needs no DDL rights; see the grants in the README). Ending a gate request is one
 * transaction, never a group: the request row is locked, the terminal record inserted (a unique index
 * allows one per request), the row updated — or nothing at all.
 */
import type { Pool, PoolClient } from 'pg';

import { parseRecordLine, ZERO_HASH } from '../../chain';
import { assertChainName } from '../../chain';
import { type CheckpointKey, type CheckpointKeyConfig, checkpointKeyList, signCheckpoint } from '../../checkpoint';
import { verifyLines } from '../../verify';
import { StoreCorruptError, StoreUsageError } from '../errors';
import { encodeCursor, normaliseQuery } from '../query';
import { checkErasureScope, checkRequestErasure, erasureReaches, redactRequest } from '../requestErasure';
import { GroupCommitQueue, type GroupMember, chainBodies, chainGroup } from '../groupCommit';
import { checkResolution, checkResolutionList, checkReviewRequest, normaliseAppendInputs, requestBindingOf } from '../requests';
import type {
	DeadlineEvent, DeadlineEventStatus, DeadlineWorkerBeat,
	QueryFilter, QueryPage, QueryResult, RequestResolution, Resolution, ResolveResult, ReviewRecord, ReviewRecordInput,
	RequestErasure, RequestErasureResult, RequestErasureScope, ReviewRequest, ReviewStore, SignedCheckpoint,
	StoredCheckpointNote, VerifyResult,
} from '../types';
import { type TreeConsistencyProof, type TreeInclusionProof, LogTree, type TreeRoot } from '../../tlog/logTree';
import {
	checkBeat, checkCancel, checkClaimArgs, checkDate, checkDeadlineEvents, checkDeadlineId, checkFinish, checkLimit,
} from '../deadlineChecks';
import { type ChainHead, fastAppend, insertRows, ROWS_PER_INSERT } from './fastAppend';
import { PgDeadlineSchedule } from './pgDeadlines';
import { pgChainLines, PgTreeStorage } from './pgTree';
import { openPool } from './pool';
import { ALL_TABLES, LOG_INDEX_SQL, LOG_INDEXES, LOG_TABLE, REQUEST_TABLE, RESUME_TABLE, SCHEMA_SQL } from './schema';

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
/** Request ids per query of terminalRecords. */
const TERMINALS_PER_QUERY = 1000;

/**
 * Requests of this store's chain. The request table is shared by every chain in the database; rows
 * written before it had a chain column (NULL) count for every chain, as they did then.
 */
const THIS_CHAIN = (param: string): string => `(chain = ${param} OR chain IS NULL)`;

export class PostgresReviewStore implements ReviewStore {
	private readonly keys: CheckpointKey[] | null;
	private readonly now: () => Date;
	private readonly deadlines: PgDeadlineSchedule;
	private readonly appends = new GroupCommitQueue((take) => this.appendGroup(take));
	private closed = false;
	/**
	 * The chain's head as this store last saw it committed, for the one-statement append; null when
	 * unknown (not read yet, or dropped after a conflict or an error). Only a hint: fastAppend checks it
	 * in the database, so a stale one costs a fallback, never a wrong record.
	 */
	private knownHead: ChainHead | null = null;

	private constructor(
		readonly chain: string,
		private readonly pool: Pool,
		options: PostgresStoreOptions,
	) {
		this.keys = options.checkpointKey ? checkpointKeyList(options.checkpointKey) : null;
		this.now = options.now ?? (() => new Date());
		this.deadlines = new PgDeadlineSchedule(pool, chain);
	}

	static async open(options: PostgresStoreOptions): Promise<PostgresReviewStore> {
		assertChainName(options.chain);
		const pool = openPool(options.connection, options.maxConnections ?? 4);
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
		// Every table, the columns later versions added, and the query indexes (SCHEMA_SQL adds them to an older schema).
		const { rows } = await this.pool.query<{ n: string; columns: string; indexes: string }>(
			`SELECT (SELECT count(*) FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL) AS n,
			 (SELECT count(*) FROM information_schema.columns
			  WHERE (table_name = $2 AND column_name = 'ends_request') OR (table_name = $3 AND column_name = 'chain')) AS columns,
			 (SELECT count(*) FROM unnest($4::text[]) i WHERE to_regclass(i) IS NOT NULL) AS indexes`,
			[ALL_TABLES, LOG_TABLE, REQUEST_TABLE, LOG_INDEXES],
		);
		const tablesReady = Number(rows[0].n) === ALL_TABLES.length && Number(rows[0].columns) === 2;
		if (tablesReady && Number(rows[0].indexes) === LOG_INDEXES.length) return;
		await this.tx(async (client) => {
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:schema'))`);
			if (!tablesReady) {
				await client.query(SCHEMA_SQL);
				return;
			}
			// Only the query indexes are missing (a schema of an older version). A role that may not
			// create them (the application role) works without them, slower: the owner adds them
			// (docs/postgres-store.md).
			await client.query('SAVEPOINT indexes');
			await client.query(LOG_INDEX_SQL).catch(async (error: { code?: string }) => {
				if (error.code !== '42501') throw error;
				await client.query('ROLLBACK TO SAVEPOINT indexes');
			});
		});
	}

	private usable(): void {
		if (this.closed) throw new StoreUsageError('The review store is closed');
	}

	/** Runs `fn` in a transaction opened by `begin` (whose result `fn` gets), committed after it, rolled back on error. */
	private async tx<T>(fn: (client: PoolClient, begun: unknown) => Promise<T>, begin = 'BEGIN'): Promise<T> {
		this.usable();
		const client = await this.pool.connect();
		try {
			const begun: unknown = await client.query(begin);
			const result = await fn(client, begun);
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
		this.usable();
		const [record] = await this.appends.submit(normaliseAppendInputs([input]));
		return record;
	}

	async appendMany(inputs: ReviewRecordInput[]): Promise<ReviewRecord[]> {
		this.usable();
		const bodies = normaliseAppendInputs(inputs);
		if (bodies.length === 0) return [];
		return this.appends.submit(bodies);
	}

	/**
	 * One group commit. With a known head and at most one INSERT's rows: one autocommit statement
	 * (fastAppend.ts). Otherwise, or when the head had moved: the locked transaction (lockedGroup).
	 */
	private async appendGroup(take: () => GroupMember[]): Promise<void> {
		this.usable();
		const known = this.knownHead;
		if (!known) return this.lockedGroup(take);
		// One turn of the event loop first, so callers answered by the previous group that append again
		// at once join this one (the locked path gets them during its first round trip).
		await new Promise<void>((resolve) => setImmediate(resolve));
		const members = take();
		// More rows than one INSERT: the locked way, without chaining them twice.
		if (members.reduce((n, m) => n + m.bodies.length, 0) > ROWS_PER_INSERT) return this.lockedGroup(() => members);
		const group = chainGroup(members, this.chain, known, this.now().toISOString());
		if (group.records.length === 0) return;
		// Dropped while the statement is out: after an error its outcome is unknown.
		this.knownHead = null;
		if (await fastAppend(this.pool, this.chain, known, group.records.map((record, i) => ({ record, line: group.lines[i] })))) {
			this.knownHead = group.head;
			return;
		}
		// The same callers again, chained from the head read under the lock.
		for (const member of members) {
			member.records = null;
			member.error = null;
		}
		await this.lockedGroup(() => members);
	}

	/**
	 * One transaction takes the chain's lock, takes every append queued by then, and inserts them (200
	 * rows per INSERT). Opening the transaction, the lock and the head are one round trip (a
	 * simple-protocol query; the chain name is checked to letters, digits, `_`, `.`, `-`).
	 */
	private async lockedGroup(take: () => GroupMember[]): Promise<void> {
		const chain = `'${this.chain}'`;
		const begin = `BEGIN; SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:log:' || ${chain}));
			SELECT seq, hash FROM ${LOG_TABLE} WHERE chain = ${chain} ORDER BY seq DESC LIMIT 1`;
		this.knownHead = null;
		const head = await this.tx(async (client, begun) => {
			const last = (begun as Array<{ rows: Array<{ seq: string; hash: string }> }>)[2].rows[0];
			const head = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: ZERO_HASH };
			const group = chainGroup(take(), this.chain, head, this.now().toISOString());
			for (let start = 0; start < group.records.length; start += ROWS_PER_INSERT) {
				const rows = group.records.slice(start, start + ROWS_PER_INSERT).map((record, i) => ({ record, line: group.lines[start + i] }));
				await insertRows(client, rows);
			}
			return group.head;
		}, begin);
		this.knownHead = head;
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
		// Rolled back only when the reader stopped early or failed: after COMMIT a ROLLBACK would make
		// Postgres warn "there is no transaction in progress" on every full read.
		let inTransaction = false;
		try {
			await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
			inTransaction = true;
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
			inTransaction = false;
		} finally {
			if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
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
					await client.query(`INSERT INTO ${REQUEST_TABLE} (id, group_id, status, data, chain) VALUES ($1, $2, $3, $4, $5)`, [
						r.id, r.groupId, r.status, JSON.stringify(r), this.chain,
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

	/** The request's terminal record from the log table (`ends_request`); null when there is none. */
	private async terminalWith(client: Pick<PoolClient, 'query'>, id: string): Promise<ReviewRecord | null> {
		return (await this.terminalsWith(client, [id])).get(id) ?? null;
	}

	/** The terminal records of `ids` that the log table has (one per request: a unique index), by request id. */
	private async terminalsWith(client: Pick<PoolClient, 'query'>, ids: readonly string[]): Promise<Map<string, ReviewRecord>> {
		const { rows } = await client.query<{ ends_request: string; line: string }>(
			`SELECT ends_request, line FROM ${LOG_TABLE} WHERE chain = $1 AND ends_request = ANY($2::text[])`,
			[this.chain, ids],
		);
		const found = new Map<string, ReviewRecord>();
		for (const { ends_request: id, line } of rows) {
			const parsed = parseRecordLine(line);
			if (!parsed.ok || parsed.computedHash !== parsed.record.hash || requestBindingOf(parsed.record)?.id !== id) {
				throw new StoreCorruptError(`The terminal record of review request ${id} in chain ${this.chain} is damaged`);
			}
			found.set(id, parsed.record);
		}
		return found;
	}

	async terminalRecord(id: string): Promise<ReviewRecord | null> {
		this.usable();
		return this.terminalWith(this.pool, id);
	}

	async terminalRecords(ids: readonly string[]): Promise<Map<string, ReviewRecord>> {
		this.usable();
		const records = new Map<string, ReviewRecord>();
		for (let start = 0; start < ids.length; start += TERMINALS_PER_QUERY) {
			for (const [id, record] of await this.terminalsWith(this.pool, ids.slice(start, start + TERMINALS_PER_QUERY))) records.set(id, record);
		}
		return records;
	}

	async resolveReviewRequest(id: string, resolution: Resolution): Promise<ResolveResult> {
		const [result] = await this.resolveReviewRequests([{ id, resolution }]);
		return result;
	}

	async resolveReviewRequests(resolutions: readonly RequestResolution[]): Promise<ResolveResult[]> {
		this.usable();
		// The store's own record checks (size, types) before anything changes.
		const bodies = checkResolutionList(resolutions, this.chain);
		if (bodies.length === 0) return [];
		const ids = resolutions.map((r) => r.id);
		const done = await this.tx(async (client) => {
			// The row locks serialise concurrent resolutions of a request; taken in id order by every caller,
			// and the log lock second, so two resolutions (of one request or of overlapping lists) cannot deadlock.
			const { rows } = await client.query<{ data: ReviewRequest }>(
				`SELECT data FROM ${REQUEST_TABLE} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
				[ids],
			);
			const byId = new Map(rows.map((r) => [r.data.id, r.data]));
			// Every resolution checked against its request before anything is written.
			const outcomes = resolutions.map(({ id, resolution }) => {
				const request = byId.get(id);
				if (!request) throw new StoreUsageError(`Unknown review request ${id}`);
				return checkResolution(request, resolution);
			});
			const existing = await this.terminalsWith(client, ids);
			// The log decides: only an existing terminal record ends a request (the status column alone does not).
			const results: Array<ResolveResult | null> = ids.map((id) => {
				const record = existing.get(id);
				return record ? { applied: false, request: byId.get(id) as ReviewRequest, record } : null;
			});
			const toEnd = ids.flatMap((id, i) => (existing.has(id) ? [] : [i]));
			if (toEnd.length === 0) return { results: results as ResolveResult[], head: null };
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:log:' || $1))`, [this.chain]);
			const chained = chainBodies(toEnd.map((i) => bodies[i]), this.chain, await this.headWith(client), this.now().toISOString());
			for (let start = 0; start < chained.records.length; start += ROWS_PER_INSERT) {
				await insertRows(client, chained.records.slice(start, start + ROWS_PER_INSERT).map((record, k) => ({ record, line: chained.lines[start + k] })));
			}
			const updates = toEnd.map((i) => ({ id: ids[i], status: resolutions[i].resolution.status, outcome: outcomes[i] }));
			const updated = await client.query<{ data: ReviewRequest }>(
				`UPDATE ${REQUEST_TABLE} r SET status = u.status, data = r.data || jsonb_build_object('status', u.status, 'outcome', u.outcome)
				 FROM jsonb_to_recordset($1::jsonb) AS u(id text, status text, outcome jsonb) WHERE r.id = u.id RETURNING r.data`,
				[JSON.stringify(updates)],
			);
			const after = new Map(updated.rows.map((r) => [r.data.id, r.data]));
			toEnd.forEach((i, k) => {
				results[i] = { applied: true, request: after.get(ids[i]) as ReviewRequest, record: chained.records[k] };
			});
			return { results: results as ResolveResult[], head: chained.head };
		});
		// The head this store just committed (a hint for the next append; see knownHead).
		if (done.head) this.knownHead = done.head;
		return done.results;
	}

	async listOverdueRequests(now: Date, limit = 100): Promise<ReviewRequest[]> {
		this.usable();
		const { rows } = await this.pool.query<{ data: ReviewRequest }>(
			`SELECT data FROM ${REQUEST_TABLE} WHERE status = 'pending' AND (data->>'expiresAt') < $1 AND ${THIS_CHAIN('$3')}
			 ORDER BY (data->>'expiresAt'), id LIMIT $2`,
			[now.toISOString(), Math.max(1, Math.min(limit, 10_000)), this.chain],
		);
		return rows.map((r) => r.data);
	}

	/**
	 * Redacts, in one transaction, every request row the erasure reaches (requestErasure.ts). The SQL
	 * narrows the rows and locks them; the shared check decides. Approved content lives in the row, so
	 * no other table holds a copy. Old row versions stay on disk until Postgres vacuums them (say so).
	 */
	async eraseRequestContent(scope: RequestErasureScope, erasure: RequestErasure): Promise<RequestErasureResult> {
		this.usable();
		const reach = checkErasureScope(scope);
		const checked = checkRequestErasure(erasure);
		return this.tx(async (client) => {
			const notErased = `(data->'erased' IS NULL OR data->'erased' = 'null'::jsonb)`;
			const { rows } = 'subjectId' in reach
				? await client.query<{ data: ReviewRequest }>(
						`SELECT data FROM ${REQUEST_TABLE} WHERE data->'payload'->'items' @> $1::jsonb AND ${notErased} AND ${THIS_CHAIN('$2')} ORDER BY id FOR UPDATE`,
						[JSON.stringify([{ subjectId: reach.subjectId }]), this.chain],
					)
				: await client.query<{ data: ReviewRequest }>(
						`SELECT data FROM ${REQUEST_TABLE} WHERE status <> 'pending' AND (data->>'createdAt') < $1 AND ${notErased} AND ${THIS_CHAIN('$2')} ORDER BY id FOR UPDATE`,
						[new Date(reach.endedBeforeMs).toISOString(), this.chain],
					);
			const requestIds: string[] = [];
			let pending = 0;
			for (const { data } of rows) {
				if (!erasureReaches(data, reach)) continue;
				await client.query(`UPDATE ${REQUEST_TABLE} SET data = $2 WHERE id = $1`, [data.id, JSON.stringify(redactRequest(data, checked))]);
				requestIds.push(data.id);
				if (data.status === 'pending') pending++;
			}
			return { requestIds, requests: requestIds.length, pending, contents: 0 };
		});
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

	// The deadline schedule (pgDeadlines.ts): inputs checked here, as in the file backend.

	async scheduleDeadlineEvents(events: DeadlineEvent[]): Promise<void> {
		this.usable();
		const checked = checkDeadlineEvents(events);
		if (checked.length > 0) await this.deadlines.schedule(checked, this.now());
	}

	async claimDueDeadlineEvents(now: Date, worker: string, leaseMs: number, limit: number): Promise<DeadlineEvent[]> {
		this.usable();
		return this.deadlines.claim(checkClaimArgs(now, worker, leaseMs, limit));
	}

	async finishDeadlineEvent(id: string, token: string | null, end: { status: DeadlineEventStatus; result?: string; error?: string; at: Date }): Promise<boolean> {
		this.usable();
		return this.deadlines.finish(checkFinish(id, token, end));
	}

	async cancelDeadlineEvents(groupId: string, at: Date, result: string): Promise<number> {
		this.usable();
		return this.deadlines.cancel(checkCancel(groupId, at, result));
	}

	async listDeadlineEvents(groupId: string): Promise<DeadlineEvent[]> {
		this.usable();
		return this.deadlines.list(checkDeadlineId(groupId, 'groupId'));
	}

	async listOverdueDeadlineEvents(now: Date, limit = 100): Promise<DeadlineEvent[]> {
		this.usable();
		return this.deadlines.overdue(checkDate(now, 'now'), checkLimit(limit));
	}

	async recordDeadlineWorker(beat: DeadlineWorkerBeat): Promise<void> {
		this.usable();
		await this.deadlines.recordWorker(checkBeat(beat), this.now());
	}

	async listDeadlineWorkers(): Promise<DeadlineWorkerBeat[]> {
		this.usable();
		return this.deadlines.workers();
	}

	/** On one connection holding the chain's tree lock (pgTree.ts): one tree writer per chain across processes. */
	private async withTree<T>(fn: (tree: LogTree, storage: PgTreeStorage) => Promise<T>): Promise<T> {
		this.usable();
		const client = await this.pool.connect();
		const lock = `n8n-nodes-hitl:tree:${this.chain}`;
		try {
			await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
			try {
				const storage = new PgTreeStorage(client, this.chain);
				return await fn(new LogTree(storage, pgChainLines(client, this.chain)), storage);
			} finally {
				await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
			}
		} finally {
			client.release();
		}
	}

	treeHead(): Promise<TreeRoot> {
		return this.withTree((tree) => tree.catchUp());
	}

	proveInclusion(seq: number, size: number): Promise<TreeInclusionProof> {
		return this.withTree(async (tree) => {
			await tree.catchUp();
			return tree.proveInclusion(seq, size);
		});
	}

	proveConsistency(oldSize: number, size: number): Promise<TreeConsistencyProof> {
		return this.withTree(async (tree) => {
			await tree.catchUp();
			return tree.proveConsistency(oldSize, size);
		});
	}

	listCheckpoints(limit = 100): Promise<StoredCheckpointNote[]> {
		return this.withTree((_tree, storage) => storage.checkpoints(limit));
	}

	saveCheckpoint(entry: StoredCheckpointNote): Promise<void> {
		return this.withTree((_tree, storage) => storage.saveCheckpoint(entry));
	}

	async close(): Promise<void> {
		if (this.closed) return;
		// Appends queued before close are committed (or fail) first.
		await this.appends.idle();
		this.closed = true;
		await this.pool.end();
	}
}
