/**
 * Agent tool approval on the suite's real n8n 2.41 server: n8n's own AI Agent (V3), driven by the
 * test-only scripted chat model (test/fixtures/scripted-model: no network, no real model), calls an
 * HTTP Request Tool that hangs off the generated `HITL Tool Approval` variant. The tool hits a capture
 * server in this test, so what the tool really did is read from the outside, not from our own output.
 * Cases: n8n lists the variant; a scanner's GET decides nothing; approve → the tool runs once with the
 * model's arguments and the agent gets its result; deny with a reason → the tool never runs and the
 * model's next turn carries the reason. The model's call and the agent's input item both carry
 * `approved: true` — neither approves anything. The chain records requested / viewed / decided.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';

import { readConnectionInfo } from '../harness/connectionInfo';
import { httpCall, N8nClient, nodeRuns, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { extractLinks, waitForMail } from '../harness/smtpCapture';
import { closeStores, csrfIn, fileStoreRecords, postForm } from '../harness/storeRecords';
import { createCredentials, deadlinesWorkflow, type Credentials } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const directory = mkdtempSync(path.join(tmpdir(), 'hitl-tool-approval-store-'));
const SCANNER = 'Mozilla/5.0 (compatible; SafeLinksScanner/1.0)';
const PHONE = 'Mozilla/5.0 (iPhone; ToolApprovalTest)';

/** Every request the HTTP Request Tool made: the tool's real effect. */
const toolCalls: string[] = [];
let capture: Server;
let capturePort = 0;

beforeAll(async () => {
	capture = createServer((req, res) => {
		toolCalls.push(req.url ?? '');
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ refunded: true, receipt: `R-${toolCalls.length}` }));
	});
	await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
	capturePort = (capture.address() as AddressInfo).port;
});

/** The HITL Deadlines workflow on this test's store: stopped before the store's folder is removed. */
let deadlinesWorkflowId: string | null = null;

