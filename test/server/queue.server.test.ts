/**
 * The package in a real n8n 2.41.1 queue-mode deployment (test/harness/queueMode.ts): Redis, n8n main,
 * two workers and a webhook processor, n8n's own database on Postgres, the review store on Postgres.
 * - a HITL Gate run triggered through the webhook processor runs on a worker, waits, is decided over
 *   HTTP through its link (which points at the webhook processor) and resumes on a worker;
 * - the HITL Deadlines trigger, active on main, sends one reminder and acts on the deadline once;
 * - gate runs started at once spread over both workers (CI: 6 runs × 2 items; the full load of issue 14,
 *   200 items: HITL_QUEUE_RUNS=20 HITL_QUEUE_ITEMS=10), decided by up to 50 concurrent clients in a
 *   shuffled order, then every link clicked again: each decision recorded once, each run resumed once,
 *   nothing recorded for the second clicks, the chain verifies.
 * Which process did what is read from each process' own log (n8n's `Worker started execution <id>`,
 * `Enqueued execution <id>`, the trigger's `HITL Deadlines: …` lines) and from the execution records
 * on main's REST API.
 */
import { readFileSync } from 'node:fs';

import { readConnectionInfo } from '../harness/connectionInfo';
import { httpCall, nodeOutput, uniqueSuffix, type ExecutionDetail } from '../harness/n8nClient';
import { pollUntil } from '../harness/net';
import { queueModeLogTails, startQueueMode, stopQueueMode, type QueueModeStack } from '../harness/queueMode';
import { extractLinks, listMail, waitForMail, type CapturedMail } from '../harness/smtpCapture';
import { closeAllReviewStores, openReviewStore, type ReviewStoreConfig } from '../../core/store';
import type { ReviewRecord } from '../../core/store/types';
import { createCredentials, deadlinesWorkflow, executionOfReviewLink, gateWorkflow, OUTPUTS, reviewLinksWorkflow, type Credentials } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const RUN = uniqueSuffix();
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const chain = `queue_${RUN}`;
const pgConnection = { host: info.postgres.host, port: info.postgres.port, database: info.postgres.database, user: info.postgres.user, password: info.postgres.password };
const storeCredential = { backend: 'postgres', ...pgConnection, ssl: 'disable', chain };
const storeConfig: ReviewStoreConfig = { backend: 'postgres', connection: pgConnection, chain };

const phases: Record<string, number> = {};
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
	const started = Date.now();
	try {
		return await work();
	} finally {
		phases[name] = Date.now() - started;
		process.stderr.write(`[queue-test] ${name}: ${phases[name]} ms\n`);
	}
}

let stack: QueueModeStack | undefined;
let credentials: Credentials;
const fileStarted = Date.now();

function theStack(): QueueModeStack {
	if (!stack) throw new Error('queue-mode stack not started');
	return stack;
}

beforeAll(async () => {
	stack = await phase('start stack (Redis, database, main, 2 workers, webhook processor)', async () =>
		// HITL_QUEUE_LOG_LEVEL=debug: n8n's debug log in every process (job and active-execution bookkeeping).
		await startQueueMode({ info, env: process.env.HITL_QUEUE_LOG_LEVEL ? { N8N_LOG_LEVEL: process.env.HITL_QUEUE_LOG_LEVEL } : {} }),
	);
	for (const [step, ms] of Object.entries(stack.timings)) process.stderr.write(`[queue-test]   ${step}: ${ms} ms\n`);
	await phase('credentials + HITL Deadlines trigger on main', async () => {
		const client = theStack().client;
		credentials = await createCredentials(client, info, storeCredential, `queue-${RUN}`);
		await client.deployWorkflow(deadlinesWorkflow(`queue-${RUN}`, credentials));
		// The trigger beats in the store: gates started from now on see a live deadline worker.
		await pollUntil(
			async () => await withStore(async (s) => ((await s.listDeadlineWorkers()).length > 0 ? true : undefined)),
			{ timeoutMs: 30_000, intervalMs: 250, describe: () => `no HITL Deadlines beat in the store\n${queueModeLogTails(theStack())}` },
		);
	});
}, 360_000);

