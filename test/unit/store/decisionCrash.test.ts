/**
 * "SIGKILL during a decision (×50) → either the record and state both exist or neither does, and the
 * chain verifies", on both backends (50 kills each by default; see
 * HITL_DECISION_KILLS and HITL_DECISION_PG_KILLS below).
 *
 * Two or three children (children/resolver.ts) each put a pending review request, end it with
 * resolveReviewRequest (approved / approved with edits / rejected / expired, as the gate builds them),
 * and now and then race to end a request another child put. Each child is killed with SIGKILL at a
 * random moment — some while starting up, most while looping. Random kills land in the window between
 * the terminal record (the commit point) and the state update only sometimes, so every fifth child
 * kills itself exactly there: right after the record is written and before the state is updated
 * (file: before the request index is written; Postgres: after the INSERT, before the UPDATE and
 * COMMIT), or right after the state update and before the call returns.
 *
 * Afterwards a fresh store must show, for every request any child put: a terminal record in the chain
 * exactly when the state is no longer pending (a record whose index update was cut off is replayed by
 * the fresh open), the state agreeing with that record and with what the child resolved it with
 * (approved content kept beside the chain included), every acknowledged resolution's record at the
 * printed seq and hash, at most one terminal record per request, valid MACs, and a chain that verifies.
 * The file run also looks, under the log's lock, at each killed child's cut-off resolution right after
 * the kill, and counts records the index did not have yet (replays needed).
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { sha256Hex } from '../../../core/chain';
import { sha256Json } from '../../../core/edits';
import { verifyDecisionMac, verifyRequestMac } from '../../../core/links/decisionMac';
import { FileLock } from '../../../core/store/file/lock';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { PostgresReviewStore } from '../../../core/store/postgres/pgStore';
import { isRequestTerminalRecord, requestBindingOf } from '../../../core/store/requests';
import type { ReviewRecord, ReviewStore } from '../../../core/store/types';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { tempDir } from './helpers';
import { type DieMode, type ResolveAttempt, type ResolverBackend, type ResolverChild, startResolver } from './resolverProcess';
import { transpiledRoot } from './transpile';

const KILLS = Number(process.env.HITL_DECISION_KILLS ?? 50);
/** The same 50 kills on Postgres (HITL_DECISION_PG_KILLS sets it alone; HITL_DECISION_KILLS sets both). */
const PG_KILLS = Number(process.env.HITL_DECISION_PG_KILLS ?? KILLS);
/** Children alive at once: kills also land while another child holds the lock, and children race. */
const PARALLEL = 3;
const SIGNING_KEY = { keyId: 'crash-k1', secret: 'decision-crash-test-signing-secret-0123456789' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Plan = 'startup' | 'loop' | DieMode;

interface Killed {
	child: ResolverChild;
	plan: Plan;
	/** The child killed itself (forced window) rather than being killed by the test. */
	selfKilled: boolean;
}

/**
 * Runs `kills` children, PARALLEL at a time, each ended by SIGKILL; `afterKill` runs after each death
 * (before the slot starts the next child).
 */
async function killLoop(
	kills: number,
	start: (die?: { mode: DieMode; round: number }) => ResolverChild,
	afterKill: (k: Killed) => Promise<void>,
): Promise<{ killed: Killed[]; startupMs: number }> {
	const killed: Killed[] = [];
	let started = 0;
	// Start-up kills land anywhere between spawn and the first round: scaled to how long start-up takes here.
	const startupTimes: number[] = [];
	const typicalStartup = () => (startupTimes.length ? startupTimes.reduce((a, b) => a + b, 0) / startupTimes.length : 300);
	const live = new Set<ResolverChild>();
	const slot = async () => {
		while (started < kills) {
			const n = started++;
			// 1 in 10 dies while starting up; 1 in 5 kills itself inside its own resolution (both windows).
			const plan: Plan = n % 10 === 0 ? 'startup' : n % 5 === 3 ? (n % 10 === 3 ? 'before-index' : 'after-index') : 'loop';
			const forced = plan === 'before-index' || plan === 'after-index';
			const spawnedAt = Date.now();
			const child = start(forced ? { mode: plan, round: Math.floor(Math.random() * 3) } : undefined);
			live.add(child);
			let selfKilled = false;
			if (plan === 'startup') {
				await sleep(Math.random() * typicalStartup() * 1.2);
			} else {
				if (!(await child.ready)) {
					const { stderr, code, signal } = await child.exited;
					throw new Error(`resolver failed to open the store (${code ?? signal}): ${stderr}`);
				}
				startupTimes.push(Date.now() - spawnedAt);
				if (forced) {
					// It dies by itself within a few rounds; the timeout only guards against a hang.
					let timer: NodeJS.Timeout | undefined;
					selfKilled = await Promise.race([
						child.exited.then(() => true),
						new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
					]);
					clearTimeout(timer);
				} else {
					// Half die anywhere in the first rounds, half only after a decision went through: on a
					// loaded machine a round can take longer than the whole random delay.
					if (n % 2 === 1) await child.firstResolved;
					await sleep(Math.random() * 200);
				}
			}
			child.kill();
			const exit = await child.exited;
			live.delete(child);
			if (exit.signal !== 'SIGKILL') throw new Error(`resolver exited on its own (${exit.code}): ${exit.stderr}`);
			if (child.errors.length) throw new Error(`resolver ${child.pid} broke the protocol: ${child.errors.join('; ')}`);
			const k = { child, plan, selfKilled };
			killed.push(k);
			await afterKill(k);
		}
	};
	// The first failure is the one reported: killing the other slots' children makes them fail too (a
	// child killed before it was ready reads as "failed to open the store"), and those came later.
	let firstFailure: { error: unknown } | null = null;
	const guarded = () =>
		slot().catch((error: unknown) => {
			firstFailure ??= { error };
			started = Infinity; // the other slots start no new child
			for (const c of live) c.kill();
		});
	await Promise.all(Array.from({ length: PARALLEL }, guarded));
	if (firstFailure) throw (firstFailure as { error: unknown }).error;
	return { killed, startupMs: Math.round(typicalStartup()) };
}

const attemptOf = (record: ReviewRecord): string | null => {
	const a = record.details?.attempt;
	return typeof a === 'string' ? a : null;
};

interface Summary {
	puts: number;
	attempts: number;
	acknowledged: number;
	lostRaces: number;
	cutOff: number;
	cutOffCommitted: number;
	pending: number;
	rejectedWithDraftContent: number;
}

/**
 * The invariants, on a freshly opened store: for every request put, a terminal record in the chain
 * exactly when the state is not pending, agreeing with each other and with the child's attempt.
 */
async function checkStore(store: ReviewStore, killed: Killed[], backend: ResolverBackend): Promise<Summary & { terminals: Map<string, ReviewRecord> }> {
	const children = killed.map((k) => k.child);
	const puts = new Map(children.flatMap((c) => c.puts.map((p) => [p.id, p] as const)));
	const attempts = children.flatMap((c) => c.attempts);
	const byTag = new Map(attempts.map((a) => [a.attempt, a]));

	// (c) At most one terminal record per request, read from the chain itself.
	const terminals = new Map<string, ReviewRecord>();
	const extra: string[] = [];
	for await (const record of store.readAll()) {
		if (!isRequestTerminalRecord(record)) continue;
		const id = requestBindingOf(record)?.id as string;
		if (terminals.has(id)) extra.push(`${id}: seq ${terminals.get(id)?.seq} and seq ${record.seq}`);
		else terminals.set(id, record);
	}
	expect(extra).toEqual([]);
	// (d) The chain verifies.
	expect(await store.verify()).toMatchObject({ ok: true });

	// Every terminal record ends a request some child put, with an attempt that child printed first.
	const strays: string[] = [];
	for (const [id, record] of terminals) {
		const attempt = byTag.get(attemptOf(record) ?? '');
		if (!puts.has(id) || attempt?.id !== id || attempt.status !== record.event) {
			const by = children.find((c) => c.attempts.includes(attempt as ResolveAttempt));
			strays.push(`seq ${record.seq} ends ${id} (put printed: ${puts.has(id)}) by attempt ${JSON.stringify(attempt)} of child ${by?.pid} (${by?.attempts.length} attempts, ${by?.puts.length} puts)`);
		}
	}
	expect(strays).toEqual([]);

	let rejectedWithDraftContent = 0;
	const problems: string[] = [];
	for (const id of puts.keys()) {
		const state = await store.getReviewRequest(id);
		if (!state) {
			problems.push(`${id}: put was acknowledged but the request is gone`);
			continue;
		}
		const record = terminals.get(id) ?? null;
		const viaApi = await store.terminalRecord(id);
		// (a) Record and state both, or neither — and the store's own lookup agrees with the chain.
		if ((record !== null) !== (state.status !== 'pending')) {
			problems.push(`${id}: status ${state.status} but the chain ${record ? `has seq ${record.seq}` : 'has no terminal record'}`);
			continue;
		}
		if ((viaApi?.hash ?? null) !== (record?.hash ?? null)) problems.push(`${id}: terminalRecord() ${viaApi?.seq ?? null}, chain ${record?.seq ?? null}`);
		if (!verifyRequestMac(state, SIGNING_KEY.keyId, state.mac, [SIGNING_KEY])) problems.push(`${id}: request MAC does not verify`);
		if (!record) {
			if (state.outcome !== null) problems.push(`${id}: pending with an outcome`);
			continue;
		}
		if (state.status !== record.event) problems.push(`${id}: status ${state.status}, record ${record.event}`);
		const binding = requestBindingOf(record);
		const facts = {
			requestId: id,
			groupId: state.groupId,
			executionId: state.executionId,
			nodeId: state.nodeId,
			event: record.event as 'decided' | 'expired',
			decision: record.decision,
			reviewerId: record.reviewerId,
			decidedAt: record.decidedAt,
			comment: record.comment,
			draftSha256: state.draftSha256,
			finalSha256: record.finalSha256,
		};
		if (!verifyDecisionMac(facts, binding?.keyId ?? null, binding?.mac, [SIGNING_KEY])) problems.push(`${id}: decision MAC does not verify`);
		const attempt = byTag.get(attemptOf(record) ?? '') as ResolveAttempt;
		if (record.event === 'expired') {
			if (state.outcome !== null) problems.push(`${id}: expired with an outcome`);
			continue;
		}
		// (e) The state says what the winning attempt resolved with — also when it was rebuilt from the
		// chain by a replay: decision, reviewer, time, comment, edits, and the approved content.
		const want = attempt.outcome;
		const got = state.outcome;
		if (!want || !got) {
			problems.push(`${id}: decided without an outcome (state ${JSON.stringify(got)}, attempt ${JSON.stringify(want)})`);
			continue;
		}
		const { finalJson: wantJson, ...wantRest } = want;
		const { finalJson: gotJson, ...gotRest } = got;
		try {
			expect(gotRest).toEqual(wantRest);
		} catch {
			problems.push(`${id}: outcome ${JSON.stringify(gotRest)} != ${JSON.stringify(wantRest)}`);
		}
		if (want.decision === 'rejected') {
			// Nothing is released on a rejection. A replay rebuilds finalJson from whatever content file the
			// record's finalSha256 (the draft's, for a rejection) names — the draft, if one exists.
			if (gotJson !== null) {
				if (JSON.stringify(gotJson) === JSON.stringify(attempt.draft) || sha256Json(gotJson) === record.finalSha256) rejectedWithDraftContent++;
				else problems.push(`${id}: rejected with finalJson ${JSON.stringify(gotJson)}`);
			}
		} else {
			try {
				expect(gotJson).toEqual(wantJson);
			} catch {
				problems.push(`${id}: finalJson ${JSON.stringify(gotJson)} != ${JSON.stringify(wantJson)}`);
			}
			if (gotJson && sha256Json(gotJson) !== record.finalSha256) problems.push(`${id}: finalJson does not hash to the record's finalSha256`);
		}
	}
	expect(problems).toEqual([]);

	// (b) Every acknowledged resolution's record is the request's terminal record, at the printed seq and
	// hash; the winner's is its own attempt, a loser's someone else's.
	for (const a of attempts) {
		if (!a.result) continue;
		const record = terminals.get(a.id);
		expect({ id: a.id, seq: record?.seq, hash: record?.hash }).toEqual({ id: a.id, seq: a.result.seq, hash: a.result.hash });
		expect({ id: a.id, applied: a.result.applied }).toEqual({ id: a.id, applied: attemptOf(record as ReviewRecord) === a.attempt });
	}

	// The forced windows: the child died right after its record was written (before or after the state
	// update). File: the record is the commit point, so it is there and the state was replayed from it.
	// Postgres: the transaction never committed, so neither is there.
	for (const k of killed) {
		if (k.plan !== 'before-index' && k.plan !== 'after-index') continue;
		if (!k.selfKilled) continue;
		const last = k.child.attempts[k.child.attempts.length - 1];
		expect(last?.result).toBeUndefined();
		const record = terminals.get(last.id);
		if (backend === 'file') expect(record && attemptOf(record)).toBe(last.attempt);
		else expect(record ? attemptOf(record) : null).not.toBe(last.attempt);
	}

	const cutOff = attempts.filter((a) => !a.result);
	return {
		terminals,
		puts: puts.size,
		attempts: attempts.length,
		acknowledged: attempts.length - cutOff.length,
		lostRaces: attempts.filter((a) => a.result && !a.result.applied).length,
		cutOff: cutOff.length,
		cutOffCommitted: cutOff.filter((a) => attemptOf(terminals.get(a.id) ?? ({ details: null } as ReviewRecord)) === a.attempt).length,
		pending: [...puts.keys()].filter((id) => !terminals.has(id)).length,
		rejectedWithDraftContent,
	};
}

function describeKills(killed: Killed[], startupMs: number): string {
	const count = (p: (k: Killed) => boolean) => killed.filter(p).length;
	return `${killed.length} kills (${count((k) => k.plan === 'startup')} at start-up, ${count((k) => k.selfKilled)} self-kills in the window [${count((k) => k.selfKilled && k.plan === 'before-index')} before / ${count((k) => k.selfKilled && k.plan === 'after-index')} after the state update]; start-up to first round ~${startupMs} ms)`;
}

describe('decision crash: SIGKILL while resolving review requests', () => {
	// Postgres starts (a few seconds) while the file backend runs.
	let pgStarting: Promise<TestPostgres> | null = null;
	beforeAll(() => {
		transpiledRoot();
		pgStarting = startTestPostgres();
		pgStarting.catch(() => undefined);
	});
	afterAll(async () => {
		await (await pgStarting?.catch(() => null))?.stop();
	});

	describe('file backend', () => {
		let dir: string;
		let cleanup: () => void;
		beforeAll(() => {
			({ dir, cleanup } = tempDir('decision-crash'));
		});
		afterAll(() => cleanup());

		it(`${KILLS} kills: record and state both or neither; the index is replayed; the chain verifies`, async () => {
			const chain = 'main';
			const sharedIds = join(dir, 'ids.txt');
			writeFileSync(sharedIds, '');
			const log = join(dir, `${chain}.jsonl`);
			const requestsDir = join(dir, `${chain}.requests`);
			const groupFile = (groupId: string) => join(requestsDir, `g-${sha256Hex(groupId)}.json`);
			const lock = new FileLock(`${log}.lock`);
			const groupOf = new Map<string, string>();
			let tornObserved = 0;
			const violations: string[] = [];

			const readTerminals = () => {
				const byId = new Map<string, ReviewRecord>();
				let text = '';
				try {
					text = readFileSync(log, 'utf8');
				} catch {
					return byId;
				}
				for (const line of text.split('\n')) {
					if (!line.includes('"hitlRequest"')) continue;
					const r = JSON.parse(line) as ReviewRecord;
					const id = requestBindingOf(r)?.id;
					if (id && isRequestTerminalRecord(r) && !byId.has(id)) byId.set(id, r);
				}
				return byId;
			};
			const readGroup = (groupId: string) => {
				try {
					return JSON.parse(readFileSync(groupFile(groupId), 'utf8')) as {
						requests: Array<{ id: string; status: string }>;
						terminals?: Record<string, unknown>;
					};
				} catch {
					return null;
				}
			};

			const { killed, startupMs } = await killLoop(
				KILLS,
				(die) => startResolver({ backend: 'file', directory: dir, chain, sharedIds, signingKey: SIGNING_KEY, die }),
				async ({ child }) => {
					for (const p of child.puts) groupOf.set(p.id, p.groupId);
					const cut = child.attempts.filter((a) => !a.result);
					if (cut.length === 0) return;
					// Right after the kill, under the lock (nobody replays meanwhile): what did the cut-off
					// resolution leave? Record without index = a replay is due; index without record = broken.
					await lock.run(async () => {
						const terminals = readTerminals();
						for (const a of cut) {
							const record = terminals.get(a.id);
							const groupId = record ? requestBindingOf(record)?.groupId : groupOf.get(a.id);
							const group = groupId ? readGroup(groupId) : null;
							if (!group) continue;
							const indexed = Boolean(group.terminals?.[a.id]) || group.requests.find((r) => r.id === a.id)?.status !== 'pending';
							if (record && !indexed) tornObserved++;
							if (!record && indexed) violations.push(`${a.id}: the index says ended, the log has no record`);
						}
					});
				},
			);

			// What the last children left unreplayed (the fresh open below must replay it).
			const before = readTerminals();
			let tornAtEnd = 0;
			for (const [id, record] of before) {
				const group = readGroup(requestBindingOf(record)?.groupId as string);
				if (!group?.terminals?.[id]) tornAtEnd++;
			}

			const store = await JsonlReviewStore.open({ directory: dir, chain });
			try {
				const s = await checkStore(store, killed, 'file');
				expect(violations).toEqual([]);
				expect(killed).toHaveLength(KILLS);
				expect(s.puts).toBeGreaterThanOrEqual(KILLS / 2);
				expect(s.acknowledged).toBeGreaterThanOrEqual(KILLS / 4);
				if (KILLS >= 20) {
					// The forced window was hit, and every such record was replayed into the index.
					expect(killed.filter((k) => k.selfKilled && k.plan === 'before-index').length).toBeGreaterThan(0);
				}
				console.log(
					`decision crash (file): ${describeKills(killed, startupMs)}; ${s.puts} requests put, ${s.attempts} resolutions started, ${s.acknowledged} acknowledged (${s.lostRaces} lost a race), ` +
						`${s.cutOff} cut off (${s.cutOffCommitted} after the commit point); replays: ${tornObserved} records seen without their index update right after a kill, ` +
						`${tornAtEnd} still unapplied at the end (replayed by the fresh open); ${s.pending} left pending; ${s.terminals.size} terminal records; ` +
						`${s.rejectedWithDraftContent} rejected requests replayed with the draft as finalJson`,
				);
			} finally {
				await store.close();
			}
		}, 180_000);
	});

	describe('postgres backend', () => {
		let pg: TestPostgres;
		let dir: string;
		let cleanup: () => void;
		beforeAll(async () => {
			({ dir, cleanup } = tempDir('decision-crash-pg'));
			pg = await (pgStarting as Promise<TestPostgres>);
		}, 120_000);
		afterAll(() => cleanup());

		it(`${PG_KILLS} kills: the resolution commits whole or not at all; the chain verifies`, async () => {
			const chain = `d${randomUUID().slice(0, 8)}`;
			mkdirSync(dir, { recursive: true });
			const sharedIds = join(dir, 'ids.txt');
			appendFileSync(sharedIds, '');
			const { killed, startupMs } = await killLoop(
				PG_KILLS,
				(die) => startResolver({ backend: 'postgres', connection: pg.connection, chain, sharedIds, signingKey: SIGNING_KEY, die }),
				async () => undefined,
			);
			const store = await PostgresReviewStore.open({ connection: pg.connection, chain });
			try {
				const s = await checkStore(store, killed, 'postgres');
				expect(killed).toHaveLength(PG_KILLS);
				expect(s.puts).toBeGreaterThanOrEqual(PG_KILLS / 2);
				expect(s.acknowledged).toBeGreaterThanOrEqual(PG_KILLS / 4);
				if (PG_KILLS >= 20) expect(killed.filter((k) => k.selfKilled).length).toBeGreaterThan(0);
				console.log(
					`decision crash (postgres): ${describeKills(killed, startupMs)}; ${s.puts} requests put, ${s.attempts} resolutions started, ${s.acknowledged} acknowledged (${s.lostRaces} lost a race), ` +
						`${s.cutOff} cut off (${s.cutOffCommitted} committed before the kill); ${s.pending} left pending; ${s.terminals.size} terminal records`,
				);
			} finally {
				await store.close();
			}
		}, 180_000);
	});
});
