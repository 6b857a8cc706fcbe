/**
 * The Postgres backend's Merkle tree index (core/tlog/logTree.ts): the tree's stored hashes as rows
 * `(chain, idx, hash)` in Go tlog's stored-hash order, and every checkpoint the store issued. Records
 * are read by seq through the log table's own unique index, so a proof reads O(log n) rows.
 *
 * One writer per chain: the whole catch-up runs holding a session advisory lock on one connection.
 * Each batch of hashes is one INSERT, so the index is always whole leaves; like the log, the rows are
 * only ever added (the application role gets SELECT and INSERT, never UPDATE or DELETE). The index is
 * derived data: a rebuild is `DELETE FROM hitl_review_tree WHERE chain = …` by an administrator.
 */
import type { PoolClient } from 'pg';

import { type ChainLines, leavesForStoredCount, TreeIndexError, type TreeStorage } from '../../tlog/logTree';
import { type Hash, storedHashCount } from '../../tlog/merkle';
import type { StoredCheckpointNote } from '../types';
import { CHECKPOINT_TABLE, LOG_TABLE, TREE_TABLE } from './schema';

const BATCH = 2000;

export class PgTreeStorage implements TreeStorage {
	constructor(
		private readonly client: PoolClient,
		private readonly chain: string,
	) {}

	async leafCount(): Promise<number> {
		const { rows } = await this.client.query<{ n: string | null }>(`SELECT max(idx) + 1 AS n FROM ${TREE_TABLE} WHERE chain = $1`, [this.chain]);
		const count = Number(rows[0].n ?? 0);
		const leaves = leavesForStoredCount(count);
		if (storedHashCount(leaves) !== count) {
			throw new TreeIndexError(`the tree index of chain ${this.chain} holds ${count} hashes, not whole leaves: an administrator should delete its rows to rebuild it`);
		}
		return leaves;
	}

	async readHashes(indexes: readonly number[]): Promise<Hash[]> {
		if (indexes.length === 0) return [];
		const { rows } = await this.client.query<{ idx: string; hash: Buffer }>(
			`SELECT idx, hash FROM ${TREE_TABLE} WHERE chain = $1 AND idx = ANY($2::bigint[])`,
			[this.chain, indexes.map(String)],
		);
		const found = new Map(rows.map((row) => [Number(row.idx), row.hash]));
		return indexes.map((index) => {
			const hash = found.get(index);
			if (!hash || hash.length !== 32) throw new TreeIndexError(`stored hash ${index} of chain ${this.chain} is missing from the tree index`);
			return hash;
		});
	}

	async appendLeaves(from: number, hashes: Hash[]): Promise<void> {
		const first = storedHashCount(from);
		if (hashes.length === 0) return;
		await this.client.query(
			`INSERT INTO ${TREE_TABLE} (chain, idx, hash) SELECT $1, unnest($2::bigint[]), unnest($3::bytea[])`,
			[this.chain, hashes.map((_, i) => String(first + i)), hashes],
		);
	}

	async checkpoints(limit: number): Promise<StoredCheckpointNote[]> {
		const { rows } = await this.client.query<{ size: string; note: string; signed_at: Date }>(
			`SELECT size, note, signed_at FROM ${CHECKPOINT_TABLE} WHERE chain = $1 ORDER BY id DESC LIMIT $2`,
			[this.chain, limit],
		);
		return rows.map((row) => ({ size: Number(row.size), note: row.note, signedAt: row.signed_at.toISOString() }));
	}

	async saveCheckpoint(entry: StoredCheckpointNote): Promise<void> {
		await this.client.query(`INSERT INTO ${CHECKPOINT_TABLE} (chain, size, note, signed_at) VALUES ($1, $2, $3, $4)`, [
			this.chain,
			entry.size,
			entry.note,
			entry.signedAt,
		]);
	}
}

/** The log's lines by seq, through the log table's (chain, seq) index. */
export function pgChainLines(client: PoolClient, chain: string): ChainLines {
	return {
		async *linesAfter(seq: number) {
			let after = seq;
			for (;;) {
				const { rows } = await client.query<{ seq: string; line: string }>(
					`SELECT seq, line FROM ${LOG_TABLE} WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${BATCH}`,
					[chain, after],
				);
				for (const row of rows) yield { line: row.line, seq: Number(row.seq), offset: 0, length: 0 };
				if (rows.length < BATCH) return;
				after = Number(rows[rows.length - 1].seq);
			}
		},
		async lineAt(seq: number) {
			const { rows } = await client.query<{ line: string }>(`SELECT line FROM ${LOG_TABLE} WHERE chain = $1 AND seq = $2`, [chain, seq]);
			return rows.length === 1 ? rows[0].line : null;
		},
	};
}
