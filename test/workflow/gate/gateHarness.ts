/**
 * What the gate's workflow tests share: a loopback SMTP capture, a real JSON Lines store in a temp
 * folder, the gate fixture, and a stand-in for n8n's webhook context (request, response, query, body,
 * credentials) that drives the BUILT node's webhook() with a link taken from a captured mail. The
 * first half of every test runs in n8n's real engine (WorkflowExecute).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { IDataObject, INodeExecutionData, INodeType, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { openReviewStore } from '../../../core/store';
import type { ReviewRecord, ReviewStore } from '../../../core/store/types';
import { extractLinks, listMail, startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../harness/smtpCapture';
import { createNodeTypes, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';

export const GATE = 'HITL Gate';
export const KEY = { kid: 'wf-1', secret: 'workflow-test-secret-0123456789abcdef' };

export interface GateEnv {
	smtp: SmtpCapture;
	storeDir: string;
	/** The test's own handle on the gate's store (same folder). */
	store: ReviewStore;
	credentials: Record<string, IDataObject>;
}

/** Starts the SMTP capture and store before the file's tests and removes them after; fields fill in beforeAll. */
export function useGateEnv(prefix: string): GateEnv {
	const env = {} as GateEnv;
	beforeAll(async () => {
		const tmp = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
		env.storeDir = path.join(tmp, 'store');
		env.smtp = await startSmtpCapture(path.join(tmp, 'mail'));
		env.credentials = {
			hitlSigningApi: { ...KEY },
			hitlSmtpApi: { host: env.smtp.host, port: env.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
			hitlStoreApi: { backend: 'file', directory: env.storeDir },
		};
		env.store = await openReviewStore({ backend: 'file', directory: env.storeDir });
	});
	afterAll(async () => {
		await env.store?.close();
		await env.smtp?.stop();
		if (env.storeDir) rmSync(path.dirname(env.storeDir), { recursive: true, force: true });
	});
	return env;
}

export function gateFixture(params: IDataObject = {}): WorkflowJson {
	const wf = loadFixture('../gate/fixtures/gate.json');
	const gate = wf.nodes.find((n) => n.name === GATE);
	if (!gate) throw new Error('no gate in fixture');
	Object.assign(gate.parameters, params);
	return wf;
}

export async function runGate(
	env: GateEnv,
	items: Array<IDataObject | INodeExecutionData>,
	params: IDataObject = {},
): Promise<{ result: WorkflowRunResult; mails: CapturedMail[] }> {
	const before = listMail(env.smtp.mailDir).length;
	const result = await runWorkflow({ workflow: gateFixture(params), items, credentials: env.credentials as never });
	return { result, mails: listMail(env.smtp.mailDir).slice(before) };
}

export const gateLinks = (mail: CapturedMail): string[] => extractLinks(mail).filter((l) => l.includes('/webhook-waiting/'));
export const executionIdOf = (link: string): string => /\/webhook-waiting\/([^/]+)\//.exec(link)![1];

/** Every record of the execution, oldest first; throws when there are none (no vacuous "nothing decided"). */
export async function recordsOf(env: GateEnv, executionId: string): Promise<ReviewRecord[]> {
	const records = (await env.store.query({ executionId }, { limit: 1000 })).records.reverse();
	if (records.length === 0) throw new Error(`no records of execution ${executionId} in the store`);
	return records;
}

export interface Answer {
	status: number;
	headers: Record<string, string>;
	body: string;
	result: IWebhookResponseData;
	customData: Record<string, string>;
}

export async function callWebhook(
	env: GateEnv,
	result: WorkflowRunResult,
	link: string,
	method: 'GET' | 'POST',
	body: IDataObject = {},
): Promise<Answer> {
	const url = new URL(link);
	const gateNode = gateFixture().nodes.find((n) => n.name === GATE)!;
	const executionId = executionIdOf(link);
	const answer: Answer = { status: 0, headers: {}, body: '', result: {}, customData: {} };
	const res = {
		headersSent: false,
		setHeader(name: string, value: string) {
			answer.headers[name.toLowerCase()] = value;
		},
		status(code: number) {
			answer.status = code;
			return res;
		},
		end(text: string) {
			answer.body = text;
			res.headersSent = true;
		},
	};
	const ctx = {
		getRequestObject: () => ({ method, headers: { 'user-agent': 'jest' }, ip: '127.0.0.1', socket: {} }),
		getResponseObject: () => res,
		getQueryData: () => Object.fromEntries(url.searchParams),
		getBodyData: () => body,
		getNode: () => ({ ...gateNode }),
		getExecutionId: () => executionId,
		getCredentials: async (type: string) => env.credentials[type],
		customData: {
			setAll: (obj: Record<string, string>) => Object.assign(answer.customData, obj),
			set: (k: string, v: string) => (answer.customData[k] = v),
		},
		logger: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} },
	};
	expect(result.status).toBe('waiting');
	const gate = createNodeTypes().getByName('n8n-nodes-hitl.hitlGate') as INodeType;
	answer.result = await gate.webhook!.call(ctx as unknown as IWebhookFunctions);
	return answer;
}

export const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)![1];
export const titleOf = (html: string): string => /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';
export const outputsOf = (a: Answer): INodeExecutionData[][] => a.result.workflowData as INodeExecutionData[][];