afterAll(async () => {
	await closeAllReviewStores();
	if (stack) await phase('stop stack', async () => await stopQueueMode(stack as QueueModeStack, { info }));
	phases['whole file'] = Date.now() - fileStarted;
	process.stderr.write(`[queue-test] phases (ms): ${JSON.stringify(phases)}\n`);
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

const gateLinks = (mail: CapturedMail): string[] => extractLinks(mail).filter((l) => l.includes('/webhook-waiting/'));
const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];

/** GET the page, POST the decision; returns the POST's answer time in ms. */
async function decide(link: string, decision: 'approve' | 'reject'): Promise<number> {
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	const csrf = (/name="csrf" value="([^"]+)"/.exec(page.text) as RegExpExecArray)[1];
	const posted = Date.now();
	const res = await httpCall(link, {
		method: 'POST',
		body: new URLSearchParams({ csrf, decision, comment: decision === 'reject' ? 'not this one' : '' }).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
	if (!res.text.includes('Decision recorded')) {
		throw new Error(`decision POST on ${link} answered ${res.status}: ${res.text.slice(0, 500)}\n${queueModeLogTails(theStack())}`);
	}
	return Date.now() - posted;
}

function mailsTo(address: string, subjectContains: string): CapturedMail[] {
	return listMail(info.smtp.mailDir).filter((m) => m.to.includes(address) && m.subject.includes(subjectContains));
}

async function finished(executionId: string, timeoutMs: number): Promise<ExecutionDetail> {
	return await theStack().client.waitForExecutionStatus(executionId, ['success', 'error', 'crashed', 'canceled'], timeoutMs);
}

function subjects(detail: ExecutionDetail): Record<string, unknown[]> {
	return Object.fromEntries(OUTPUTS.map((name) => [name, nodeOutput(detail, name).map((i) => i.json.subject)]));
}

/** How many times each worker's log says it started a job for `executionId` (index = worker). */
function workerStarts(executionId: string): number[] {
	const pattern = new RegExp(`Worker started execution ${executionId} \\(job`, 'g');
	return theStack().workers.map((w) => (readFileSync(w.logFile, 'utf8').match(pattern) ?? []).length);
}

/** A whole number from the environment (the load profile), or the CI default. */
function envCount(name: string, fallback: number): number {
	const value = Number(process.env[name] ?? fallback);
	if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
	return value;
}

/** A fixed shuffle (so a failing order can be replayed): Fisher–Yates over a small LCG. */
function shuffled<T>(list: readonly T[], seed = 20261202): T[] {
	const out = [...list];
	let state = seed;
	for (let i = out.length - 1; i > 0; i--) {
		state = (state * 1103515245 + 12345) % 2147483648;
		const j = state % (i + 1);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

/** Runs `work` over `list` with at most `clients` calls in flight, as that many browsers would. */
async function withClients<T, R>(list: readonly T[], clients: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array<R>(list.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(clients, list.length) }, async () => {
			while (next < list.length) {
				const index = next++;
				results[index] = await work(list[index]);
			}
		}),
	);
	return results;
}

function logCount(logFile: string, pattern: RegExp): number {
	return (readFileSync(logFile, 'utf8').match(new RegExp(pattern.source, 'g')) ?? []).length;
}

describe('n8n queue mode: main, 2 workers, a webhook processor, Redis, n8n on Postgres, review store on Postgres', () => {
	test('a gate run started through the webhook processor waits on a worker, is decided through its link on the webhook processor and resumes on a worker', async () => {
		const s = theStack();
		const hook = `queue-gate-${RUN}`;
		await phase('(1) deploy gate workflow', async () => {
			await s.client.deployWorkflow(gateWorkflow(`q1-${RUN}`, hook, credentials, { deadlineAmount: 120, remindEveryAmount: 0, escalation: {} }));
		});
		const items = [
			{ reviewers: who('q1a'), subject: `q1 approve ${RUN}` },
			{ reviewers: who('q1b'), subject: `q1 reject ${RUN}` },
		];
		const { executionId, links } = await phase('(1) trigger via webhook processor → waiting, mails', async () => {
			const res = await s.client.callWebhook(hook, { body: { items } });
			expect(res.status).toBe(200);
			const [a] = await waitForMail(info.smtp.mailDir, { to: who('q1a'), timeoutMs: 60_000 });
			const [b] = await waitForMail(info.smtp.mailDir, { to: who('q1b'), timeoutMs: 60_000 });
			const found = [gateLinks(a)[0], gateLinks(b)[0]];
			const id = executionIdOf(found[0]);
			expect(executionIdOf(found[1])).toBe(id);
			await s.client.waitForExecutionStatus(id, 'waiting', 30_000);
			return { executionId: id, links: found };
		});
		// The links lead to the webhook processor (N8N_WEBHOOK_URL), not to main.
		for (const link of links) expect(link.startsWith(`${s.webhook.baseUrl}/webhook-waiting/${executionId}/`)).toBe(true);
		// The webhook processor enqueued the run; one worker ran it up to the wait; main ran nothing.
		expect(logCount(s.webhook.logFile, new RegExp(`Enqueued execution ${executionId} \\(job`))).toBe(1);
		const beforeDecision = workerStarts(executionId);
		expect(beforeDecision.reduce((a, b) => a + b, 0)).toBe(1);
		expect(logCount(s.main.logFile, new RegExp(`Worker started execution ${executionId} `))).toBe(0);
		const waitedOn = beforeDecision.findIndex((n) => n === 1) + 1;

		const detail = await phase('(1) decide over HTTP → resumed → finished', async () => {
			const answerMs = [await decide(links[0], 'approve'), await decide(links[1], 'reject')];
			process.stderr.write(`[queue-test] (1) decision POST answer times (ms): ${answerMs.join(' ')}\n`);
			return await finished(executionId, 60_000);
		});
		expect(detail.status).toBe('success');
		expect(subjects(detail)).toEqual({ 'Timed Out': [], Approved: [`q1 approve ${RUN}`], Rejected: [`q1 reject ${RUN}`] });
		expect(nodeOutput(detail, 'Approved')[0].json.hitl).toMatchObject({ decision: 'approved', reviewer: who('q1a') });
		// Resumed once, by the webhook processor's enqueue, on a worker (either one).
		expect(logCount(s.webhook.logFile, new RegExp(`Enqueued execution ${executionId} \\(job`))).toBe(2);
		const afterDecision = workerStarts(executionId);
		expect(afterDecision.reduce((a, b) => a + b, 0)).toBe(2);
		const resumedOn = afterDecision.map((n, i) => n - beforeDecision[i]).findIndex((n) => n === 1) + 1;
		process.stderr.write(`[queue-test] (1) execution ${executionId}: waited on worker${waitedOn}, resumed on worker${resumedOn}\n`);

		const records = await recordsOf(executionId);
		expect(records.filter((r) => r.event === 'requested')).toHaveLength(2);
		expect(records.filter((r) => r.event === 'decided').map((r) => [r.reviewerId, r.decision]).sort()).toEqual([
			[who('q1a'), 'approved'],
			[who('q1b'), 'rejected'],
		]);
		expect((await withStore(async (store) => await store.verify())).ok).toBe(true);
	}, 180_000);

	test('HITL Review Links in queue mode: the link goes to the webhook processor\'s production webhook, the decision is relayed and resumes on a worker, a late link says who decided', async () => {
		const s = theStack();
		const path = `hitl-review-q-${RUN}`;
		const hook = `queue-links-${RUN}`;
		await phase('(4) deploy Review Links + gate', async () => {
			await s.client.deployWorkflow(reviewLinksWorkflow(`queue-${RUN}`, credentials, path));
			await s.client.waitForWebhook(path, 'GET');
			await s.client.deployWorkflow(
				gateWorkflow(`q4-${RUN}`, hook, credentials, { deadlineAmount: 120, remindEveryAmount: 0, escalation: {}, options: { minSecondsOnPageLow: 0, minSecondsOnPageMedium: 0, minSecondsOnPageHigh: 0, reviewLinksPath: path } }),
			);
		});
		const res = await s.client.callWebhook(hook, { body: { items: [{ reviewers: who('q4a'), subject: `q4 ${RUN}` }] } });
		expect(res.status).toBe(200);
		const [mail] = await waitForMail(info.smtp.mailDir, { to: who('q4a'), timeoutMs: 60_000 });
		const link = extractLinks(mail).find((l) => l.includes(`/webhook/${path}?t=`)) as string;
		expect(link.startsWith(`${s.webhook.baseUrl}/webhook/${path}?t=`)).toBe(true);
		const executionId = executionOfReviewLink(link);
		await s.client.waitForExecutionStatus(executionId, 'waiting', 30_000);
		await decide(link, 'approve');
		const detail = await finished(executionId, 60_000);
		expect(detail.status).toBe('success');
		expect(subjects(detail)).toEqual({ 'Timed Out': [], Approved: [`q4 ${RUN}`], Rejected: [] });
		expect(workerStarts(executionId).reduce((a, b) => a + b, 0)).toBe(2);
		const late = await httpCall(link, { method: 'GET' });
		expect(late.status).toBe(200);
		expect(late.text).toContain('Already decided');
		expect(late.text).toContain(`approved by ${who('q4a')}`);
		expect((await recordsOf(executionId)).filter((r) => r.event === 'decided').map((r) => r.reviewerId)).toEqual([who('q4a')]);
	}, 180_000);

	test('the HITL Deadlines trigger on main: one reminder, one expired record, the item through Timed Out', async () => {
		const s = theStack();
		const hook = `queue-deadline-${RUN}`;
		const reviewer = who('q2');
		await phase('(2) deploy gate workflow', async () => {
			await s.client.deployWorkflow(gateWorkflow(`q2-${RUN}`, hook, credentials, { deadlineAmount: 8, remindEveryAmount: 2, maxReminders: 1, escalation: {} }));
		});
		const executionId = await phase('(2) trigger → waiting', async () => {
			expect((await s.client.callWebhook(hook, { body: { items: [{ reviewers: reviewer, subject: `q2 ${RUN}` }] } })).status).toBe(200);
			const [mail] = await waitForMail(info.smtp.mailDir, { to: reviewer, timeoutMs: 60_000 });
			return executionIdOf(gateLinks(mail)[0]);
		});
		const detail = await phase('(2) reminder + deadline acted on by the trigger', async () => {
			await waitForMail(info.smtp.mailDir, { to: reviewer, subjectContains: 'Reminder:', timeoutMs: 30_000 });
			return await finished(executionId, 60_000);
		});
		expect(detail.status).toBe('success');
		expect(subjects(detail)).toEqual({ 'Timed Out': [`q2 ${RUN}`], Approved: [], Rejected: [] });
		expect(nodeOutput(detail, 'Timed Out')[0].json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null });
		// A few trigger ticks later: still exactly one reminder and one expired record.
		await new Promise((resolve) => setTimeout(resolve, 2_500));
		expect(mailsTo(reviewer, 'Reminder:')).toHaveLength(1);
		const records = await recordsOf(executionId);
		expect(records.filter((r) => r.event === 'reminded')).toHaveLength(1);
		const expired = records.filter((r) => r.event === 'expired');
		expect(expired).toHaveLength(1);
		expect(expired[0].details).toMatchObject({ reason: 'deadline_passed', actedBy: 'deadline_worker' });
		// The trigger ran on main (its log lines), the run on the workers.
		const mainLog = readFileSync(s.main.logFile, 'utf8');
		expect(mainLog).toMatch(/HITL Deadlines: remind \S+ → /);
		expect(mainLog).toMatch(/HITL Deadlines: deadline \S+ → /);
		for (const w of s.workers) expect(readFileSync(w.logFile, 'utf8')).not.toMatch(/HITL Deadlines: /);
		const starts = workerStarts(executionId);
		process.stderr.write(`[queue-test] (2) execution ${executionId}: worker jobs ${JSON.stringify(starts)}\n`);
		expect(starts.reduce((a, b) => a + b, 0)).toBe(2);
	}, 180_000);

	const RUNS = envCount('HITL_QUEUE_RUNS', 6);
	const ITEMS = envCount('HITL_QUEUE_ITEMS', 2);
	const CLIENTS = 50;
	test(`${RUNS} gate runs of ${ITEMS} items at once over both workers, decided by up to ${CLIENTS} clients in a shuffled order, every link clicked twice: every decision recorded once, every run resumed once`, async () => {
		const s = theStack();
		const hook = `queue-many-${RUN}`;
		await phase('(3) deploy gate workflow', async () => {
			await s.client.deployWorkflow(gateWorkflow(`q3-${RUN}`, hook, credentials, { deadlineAmount: 120, remindEveryAmount: 0, escalation: {} }));
		});
		const plan = Array.from({ length: RUNS }, (_, r) => Array.from({ length: ITEMS }, (_, i) => ({ reviewers: who(`q3r${r}i${i}`), subject: `q3 ${r}-${i} ${RUN}`, approve: (r + i) % 2 === 0 })));
		const links = await phase(`(3) ${RUNS} runs triggered at once → ${RUNS * ITEMS} mails`, async () => {
			const answers = await Promise.all(plan.map(async (items) => await s.client.callWebhook(hook, { body: { items } })));
			expect(answers.map((a) => a.status)).toEqual(plan.map(() => 200));
			return await Promise.all(
				plan.flat().map(async (item) => {
					const [mail] = await waitForMail(info.smtp.mailDir, { to: item.reviewers, timeoutMs: 90_000 });
					return { item, link: gateLinks(mail)[0] };
				}),
			);
		});
		const ids = [...new Set(links.map((l) => executionIdOf(l.link)))];
		expect(ids).toHaveLength(RUNS);
		await phase(`(3) all ${RUNS} waiting`, async () => {
			await Promise.all(ids.map(async (id) => await s.client.waitForExecutionStatus(id, 'waiting', 60_000)));
		});
		const details = await phase(`(3) ${RUNS * ITEMS} decisions by ${CLIENTS} clients → ${RUNS} runs finished`, async () => {
			const answerMs = (await withClients(shuffled(links), CLIENTS, async ({ item, link }) => await decide(link, item.approve ? 'approve' : 'reject'))).sort((a, b) => a - b);
			const pct = (p: number) => answerMs[Math.min(answerMs.length - 1, Math.floor(answerMs.length * p))];
			process.stderr.write(`[queue-test] (3) decision POST answer times (ms, ${answerMs.length} by ${CLIENTS} clients): p50 ${pct(0.5)} p99 ${pct(0.99)} max ${answerMs[answerMs.length - 1]}\n`);
			return await Promise.all(ids.map(async (id) => await finished(id, 90_000 + RUNS * ITEMS * 500)));
		});
		for (const detail of details) {
			expect(detail.status).toBe('success');
			const mine = links.filter((l) => executionIdOf(l.link) === detail.id).map((l) => l.item);
			expect(subjects(detail)).toEqual({
				'Timed Out': [],
				Approved: mine.filter((i) => i.approve).map((i) => i.subject),
				Rejected: mine.filter((i) => !i.approve).map((i) => i.subject),
			});
		}
		// A second click on every decided link after its run finished: n8n answers, nothing is recorded.
		const again = await withClients(shuffled(links, 7), CLIENTS, async ({ link }) => (await httpCall(link, { method: 'POST', body: 'decision=approve', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status);
		expect(new Set(again)).toEqual(new Set([409]));

		const perWorker = s.workers.map(() => 0);
		for (const id of ids) {
			const starts = workerStarts(id);
			// Started once and resumed once: two jobs per run, across the workers.
			expect(starts.reduce((a, b) => a + b, 0)).toBe(2);
			starts.forEach((n, i) => (perWorker[i] += n));
		}
		process.stderr.write(`[queue-test] (3) jobs per worker over ${RUNS} runs (start + resume): ${JSON.stringify(perWorker)}\n`);
		expect(perWorker.every((n) => n > 0)).toBe(true);

		for (const id of ids) {
			const records = await recordsOf(id);
			const decided = records.filter((r) => r.event === 'decided');
			expect(decided).toHaveLength(ITEMS);
			expect(new Set(decided.map((r) => r.itemKey)).size).toBe(ITEMS);
			expect(records.filter((r) => r.event === 'requested')).toHaveLength(ITEMS);
			expect(records.filter((r) => r.event === 'expired')).toHaveLength(0);
		}
		expect((await withStore(async (store) => await store.verify())).ok).toBe(true);
	}, 240_000 + RUNS * ITEMS * 2_000);
});
