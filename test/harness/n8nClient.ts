/**
 * A small client for a running n8n 2.41 server, for server tests: credentials, workflows
 * (create, activate and wait until the production webhook is live), webhook calls, and the
 * execution history decoded from its `flatted` form. Every failure message carries the tail of
 * the server log, since that is where the reason usually is.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseFlatted } from 'flatted';

import type { ConnectionInfo } from './connectionInfo';
import { readConnectionInfo } from './connectionInfo';
import { fetchFresh, fetchRetryingReads, httpCall } from './http';
import type {
	ExecutionDetail,
	ExecutionStatus,
	ExecutionSummary,
	RunExecutionData,
	WebhookResponse,
	WorkflowJson,
	WorkflowRecord,
} from './n8nTypes';
import { pollUntil } from './net';
import { tailLog } from './n8nServer';

// One import site for tests: the types and helpers live in their own files.
export * from './n8nTypes';
export { httpCall } from './http';
export { nodeOutput, nodeOutputs, nodeRan, nodeRuns } from './executionData';

export class N8nApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly body: string,
	) {
		super(message);
	}
}

/** A short random suffix for unique workflow names and webhook paths across test files. */
export function uniqueSuffix(): string {
	return randomBytes(4).toString('hex');
}

export class N8nClient {
	readonly baseUrl: string;
	readonly webhookUrl: string;
	readonly webhookWaitingUrl: string;
	private readonly cookie: string;
	private readonly browserId: string;
	private readonly apiKey?: string;
	private readonly logFile?: string;

