/**
 * Why: in n8n's queue mode a worker can die at any moment (OOM kill, node drained, host lost) and Redis
 * can restart. The gate must then fail closed: no item through Approved without its `decided` record,
 * no decision lost, the review log still verifying. These tests crash a real queue-mode deployment
 * (test/harness/queueMode.ts: Redis, n8n main, 2 workers, a webhook processor, n8n and the review store
 * on Postgres) at the two moments the gate's code runs on a worker, and restart Redis under a waiting run.
 *
 * What n8n 2.41.1 does with an execution whose worker died (read in n8n's source, seen here):
 * - the dead worker's Bull job stays `active` until its lock lapses (QUEUE_WORKER_LOCK_DURATION); a live
 *   worker's stalled-job check then **fails** it ("job stalled more than maxStalledCount"): n8n sets
 *   Bull's maxStalledCount to 0, so a job is never run a second time (`scaling.service.js`, `setupQueue`);
 * - the process that enqueued the job (here the webhook processor, for the trigger and for the resume)
 *   waits on it; on that failure it re-reads the status for up to 30 s (`workflow-runner.js`,
 *   `processError`) and then writes the execution as **`error`**, finished=false, run data emptied,
 *   error "This execution failed to be processed too many times and will no longer retry…"; its log says
 *   `Problem with execution <id>: … Aborting.` The run is not re-run, nothing after the gate runs again;
 * - only if that process is gone too does the leader main's queue recovery (at its start, then every
 *   N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL = 180 min) mark the still-`running` execution `crashed`.
 *   (With that interval shortened, a first try of this file saw `running → crashed → error`.)
 * This stack shortens the Bull lock and stalled check so the tests see it in about 45 s per crash.
 *
 * 1. A worker SIGKILLed while it runs a resume (the last of four per-item decisions released the run;
 *    the worker was held inside the Approved branch by a local HTTP server): the execution ends
 *    `error`, the resume is not re-run, every POSTed decision has exactly one `decided` record, every
 *    item that reached the Approved branch has its `approved` record, the chain verifies, and a later
 *    click changes nothing. (The decisions stay recorded though the run never delivered them: the
 *    execution's `error` status is what says so.)
 * 2. A worker SIGKILLed while the gate's execute sends its mails (200 items; a local SMTP server stalls
 *    after three mails): the execution ends `error`; all 200 requests are recorded and stay pending,
 *    nothing is decided or released, a link from a mail that did go out decides nothing.
 * 3. Redis restarted (empty: the stack runs it without persistence) while a run waits: a waiting run is
 *    no Bull job, so nothing is lost; the decision enqueues a new job, the run resumes on a worker and
 *    the item leaves through Approved with its record.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { readConnectionInfo } from '../harness/connectionInfo';
import { fetchFresh } from '../harness/http';
import { httpCall, nodeOutput, nodeRan, uniqueSuffix, type ExecutionDetail, type WorkflowJson } from '../harness/n8nClient';
import { pollUntil, sleep } from '../harness/net';
import {
	killN8nProcess,
	queueModeLogTails,
	restartQueueRedis,
	startQueueMode,
	startQueueWorker,
	stopQueueMode,
	type QueueModeStack,
} from '../harness/queueMode';
import type { RunningN8n } from '../harness/n8nServer';
import { extractLinks, waitForMail, type CapturedMail } from '../harness/smtpCapture';
import { closeAllReviewStores, openReviewStore, type ReviewStoreConfig } from '../../core/store';
import type { ReviewRecord } from '../../core/store/types';
import { createCredentials, gateWorkflow, OUTPUTS, type Credentials } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const RUN = uniqueSuffix();
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const chain = `qcrash_${RUN}`;
const pgConnection = { host: info.postgres.host, port: info.postgres.port, database: info.postgres.database, user: info.postgres.user, password: info.postgres.password };
const storeCredential = { backend: 'postgres', ...pgConnection, ssl: 'disable', chain };
const storeConfig: ReviewStoreConfig = { backend: 'postgres', connection: pgConnection, chain };

/**
 * A shorter Bull job lock and stalled-job check (defaults 60 s / 30 s), so a dead worker's job is failed
 * within seconds. Main's queue recovery keeps its default (at start, then every 180 min): a shorter one
 * races against healthy enqueues (it marks `running` executions without a job yet as crashed).
 */
