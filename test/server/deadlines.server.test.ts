/**
 * Deadlines that act by themselves, on real n8n 2.41 servers with the package installed as users
 * install it: a HITL Deadlines trigger (every second) acts on what the HITL Gate scheduled in its
 * review store. Reminder and escalation mails arrive at the suite's SMTP capture; decisions are made
 * over HTTP on the gate's pages; outcomes are read from n8n's execution history and the review log.
 * - on the suite's server: reminder to the right reviewer only, the backup's link works and is
 *   recorded, and at the deadline each item leaves by its own outcome;
 * - on a dedicated server stopped with SIGTERM, then with SIGKILL, in the middle of a wait: the
 *   reminder and the deadline still happen exactly once;
 * - on two servers sharing one Postgres store, both with an active trigger: each step once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { readConnectionInfo } from '../harness/connectionInfo';
import { httpCall, N8nClient, nodeOutput, uniqueSuffix, type ExecutionDetail } from '../harness/n8nClient';
import { pollUntil, sleep } from '../harness/net';
import { extractLinks, listMail, waitForMail, type CapturedMail } from '../harness/smtpCapture';
import { closeAllReviewStores, openReviewStore, type ReviewStoreConfig } from '../../core/store';
import type { ReviewRecord } from '../../core/store/types';
import { createCredentials, deadlinesWorkflow, DedicatedN8n, gateWorkflow, OUTPUTS } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const RUN = uniqueSuffix();
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const tmpDirs: string[] = [];

function storeDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'hitl-deadline-store-'));
	tmpDirs.push(dir);
	return dir;
}

afterAll(async () => {
	await closeAllReviewStores();
	for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

async function withStore<T>(config: ReviewStoreConfig, fn: (store: Awaited<ReturnType<typeof openReviewStore>>) => Promise<T>): Promise<T> {
	const store = await openReviewStore(config);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

async function recordsOf(config: ReviewStoreConfig, executionId: string): Promise<ReviewRecord[]> {
	return await withStore(config, async (store) => (await store.query({ executionId }, { limit: 1000 })).records.reverse());
}

/** The trigger has beaten in the store: gates started now see a live worker. */
async function waitForWorker(config: ReviewStoreConfig, count = 1): Promise<void> {
	await pollUntil(async () => ((await withStore(config, (s) => s.listDeadlineWorkers())).length >= count ? true : undefined), {
		timeoutMs: 30_000,
		intervalMs: 250,
		describe: () => 'no HITL Deadlines worker beat in the store',
	});
}

const gateLinks = (mail: CapturedMail): string[] => extractLinks(mail).filter((l) => l.includes('/webhook-waiting/'));
const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];