	constructor(options: {
		baseUrl: string;
		cookie: string;
		browserId: string;
		apiKey?: string;
		logFile?: string;
		webhookUrl?: string;
		webhookWaitingUrl?: string;
	}) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.webhookUrl = options.webhookUrl ?? `${this.baseUrl}/webhook`;
		this.webhookWaitingUrl = options.webhookWaitingUrl ?? `${this.baseUrl}/webhook-waiting`;
		this.cookie = options.cookie;
		this.browserId = options.browserId;
		this.apiKey = options.apiKey;
		this.logFile = options.logFile;
	}

	/** The client of the suite's shared server (reads the connection-info file). */
	static fromConnectionInfo(info: ConnectionInfo = readConnectionInfo()): N8nClient {
		return new N8nClient({ ...info.n8n });
	}

	/** The last lines of the server log (empty if unknown). */
	serverLog(lines = 80): string {
		return this.logFile ? tailLog(this.logFile, lines) : '';
	}

	/** A call to n8n's internal REST API (`/rest/...`) as the owner; returns the unwrapped `data`. */
	async rest<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetchRetryingReads(`${this.baseUrl}/rest${path}`, {
			method,
			headers: { cookie: this.cookie, 'browser-id': this.browserId, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) {
			throw new N8nApiError(`${method} /rest${path} → ${res.status}: ${text.slice(0, 2000)}`, res.status, text);
		}
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return ('data' in parsed ? parsed.data : parsed) as T;
	}

	/** A call to the public API (`/api/v1/...`) with the owner's API key. */
	async publicApi<T>(method: string, path: string, body?: unknown): Promise<T> {
		if (!this.apiKey) throw new Error('no API key in this client');
		const res = await fetchRetryingReads(`${this.baseUrl}/api/v1${path}`, {
			method,
			headers: { 'x-n8n-api-key': this.apiKey, 'content-type': 'application/json', accept: 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) {
			throw new N8nApiError(`${method} /api/v1${path} → ${res.status}: ${text.slice(0, 2000)}`, res.status, text);
		}
		return (text ? JSON.parse(text) : undefined) as T;
	}

	async createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<{ id: string; name: string; type: string }> {
		return await this.rest('POST', '/credentials', credential);
	}

	/** Creates a workflow from workflow JSON (fields n8n sets itself — id, versionId, active — are dropped). */
	async createWorkflow(workflow: WorkflowJson): Promise<WorkflowRecord> {
		const { name, nodes, connections, settings, staticData, pinData } = workflow;
		return await this.rest<WorkflowRecord>('POST', '/workflows', {
			name,
			nodes,
			connections,
			settings: settings ?? { executionOrder: 'v1' },
			staticData,
			pinData,
		});
	}

	async getWorkflow(id: string): Promise<WorkflowRecord> {
		return await this.rest<WorkflowRecord>('GET', `/workflows/${id}`);
	}

	/**
	 * Publishes (activates) the workflow's current version, then waits until each of its Webhook
	 * trigger nodes answers on its production URL: n8n registers them asynchronously.
	 */
	async activateWorkflow(id: string, timeoutMs = 30_000): Promise<WorkflowRecord> {
		const current = await this.getWorkflow(id);
		const activated = await this.rest<WorkflowRecord>('POST', `/workflows/${id}/activate`, { versionId: current.versionId });
		for (const node of current.nodes) {
			if (node.type !== 'n8n-nodes-base.webhook' || node.disabled === true) continue;
			const path = String(node.parameters.path ?? '');
			const method = String(node.parameters.httpMethod ?? 'GET');
			await this.waitForWebhook(path, method, timeoutMs);
		}
		return activated;
	}

	async deactivateWorkflow(id: string): Promise<void> {
		await this.rest('POST', `/workflows/${id}/deactivate`, {});
	}

	/** create + activate: the usual start of a server test. */
	async deployWorkflow(workflow: WorkflowJson): Promise<WorkflowRecord> {
		const created = await this.createWorkflow(workflow);
		return await this.activateWorkflow(created.id);
	}

	/**
	 * Waits until the production webhook `path` is registered for `method`. It probes with another
	 * method, so the probe never starts the workflow: n8n then answers "not registered for GET
	 * requests. Did you mean to make a POST request?" once the path is live, and "is not
	 * registered" before.
	 */
	async waitForWebhook(path: string, method = 'POST', timeoutMs = 30_000): Promise<void> {
		const probeMethod = method.toUpperCase() === 'GET' ? 'POST' : 'GET';
		let last = '';
		await pollUntil(
			async () => {
				let res: Response;
				try {
					res = await fetchFresh(`${this.webhookUrl}/${path}`, { method: probeMethod });
				} catch (error) {
					last = String(error);
					return undefined;
				}
				last = `${res.status} ${await res.text()}`;
				return res.status !== 404 || last.includes('Did you mean') ? true : undefined;
			},
			{
				timeoutMs,
				intervalMs: 200,
				describe: () => `webhook ${method} ${path} not registered; last probe: ${last.slice(0, 300)}\n${this.serverLog(40)}`,
			},
		);
	}

	/** Calls a production webhook. Never throws on an HTTP status; the caller asserts it. */
	async callWebhook(
		path: string,
		options: { method?: string; body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {},
	): Promise<WebhookResponse> {
		const url = new URL(`${this.webhookUrl}/${path}`);
		for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
		return await httpCall(url.toString(), options);
	}

	/** Executions of a workflow, newest first (n8n's list, without data). */
	async listExecutions(workflowId: string, options: { status?: ExecutionStatus[]; limit?: number } = {}): Promise<ExecutionSummary[]> {
		const filter: Record<string, unknown> = { workflowId };
		if (options.status) filter.status = options.status;
		const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(options.limit ?? 100) });
		const page = await this.rest<{ results: ExecutionSummary[] }>('GET', `/executions?${query.toString()}`);
		return page.results;
	}

	/** One execution with its `data` decoded from n8n's `flatted` string. */
	async getExecution(id: string): Promise<ExecutionDetail> {
		const raw = await this.rest<Omit<ExecutionDetail, 'data'> & { data: string | RunExecutionData }>('GET', `/executions/${id}`);
		const data = typeof raw.data === 'string' ? (parseFlatted(raw.data) as RunExecutionData) : raw.data;
		return { ...raw, data };
	}

	/** Polls one execution until its status is one of `statuses`; returns it decoded. */
	async waitForExecutionStatus(id: string, statuses: ExecutionStatus | ExecutionStatus[], timeoutMs = 30_000): Promise<ExecutionDetail> {
		const wanted = Array.isArray(statuses) ? statuses : [statuses];
		let last = 'none';
		return await pollUntil(
			async () => {
				const execution = await this.getExecution(id);
				last = execution.status;
				return wanted.includes(execution.status) ? execution : undefined;
			},
			{
				timeoutMs,
				intervalMs: 300,
				describe: () => `execution ${id} is "${last}", wanted ${wanted.join('/')}\n${this.serverLog(40)}`,
			},
		);
	}

	/**
	 * The execution's custom data once n8n has saved it. Why wait: n8n 2.x saves a finished execution
	 * (status `success`) and then, in a second step, its custom data (execution-lifecycle-hooks.js:
	 * updateExistingExecution, then updateExistingExecutionMetadata), so a poll in between sees a
	 * successful execution with no custom data yet.
	 */
	async waitForExecutionCustomData(id: string, timeoutMs = 10_000): Promise<Record<string, string>> {
		return await pollUntil(
			async () => {
				const execution = await this.getExecution(id);
				// The REST API's customData; the run data's own copy where an API version leaves that out.
				for (const custom of [execution.customData, execution.data?.resultData?.metadata]) {
					if (custom && Object.keys(custom).length > 0) return custom as Record<string, string>;
				}
				return undefined;
			},
			{ timeoutMs, intervalMs: 200, describe: () => `execution ${id} has no custom data after ${timeoutMs} ms` },
		);
	}

	/**
	 * Waits until the workflow has at least `count` executions (newer than `afterId`, if given)
	 * that are all in a settled state (`statuses`, default success/error/waiting/canceled/crashed),
	 * and returns them decoded, oldest first.
	 */
	async waitForExecutions(
		workflowId: string,
		options: { count?: number; afterId?: string; statuses?: ExecutionStatus[]; timeoutMs?: number } = {},
	): Promise<ExecutionDetail[]> {
		const count = options.count ?? 1;
		const settled = options.statuses ?? ['success', 'error', 'waiting', 'canceled', 'crashed'];
		let seen = '';
		const ids = await pollUntil(
			async () => {
				const list = (await this.listExecutions(workflowId)).filter(
					(execution) => options.afterId === undefined || Number(execution.id) > Number(options.afterId),
				);
				seen = list.map((execution) => `${execution.id}:${execution.status}`).join(', ');
				const done = list.filter((execution) => settled.includes(execution.status));
				return done.length >= count && done.length === list.length ? done.map((execution) => execution.id) : undefined;
			},
			{
				timeoutMs: options.timeoutMs ?? 30_000,
				intervalMs: 300,
				describe: () =>
					`workflow ${workflowId}: wanted ${count} execution(s) in ${settled.join('/')}, saw [${seen}]\n${this.serverLog(40)}`,
			},
		);
		const details = await Promise.all(ids.map(async (id) => await this.getExecution(id)));
		return details.sort((a, b) => Number(a.id) - Number(b.id));
	}
}

