/**
 * How the Postgres store inserts log rows: the locked transaction's INSERT (insertRows), and the
 * one-round-trip append (fastAppend, issue 14): a group chained from the head the store last saw, sent
 * as ONE autocommit statement that takes the chain's advisory lock and inserts only if that head is
 * still the chain's head. When the head moved, nothing is written and the store runs its locked
 * transaction for the same group (pgStore.ts, appendGroup), so a caller never sees the conflict.
 *
 * Why this is safe under READ COMMITTED, although the statement's snapshot is taken before it waits for
 * the lock (so its guard may read an older state of the log than the one it inserts into):
 * - The guard only has to show that (seq N, hash H) is a record of the chain. Log rows are never changed
 *   or removed (trigger, grants), so a record visible in an older snapshot is still there; an older
 *   snapshot can miss rows added after N, never invent N. Its job is the head that cannot be trusted
 *   at all (a database restored to an earlier point, or rebuilt, behind the store's back): without it the
 *   store would write N+1 after a missing or different N — a gap or a broken link.
 * - Rows added after N by anyone (before or during the lock wait) hold N+1. The unique index on
 *   (chain, seq) is checked against the latest committed rows, not the snapshot, so inserting N+1 then
 *   fails with 23505 and the statement (its own transaction) writes nothing.
 * - So rows N+1… are written only if N is ours to follow and N+1… are free at insert time: no gap, no
 *   record twice, prev_hash = the hash of the record before it. (For an empty chain, N = 0, the guard
 *   "no record yet" is only a cheap early exit: seq 1 taken already fails on the unique index anyway.)
 * - The lock is what keeps the other writers right: the locked path (a fallback group, a review request's
 *   terminal record, another process) reads the head under the lock and then inserts; a fast insert
 *   without the lock could land in between and fail them. The rows to insert come out of a join with the
 *   lock CTE (MATERIALIZED, and volatile: evaluated once, never inlined away), so no row reaches the
 *   INSERT before the lock is held; it is released when the statement's transaction commits.
 */
import type { Pool, PoolClient } from 'pg';

import { isRequestTerminalRecord, requestBindingOf } from '../requests';
import type { ReviewRecord } from '../types';
import { LOG_TABLE } from './schema';

/** A group is sent this way only if its rows fit in one INSERT (the locked path's rows per statement too). */
export const ROWS_PER_INSERT = 200;

/** The log's columns, in the order of {@link recordRow}; both ways of inserting use these. */
export const LOG_COLUMNS = [
	'chain', 'seq', 'hash', 'prev_hash', 'recorded_at', 'event', 'decision', 'reviewer_id', 'tier', 'workflow_id',
	'execution_id', 'item_key', 'line', 'ends_request',
] as const;

/** The column types, for the casts a VALUES list in a SELECT needs (its parameters are not typed by the target). */
const COLUMN_TYPES = ['text', 'bigint', 'char(64)', 'char(64)', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

/** The constraint a second writer of the same seq hits (schema.ts). */
const CHAIN_SEQ_CONSTRAINT = `${LOG_TABLE}_chain_seq`;

export interface ChainHead {
	seq: number;
	hash: string;
}

export interface StoredRow {
	record: ReviewRecord;
	line: string;
}

/** A record's column values; a terminal record names the request it ends in `ends_request`. */
export function recordRow({ record, line }: StoredRow): unknown[] {
	const endsRequest = isRequestTerminalRecord(record) ? requestBindingOf(record)?.id ?? null : null;
	return [record.chain, record.seq, record.hash, record.prevHash, record.recordedAt, record.event, record.decision,
		record.reviewerId, record.tier, record.workflowId, record.executionId, record.itemKey, line, endsRequest];
}

/**
 * The VALUES tuple of row `row` (from 0) whose parameters start after `first` others, e.g. `($4, $5, …)`,
 * with `::type` casts if `cast`. Made once per position and kept (at most ROWS_PER_INSERT a kind): 14
 * placeholders built afresh for every row of a large batch were a measurable share of its CPU.
 */
const tupleCache = new Map<string, string[]>();
function rowTuple(row: number, first: number, cast: boolean): string {
	const kind = `${first}:${cast ? 1 : 0}`;
	let tuples = tupleCache.get(kind);
	if (!tuples) tupleCache.set(kind, (tuples = []));
	let tuple = tuples[row];
	if (tuple === undefined) {
		const base = first + row * LOG_COLUMNS.length;
		tuple = `(${LOG_COLUMNS.map((_, k) => `$${base + k + 1}${cast ? `::${COLUMN_TYPES[k]}` : ''}`).join(', ')})`;
		if (row < ROWS_PER_INSERT) tuples[row] = tuple;
	}
	return tuple;
}

/**
 * The locked way's insert, inside its transaction: one multi-row INSERT (14 parameters a row; callers
 * send at most 200 rows, far below Postgres's 65,535).
 */
export async function insertRows(client: Pick<PoolClient, 'query'>, rows: readonly StoredRow[]): Promise<void> {
	const params: unknown[] = [];
	const values = rows.map((row, i) => {
		params.push(...recordRow(row));
		return rowTuple(i, 0, false);
	});
	await client.query(`INSERT INTO ${LOG_TABLE} (${LOG_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, params);
}

/** True for the unique violation of (chain, seq): another writer got there first. */
export function isSeqConflict(error: unknown): boolean {
	const e = error as { code?: unknown; constraint?: unknown } | null;
	return e?.code === '23505' && e.constraint === CHAIN_SEQ_CONSTRAINT;
}

/**
 * Sends `rows` (chained from `head`, at most {@link ROWS_PER_INSERT}) as one statement in autocommit.
 * True: written and committed. False: the head had moved (nothing written). Other errors are thrown.
 */
export async function fastAppend(pool: Pick<Pool, 'query'>, chain: string, head: ChainHead, rows: readonly StoredRow[]): Promise<boolean> {
	if (rows.length === 0 || rows.length > ROWS_PER_INSERT) throw new Error(`fastAppend takes 1 to ${ROWS_PER_INSERT} rows`);
	// $1 chain; $2 head seq and $3 head hash when there is a head; then 14 a row.
	const params: unknown[] = head.seq === 0 ? [chain] : [chain, head.seq, head.hash];
	const guard = head.seq === 0
		? `NOT EXISTS (SELECT 1 FROM ${LOG_TABLE} WHERE chain = $1)`
		: `EXISTS (SELECT 1 FROM ${LOG_TABLE} WHERE chain = $1 AND seq = $2 AND hash = $3)`;
	const first = params.length;
	const values = rows.map((row, i) => {
		params.push(...recordRow(row));
		return rowTuple(i, first, true);
	});
	const columns = LOG_COLUMNS.join(', ');
	const sql = `WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-hitl:log:' || $1::text)))
		INSERT INTO ${LOG_TABLE} (${columns})
		SELECT v.* FROM (VALUES ${values.join(', ')}) AS v (${columns}) CROSS JOIN lock
		WHERE ${guard}`;
	let inserted: number | null;
	try {
		// Named: each connection parses and plans it once (the plan of this statement costs more than the
		// insert itself); the text depends only on the row count and whether there is a head.
		inserted = (await pool.query({ name: `hitl-fast-append-${rows.length}${head.seq === 0 ? '-first' : ''}`, text: sql, values: params })).rowCount;
	} catch (error) {
		if (isSeqConflict(error)) return false;
		throw error;
	}
	if (inserted === 0) return false;
	// The guard is one condition for the whole statement: all rows or none.
	if (inserted !== rows.length) throw new Error(`The review log took ${inserted} of ${rows.length} rows`);
	return true;
}
