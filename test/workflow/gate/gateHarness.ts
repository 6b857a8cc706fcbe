/**
 * What the gate's workflow tests share: a loopback SMTP capture, a real JSON Lines store in a temp
 * folder, the gate fixture, and a stand-in for n8n's webhook context (request, response, query, body,
 * credentials) that drives the BUILT node's webhook() with a link taken from a captured mail. The
 * first half of every test runs in n8n's real engine (WorkflowExecute).
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { IDataObject, INode, INodeExecutionData, INodeType, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { Client } from 'pg';

import { closeAllReviewStores, openReviewStore } from '../../../core/store';
import type { ReviewRecord, ReviewRequest, ReviewStore } from '../../../core/store/types';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { extractLinks, listMail, startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../harness/smtpCapture';
import { createNodeTypes, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';

export const GATE = 'HITL Gate';
export const KEY = { kid: 'wf-1', secret: 'workflow-test-secret-0123456789abcdef' };

export type StoreBackend = 'file' | 'postgres';

export interface GateEnv {
	backend: StoreBackend;
	smtp: SmtpCapture;
	/** The file store's folder (also made for Postgres runs, unused there). */
	storeDir: string;
	/** The test's own handle on the gate's store (same folder or database). */
	store: ReviewStore;
	credentials: Record<string, IDataObject>;
	/**
	 * Changes a stored review request behind the gate's back, as someone with write access to the store
	 * (the folder, or the Postgres UPDATE grant on the request table) could.
	 */
	editStoredRequest(requestId: string, change: (r: ReviewRequest) => ReviewRequest): Promise<void>;
	/** Adds a well-formed record to the log behind the store's back (a writer without the signing key). */
	appendRawRecord(record: ReviewRecord, line: string): Promise<void>;
}

/** Starts the SMTP capture and store before the file's tests and removes them after; fields fill in beforeAll. */
export function useGateEnv(prefix: string, backend: StoreBackend = 'file'): GateEnv {
	const env = { backend } as GateEnv;
	let pg: TestPostgres | null = null;
	beforeAll(async () => {
		const tmp = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
		env.storeDir = path.join(tmp, 'store');
		env.smtp = await startSmtpCapture(path.join(tmp, 'mail'));
		env.credentials = {
			hitlSigningApi: { ...KEY },
			hitlSmtpApi: { host: env.smtp.host, port: env.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		};
		if (backend === 'postgres') {
			pg = await startTestPostgres();
			env.credentials.hitlStoreApi = { backend: 'postgres', ...pg.connection, ssl: 'disable' };
			env.store = await openReviewStore({ backend: 'postgres', connection: pg.connection });
			env.editStoredRequest = async (id, change) => {
				const client = new Client(pg!.connection);
				await client.connect();
				try {
					const { rows } = await client.query<{ data: ReviewRequest }>('SELECT data FROM hitl_review_request WHERE id = $1', [id]);
					if (rows.length === 0) throw new Error(`request ${id} not in the database`);
					const changed = change(rows[0].data);
					await client.query('UPDATE hitl_review_request SET status = $2, data = $3 WHERE id = $1', [id, changed.status, JSON.stringify(changed)]);
				} finally {
					await client.end();
				}
			};
			env.appendRawRecord = async (record, line) => {
				const client = new Client(pg!.connection);
				await client.connect();
				try {
					const binding = (record.details?.hitlRequest ?? null) as { id?: string } | null;
					await client.query(
						`INSERT INTO hitl_review_log (chain, seq, hash, prev_hash, recorded_at, event, decision, reviewer_id, tier, workflow_id, execution_id, item_key, line, ends_request)
						 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
						[record.chain, record.seq, record.hash, record.prevHash, record.recordedAt, record.event, record.decision, record.reviewerId,
							record.tier, record.workflowId, record.executionId, record.itemKey, line, binding?.id ?? null],
					);
				} finally {
					await client.end();
				}
			};
		} else {
			env.credentials.hitlStoreApi = { backend: 'file', directory: env.storeDir };
			env.store = await openReviewStore({ backend: 'file', directory: env.storeDir });
			env.editStoredRequest = async (id, change) => editRequestFile(env.storeDir, id, change);
			env.appendRawRecord = async (_record, line) => appendFileSync(path.join(env.storeDir, 'default.jsonl'), `${line}\n`);
		}
	}, 120_000);
	afterAll(async () => {
		await env.store?.close();
		await closeAllReviewStores();
		await pg?.stop();
		await env.smtp?.stop();
		if (env.storeDir) rmSync(path.dirname(env.storeDir), { recursive: true, force: true });
	});
	return env;
}

/** The file store keeps a run's requests in one group file; edit the one holding `requestId`. */
function editRequestFile(storeDir: string, requestId: string, change: (r: ReviewRequest) => ReviewRequest): void {
	const dir = path.join(storeDir, 'default.requests');
	for (const name of readdirSync(dir).filter((n) => n.startsWith('g-') && n.endsWith('.json'))) {
		const file = path.join(dir, name);
		const group = JSON.parse(readFileSync(file, 'utf8')) as { requests: ReviewRequest[] };
		const index = group.requests.findIndex((r) => r.id === requestId);
		if (index === -1) continue;
		group.requests[index] = change(group.requests[index]);
		writeFileSync(file, JSON.stringify(group));
		return;
	}
	throw new Error(`request ${requestId} not found in the store folder`);
}

/**
 * The gate's minimum time on page, switched off: these tests post a decision milliseconds after the page
 * was served and are about something else. timeOnPage.workflow.test.ts tests the minimum with the node's
 * defaults (it passes `TIME_ON_PAGE_DEFAULTS`).
 */
export const TIME_ON_PAGE_OFF: IDataObject = { requireTimeOnPageForHigh: false, options: { minSecondsOnPageLow: 0, minSecondsOnPageMedium: 0 } };
/** The node's own defaults: 4 s for every tier, required for High. */
export const TIME_ON_PAGE_DEFAULTS: IDataObject = { requireTimeOnPageForHigh: true, options: {} };

export function gateFixture(params: IDataObject = {}): WorkflowJson {
	const wf = loadFixture('../gate/fixtures/gate.json');
	const gate = wf.nodes.find((n) => n.name === GATE);
	if (!gate) throw new Error('no gate in fixture');
	Object.assign(gate.parameters, TIME_ON_PAGE_OFF, params);
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
	/** The gate node as the run had it (default: the fixture's), e.g. one without a signing credential. */
	gateNode: INode = gateFixture().nodes.find((n) => n.name === GATE)!,
): Promise<Answer> {
	const url = new URL(link);
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
		getWorkflow: () => ({ id: 'wf-test', name: 'Gate: workflow test', active: false }),
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
