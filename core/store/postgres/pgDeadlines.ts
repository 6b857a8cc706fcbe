/**
 * The deadline mechanism's schedule in Postgres (see DeadlineEvent in ../types.ts): one row per event
 * in `hitl_deadline_event`, one per worker in `hitl_deadline_worker`, both keyed by chain — every
 * statement here names the store's chain, so chains sharing a database never see each other's events.
 *
 * Every change is one statement, atomic on its own: a claim locks the due rows it takes with
 * `FOR UPDATE SKIP LOCKED` (a concurrent claimer skips them, and re-checks a row another claimer just
 * committed against its new lease), so each event is held by at most one worker at a time; ending or
 * releasing one is a conditional UPDATE (still scheduled, and the caller's claim token still the
 * current one). Ended events and beats older than a week are deleted when events are scheduled or a
 * beat is recorded, as the file backend drops them when it rewrites its files.
 */
import type { Pool } from 'pg';

import { ENDED_KEEP_MS, newClaim } from '../deadlineChecks';
import type { CheckedFinish } from '../deadlineChecks';
import type { DeadlineActionKind, DeadlineEvent, DeadlineEventStatus, DeadlineWorkerBeat } from '../types';
import { DEADLINE_EVENT_TABLE as EVENTS, DEADLINE_WORKER_TABLE as WORKERS } from './schema';

interface EventRow {
	id: string;
	group_id: string;
	kind: DeadlineActionKind;
	step: number;
	due_at: Date;
	target: string;
	execution_id: string;
	node_id: string;
	status: DeadlineEventStatus;
	claim_by: string | null;
	claim_token: string | null;
	claim_until: Date | null;
	attempts: number;
	last_error: string | null;
	ended_at: Date | null;
	result: string | null;
}

const COLUMNS = 'id, group_id, kind, step, due_at, target, execution_id, node_id, status, claim_by, claim_token, claim_until, attempts, last_error, ended_at, result';
/** Rows per multi-row INSERT (17 parameters a row, far below Postgres's 65,535). */
const INSERT_ROWS = 200;

const iso = (d: Date | string): string => new Date(d).toISOString();

function toEvent(r: EventRow): DeadlineEvent {
	return {
		id: r.id,
		groupId: r.group_id,
		kind: r.kind,
		step: Number(r.step),
		dueAt: iso(r.due_at),
		target: r.target,
		executionId: r.execution_id,
		nodeId: r.node_id,
		status: r.status,
		claim: r.claim_token !== null && r.claim_until !== null ? { by: r.claim_by ?? '', token: r.claim_token, until: iso(r.claim_until) } : null,
		attempts: Number(r.attempts),
		lastError: r.last_error,
		endedAt: r.ended_at === null ? null : iso(r.ended_at),
		result: r.result,
	};
}

const byDue = (a: DeadlineEvent, b: DeadlineEvent) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The store's deadline schedule on its pool; inputs arrive checked (file/deadlineEvents.ts checks both backends' input). */
export class PgDeadlineSchedule {
	constructor(
		private readonly pool: Pool,
		private readonly chain: string,
	) {}

