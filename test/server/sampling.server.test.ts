/**
 * Example 4, low-risk sampling with a review that does not block (examples/low-risk-sampling.json and
 * the sub-workflow examples/sample-review.json), on the real n8n 2.41 server, imported as the files are
 * (only the SMTP credential's id and the sub-workflow's id set). Internal notes are Low; the Router
 * samples half of them (deterministically: the test picks recipients whose HMAC decision it knows);
 * every note reaches "Deliver" in a run that finishes at once; each sampled one is logged `sampled`
 * and handed to the Sample review workflow without waiting, where a HITL Gate holds it for the QA
 * reviewer. One verdict "looks fine" (approve), one "problem" (reject with a reason), the rest never
 * checked: Review Log metrics over these notes show the samples, the unreviewed ones and the skip rate.
 */

import { computeMetrics } from '../../core/metrics';
import { recomputeSample } from '../../core/router/sampling';
import type { ReviewRecord } from '../../core/store/types';
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
const QA = 'qa-reviewer@example.com';
/** The Router's sampling in the example: rate 50 %, seed "hitl-example", key = recipient. */
const isSampled = (to: string) => recomputeSample('hitl-example', to, 50).sampled;

/** Recipients for this run: three the Router will sample and two it will not. */
function recipients(): { sampled: string[]; passed: string[] } {
	const sampled: string[] = [];
	const passed: string[] = [];
	for (let n = 0; sampled.length < 3 || passed.length < 2; n++) {
		const to = `team${n}-${RUN}@example.com`;
		if (isSampled(to)) {
			if (sampled.length < 3) sampled.push(to);
		} else if (passed.length < 2) passed.push(to);
	}
	return { sampled, passed };
}

function load(file: string, smtpId: string, subWorkflowId?: string): WorkflowJson {
	const workflow = loadExampleWorkflow(file, smtpId);
	for (const node of workflow.nodes) {
		const ref = node.parameters?.workflowId as { value?: string } | undefined;
		if (subWorkflowId && ref && typeof ref === 'object') ref.value = subWorkflowId;
	}
	return workflow;
}

const csrfOf = (html: string): string => (/name="csrf" value="([^"]+)"/.exec(html) as RegExpExecArray)[1];

/** n8n answers 409 while the run is not waiting (before it is saved as waiting, and while it finishes a webhook call). */
const waiting = async (link: string) => await n8n.waitForExecutionStatus((/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1], 'waiting', 30_000);

async function decide(link: string, decision: 'approve' | 'reject', comment: string): Promise<string> {
	await waiting(link);
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	await sleep(4_250);
	await waiting(link);
	const res = await httpCall(link, {
		method: 'POST',
		body: new URLSearchParams({ csrf: csrfOf(page.text), decision, comment }).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
	return res.text;
}

describe('Example 4, low-risk sampling, on a real n8n server', () => {
	const ids: string[] = [];
	afterAll(async () => {
		for (const id of ids) await n8n.deactivateWorkflow(id).catch(() => undefined);
	});

	it('every note goes on at once; the sampled ones wait in their own runs for a QA verdict; the skip rate counts the ones nobody checked', async () => {
		const smtp = await n8n.createCredential({
			name: `Local mailbox sampling ${RUN}`,
			type: 'smtp',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		// n8n publishes a workflow only once the sub-workflows it calls are published.
		const sub = await n8n.deployWorkflow(load('sample-review.json', smtp.id));
		ids.push(sub.id);
		const parent = await n8n.deployWorkflow(load('low-risk-sampling.json', smtp.id, sub.id));
		ids.push(parent.id);
		const { sampled, passed } = recipients();
		const messages = [...sampled, ...passed].map((to) => ({ to, subject: `Standup moved (${to})`, body: 'Standup is at 10:00 tomorrow.', audience: 'internal' }));
		const before = listMail(info.smtp.mailDir).at(-1)?.id;
		expect((await n8n.callWebhook('low-risk-sampling', { body: { messages } })).status).toBe(200);

		// The run does not wait for anyone: every note reaches Deliver.
		const [run] = await n8n.waitForExecutions(parent.id, { statuses: ['success', 'error', 'crashed', 'waiting'], timeoutMs: 60_000 });
		expect({ status: run.status, error: run.data?.resultData?.error?.message }).toEqual({ status: 'success', error: undefined });
		const delivered = [0, 1].flatMap((r) => nodeOutput(run, 'Deliver (stand-in)', 0, r)).map((i) => i.json.to);
		expect(delivered.sort()).toEqual([...sampled, ...passed].sort());
		expect(nodeOutput(run, 'Log the sample').map((i) => i.json.to).sort()).toEqual([...sampled].sort());

		// One Sample review run per sampled note, each waiting at its gate; one mail each to QA.
		const waiting = await n8n.waitForExecutions(sub.id, { count: 3, statuses: ['waiting', 'error', 'crashed', 'success'], timeoutMs: 60_000 });
		expect(waiting.map((e) => e.status)).toEqual(['waiting', 'waiting', 'waiting']);
		const linkFor = async (to: string) =>
			await pollUntil(
				async () => {
					const mail = findMail(info.smtp.mailDir, { to: QA, afterId: before }).find((m) => m.text.includes(to));
					return mail && extractLinks(mail).find((l) => l.includes('/webhook-waiting/'));
				},
				{ timeoutMs: 60_000, describe: () => `no sample-review mail to ${QA} about ${to}` },
			);
		expect(await decide(await linkFor(sampled[0]), 'approve', '')).toContain('Decision recorded');
		expect(await decide(await linkFor(sampled[1]), 'reject', 'Wrong time: standup is at 9:30')).toContain('Decision recorded');
		// Until the two decided runs have finished (a run is briefly "running" while it resumes).
		const decidedRuns = await pollUntil(
			async () => {
				const runs = await n8n.waitForExecutions(sub.id, { count: 3, statuses: ['waiting', 'success', 'error', 'crashed'], timeoutMs: 60_000 });
				return runs.filter((e) => e.status === 'success').length >= 2 ? runs : undefined;
			},
			{ timeoutMs: 60_000, describe: () => 'the two decided Sample review runs did not finish' },
		);
		expect(decidedRuns.map((e) => e.status).sort()).toEqual(['success', 'success', 'waiting']);

		// The log: three samples, two verdicts against their notes; the skip rate counts the third.
		const records = [run.id, ...decidedRuns.map((e) => e.id)].flatMap((id) => defaultStoreRecords<ReviewRecord>(info, id));
		const ours = records.filter((r) => r.itemKey !== null && sampled.includes(r.itemKey));
		expect(ours.filter((r) => r.event === 'sampled').map((r) => r.itemKey).sort()).toEqual([...sampled].sort());
		const verdicts = ours.filter((r) => r.event === 'decided' && r.nodeName !== 'Sample review');
		expect(verdicts.map((r) => [r.itemKey, r.nodeName, r.decision, r.reviewerId]).sort()).toEqual(
			[
				[sampled[0], 'Log: looks fine', 'approved', QA],
				[sampled[1], 'Log: problem', 'rejected', QA],
			].sort(),
		);
		const [total] = await computeMetrics(ours, { period: 'day', fastThresholdSeconds: 1, dimensions: [] });
		expect(total).toMatchObject({ sampled: 3, sampledUnreviewed: 1, skipRate: 1 / 3, sampledProblems: 1, problemRate: 1 / 2 });
	}, 240_000);
});
