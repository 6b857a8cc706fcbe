import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..', '..', '.test-tmp');

/** A fresh temp folder under the repo's .test-tmp (git-ignored); removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
	mkdirSync(ROOT, { recursive: true });
	const dir = mkdtempSync(join(ROOT, `${prefix}-`));
	return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const KEY = { keyId: 'k1', secret: 'a'.repeat(16) + 'checkpoint-secret-0123456789' };

import { createRecord, normaliseInput, ZERO_HASH } from '../../../core/chain';
import type { ReviewRecordInput } from '../../../core/store/types';

/** Builds a valid chain in memory: records and their stored lines (without "\n"). */
export function buildLog(inputs: ReviewRecordInput[], chain = 'main', start = { seq: 0, hash: ZERO_HASH }) {
	const records: ReviewRecord[] = [];
	const lines: string[] = [];
	let prev = start;
	inputs.forEach((input, i) => {
		const { record, line } = createRecord(normaliseInput(input), {
			chain,
			seq: prev.seq + 1,
			prevHash: prev.hash,
			recordedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
		});
		records.push(record);
		lines.push(line);
		prev = { seq: record.seq, hash: record.hash };
	});
	return { records, lines };
}

export const toFileText = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

import { randomUUID } from 'node:crypto';

import { sha256Json } from '../../../core/edits';

import { REQUEST_BINDING_KEY, type Resolution, type ReviewOutcome, type ReviewRecord, type ReviewRequest, type ReviewStore } from '../../../core/store/types';

/** A resolution of `req` as the gate makes one (the binding carries no MAC here: the store does not check MACs). */
export function resolutionFor(req: ReviewRequest, status: 'decided' | 'expired', reviewerId = 'ann@example.com', decision: ReviewOutcome['decision'] = 'approved'): Resolution {
	const outcome: ReviewOutcome | null =
		status === 'decided'
			? { decision, reviewerId, decidedAt: '2026-01-01T01:00:00.000Z', comment: null, edits: [], finalJson: { body: 'Hello', by: reviewerId } }
			: null;
	return {
		status,
		outcome,
		record: {
			event: status,
			decision: outcome?.decision ?? null,
			reviewerId: outcome?.reviewerId ?? null,
			itemKey: req.id,
			executionId: req.executionId,
			// As the gate does: the approved content is named by its hash and kept beside the chain.
			finalSha256: outcome?.finalJson ? sha256Json(outcome.finalJson) : null,
			details: { [REQUEST_BINDING_KEY]: { id: req.id, groupId: req.groupId, nodeId: req.nodeId, keyId: null, mac: null } },
		},
	};
}

/** A pending review request as the gate puts one (random ids, a deadline far ahead), with `overrides`. */
export function pendingRequest(overrides: Partial<ReviewRequest> = {}): ReviewRequest {
	return {
		id: randomUUID(),
		groupId: randomUUID(),
		executionId: 'exec-1',
		nodeId: 'node-1',
		itemIndex: 0,
		reviewers: ['ann@example.com', 'bob@example.com'],
		draftSha256: 'ab'.repeat(32),
		createdAt: '2026-01-01T00:00:00.000Z',
		expiresAt: '2099-01-01T00:00:00.000Z',
		status: 'pending',
		outcome: null,
		payload: { nodeName: 'HITL Gate', tier: 'high' },
		mac: null,
		...overrides,
	};
}

/** Every record of the store, in seq order. */
export async function allRecords(store: ReviewStore): Promise<ReviewRecord[]> {
	const out: ReviewRecord[] = [];
	for await (const r of store.readAll()) out.push(r);
	return out;
}

/** The SQL of a query as a pg client gets it: a string, or a config object (a named statement). */
export const sqlTextOf = (query: unknown): string => (typeof query === 'string' ? query : String((query as { text?: unknown } | null)?.text));

/**
 * Makes the first query of any pg client whose SQL `matches` fail with `message` (a lost connection, a
 * failed COMMIT), once; every other query runs. Returns the spy (restore it when done).
 */
export function failNextPgQuery(matches: (sql: string) => boolean, message: string): jest.SpyInstance {
	const original = Client.prototype.query;
	let failed = false;
	return jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
		if (!failed && matches(sqlTextOf(args[0]))) {
			failed = true;
			const error = new Error(message);
			// pool.query (the fast path's statement) passes a callback; a client's own query returns a promise.
			const callback = args[args.length - 1];
			if (typeof callback === 'function') {
				setImmediate(() => (callback as (e: Error) => void)(error));
				return undefined as never;
			}
			return Promise.reject(error) as never;
		}
		return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
	});
}