async function decide(link: string, decision: 'approve' | 'reject'): Promise<void> {
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	const csrf = (/name="csrf" value="([^"]+)"/.exec(page.text) as RegExpExecArray)[1];
	const res = await httpCall(link, {
		method: 'POST',
		body: new URLSearchParams({ csrf, decision, comment: decision === 'reject' ? 'not this one' : '' }).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
	expect(res.text).toContain('Decision recorded');
}

function mailsTo(address: string, subjectContains: string): CapturedMail[] {
	return listMail(info.smtp.mailDir).filter((m) => m.to.includes(address) && m.subject.includes(subjectContains));
}

async function finished(n8n: N8nClient, executionId: string, timeoutMs: number): Promise<ExecutionDetail> {
	return await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed', 'canceled'], timeoutMs);
}

function subjects(detail: ExecutionDetail): Record<string, unknown[]> {
	return Object.fromEntries(OUTPUTS.map((name) => [name, nodeOutput(detail, name).map((i) => i.json.subject)]));
}

describe('HITL Deadlines on the suite\'s n8n server', () => {
	const n8n = N8nClient.fromConnectionInfo(info);
	const directory = storeDir();
	const config: ReviewStoreConfig = { backend: 'file', directory };

	test('reminder to the reviewer who has not decided only; the backup\'s link works and is recorded; at the deadline each item leaves by its own outcome', async () => {
		const credentials = await createCredentials(n8n, info, { backend: 'file', directory }, RUN);
		const trigger = await n8n.deployWorkflow(deadlinesWorkflow(RUN, credentials));
		await waitForWorker(config);
		const hook = `deadlines-${RUN}`;
		// Reminder and backup after 10 s: the two decisions below are made well before (asserted), even on a busy machine.
		await n8n.deployWorkflow(
			gateWorkflow(RUN, hook, credentials, {
				deadlineAmount: 22,
				remindEveryAmount: 10,
				escalation: { levels: [{ afterAmount: 10, afterUnit: 'seconds', reviewers: '={{ $json.backup }}' }] },
			}),
		);
		const startedAt = Date.now();
		const items = [
			{ reviewers: who('dan'), backup: who('bob'), subject: `approve ${RUN}` },
			{ reviewers: who('eve'), backup: who('bob'), subject: `reject ${RUN}` },
			{ reviewers: who('ann'), backup: who('bob'), subject: `open ${RUN}` },
		];
		expect((await n8n.callWebhook(hook, { body: { items } })).status).toBe(200);
		const [danMail] = await waitForMail(info.smtp.mailDir, { to: who('dan'), timeoutMs: 30_000 });
		const [eveMail] = await waitForMail(info.smtp.mailDir, { to: who('eve'), timeoutMs: 30_000 });
		const [annMail] = await waitForMail(info.smtp.mailDir, { to: who('ann'), timeoutMs: 30_000 });
		const executionId = executionIdOf(gateLinks(annMail)[0]);
		// The mails go out just before n8n marks the run waiting; until then n8n itself answers 409.
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		await decide(gateLinks(danMail)[0], 'approve');
		await decide(gateLinks(eveMail)[0], 'reject');
		expect(Date.now() - startedAt).toBeLessThan(9_000);

		const [reminder] = await waitForMail(info.smtp.mailDir, { to: who('ann'), subjectContains: 'Reminder:', timeoutMs: 30_000 });
		expect(gateLinks(reminder)).toEqual(gateLinks(annMail));
		const [escalation] = await waitForMail(info.smtp.mailDir, { to: who('bob'), subjectContains: 'Escalated:', timeoutMs: 30_000 });
		expect(escalation.subject).toBe(`Escalated: Review open ${RUN}`);
		const bobLink = gateLinks(escalation)[0];
		const bobPage = await httpCall(bobLink, { method: 'GET' });
		expect(bobPage.status).toBe(200);
		expect(bobPage.text).toContain(`open ${RUN}`);

		const detail = await finished(n8n, executionId, 60_000);
		expect(detail.status).toBe('success');
		expect(subjects(detail)).toEqual({ 'Timed Out': [`open ${RUN}`], Approved: [`approve ${RUN}`], Rejected: [`reject ${RUN}`] });
		expect(nodeOutput(detail, 'Timed Out')[0].json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null });
		// Who decided got no reminder; one reminder, one escalation mail, nothing else.
		expect(mailsTo(who('dan'), 'Reminder:')).toEqual([]);
		expect(mailsTo(who('eve'), 'Reminder:')).toEqual([]);
		expect(mailsTo(who('ann'), 'Reminder:')).toHaveLength(1);
		expect(mailsTo(who('bob'), '')).toHaveLength(1);
		const records = await recordsOf(config, executionId);
		expect(records.filter((r) => r.event === 'reminded').map((r) => r.reviewerId)).toEqual([who('ann')]);
		expect(records.filter((r) => r.event === 'escalated').map((r) => r.reviewerId)).toEqual([who('bob')]);
		expect(records.filter((r) => r.event === 'viewed' && r.reviewerId === who('bob'))).toHaveLength(1);
		const expired = records.filter((r) => r.event === 'expired');
		expect(expired).toHaveLength(1);
		expect(expired[0].details).toMatchObject({ reason: 'deadline_passed', actedBy: 'deadline_worker' });
		expect(records.filter((r) => r.event === 'decided').map((r) => r.decision).sort()).toEqual(['approved', 'rejected']);
		await n8n.deactivateWorkflow(trigger.id);
	}, 150_000);
});