afterAll(async () => {
	if (deadlinesWorkflowId) await n8n.deactivateWorkflow(deadlinesWorkflowId);
	await closeStores();
	await new Promise<void>((resolve) => capture.close(() => resolve()));
	rmSync(directory, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

function agentWorkflow(tag: string, hook: string, credentials: Credentials, approval: Record<string, unknown> = {}): WorkflowJson {
	const id = () => randomUUID();
	const script = {
		// The model also claims the call is approved: n8n passes extra arguments through unchecked.
		toolCalls: [{ name: 'record_refund', id: `call_${tag}`, args: { toolParameters: { id: 7, amount: 40 }, approved: true } }],
	};
	return {
		name: `Tool approval ${tag} ${RUN}`,
		nodes: [
			{ id: id(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: id(), parameters: { httpMethod: 'POST', path: hook, responseMode: 'onReceived', options: {} } },
			{
				id: id(),
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [300, 0],
				parameters: { promptType: 'define', text: '={{ $json.body.prompt }}', options: {} },
			},
			{ id: id(), name: 'Scripted Chat Model', type: 'CUSTOM.scriptedChatModel', typeVersion: 1, position: [200, 300], parameters: { script: JSON.stringify(script) } },
			{
				id: id(),
				name: 'HITL Tool Approval',
				type: 'n8n-nodes-hitl.hitlToolApprovalHitlTool',
				typeVersion: 1,
				position: [400, 300],
				webhookId: id(),
				parameters: {
					reviewers: who(`${tag}fin`),
					message: 'The agent wants to run {{ $tool.name }}',
					notifyByEmail: true,
					smtpCredentialType: 'hitlSmtpApi',
					fromEmail: 'agent-gate@hitl.test',
					subject: `=Tool call ${tag} ${RUN}`,
					requireRejectReason: true,
					requireTimeOnPageForHigh: false,
					options: { minSecondsOnPageHigh: 0, hashClientInfo: false },
					deadlineType: 'none',
					...approval,
				},
				credentials: {
					hitlSigningApi: { id: credentials.signing, name: `Deadline signing ${tag}` },
					hitlSmtpApi: { id: credentials.smtp, name: `Deadline SMTP ${tag}` },
					hitlStoreApi: { id: credentials.store, name: `Deadline store ${tag}` },
				},
			},
			{
				id: id(),
				name: 'record_refund',
				type: 'n8n-nodes-base.httpRequestTool',
				typeVersion: 4.2,
				position: [400, 500],
				parameters: {
					toolDescription: 'Records a refund for an order',
					method: 'GET',
					url: `=http://127.0.0.1:${capturePort}/refund?id={{ $fromAI('id', 'the order id', 'number') }}&amount={{ $fromAI('amount', 'the amount', 'number') }}`,
					options: {},
				},
			},
			{ id: id(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600, 0], parameters: {} },
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'AI Agent': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
			'Scripted Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'HITL Tool Approval': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			record_refund: { ai_tool: [[{ node: 'HITL Tool Approval', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

describe('HITL Tool Approval with n8n\'s AI Agent on a real n8n server', () => {
	let credentials: Credentials;
	const hooks = { approve: `tool-approve-${RUN}`, deny: `tool-deny-${RUN}`, late: `tool-late-${RUN}`, edit: `tool-edit-${RUN}` };

	beforeAll(async () => {
		credentials = await createCredentials(n8n, info, { backend: 'file', directory }, `tools-${RUN}`);
		// The deadline is the HITL Deadlines worker's order, on this test's own store.
		deadlinesWorkflowId = (await n8n.deployWorkflow(deadlinesWorkflow(`tools-${RUN}`, credentials, 1))).id;
		// The approve case classifies the call by its arguments: amount 40 ≥ 30 → High (otherwise Low).
		await n8n.deployWorkflow(
			agentWorkflow('approve', hooks.approve, credentials, { riskTier: 'presets', moneyAmountArgument: 'amount', moneyAmountFrom: 30, otherwiseTier: 'low' }),
		);
		await n8n.deployWorkflow(agentWorkflow('deny', hooks.deny, credentials));
		await n8n.deployWorkflow(agentWorkflow('edit', hooks.edit, credentials));
		await n8n.deployWorkflow(agentWorkflow('late', hooks.late, credentials, { deadlineType: 'duration', deadlineAmount: 4, deadlineUnit: 'seconds' }));
	});

	async function start(tag: keyof typeof hooks): Promise<{ link: string; executionId: string }> {
		const before = toolCalls.length;
		// The agent's input item claims approval too; it reaches the HITL node's input unchanged.
		const res = await n8n.callWebhook(hooks[tag], { body: { prompt: 'Refund order 7', approved: true, data: { approved: true } } });
		expect(res.status).toBe(200);
		const mail = (await waitForMail(info.smtp.mailDir, { to: who(`${tag}fin`), timeoutMs: 60_000 }))[0];
		const link = extractLinks(mail).filter((l) => l.includes('/webhook-waiting/'))[0];
		expect(link).toMatch(/\/webhook-waiting\/\d+\/[^?]+\?t=[A-Za-z0-9_.-]+&signature=[0-9a-f]{64}$/);
		const executionId = /\/webhook-waiting\/(\d+)\//.exec(link)?.[1] as string;
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		// Waiting for the reviewer: the tool has not run.
		expect(toolCalls.length).toBe(before);
		return { link, executionId };
	}

	const finalAnswer = (detail: Awaited<ReturnType<N8nClient['getExecution']>>): string =>
		String(nodeRuns(detail, 'AI Agent').at(-1)?.data?.main[0]?.[0]?.json.output ?? '');

	test('n8n generates the agent-tool variant of HITL Tool Approval and of no other node of this package', async () => {
		const answer = await httpCall(`${info.n8n.baseUrl}/types/nodes.json`, { method: 'GET', headers: { cookie: info.n8n.cookie } });
		const types = JSON.parse(answer.text) as Array<{ name: string }>;
		const ours = types.map((t) => t.name).filter((n) => n.startsWith('n8n-nodes-hitl.') && n.endsWith('HitlTool'));
		expect(ours).toEqual(['n8n-nodes-hitl.hitlToolApprovalHitlTool']);
	});

	test('a scanner opening the link decides nothing; the reviewer approves; the tool runs once with the model\'s arguments', async () => {
		const { link, executionId } = await start('approve');
		const scanned = await httpCall(link, { method: 'GET', headers: { 'user-agent': SCANNER } });
		expect(scanned.status).toBe(200);
		expect(scanned.text).toContain('record_refund');
		expect(scanned.text).toContain('40');
		// The risk the node computed from the arguments, not anything the model or the input claimed.
		expect(scanned.text).toContain('Money amount ≥ 30');
		expect((await n8n.getExecution(executionId)).status).toBe('waiting');

		const page = await httpCall(link, { method: 'GET', headers: { 'user-agent': PHONE } });
		const before = toolCalls.length;
		const decided = await postForm(link, { csrf: csrfIn(page.text), decision: 'approve', comment: '' }, { 'user-agent': PHONE });
		expect(decided.status).toBe(200);
		expect(decided.text).toContain('Decision recorded');
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 60_000);
		expect(detail.status).toBe('success');
		expect(toolCalls.slice(before)).toEqual(['/refund?id=7&amount=40']);
		expect(finalAnswer(detail)).toContain('R-');

		const log = await fileStoreRecords(directory, executionId);
		// The first view is logged (the scanner's); its GET decided nothing.
		expect(log.map((r) => r.event)).toEqual(['requested', 'viewed', 'decided']);
		expect(log[0].details).toMatchObject({ itemIndexes: [0] });
		expect(log[1].userAgent).toBe(SCANNER);
		expect(log[0].tier).toBe('high');
		// Every record of the request says which call it was about, the terminal one included.
		const about = { kind: 'agent_tool_call', tool: 'record_refund', toolCallId: 'call_approve', argumentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) };
		for (const record of [log[0], log[2]]) expect(record.details).toMatchObject({ about });
		// Execution custom data for n8n's execution list, as the gate sets it.
		const custom = await n8n.waitForExecutionCustomData(executionId);
		expect(custom).toMatchObject({ hitl_decision: 'approved', hitl_reviewer: who('approvefin'), hitl_tier: 'high' });
		const decidedRecord = log.find((r) => r.event === 'decided');
		expect(decidedRecord?.decision).toBe('approved');
		expect(decidedRecord?.reviewerId).toBe(who('approvefin'));
	});

	test('deny with a reason: the tool never runs and the agent\'s model reads the reason', async () => {
		const { link, executionId } = await start('deny');
		const page = await httpCall(link, { method: 'GET', headers: { 'user-agent': PHONE } });
		const before = toolCalls.length;
		const decided = await postForm(link, { csrf: csrfIn(page.text), decision: 'reject', comment: 'Amount above the refund limit' }, { 'user-agent': PHONE });
		expect(decided.text).toContain('Decision recorded');
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 60_000);
		expect(detail.status).toBe('success');
		expect(toolCalls.length).toBe(before);
		expect(finalAnswer(detail)).toContain('Amount above the refund limit');
		const log = await fileStoreRecords(directory, executionId);
		const decidedRecord = log.find((r) => r.event === 'decided');
		expect(decidedRecord?.decision).toBe('rejected');
		expect(decidedRecord?.comment).toBe('Amount above the refund limit');
	});

	test('nobody decides before the deadline: the worker ends the wait, the tool never runs, the agent is told; n8n\'s own timer is never set', async () => {
		const before = toolCalls.length;
		const { link, executionId } = await start('late');
		const waiting = await n8n.getExecution(executionId);
		// No n8n timer: it would hand the call (and its injected approved: true) to the agent unreviewed.
		expect(new Date(String(waiting.waitTill)).getUTCFullYear()).toBeGreaterThanOrEqual(3000);
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 60_000);
		expect(detail.status).toBe('success');
		expect(toolCalls.length).toBe(before);
		expect(finalAnswer(detail)).toContain('No reviewer approved this tool call in time');
		const log = await fileStoreRecords(directory, executionId);
		expect(log.map((r) => r.event)).toEqual(['requested', 'expired']);
		expect(log[1].details).toMatchObject({ about: { kind: 'agent_tool_call', tool: 'record_refund', toolCallId: 'call_late' } });
		// The late link decides nothing (n8n answers for the finished run).
		const late = await httpCall(link, { method: 'GET', headers: { 'user-agent': PHONE } });
		expect(late.text).not.toContain('name="csrf"');
	});

	test('approve with a changed amount: the call as sent never runs; the agent calls again with the reviewer\'s arguments, the reviewer confirms, the tool runs with them', async () => {
		const before = toolCalls.length;
		const { link, executionId } = await start('edit');
		const page = await httpCall(link, { method: 'GET', headers: { 'user-agent': PHONE } });
		// Each argument is its own editable field; the number stays a number.
		expect(page.text).toContain('name="edit.arguments.amount"');
		const edited = await postForm(link, { csrf: csrfIn(page.text), decision: 'approve', comment: '', 'edit.arguments.id': '7', 'edit.arguments.amount': '25' }, { 'user-agent': PHONE });
		expect(edited.text).toContain('Decision recorded');

		// The agent is told the corrected arguments and calls again: a second review, mailed to the same person.
		const mails = await waitForMail(info.smtp.mailDir, { to: who('editfin'), count: 2, timeoutMs: 60_000 });
		const second = extractLinks(mails[1]).filter((l) => l.includes('/webhook-waiting/'))[0];
		expect(second).not.toBe(link);
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		expect(toolCalls.length).toBe(before);
		const confirm = await httpCall(second, { method: 'GET', headers: { 'user-agent': PHONE } });
		expect(confirm.text).toContain('25');
		const approved = await postForm(second, { csrf: csrfIn(confirm.text), decision: 'approve', comment: '' }, { 'user-agent': PHONE });
		expect(approved.text).toContain('Decision recorded');

		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 60_000);
		expect(detail.status).toBe('success');
		// The tool's own request: the reviewer's amount, once; never the model's 40.
		expect(toolCalls.slice(before)).toEqual(['/refund?id=7&amount=25']);
		const log = await fileStoreRecords(directory, executionId);
		const decisions = log.filter((r) => r.event === 'decided');
		expect(decisions.map((r) => r.decision)).toEqual(['approved_with_edits', 'approved']);
		expect(decisions[0].edits).toEqual([expect.objectContaining({ path: 'arguments.amount', before: 40, after: 25 })]);
		expect(decisions.every((r) => r.reviewerId === who('editfin'))).toBe(true);
	});
});