const CRASH_TIMERS: Record<string, string> = {
	QUEUE_WORKER_LOCK_DURATION: '15000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '3000',
	QUEUE_WORKER_STALLED_INTERVAL: '2000',
	// How long n8n processes keep retrying an unreachable Redis before exiting (default 10 s).
	QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD: '60000',
	// Faster stop of the stack at the end (default here 5 s).
	N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '2',
};

/** What n8n's enqueuing process writes into a run whose job was failed as stalled (MaxStalledCountError). */
const STALLED = /This execution failed to be processed too many times and will no longer retry/;

const phases: Record<string, number> = {};
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
	const started = Date.now();
	try {
		return await work();
	} finally {
		phases[name] = Date.now() - started;
		process.stderr.write(`[queue-crash] ${name}: ${phases[name]} ms\n`);
	}
}
const note = (line: string) => process.stderr.write(`[queue-crash] ${line}\n`);

/** A local HTTP endpoint the Approved branch calls; it never answers, so the worker stays inside the resume. */
interface HoldServer {
	url: string;
	held: Array<{ path: string; at: number }>;
	close(): Promise<void>;
}

async function startHoldServer(): Promise<HoldServer> {
	const held: HoldServer['held'] = [];
	const sockets = new Set<Socket>();
	const server: Server = createServer((req: IncomingMessage) => {
		held.push({ path: req.url ?? '', at: Date.now() });
		// no answer on purpose
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hold`,
		held,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** An SMTP server that accepts `allow` messages and then never answers the next DATA: the sender hangs. */
interface StallingSmtp {
	port: number;
	mails: Array<{ to: string; html: string; text: string }>;
	stalled: number;
	close(): Promise<void>;
}

async function startStallingSmtp(allow: number): Promise<StallingSmtp> {
	const state: StallingSmtp = { port: 0, mails: [], stalled: 0, close: async () => undefined };
	const server = new SMTPServer({
		secure: false,
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				if (state.mails.length >= allow) {
					state.stalled += 1;
					return; // never call back: the client waits for the answer to DATA
				}
				void simpleParser(Buffer.concat(chunks)).then((parsed) => {
					state.mails.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(','), html: String(parsed.html || ''), text: parsed.text ?? '' });
					callback();
				}, callback);
			});
		},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	state.port = (server.server.address() as AddressInfo).port;
	state.close = async () => await new Promise<void>((resolve) => server.close(() => resolve()));
	return state;
}

let stack: QueueModeStack | undefined;
let credentials: Credentials;
let stallCredentials: Credentials;
let hold: HoldServer;
let smtp: StallingSmtp;
const replacements: Array<Promise<RunningN8n>> = [];
const fileStarted = Date.now();

function theStack(): QueueModeStack {
	if (!stack) throw new Error('queue-mode stack not started');
	return stack;
}

beforeAll(async () => {
	[hold, smtp] = await Promise.all([startHoldServer(), startStallingSmtp(3)]);
	stack = await phase('start stack (Redis, database, main, 2 workers, webhook processor)', async () => await startQueueMode({ info, env: CRASH_TIMERS }));
	for (const [step, ms] of Object.entries(stack.timings)) note(`  ${step}: ${ms} ms`);
	await phase('credentials', async () => {
		const client = theStack().client;
		credentials = await createCredentials(client, info, storeCredential, `qcrash-${RUN}`);
		stallCredentials = await createCredentials(client, { ...info, smtp: { ...info.smtp, host: '127.0.0.1', port: smtp.port } }, storeCredential, `qcrash-stall-${RUN}`);
	});
}, 360_000);

afterAll(async () => {
	await closeAllReviewStores();
	await Promise.allSettled(replacements);
	if (stack) await phase('stop stack', async () => await stopQueueMode(stack as QueueModeStack, { info }));
	await Promise.allSettled([hold?.close(), smtp?.close()]);
	phases['whole file'] = Date.now() - fileStarted;
	note(`phases (ms): ${JSON.stringify(phases)}`);
}, 120_000);

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openReviewStore>>) => Promise<T>): Promise<T> {
	const store = await openReviewStore(storeConfig);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

async function recordsOf(executionId: string): Promise<ReviewRecord[]> {
	return await withStore(async (store) => (await store.query({ executionId }, { limit: 1000 })).records.reverse());
}

const gateLinks = (mail: Pick<CapturedMail, 'html' | 'text'>): string[] => extractLinks(mail as CapturedMail).filter((l) => l.includes('/webhook-waiting/'));
const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];

/** GET the page, POST the decision. */
async function decide(link: string, decision: 'approve' | 'reject'): Promise<void> {
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	const csrf = (/name="csrf" value="([^"]+)"/.exec(page.text) as RegExpExecArray)[1];
	const res = await httpCall(link, {
		method: 'POST',
		body: new URLSearchParams({ csrf, decision, comment: decision === 'reject' ? 'not this one' : '' }).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
	if (!res.text.includes('Decision recorded')) {
		throw new Error(`decision POST on ${link} answered ${res.status}: ${res.text.slice(0, 500)}\n${queueModeLogTails(theStack())}`);
	}
}

/** How many times each worker's log says it started a job for `executionId` (index = worker). */
function workerStarts(executionId: string): number[] {
	const pattern = new RegExp(`Worker started execution ${executionId} \\(job`, 'g');
	return theStack().workers.map((w) => (readFileSync(w.logFile, 'utf8').match(pattern) ?? []).length);
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** The status of an execution over time until it is one of `wanted`; returns the detail and the statuses seen. */
async function watchUntil(executionId: string, wanted: ExecutionDetail['status'][], timeoutMs: number): Promise<{ detail: ExecutionDetail; seen: string[] }> {
	const seen: string[] = [];
	const detail = await pollUntil(
		async () => {
			const d = await theStack().client.getExecution(executionId);
			if (seen[seen.length - 1] !== d.status) seen.push(d.status);
			return wanted.includes(d.status) ? d : undefined;
		},
		{ timeoutMs, intervalMs: 500, describe: () => `execution ${executionId}: statuses seen ${seen.join(' → ')}\n${queueModeLogTails(theStack())}` },
	);
	return { detail, seen };
}

/** Kills the worker that runs `executionId` now (by its log's start lines since `before`), starts a replacement in the background. */
async function killRunningWorker(executionId: string, before: number[]): Promise<number> {
	const s = theStack();
	const now = workerStarts(executionId);
	const index = now.findIndex((n, i) => n > (before[i] ?? 0));
	if (index < 0) throw new Error(`no worker log shows execution ${executionId} starting again: ${JSON.stringify(now)}`);
	await killN8nProcess(s.workers[index]);
	note(`SIGKILLed worker${index + 1} (pid ${s.workers[index].pid}) running execution ${executionId}`);
	replacements.push(startQueueWorker(s, info));
	return index;
}

function holdingGateWorkflow(tag: string, hook: string, creds: Credentials): WorkflowJson {
	const workflow = gateWorkflow(tag, hook, creds, { deadlineAmount: 600, remindEveryAmount: 0, escalation: {} });
	// What the workflow does with an approved item: an HTTP call the test's server holds open.
	workflow.nodes.push({
		id: randomUUID(),
		name: 'Act on approval',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [900, 200],
		parameters: { url: `=${hold.url}/{{ $json.hitl.requestId }}`, options: {} },
	} as WorkflowJson['nodes'][number]);
	workflow.connections.Approved = { main: [[{ node: 'Act on approval', type: 'main', index: 0 }]] };
	return workflow;
}

describe('n8n queue mode under crashes: a killed worker, a restarted Redis', () => {
	test('a worker SIGKILLed while it runs the resume: the run ends in error, not re-run; every decision recorded once, nothing approved without its record', async () => {
		const s = theStack();
		const hook = `qcrash-resume-${RUN}`;
		await phase('(1) deploy gate workflow', async () => {
			await s.client.deployWorkflow(holdingGateWorkflow(`qc1-${RUN}`, hook, credentials));
		});
		const plan = [
			{ reviewers: who('c1a'), subject: `c1 a ${RUN}`, decision: 'approve' as const },
			{ reviewers: who('c1b'), subject: `c1 b ${RUN}`, decision: 'reject' as const },
			{ reviewers: who('c1c'), subject: `c1 c ${RUN}`, decision: 'approve' as const },
			{ reviewers: who('c1d'), subject: `c1 d ${RUN}`, decision: 'approve' as const },
		];
		const { executionId, links } = await phase('(1) trigger → waiting, 4 mails', async () => {
			const res = await s.client.callWebhook(hook, { body: { items: plan.map(({ reviewers, subject }) => ({ reviewers, subject })) } });
			expect(res.status).toBe(200);
			const found = await Promise.all(plan.map(async (p) => gateLinks((await waitForMail(info.smtp.mailDir, { to: p.reviewers, timeoutMs: 60_000 }))[0])[0]));
			const id = executionIdOf(found[0]);
			await s.client.waitForExecutionStatus(id, 'waiting', 30_000);
			return { executionId: id, links: found };
		});
		await phase('(1) decide 3 of 4 → still waiting', async () => {
			for (let i = 0; i < 3; i += 1) await decide(links[i], plan[i].decision);
			expect((await s.client.getExecution(executionId)).status).toBe('waiting');
		});
		const before = workerStarts(executionId);
		expect(sum(before)).toBe(1);
		const killed = await phase('(1) last decision → resume on a worker, held in the Approved branch → SIGKILL that worker', async () => {
			await decide(links[3], plan[3].decision);
			await pollUntil(async () => (hold.held.some((h) => h.path.startsWith('/hold/')) ? true : undefined), {
				timeoutMs: 60_000,
				intervalMs: 50,
				describe: () => `the Approved branch never called the hold server\n${queueModeLogTails(s)}`,
			});
			expect((await s.client.getExecution(executionId)).status).toBe('running');
			return await killRunningWorker(executionId, before);
		});
		const killedAt = Date.now();
		const { detail, seen } = await phase('(1) n8n: job failed as stalled → execution ended', async () => await watchUntil(executionId, ['success', 'error', 'canceled'], 120_000));
		note(`(1) execution ${executionId} after the kill: ${seen.join(' → ')} (${Date.now() - killedAt} ms after SIGKILL of worker${killed + 1})`);
		expect(detail.status).toBe('error');
		expect(detail.finished).toBe(false);
		expect(String(detail.data.resultData.error?.message)).toMatch(STALLED);
		// The webhook processor enqueued the resume, so it is the one that ends the run.
		expect(readFileSync(s.webhook.logFile, 'utf8')).toMatch(new RegExp(`Problem with execution ${executionId}: ${STALLED.source}`));
		await phase('(1) replacement worker ready', async () => await Promise.all(replacements));
		// Not re-run: two jobs (start, resume) in all the workers' logs, the replacement's included.
		expect(sum(workerStarts(executionId))).toBe(2);

		const records = await recordsOf(executionId);
		expect(records.filter((r) => r.event === 'requested')).toHaveLength(4);
		const decided = records.filter((r) => r.event === 'decided');
		// No decision lost: each POSTed decision has exactly one record.
		expect(decided.map((r) => [r.reviewerId, r.decision]).sort()).toEqual(
			plan.map((p) => [p.reviewers, p.decision === 'approve' ? 'approved' : 'rejected']).sort(),
		);
		expect(new Set(decided.map((r) => r.itemKey)).size).toBe(4);
		// Nothing through Approved without its `approved` record: what reached the Approved branch's action
		// (the hold server's calls) and whatever n8n saved of the Approved node.
		const approvedKeys = new Set(decided.filter((r) => r.decision === 'approved').map((r) => r.itemKey));
		const reached = hold.held.map((h) => decodeURIComponent(h.path.replace(/^\/hold\//, '')));
		note(`(1) items that reached the Approved branch before the kill: ${reached.length}; saved runData nodes: ${Object.keys(detail.data.resultData.runData).join(', ')}`);
		expect(reached.length).toBeGreaterThan(0);
		for (const key of reached) expect(approvedKeys.has(key)).toBe(true);
		for (const item of nodeOutput(detail, 'Approved')) expect(approvedKeys.has(String((item.json.hitl as { requestId?: string }).requestId))).toBe(true);
		expect(nodeOutput(detail, 'Rejected').every((item) => (item.json.hitl as { decision?: string }).decision === 'rejected')).toBe(true);

		// A click after the crash changes nothing: no record, no resume.
		const again = await httpCall(links[0], { method: 'POST', body: 'decision=approve', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		note(`(1) POST on a link of the crashed run: HTTP ${again.status} ${again.text.replace(/\s+/g, ' ').slice(0, 160)}`);
		expect(again.status).toBeGreaterThanOrEqual(400);
		await sleep(1_000);
		expect((await recordsOf(executionId)).filter((r) => r.event === 'decided')).toHaveLength(4);
		expect((await s.client.getExecution(executionId)).status).toBe('error');
		expect(sum(workerStarts(executionId))).toBe(2);
		expect((await withStore(async (store) => await store.verify())).ok).toBe(true);
	}, 200_000);

	test('a worker SIGKILLed while the gate sends the mails of 200 items: the run ends in error, requests recorded and pending, nothing decided or released', async () => {
		const s = theStack();
		const hook = `qcrash-execute-${RUN}`;
		const ITEMS = 200;
		await phase('(2) deploy gate workflow (stalling SMTP)', async () => {
			await s.client.deployWorkflow(gateWorkflow(`qc2-${RUN}`, hook, stallCredentials, { deadlineAmount: 600, remindEveryAmount: 0, escalation: {} }));
		});
		const executionId = await phase('(2) trigger 200 items → 3 mails out, the 4th stalls → SIGKILL the worker', async () => {
			const items = Array.from({ length: ITEMS }, (_, i) => ({ reviewers: who(`c2r${i}`), subject: `c2 ${i} ${RUN}` }));
			expect((await s.client.callWebhook(hook, { body: { items } })).status).toBe(200);
			await pollUntil(async () => (smtp.mails.length >= 3 && smtp.stalled >= 1 ? true : undefined), {
				timeoutMs: 90_000,
				intervalMs: 50,
				describe: () => `mails: ${smtp.mails.length}, stalled: ${smtp.stalled}\n${queueModeLogTails(s)}`,
			});
			const id = executionIdOf(gateLinks(smtp.mails[0])[0]);
			expect((await s.client.getExecution(id)).status).toBe('running');
			await killRunningWorker(id, s.workers.map(() => 0));
			return id;
		});
		const killedAt = Date.now();
		const { detail, seen } = await phase('(2) n8n: job failed as stalled → execution ended', async () => await watchUntil(executionId, ['success', 'error', 'canceled', 'waiting'], 120_000));
		note(`(2) execution ${executionId} after the kill: ${seen.join(' → ')} (${Date.now() - killedAt} ms after SIGKILL)`);
		expect(detail.status).toBe('error');
		expect(String(detail.data.resultData.error?.message)).toMatch(STALLED);
		for (const output of OUTPUTS) expect(nodeRan(detail, output)).toBe(false);
		expect(smtp.mails).toHaveLength(3);

		const records = await recordsOf(executionId);
		const requested = records.filter((r) => r.event === 'requested');
		// The gate records every request (one transaction) before it mails anyone.
		expect(requested).toHaveLength(ITEMS);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		const groupId = await withStore(async (store) => (await store.getReviewRequest(String(requested[0].itemKey)))?.groupId);
		const statuses = await withStore(async (store) => (await store.listReviewRequests(String(groupId))).map((r) => r.status));
		expect(statuses).toHaveLength(ITEMS);
		expect(statuses.every((status) => status === 'pending')).toBe(true);

		// A reviewer opens and decides the link of a mail that did go out: nothing is decided, nothing released.
		const link = gateLinks(smtp.mails[0])[0];
		const page = await httpCall(link, { method: 'GET' });
		const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
		const post = await httpCall(link, {
			method: 'POST',
			body: new URLSearchParams({ csrf, decision: 'approve', comment: '' }).toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		note(`(2) link of the crashed run: GET HTTP ${page.status}, POST HTTP ${post.status} ${post.text.replace(/\s+/g, ' ').slice(0, 160)}`);
		expect(post.status).toBeGreaterThanOrEqual(400);
		expect(post.text).not.toContain('Decision recorded');
		await sleep(1_000);
		const after = await recordsOf(executionId);
		expect(after.filter((r) => r.event === 'decided')).toHaveLength(0);
		const final = await s.client.getExecution(executionId);
		expect(final.status).toBe('error');
		for (const output of OUTPUTS) expect(nodeRan(final, output)).toBe(false);
		// Started once, never re-run (the replacement worker included).
		await Promise.all(replacements);
		expect(sum(workerStarts(executionId))).toBe(1);
		expect((await withStore(async (store) => await store.verify())).ok).toBe(true);
	}, 200_000);

	test('Redis restarted (empty) while a run waits: the decision resumes it and the item leaves through Approved with its record', async () => {
		const s = theStack();
		const hook = `qcrash-redis-${RUN}`;
		const reviewer = who('c3');
		await phase('(3) deploy gate workflow', async () => {
			await s.client.deployWorkflow(gateWorkflow(`qc3-${RUN}`, hook, credentials, { deadlineAmount: 600, remindEveryAmount: 0, escalation: {} }));
		});
		const { executionId, link } = await phase('(3) trigger → waiting', async () => {
			expect((await s.client.callWebhook(hook, { body: { items: [{ reviewers: reviewer, subject: `c3 ${RUN}` }] } })).status).toBe(200);
			const [mail] = await waitForMail(info.smtp.mailDir, { to: reviewer, timeoutMs: 60_000 });
			const found = gateLinks(mail)[0];
			const id = executionIdOf(found);
			await s.client.waitForExecutionStatus(id, 'waiting', 30_000);
			return { executionId: id, link: found };
		});
		const oldPid = s.redis.pid;
		const port = s.redis.port;
		await phase('(3) Redis stopped, down 2 s, started again on the same port (empty)', async () => {
			await restartQueueRedis(s, 2_000);
		});
		expect(s.redis.port).toBe(port);
		expect(s.redis.pid).not.toBe(oldPid);
		await phase('(3) workers ready again', async () => {
			const alive = s.workers.map((w, i) => ({ w, port: s.workerHealthPorts[i] })).filter(({ w }) => {
				try {
					process.kill(w.pid, 0);
					return true;
				} catch {
					return false;
				}
			});
			expect(alive.length).toBeGreaterThan(0);
			await Promise.all(
				alive.map(async ({ port: healthPort }) =>
					await pollUntil(
						async () => {
							try {
								return (await fetchFresh(`http://127.0.0.1:${healthPort}/healthz/readiness`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined;
							} catch {
								return undefined;
							}
						},
						{ timeoutMs: 60_000, intervalMs: 250, describe: () => `worker on health port ${healthPort} not ready after the Redis restart\n${queueModeLogTails(s)}` },
					),
				),
			);
		});
		expect((await s.client.getExecution(executionId)).status).toBe('waiting');
		const detail = await phase('(3) decide → resumed → finished', async () => {
			await decide(link, 'approve');
			return await s.client.waitForExecutionStatus(executionId, ['success', 'error', 'crashed', 'canceled'], 60_000);
		});
		expect(detail.status).toBe('success');
		expect(nodeOutput(detail, 'Approved').map((i) => i.json.subject)).toEqual([`c3 ${RUN}`]);
		expect(nodeOutput(detail, 'Approved')[0].json.hitl).toMatchObject({ decision: 'approved', reviewer });
		expect(sum(workerStarts(executionId))).toBe(2);
		const records = await recordsOf(executionId);
		const decided = records.filter((r) => r.event === 'decided');
		expect(decided.map((r) => [r.reviewerId, r.decision])).toEqual([[reviewer, 'approved']]);
		expect(decided[0].itemKey).toBe((nodeOutput(detail, 'Approved')[0].json.hitl as { requestId: string }).requestId);
		expect((await withStore(async (store) => await store.verify())).ok).toBe(true);
	}, 150_000);
});