describe('HITL Deadlines on dedicated n8n servers', () => {
	const encryptionKey = randomBytes(24).toString('hex');
	const first = new DedicatedN8n(info, encryptionKey);
	const second = new DedicatedN8n(info, encryptionKey);
	afterAll(async () => {
		await first.stop();
		await second.stop();
		for (const server of [first, second]) rmSync(server.userFolder, { recursive: true, force: true });
	});

	test('stopped with SIGTERM, then SIGKILL, in the middle of a wait: the reminder and the deadline happen exactly once', async () => {
		const directory = storeDir();
		const config: ReviewStoreConfig = { backend: 'file', directory };
		let n8n = await first.start();
		const tag = `restart-${RUN}`;
		const credentials = await createCredentials(n8n, info, { backend: 'file', directory }, tag);
		await n8n.deployWorkflow(deadlinesWorkflow(tag, credentials));
		await waitForWorker(config);
		const hook = `deadlines-${tag}`;
		await n8n.deployWorkflow(gateWorkflow(tag, hook, credentials, { deadlineAmount: 40, remindEveryAmount: 12, escalation: {} }));
		const reviewer = who('restart');
		expect((await n8n.callWebhook(hook, { body: { items: [{ reviewers: reviewer, subject: `restart ${RUN}` }] } })).status).toBe(200);
		const [mail] = await waitForMail(info.smtp.mailDir, { to: reviewer, timeoutMs: 30_000 });
		const executionId = executionIdOf(gateLinks(mail)[0]);

		// Stopped cleanly before the reminder is due; it comes once after the restart.
		await first.stop('SIGTERM');
		await sleep(2_000);
		n8n = await first.start();
		await waitForMail(info.smtp.mailDir, { to: reviewer, subjectContains: 'Reminder:', timeoutMs: 60_000 });
		// Killed on the spot before the deadline; it is acted on once after the restart.
		await first.stop('SIGKILL');
		await sleep(2_000);
		n8n = await first.start();
		const detail = await finished(n8n, executionId, 90_000);
		expect(detail.status).toBe('success');
		expect(subjects(detail)).toEqual({ 'Timed Out': [`restart ${RUN}`], Approved: [], Rejected: [] });
		await sleep(3_000);
		expect(mailsTo(reviewer, 'Reminder:')).toHaveLength(1);
		const records = await recordsOf(config, executionId);
		expect(records.filter((r) => r.event === 'reminded')).toHaveLength(1);
		expect(records.filter((r) => r.event === 'expired')).toHaveLength(1);
		const groupId = String(records.find((r) => r.event === 'requested')?.details?.groupId);
		const events = await withStore(config, (s) => s.listDeadlineEvents(groupId));
		expect(events.map((e) => [e.kind, e.status])).toEqual([
			['remind', 'done'],
			['deadline', 'done'],
		]);
	}, 300_000);

	test('two n8n servers sharing one Postgres store, both with an active trigger: every reminder, escalation and deadline once', async () => {
		const chain = `deadlines_${RUN}`;
		const pgStore = { backend: 'postgres', host: info.postgres.host, port: info.postgres.port, database: info.postgres.database, user: info.postgres.user, password: info.postgres.password, ssl: 'disable', chain };
		const config: ReviewStoreConfig = {
			backend: 'postgres',
			connection: { host: info.postgres.host, port: info.postgres.port, database: info.postgres.database, user: info.postgres.user, password: info.postgres.password },
			chain,
		};
		const a = first.client ?? (await first.start());
		const b = await second.start();
		const tag = `shared-${RUN}`;
		const credsA = await createCredentials(a, info, pgStore, `${tag}-a`);
		const credsB = await createCredentials(b, info, pgStore, `${tag}-b`);
		await a.deployWorkflow(deadlinesWorkflow(`${tag}-a`, credsA));
		await b.deployWorkflow(deadlinesWorkflow(`${tag}-b`, credsB));
		await waitForWorker(config, 2);
		const hook = `deadlines-${tag}`;
		await a.deployWorkflow(gateWorkflow(tag, hook, credsA, { deadlineAmount: 12, remindEveryAmount: 3 }));
		const items = [1, 2, 3, 4].map((n) => ({ reviewers: who(`shared${n}`), backup: who(`sharedbackup${n}`), subject: `shared ${n} ${RUN}` }));
		expect((await a.callWebhook(hook, { body: { items } })).status).toBe(200);
		const [mail] = await waitForMail(info.smtp.mailDir, { to: who('shared1'), timeoutMs: 30_000 });
		const executionId = executionIdOf(gateLinks(mail)[0]);
		const detail = await finished(a, executionId, 60_000);
		expect(detail.status).toBe('success');
		expect(nodeOutput(detail, 'Timed Out')).toHaveLength(4);
		await sleep(3_000);
		// Escalation after 2 s, reminder after 3 s: the reminder reaches the owner and the backup added before it.
		for (const n of [1, 2, 3, 4]) {
			expect(mailsTo(who(`shared${n}`), 'Reminder:')).toHaveLength(1);
			expect(mailsTo(who(`sharedbackup${n}`), 'Escalated:')).toHaveLength(1);
			expect(mailsTo(who(`sharedbackup${n}`), 'Reminder:')).toHaveLength(1);
		}
		const records = await recordsOf(config, executionId);
		expect(records.filter((r) => r.event === 'reminded')).toHaveLength(8);
		expect(records.filter((r) => r.event === 'escalated')).toHaveLength(4);
		expect(records.filter((r) => r.event === 'expired')).toHaveLength(4);
		const workers = await withStore(config, (s) => s.listDeadlineWorkers());
		expect(workers.length).toBeGreaterThanOrEqual(2);
	}, 300_000);
});
