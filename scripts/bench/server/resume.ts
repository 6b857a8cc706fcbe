/**
 * Decision → resume on a real n8n 2.41.1, the gate against its anchor in the same run: n8n's own Wait
 * node resumed by a webhook call. Both workflows are Webhook → (gate | Respond + Wait) → "After"; each
 * round times, from the moment the resuming POST is sent:
 *   answer — until its HTTP answer arrives (the reviewer's "Decision recorded"; Wait's acknowledgement);
 *   resume — until the node after the gate/Wait starts (its startTime in n8n's execution data; same clock).
 * Rounds alternate which of the two goes first, so load drifts hit both. The gate runs as a builder
 * drops it: default file store, key derived from n8n's, no minimum time on page (the bench posts at once).
 * Page loads and mail delivery are not timed: only the decision.
 *   npm run bench -- resume                 20 rounds
 *   npm run bench -- resume --rounds 50
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';

import { N8nClient, nodeRuns, type WorkflowJson } from '../../../test/harness/n8nClient';
import { extractLinks, waitForMail } from '../../../test/harness/smtpCapture';
import { startSuite, stopSuite } from '../../../test/harness/suite';
import { httpCall } from '../../../test/harness/http';

const RUN = randomUUID().slice(0, 8);
const REVIEWER = `bench-${RUN}@hitl.test`;

function rounds(argv: string[]): number {
	const i = argv.indexOf('--rounds');
	const n = i >= 0 ? Number(argv[i + 1]) : 20;
	if (!Number.isInteger(n) || n < 3) throw new Error('--rounds takes a whole number ≥ 3');
	return n;
}

const node = (name: string, type: string, typeVersion: number, x: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
	id: randomUUID(),
	name,
	type,
	typeVersion,
	position: [x, 0],
	parameters,
	...extra,
});

function waitWorkflow(path: string): WorkflowJson {
	return {
		name: `Bench Wait ${RUN}`,
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2.1, 0, { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} }, { webhookId: randomUUID() }),
			node('Respond', 'n8n-nodes-base.respondToWebhook', 1.1, 200, { respondWith: 'json', responseBody: '={{ JSON.stringify({ resumeUrl: $execution.resumeUrl }) }}', options: {} }),
			node('Wait', 'n8n-nodes-base.wait', 1.1, 400, { resume: 'webhook', httpMethod: 'POST', responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() }),
			node('After', 'n8n-nodes-base.noOp', 1, 600, {}),
		],
		connections: {
			Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
			Respond: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
			Wait: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
}

function gateWorkflow(path: string, smtp: { id: string; name: string }): WorkflowJson {
	return {
		name: `Bench gate ${RUN}`,
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2.1, 0, { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() }),
			node(
				'HITL Gate',
				'n8n-nodes-hitl.hitlGate',
				1.1,
				200,
				{
					reviewers: REVIEWER,
					fromEmail: 'gate@hitl.test',
					subject: '=Bench {{ $json.body.round }}',
					requireTimeOnPageForHigh: false,
					options: { minSecondsOnPageLow: 0, minSecondsOnPageMedium: 0, minSecondsOnPageHigh: 0, reviewLinks: 'off' },
				},
				{ credentials: { smtp } },
			),
			node('After', 'n8n-nodes-base.noOp', 1, 400, {}),
		],
		connections: {
			Webhook: { main: [[{ node: 'HITL Gate', type: 'main', index: 0 }]] },
			'HITL Gate': { main: [[], [{ node: 'After', type: 'main', index: 0 }], []] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
}

interface Sample {
	answerMs: number;
	resumeMs: number;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function afterStart(n8n: N8nClient, executionId: string): Promise<number> {
	const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000);
	if (detail.status !== 'success') throw new Error(`execution ${executionId} ended ${detail.status}`);
	const runs = nodeRuns(detail, 'After');
	if (runs.length === 0) throw new Error(`execution ${executionId}: the node after never ran`);
	return runs[0].startTime;
}

async function timedPost(url: string, body: string, contentType: string): Promise<{ sentAt: number; answerMs: number; status: number }> {
	const sentAt = Date.now();
	const start = process.hrtime.bigint();
	const answer = await httpCall(url, { method: 'POST', body, headers: { 'content-type': contentType } });
	return { sentAt, answerMs: Number(process.hrtime.bigint() - start) / 1e6, status: answer.status };
}

async function waitRound(n8n: N8nClient, path: string): Promise<Sample> {
	const started = await n8n.callWebhook(path, { body: {} });
	const resumeUrl = (JSON.parse(started.text) as { resumeUrl: string }).resumeUrl;
	const executionId = (/\/webhook-waiting\/([^/?]+)/.exec(resumeUrl) as RegExpExecArray)[1];
	await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
	const post = await timedPost(resumeUrl, '{}', 'application/json');
	if (post.status !== 200) throw new Error(`Wait resume answered ${post.status}`);
	return { answerMs: post.answerMs, resumeMs: (await afterStart(n8n, executionId)) - post.sentAt };
}

async function gateRound(n8n: N8nClient, path: string, mailDir: string, round: string): Promise<Sample> {
	await n8n.callWebhook(path, { body: { round } });
	const mail = (await waitForMail(mailDir, { to: REVIEWER, subjectContains: `Bench ${round}`, timeoutMs: 30_000 }))[0];
	const link = extractLinks(mail).find((l) => l.includes('/webhook-waiting/')) as string;
	const executionId = (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];
	await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
	const page = await httpCall(link, { method: 'GET' });
	const csrf = (/name="csrf" value="([^"]+)"/.exec(page.text) as RegExpExecArray)[1];
	const post = await timedPost(link, new URLSearchParams({ csrf, decision: 'approve', comment: '' }).toString(), 'application/x-www-form-urlencoded');
	if (post.status !== 200) throw new Error(`gate decision answered ${post.status}`);
	return { answerMs: post.answerMs, resumeMs: (await afterStart(n8n, executionId)) - post.sentAt };
}

function row(label: string, xs: number[]): string {
	return `${label.padEnd(34)} p50 ${pct(xs, 0.5).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 0.99).toFixed(1).padStart(7)} ms`;
}

export async function runResumeBench(argv: string[]): Promise<void> {
	const n = rounds(argv);
	const suite = await startSuite();
	try {
		const n8n = N8nClient.fromConnectionInfo(suite.info);
		const smtp = await n8n.createCredential({ name: `Bench SMTP ${RUN}`, type: 'smtp', data: { host: suite.info.smtp.host, port: suite.info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' } });
		const waitPath = `bench-wait-${RUN}`;
		const gatePath = `bench-gate-${RUN}`;
		await n8n.deployWorkflow(waitWorkflow(waitPath));
		await n8n.deployWorkflow(gateWorkflow(gatePath, { id: smtp.id, name: smtp.name }));
		// One warm-up round each (first-use costs: module loads, store creation), not counted.
		await waitRound(n8n, waitPath);
		await gateRound(n8n, gatePath, suite.info.smtp.mailDir, `warm-${RUN}`);
		const wait: Sample[] = [];
		const gate: Sample[] = [];
		for (let i = 0; i < n; i++) {
			const order = i % 2 === 0 ? ['wait', 'gate'] : ['gate', 'wait'];
			for (const which of order) {
				if (which === 'wait') wait.push(await waitRound(n8n, waitPath));
				else gate.push(await gateRound(n8n, gatePath, suite.info.smtp.mailDir, `r${i}-${RUN}`));
			}
		}
		const lines = [
			`resume: decision → resume on n8n ${suite.info.n8n.version}, ${n} interleaved rounds; load ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} (${os.cpus().length} cores)`,
			row('Wait node: POST answer', wait.map((s) => s.answerMs)),
			row('HITL Gate: decision POST answer', gate.map((s) => s.answerMs)),
			row('Wait node: POST → next node starts', wait.map((s) => s.resumeMs)),
			row('HITL Gate: POST → next node starts', gate.map((s) => s.resumeMs)),
			`ratio gate / Wait, POST answer:    p50 ${(pct(gate.map((s) => s.answerMs), 0.5) / pct(wait.map((s) => s.answerMs), 0.5)).toFixed(2)}×   p99 ${(pct(gate.map((s) => s.answerMs), 0.99) / pct(wait.map((s) => s.answerMs), 0.99)).toFixed(2)}×   (target ≤ 1.3×)`,
			`ratio gate / Wait, resume:         p50 ${(pct(gate.map((s) => s.resumeMs), 0.5) / pct(wait.map((s) => s.resumeMs), 0.5)).toFixed(2)}×   p99 ${(pct(gate.map((s) => s.resumeMs), 0.99) / pct(wait.map((s) => s.resumeMs), 0.99)).toFixed(2)}×   (target ≤ 1.3×)`,
		];
		process.stdout.write(`${lines.join('\n')}\n`);
	} finally {
		await stopSuite(suite);
	}
}

if (require.main === module) {
	runResumeBench(process.argv.slice(2)).catch((error) => {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	});
}
