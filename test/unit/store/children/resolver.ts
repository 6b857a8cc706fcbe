/**
 * Test child for the decision crash test: opens a review store (file or Postgres) and, until killed,
 * puts one new pending review request at a time and ends it with `resolveReviewRequest` — decided
 * (approved, approved with edits, rejected) or expired — as the HITL Gate does (MAC'd binding, approved
 * content named by its SHA-256). Every third round it also tries to end a request another child put
 * recently (read from a shared id file), so two processes race on one request now and then, and
 * requests whose child was killed before resolving them still get resolved.
 *
 * argv: <file|postgres> <directory (file) | - (postgres)> <chain> <shared id file> [die]
 *   die: `<mode>:<round>` — from its own round <round> on, the child SIGKILLs itself inside its own
 *   resolution: `before-index` right after the terminal record is written (file: on entry to the index
 *   update; postgres: right after the INSERT, before the UPDATE and COMMIT), `after-index` right after
 *   the index update (file) / the UPDATE (postgres), before the call returns.
 * env HITL_TEST_SIGNING_KEY: the gate signing key as JSON {keyId, secret}, for the request and decision MACs.
 * env HITL_TEST_PG_CONNECTION: the Postgres connection as JSON (postgres only).
 *
 * Prints, with a blocking write(2) on fd 1 (not process.stdout: the parent's end is a socket, and when
 * the parent is slow to read — a loaded machine — Node queues stdout writes and the child runs ahead
 * of what it printed, so a kill loses lines about things that did happen). A line the parent reads
 * therefore happened, and the child never gets ahead of its output (a kill can only cut off the step
 * after the last line it printed):
 *   ready
 *   put <id> <groupId>
 *   resolving <id> <attempt> <JSON {status, outcome, draft}>   (before the call; `attempt` is in the record's details)
 *   resolved <id> <seq> <hash> <applied 1|0>                    (after the call returned)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, writeSync } from 'node:fs';

import { sha256Json } from '../../../../core/edits';
import { signDecision, signRequest } from '../../../../core/links/decisionMac';
import { FileRequestState } from '../../../../core/store/file/fileRequests';
import { JsonlReviewStore } from '../../../../core/store/file/jsonlStore';
import {
	REQUEST_BINDING_KEY,
	type Resolution,
	type ReviewOutcome,
	type ReviewRecord,
	type ReviewRequest,
	type ReviewStore,
} from '../../../../core/store/types';

/** Writes one line to fd 1, blocking until the kernel has it (retrying if the fd is non-blocking and full). */
function say(line: string): void {
	const bytes = Buffer.from(`${line}\n`, 'utf8');
	let done = 0;
	while (done < bytes.length) {
		try {
			done += writeSync(1, bytes, done, bytes.length - done);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
		}
	}
}

/** The gate signing key (the parent checks the MACs with it). */
const RESOLVER_KEY = JSON.parse(process.env.HITL_TEST_SIGNING_KEY ?? '{}') as { keyId: string; secret: string };
const RESOLVER_REVIEWERS = ['ann@example.com', 'bob@example.com', 'cy@example.com'];
const KINDS = ['approved', 'expired', 'approved_with_edits', 'rejected', 'expired', 'approved'] as const;

type DieMode = 'before-index' | 'after-index';
/**
 * The resolution this process must not survive (set just before its own resolution), by its attempt
 * tag: the record it writes, not a record of the same request another process wrote and this one
 * happens to replay first.
 */
let dieOn: { attempt: string; mode: DieMode } | null = null;
const dies = (record: Pick<ReviewRecord, 'details'>, mode: DieMode) => dieOn !== null && dieOn.mode === mode && record.details?.attempt === dieOn.attempt;
const die = (record: Pick<ReviewRecord, 'details'>, mode: DieMode) => {
	if (dies(record, mode)) process.kill(process.pid, 'SIGKILL');
};

/** Postgres only: loaded on demand, so a file child does not pay for loading `pg` at every start. */
type PgModule = typeof import('../../../../core/store/postgres/pgStore');

