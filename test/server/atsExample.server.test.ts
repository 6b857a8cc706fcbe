/**
 * examples/ats-stage-change.json (example 2) on the real n8n 2.41 server, imported as a user imports
 * the file (only the SMTP credential's id set). Four stage changes: a rejection requested by the
 * recruiter and an offer requested by the hiring manager (High: sign-off with separation of duties —
 * both are listed reviewers, and each is asked only about the other's change), and two ordinary moves
 * (Medium: one batch page, lock then sync). Each signs off the other's change; ats-ops approves one move
 * and rejects the other on the batch page. Only the approved changes reach "Sync to ATS (stand-in)";
 * every request and decision is in the log, naming the requester.
 */

import { readConnectionInfo } from '../harness/connectionInfo';
import { loadExampleWorkflow } from '../harness/exampleWorkflow';
import { defaultStoreRecords } from '../harness/defaultStore';
import { httpCall } from '../harness/http';
import { N8nClient, nodeOutput, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { pollUntil, sleep } from '../harness/net';
import { extractLinks, findMail, listMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const RECRUITER = 'recruiter@example.com';
const HIRING_MANAGER = 'hiring-manager@example.com';
const ATS_OPS = 'ats-ops@example.com';
/** The gate's default minimum time on page, plus margin. */
const MIN_TIME_ON_PAGE_MS = 4_250;

const change = (candidate: string, fromStage: string, toStage: string, requestedBy = RECRUITER) => ({
	candidate: `${candidate} ${RUN}`,
	email: `${candidate.toLowerCase()}-${RUN}@example.com`,
	fromStage,
	toStage,
	requestedBy,
	note: '',
});
const grace = change('Grace', 'onsite', 'rejected');
const ken = change('Ken', 'onsite', 'offer', HIRING_MANAGER);
const linus = change('Linus', 'applied', 'phone screen');
const barbara = change('Barbara', 'phone screen', 'onsite');

interface LogRecord {
	event: string;
	decision: string | null;
	reviewerId: string | null;
	requesterId: string | null;
	executionId: string | null;
	itemKey: string | null;
	nodeName: string | null;
}

const logRecords = (executionId: string): LogRecord[] => defaultStoreRecords<LogRecord>(info, executionId);

const importExample = (credentialId: string): WorkflowJson => loadExampleWorkflow('ats-stage-change.json', credentialId);

/** This run's mail to `to` whose subject contains `subject` (addresses are shared with other tests): its text and review link. */
async function mailFor(to: string, subject: string, afterId: string | undefined): Promise<{ text: string; link: string }> {
	return await pollUntil(
		async () => {
			const mail = findMail(info.smtp.mailDir, { to, subjectContains: subject, afterId }).find((m) => m.text.includes(RUN));
			const link = mail && extractLinks(mail).find((l) => l.includes('/webhook-waiting/'));
			return mail && link ? { text: mail.text, link } : undefined;
		},
		{ timeoutMs: 60_000, intervalMs: 250, describe: () => `no "${subject}" review mail to ${to} for run ${RUN}` },
	);
}

/** GET the page, stay the minimum time on it, POST the form; the answer's text. */
async function decideOn(link: string, fields: Record<string, string>, expectOnPage: string[]): Promise<string> {
	// n8n answers 409 while the run is not (yet, or again) waiting: after a mail is sent and before n8n has
	// saved the run as waiting, and while it finishes the previous decision's webhook call.
	await n8n.waitForExecutionStatus(executionIdOf(link), 'waiting', 30_000);
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	for (const text of expectOnPage) expect(page.text).toContain(text);
	await sleep(MIN_TIME_ON_PAGE_MS);
	return (await httpCall(link, form({ csrf: csrfOf(page.text), ...fields }))).text;
}

const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];
const csrfOf = (html: string): string => (/name="csrf" value="([^"]+)"/.exec(html) as RegExpExecArray)[1];
const form = (fields: Record<string, string>) => ({
	method: 'POST',
	body: new URLSearchParams(fields).toString(),
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('Example 2, ATS stage change, on a real n8n server', () => {
	let workflowId = '';
	afterAll(async () => {
		if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	});

	it('each requester is kept off their own change and signs off the other\'s; ordinary moves are held on one batch page; only approved changes sync', async () => {
		const smtp = await n8n.createCredential({
			name: `Local mailbox ATS ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		workflowId = (await n8n.deployWorkflow(importExample(smtp.id))).id;
		const mailsBefore = listMail(info.smtp.mailDir).at(-1)?.id;
		expect((await n8n.callWebhook('ats-stage-change', { body: { changes: [grace, linus, ken, barbara] } })).status).toBe(200);
		const [state] = await n8n.waitForExecutions(workflowId, { timeoutMs: 30_000 });
		expect({ status: state.status, error: state.data?.resultData?.error?.message }).toEqual({ status: 'waiting', error: undefined });
		const executionId = state.id;

		// High first: each listed reviewer is asked only about the change the other requested.
		const toRecruiter = await mailFor(RECRUITER, 'Rejections and offers', mailsBefore);
		const toManager = await mailFor(HIRING_MANAGER, 'Rejections and offers', mailsBefore);
		expect(toRecruiter.text).toContain(ken.candidate);
		expect(toRecruiter.text).not.toContain(grace.candidate);
		expect(toManager.text).toContain(grace.candidate);
		expect(toManager.text).not.toContain(ken.candidate);
		expect(await decideOn(toManager.link, { decision: 'approve', comment: '' }, [grace.candidate, 'rejected'])).toContain('Decision recorded');
		expect(await decideOn(toRecruiter.link, { decision: 'approve', comment: '' }, [ken.candidate, 'offer'])).toContain('Decision recorded');

		// Then the batch: one page for ats-ops with both ordinary moves, decided per item.
		const batch = await mailFor(ATS_OPS, 'Stage moves held', mailsBefore);
		const answer = await decideOn(
			batch.link,
			{ bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'reject', 'comment.1': 'Not before the onsite is booked' },
			[linus.candidate, barbara.candidate],
		);
		expect(answer).toContain('Decision');

		const execution = await n8n.waitForExecutionStatus(executionId, 'success', 60_000);
		const synced = [0, 1].flatMap((run) => nodeOutput(execution, 'Sync to ATS (stand-in)', 0, run)).map((i) => i.json.candidate);
		expect(synced.sort()).toEqual([grace.candidate, ken.candidate, linus.candidate].sort());
		expect(nodeOutput(execution, 'Not synced').map((i) => i.json.candidate)).toEqual([barbara.candidate]);

		const records = logRecords(executionId);
		const signOff = records.filter((r) => r.nodeName === 'Sign-off (separation of duties)');
		// One `requested` record per link: nobody was asked about their own change.
		expect(signOff.filter((r) => r.event === 'requested').map((r) => [r.reviewerId, r.requesterId]).sort()).toEqual(
			[
				[HIRING_MANAGER, RECRUITER],
				[RECRUITER, HIRING_MANAGER],
			].sort(),
		);
		expect(signOff.filter((r) => r.event === 'decided').map((r) => [r.reviewerId, r.requesterId, r.decision]).sort()).toEqual(
			[
				[HIRING_MANAGER, RECRUITER, 'approved'],
				[RECRUITER, HIRING_MANAGER, 'approved'],
			].sort(),
		);
		const batchDecisions = records.filter((r) => r.nodeName === 'Batch review (lock, then sync)' && r.event === 'decided');
		expect(batchDecisions.map((r) => [r.reviewerId, r.decision]).sort()).toEqual([
			[ATS_OPS, 'approved'],
			[ATS_OPS, 'rejected'],
		]);
	}, 180_000);
});