	async schedule(events: DeadlineEvent[], now: Date): Promise<void> {
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			for (let start = 0; start < events.length; start += INSERT_ROWS) {
				const params: unknown[] = [];
				const values = events.slice(start, start + INSERT_ROWS).map((e) => {
					const base = params.length;
					params.push(this.chain, e.id, e.groupId, e.kind, e.step, e.dueAt, e.target, e.executionId, e.nodeId, e.status,
						e.claim?.by ?? null, e.claim?.token ?? null, e.claim?.until ?? null, e.attempts, e.lastError, e.endedAt, e.result);
					return `(${Array.from({ length: 17 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
				});
				await client.query(
					`INSERT INTO ${EVENTS} (chain, ${COLUMNS}) VALUES ${values.join(', ')} ON CONFLICT (chain, id) DO NOTHING`,
					params,
				);
			}
			await client.query(`DELETE FROM ${EVENTS} WHERE chain = $1 AND status <> 'scheduled' AND ended_at < $2`, [
				this.chain, new Date(now.getTime() - ENDED_KEEP_MS).toISOString(),
			]);
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	async claim(args: { now: Date; worker: string; leaseMs: number; limit: number }): Promise<DeadlineEvent[]> {
		// One fresh random token per event claimed: a token is the right to end that one event.
		const claims = Array.from({ length: args.limit }, () => newClaim(args.worker, args.now, args.leaseMs));
		const { rows } = await this.pool.query<EventRow>(
			`WITH due AS (
				SELECT id, due_at FROM ${EVENTS}
				WHERE chain = $1 AND status = 'scheduled' AND due_at <= $2 AND (claim_until IS NULL OR claim_until <= $2)
				ORDER BY due_at, id COLLATE "C" LIMIT $3
				FOR UPDATE SKIP LOCKED
			), numbered AS (
				SELECT id, row_number() OVER (ORDER BY due_at, id COLLATE "C") AS n FROM due
			)
			UPDATE ${EVENTS} e SET claim_by = $4, claim_token = ($5::text[])[numbered.n], claim_until = $6, attempts = e.attempts + 1
			FROM numbered WHERE e.chain = $1 AND e.id = numbered.id
			RETURNING ${COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')}`,
			[this.chain, args.now.toISOString(), args.limit, args.worker, claims.map((c) => c.token), claims[0].until],
		);
		return rows.map(toEvent).sort(byDue);
	}

	async finish(f: CheckedFinish): Promise<boolean> {
		const ending = f.status !== 'scheduled';
		const { rowCount } = await this.pool.query(
			`UPDATE ${EVENTS} SET claim_by = NULL, claim_token = NULL, claim_until = NULL,
				last_error = COALESCE($4::text, last_error),
				status = $3, ended_at = CASE WHEN $5::boolean THEN $6::timestamptz END, result = CASE WHEN $5::boolean THEN $7::text END
			 WHERE chain = $1 AND id = $2 AND status = 'scheduled' AND ($8::text IS NULL OR claim_token = $8::text)`,
			[this.chain, f.id, f.status, f.error, ending, f.at, f.result, f.token],
		);
		return rowCount === 1;
	}

	async cancel(c: { groupId: string; at: string; result: string }): Promise<number> {
		const { rowCount } = await this.pool.query(
			`UPDATE ${EVENTS} SET status = 'cancelled', ended_at = $3, result = $4, claim_by = NULL, claim_token = NULL, claim_until = NULL
			 WHERE chain = $1 AND group_id = $2 AND status = 'scheduled'`,
			[this.chain, c.groupId, c.at, c.result],
		);
		return rowCount ?? 0;
	}

	async list(groupId: string): Promise<DeadlineEvent[]> {
		const { rows } = await this.pool.query<EventRow>(
			`SELECT ${COLUMNS} FROM ${EVENTS} WHERE chain = $1 AND group_id = $2 ORDER BY due_at, id COLLATE "C"`,
			[this.chain, groupId],
		);
		return rows.map(toEvent);
	}

	async overdue(now: Date, limit: number): Promise<DeadlineEvent[]> {
		const { rows } = await this.pool.query<EventRow>(
			`SELECT ${COLUMNS} FROM ${EVENTS}
			 WHERE chain = $1 AND status = 'scheduled' AND due_at < $2 AND (claim_until IS NULL OR claim_until <= $2)
			 ORDER BY due_at, id COLLATE "C" LIMIT $3`,
			[this.chain, now.toISOString(), limit],
		);
		return rows.map(toEvent);
	}

	async recordWorker(beat: DeadlineWorkerBeat, now: Date): Promise<void> {
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			await client.query(
				`INSERT INTO ${WORKERS} (chain, worker, seen_at, interval_ms) VALUES ($1, $2, $3, $4)
				 ON CONFLICT (chain, worker) DO UPDATE SET seen_at = EXCLUDED.seen_at, interval_ms = EXCLUDED.interval_ms`,
				[this.chain, beat.worker, beat.seenAt, beat.intervalMs],
			);
			await client.query(`DELETE FROM ${WORKERS} WHERE chain = $1 AND worker <> $2 AND seen_at < $3`, [
				this.chain, beat.worker, new Date(now.getTime() - ENDED_KEEP_MS).toISOString(),
			]);
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	async workers(): Promise<DeadlineWorkerBeat[]> {
		const { rows } = await this.pool.query<{ worker: string; seen_at: Date; interval_ms: number }>(
			`SELECT worker, seen_at, interval_ms FROM ${WORKERS} WHERE chain = $1 ORDER BY seen_at DESC, worker COLLATE "C"`,
			[this.chain],
		);
		return rows.map((r) => ({ worker: r.worker, seenAt: iso(r.seen_at), intervalMs: Number(r.interval_ms) }));
	}
}