function installDieHooks(backend: string, pgModule: PgModule | null): void {
	if (backend === 'file') {
		// The terminal records are in the log when the index update starts (resolveReviewRequests, catchUp).
		const proto = FileRequestState.prototype;
		const apply = proto.applyTerminals;
		proto.applyTerminals = async function (this: FileRequestState, ...args: Parameters<typeof apply>) {
			for (const entry of args[0]) die(entry.record, 'before-index');
			const result = await apply.apply(this, args);
			for (const entry of args[0]) die(entry.record, 'after-index');
			return result;
		};
		return;
	}
	// Postgres: every query of the resolution's transaction (the private tx) is watched. Once the INSERT
	// of the log row carrying this process's attempt tag has run: 'before-index' dies at once,
	// 'after-index' after the request's UPDATE, before COMMIT.
	type Client = { query: (sql: string, args?: unknown[]) => Promise<unknown> };
	type Tx = (fn: (client: Client, begun: unknown) => Promise<unknown>, begin?: string) => Promise<unknown>;
	const proto = (pgModule as PgModule).PostgresReviewStore.prototype as unknown as { tx: Tx };
	const tx = proto.tx;
	proto.tx = function (this: unknown, fn, begin) {
		return tx.call(this, (client, begun) => {
			const query = client.query.bind(client);
			let mine: Pick<ReviewRecord, 'details'> | null = null;
			client.query = async (sql: string, args?: unknown[]) => {
				const out = await query(sql, args);
				if (dieOn && /^\s*INSERT INTO \S*log/i.test(sql) && (args ?? []).some((a) => typeof a === 'string' && a.includes(`"attempt":"${dieOn?.attempt}"`))) {
					mine = { details: { attempt: dieOn.attempt } };
					die(mine, 'before-index');
				}
				if (mine && /^\s*UPDATE /.test(sql)) die(mine, 'after-index');
				return out;
			};
			return fn(client, begun);
		}, begin);
	};
}

function newRequest(n: number, groupId: string, itemIndex: number): { request: ReviewRequest; draft: Record<string, unknown> } {
	const id = randomUUID();
	const draft = { to: `candidate-${n}@example.com`, subject: 'Your application', body: `Hello, thanks for applying (${id.slice(0, 8)}).`, stage: 'screen' };
	const payload = {
		nodeName: 'HITL Gate',
		tier: 'high',
		tierReasons: ['external_recipient'],
		items: [{ json: draft }],
		editable: ['body', 'stage'],
		keyId: RESOLVER_KEY.keyId,
	};
	const base = {
		id,
		groupId,
		executionId: `exec-${process.pid}-${n}`,
		nodeId: 'gate-node-1',
		itemIndex,
		reviewers: RESOLVER_REVIEWERS,
		draftSha256: sha256Json(draft),
		createdAt: new Date(Date.now() - 60_000).toISOString(),
		expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
		payload,
	};
	return { request: { ...base, status: 'pending', outcome: null, mac: signRequest(base, RESOLVER_KEY) }, draft };
}

/** A resolution as the gate builds one (decisionResolution / expiryResolution), tagged with `attempt`. */
function resolutionFor(request: ReviewRequest, kind: (typeof KINDS)[number], attempt: string): Resolution {
	const draft = (request.payload.items as Array<{ json: Record<string, unknown> }>)[0].json;
	const fields = {
		requestedAt: request.createdAt,
		executionId: request.executionId,
		nodeName: 'HITL Gate',
		itemKey: request.id,
		tier: 'high' as const,
		tierReasons: ['external_recipient'],
		draftSha256: request.draftSha256,
	};
	const now = new Date().toISOString();
	const binding = (facts: Parameters<typeof signDecision>[0]) => ({
		id: request.id,
		groupId: request.groupId,
		nodeId: request.nodeId,
		keyId: RESOLVER_KEY.keyId,
		mac: signDecision(facts, RESOLVER_KEY),
	});
	const facts = { requestId: request.id, groupId: request.groupId, executionId: request.executionId, nodeId: request.nodeId, draftSha256: request.draftSha256 };
	if (kind === 'expired') {
		return {
			status: 'expired',
			outcome: null,
			record: {
				event: 'expired',
				...fields,
				details: {
					reason: 'deadline_passed',
					expiresAt: request.expiresAt,
					reviewers: request.reviewers,
					attempt,
					[REQUEST_BINDING_KEY]: binding({ ...facts, event: 'expired', decision: null, reviewerId: null, decidedAt: null, comment: null, finalSha256: null }),
				},
			},
		};
	}
	const reviewerId = RESOLVER_REVIEWERS[Math.floor(Math.random() * RESOLVER_REVIEWERS.length)];
	const edits = kind === 'approved_with_edits' ? [{ path: 'stage', before: draft.stage, after: 'interview' }] : [];
	const finalJson = kind === 'rejected' ? null : kind === 'approved_with_edits' ? { ...draft, stage: 'interview' } : { ...draft };
	const outcome: ReviewOutcome = {
		decision: kind,
		reviewerId,
		decidedAt: now,
		comment: kind === 'rejected' ? 'Tone is off, please rewrite.' : kind === 'approved_with_edits' ? 'Moved to interview.' : null,
		edits,
		finalJson,
	};
	// As the gate does: a rejection names the draft, an approval the content that leaves.
	const finalSha256 = sha256Json(finalJson ?? draft);
	return {
		status: 'decided',
		outcome,
		record: {
			event: 'decided',
			decision: outcome.decision,
			reviewerId,
			...fields,
			decidedAt: now,
			queueTimeMs: 60_000,
			finalSha256,
			edits,
			comment: outcome.comment,
			linkKeyId: RESOLVER_KEY.keyId,
			linkNonce: randomBytes(12).toString('base64url'),
			clientIp: '203.0.113.7',
			userAgent: 'decision-crash-test',
			details: {
				attempt,
				[REQUEST_BINDING_KEY]: binding({ ...facts, event: 'decided', decision: outcome.decision, reviewerId, decidedAt: now, comment: outcome.comment, finalSha256 }),
			},
		},
	};
}

