/**
 * Opens review stores. Stores are shared per configuration within a process (n8n calls a node many
 * times; each open of the file backend costs a chain verification), and reference-counted: `close()`
 * on a handle releases it, and the store itself closes after it has been unused for a while.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

import { sha256Hex } from '../chain';
import type { CheckpointKey, CheckpointKeyConfig } from '../checkpoint';
import { JsonlReviewStore } from './file/jsonlStore';
import { PostgresReviewStore, type PostgresConnection } from './postgres/pgStore';
import type { ReviewStore } from './types';

export type { PostgresConnection } from './postgres/pgStore';
export * from './types';
export { StoreCorruptError, StoreFatalError, StoreUsageError } from './errors';
export { QueryError, matchesQuery, normaliseQuery, type NormalisedQuery } from './query';
export { isRequestTerminalRecord, MAX_RESOLUTIONS_PER_CALL, requestBindingOf } from './requests';
export { firstRefusal, resolveEach, type ResolveOutcome } from './resolveEach';
export { REQUEST_ERASURE_DETAILS_KEY, requestErasureRecords, type RequestErasureDetails } from './requestErasure';

interface CommonConfig {
	/** Chain name (default `default`): records of one chain share one seq space. */
	chain?: string;
	/** Current checkpoint key, optionally with the previous one during rotation. */
	checkpointKey?: CheckpointKeyConfig;
	/** Alternative form: current key first, then any older keys still accepted for verification. */
	checkpointKeys?: CheckpointKey[];
}

export type ReviewStoreConfig =
	| (CommonConfig & { backend: 'file'; directory?: string; verifyOnOpen?: boolean; readOnly?: boolean })
	| (CommonConfig & { backend: 'postgres'; connection: PostgresConnection });

/** `<N8N_USER_FOLDER or home>/.n8n/hitl`, where n8n keeps its own data too. */
export function defaultStoreDirectory(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'hitl');
}

function keyConfig(config: CommonConfig): CheckpointKeyConfig | undefined {
	if (config.checkpointKey) return config.checkpointKey;
	const [current, previous] = config.checkpointKeys ?? [];
	return current ? { ...current, previous } : undefined;
}

/** How long an unused store stays open for the next caller. */
const IDLE_CLOSE_MS = 60_000;

interface Entry {
	store: Promise<ReviewStore>;
	refs: number;
	timer: NodeJS.Timeout | null;
}
const cache = new Map<string, Entry>();

function cacheKey(config: ReviewStoreConfig): string {
	// Secrets enter the key only hashed, so nothing secret is kept as a map key.
	return sha256Hex(JSON.stringify(config));
}

async function openUncached(config: ReviewStoreConfig): Promise<ReviewStore> {
	const chain = config.chain ?? 'default';
	const checkpointKey = keyConfig(config);
	if (config.backend === 'file') {
		return JsonlReviewStore.open({
			directory: config.directory || defaultStoreDirectory(),
			chain,
			checkpointKey,
			verifyOnOpen: config.verifyOnOpen,
			readOnly: config.readOnly,
		});
	}
	if (config.backend === 'postgres') return PostgresReviewStore.open({ connection: config.connection, chain, checkpointKey });
	throw new Error(`Unknown review store backend ${JSON.stringify((config as { backend: unknown }).backend)}`);
}

/**
 * A handle on the shared store for `config`. Calling `close()` on the handle releases it; the
 * handle must not be used afterwards.
 */
export async function openReviewStore(config: ReviewStoreConfig): Promise<ReviewStore> {
	const key = cacheKey(config);
	let entry = cache.get(key);
	if (!entry) {
		entry = { store: openUncached(config), refs: 0, timer: null };
		cache.set(key, entry);
		const created = entry;
		created.store.catch(() => {
			if (cache.get(key) === created) cache.delete(key);
		});
	}
	const current = entry;
	current.refs++;
	if (current.timer) {
		clearTimeout(current.timer);
		current.timer = null;
	}
	let store: ReviewStore;
	try {
		store = await current.store;
	} catch (error) {
		current.refs--;
		throw error;
	}
	let released = false;
	// Delegate with bound methods: the handle must never hold state of its own.
	const handle: ReviewStore = {
		chain: store.chain,
		append: (input) => store.append(input),
		appendMany: (inputs) => store.appendMany(inputs),
		readAll: () => store.readAll(),
		head: () => store.head(),
		query: (filter, page) => store.query(filter, page),
		verify: (options) => store.verify(options),
		checkpoint: () => store.checkpoint(),
		putReviewRequests: (requests) => store.putReviewRequests(requests),
		getReviewRequest: (id) => store.getReviewRequest(id),
		listReviewRequests: (groupId) => store.listReviewRequests(groupId),
		resolveReviewRequest: (id, resolution) => store.resolveReviewRequest(id, resolution),
		resolveReviewRequests: (resolutions) => store.resolveReviewRequests(resolutions),
		terminalRecord: (id) => store.terminalRecord(id),
		terminalRecords: (ids) => store.terminalRecords(ids),
		listOverdueRequests: (now, limit) => store.listOverdueRequests(now, limit),
		claimGroupResume: (groupId) => store.claimGroupResume(groupId),
		eraseRequestContent: (scope, erasure) => store.eraseRequestContent(scope, erasure),
		scheduleDeadlineEvents: (events) => store.scheduleDeadlineEvents(events),
		claimDueDeadlineEvents: (now, worker, leaseMs, limit) => store.claimDueDeadlineEvents(now, worker, leaseMs, limit),
		finishDeadlineEvent: (id, token, end) => store.finishDeadlineEvent(id, token, end),
		cancelDeadlineEvents: (groupId, at, result) => store.cancelDeadlineEvents(groupId, at, result),
		listDeadlineEvents: (groupId) => store.listDeadlineEvents(groupId),
		listOverdueDeadlineEvents: (now, limit) => store.listOverdueDeadlineEvents(now, limit),
		recordDeadlineWorker: (beat) => store.recordDeadlineWorker(beat),
		listDeadlineWorkers: () => store.listDeadlineWorkers(),
		treeHead: () => store.treeHead(),
		proveInclusion: (seq, size) => store.proveInclusion(seq, size),
		proveConsistency: (oldSize, size) => store.proveConsistency(oldSize, size),
		listCheckpoints: (limit) => store.listCheckpoints(limit),
		saveCheckpoint: (entry) => store.saveCheckpoint(entry),
		close: async () => {},
	};
	handle.close = async () => {
		if (released) return;
		released = true;
		current.refs--;
		if (current.refs > 0) return;
		current.timer = setTimeout(() => {
			if (current.refs === 0 && cache.get(key) === current) {
				cache.delete(key);
				void store.close();
			}
		}, IDLE_CLOSE_MS);
		current.timer.unref();
	};
	return handle;
}

/** Closes every cached store now (tests, shutdown). */
export async function closeAllReviewStores(): Promise<void> {
	const entries = [...cache.values()];
	cache.clear();
	for (const entry of entries) {
		if (entry.timer) clearTimeout(entry.timer);
		await entry.store.then((s) => s.close()).catch(() => undefined);
	}
}