async function resolveOnce(store: ReviewStore, request: ReviewRequest, kind: (typeof KINDS)[number], die: DieMode | null): Promise<void> {
	const attempt = randomBytes(9).toString('base64url');
	const resolution = resolutionFor(request, kind, attempt);
	const draft = (request.payload.items as Array<{ json: Record<string, unknown> }>)[0].json;
	say(`resolving ${request.id} ${attempt} ${JSON.stringify({ status: resolution.status, outcome: resolution.outcome, draft })}`);
	dieOn = die ? { attempt, mode: die } : null;
	const result = await store.resolveReviewRequest(request.id, resolution);
	dieOn = null;
	const record = result.record;
	say(`resolved ${request.id} ${record?.seq ?? '-'} ${record?.hash ?? '-'} ${result.applied ? 1 : 0}`);
}

/** A request id another child put recently (one of the last few lines of the shared file), or null. */
function someoneElses(sharedFile: string, mine: Set<string>): string | null {
	let text: string;
	try {
		text = readFileSync(sharedFile, 'utf8');
	} catch {
		return null;
	}
	const ids = text.split('\n').filter((l) => /^[0-9a-f-]{36}$/.test(l) && !mine.has(l)).slice(-4);
	return ids.length ? ids[Math.floor(Math.random() * ids.length)] : null;
}

async function main(): Promise<void> {
	const [backend, directory, chain, sharedFile, dieArg] = process.argv.slice(2);
	const [dieMode, dieRound] = dieArg ? (dieArg.split(':') as [DieMode, string]) : [null, 'Infinity'];
	const pgModule = backend === 'postgres' ? await import('../../../../core/store/postgres/pgStore') : null;
	installDieHooks(backend, pgModule);
	const store: ReviewStore = pgModule
		? await pgModule.PostgresReviewStore.open({ connection: JSON.parse(process.env.HITL_TEST_PG_CONNECTION ?? ''), chain })
		: await JsonlReviewStore.open({ directory, chain });
	say('ready');
	const mine = new Set<string>();
	let groupId = randomUUID();
	for (let round = 0; ; round++) {
		// Two consecutive rounds share a gate run (group): the second put rewrites a group file holding an ended request.
		if (round % 2 === 0) groupId = randomUUID();
		const { request } = newRequest(round, groupId, round % 2);
		await store.putReviewRequests([request]);
		say(`put ${request.id} ${groupId}`);
		mine.add(request.id);
		appendFileSync(sharedFile, `${request.id}\n`);
		await resolveOnce(store, request, KINDS[round % KINDS.length], dieMode && round >= Number(dieRound) ? dieMode : null);
		if (round % 3 === 2) {
			const other = someoneElses(sharedFile, mine);
			const stored = other ? await store.getReviewRequest(other) : null;
			if (stored) await resolveOnce(store, stored, KINDS[(round + 1) % KINDS.length], null);
		}
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(3);
});
