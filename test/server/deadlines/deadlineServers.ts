/**
 * What the deadline server tests share: the two workflows (a HITL Deadlines trigger; Webhook → Split
 * Out → HITL Gate → one NoOp per output) built for a given review store, the credentials they need,
 * and dedicated n8n servers (beside the suite's shared one) that a test may stop with SIGTERM or
 * SIGKILL and start again on the same port, database and encryption key — the package copied from the
 * suite's Community-Nodes-style install.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { ConnectionInfo } from '../../harness/connectionInfo';
import { N8nClient, type WorkflowJson } from '../../harness/n8nClient';
import { login, setupOwner, startN8n, stopN8n, type RunningN8n } from '../../harness/n8nServer';
import { ensureN8nInstalled } from '../../harness/paths';

export const OUTPUTS = ['Timed Out', 'Approved', 'Rejected'] as const;

export interface Credentials {
	store: string;
	signing: string;
	smtp: string;
}

/** Creates the store, signing and SMTP credentials the workflows use, on one server. */
export async function createCredentials(n8n: N8nClient, info: ConnectionInfo, store: Record<string, unknown>, tag: string): Promise<Credentials> {
	const storeCred = await n8n.createCredential({ name: `Deadline store ${tag}`, type: 'hitlStoreApi', data: store });
	const signing = await n8n.createCredential({
		name: `Deadline signing ${tag}`,
		type: 'hitlSigningApi',
		data: { kid: `deadlines-${tag}`, secret: `deadline-server-secret-${randomUUID()}` },
	});
	const smtp = await n8n.createCredential({
		name: `Deadline SMTP ${tag}`,
		type: 'hitlSmtpApi',
		data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
	});
	return { store: storeCred.id, signing: signing.id, smtp: smtp.id };
}

export function deadlinesWorkflow(tag: string, credentials: Credentials, intervalSeconds = 1): WorkflowJson {
	return {
		name: `HITL Deadlines ${tag}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'HITL Deadlines',
				type: 'n8n-nodes-hitl.hitlDeadlines',
				typeVersion: 1,
				position: [0, 0],
				parameters: { intervalSeconds, emitActions: false },
				credentials: { hitlStoreApi: { id: credentials.store, name: `Deadline store ${tag}` } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

/** The HITL Review Links node on `path`, with the same signing key and store as the gates of `tag`. */
export function reviewLinksWorkflow(tag: string, credentials: Credentials, path: string): WorkflowJson {
	return {
		name: `HITL Review Links ${tag}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'HITL Review Links',
				type: 'n8n-nodes-hitl.hitlReviewLinks',
				typeVersion: 1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { path },
				credentials: {
					hitlSigningApi: { id: credentials.signing, name: `Deadline signing ${tag}` },
					hitlStoreApi: { id: credentials.store, name: `Deadline store ${tag}` },
				},
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

/** The execution a Review Links link belongs to, from its token's claims (the link itself does not name it). */
export function executionOfReviewLink(link: string): string {
	const token = new URL(link).searchParams.get('t') as string;
	return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { exec: string }).exec;
}

/** Gate parameters: backups and reviewers from the item; minimum time on page off (the test posts at once). */
export function gateWorkflow(tag: string, webhookPath: string, credentials: Credentials, gate: Record<string, unknown>): WorkflowJson {
	const noOp = (name: string, y: number) => ({ id: randomUUID(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [700, y], parameters: {} });
	return {
		name: `Deadline gate ${tag}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 200],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
			},
			{ id: randomUUID(), name: 'Split Items', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 200], parameters: { fieldToSplitOut: 'body.items', options: {} } },
			{
				id: randomUUID(),
				name: 'HITL Gate',
				type: 'n8n-nodes-hitl.hitlGate',
				typeVersion: 1.1,
				position: [400, 200],
				parameters: {
					reviewers: '={{ $json.reviewers }}',
					reviewMode: 'perItem',
					deadlineType: 'duration',
					deadlineUnit: 'seconds',
					remindEveryUnit: 'seconds',
					maxReminders: 1,
					escalation: { levels: [{ afterAmount: 2, afterUnit: 'seconds', reviewers: '={{ $json.backup }}' }] },
					requireRejectReason: false,
					requireTimeOnPageForHigh: false,
					notifyByEmail: true,
					smtpCredentialType: 'hitlSmtpApi',
					fromEmail: 'gate@hitl.test',
					subject: '=Review {{ $json.subject }}',
					message: 'Please check',
					options: { minSecondsOnPageLow: 0, minSecondsOnPageMedium: 0, minSecondsOnPageHigh: 0 },
					...gate,
				},
				credentials: {
					hitlSigningApi: { id: credentials.signing, name: `Deadline signing ${tag}` },
					hitlSmtpApi: { id: credentials.smtp, name: `Deadline SMTP ${tag}` },
					hitlStoreApi: { id: credentials.store, name: `Deadline store ${tag}` },
				},
			},
			noOp(OUTPUTS[0], 0),
			noOp(OUTPUTS[1], 200),
			noOp(OUTPUTS[2], 400),
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Items', type: 'main', index: 0 }]] },
			'Split Items': { main: [[{ node: 'HITL Gate', type: 'main', index: 0 }]] },
			'HITL Gate': { main: OUTPUTS.map((node) => [{ node, type: 'main', index: 0 }]) },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

const OWNER = { email: 'owner@deadlines.test', password: `Owner-${randomBytes(6).toString('hex')}-1A`, firstName: 'Dead', lastName: 'Line' };

/** An n8n of its own, restartable on the same port, database and encryption key. */
export class DedicatedN8n {
	running: RunningN8n | null = null;
	client: N8nClient | null = null;
	private port = 0;
	private ownerReady = false;
	readonly userFolder: string;

	constructor(
		info: ConnectionInfo,
		readonly encryptionKey: string,
		private readonly extraEnv: Record<string, string> = {},
	) {
		this.userFolder = mkdtempSync(path.join(tmpdir(), 'hitl-deadline-n8n-'));
		// The package as the suite installed it (Community Nodes layout): n8n scans .n8n/nodes at start.
		cpSync(path.join(info.n8n.userFolder, '.n8n', 'nodes'), path.join(this.userFolder, '.n8n', 'nodes'), { recursive: true });
	}

	async start(): Promise<N8nClient> {
		this.running = await startN8n({
			install: ensureN8nInstalled(),
			userFolder: this.userFolder,
			...(this.port === 0 ? {} : { port: this.port }),
			env: { N8N_ENCRYPTION_KEY: this.encryptionKey, ...this.extraEnv },
		});
		this.port = this.running.port;
		if (!this.ownerReady) {
			await setupOwner(this.running.baseUrl, OWNER);
			this.ownerReady = true;
		}
		const session = await login(this.running.baseUrl, OWNER);
		this.client = new N8nClient({ baseUrl: this.running.baseUrl, cookie: session.cookie, browserId: session.browserId, logFile: this.running.logFile });
		return this.client;
	}

	/** SIGTERM (n8n shuts down cleanly) or SIGKILL (it dies on the spot, nothing flushed). */
	async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
		const running = this.running;
		this.running = null;
		this.client = null;
		if (!running) return;
		if (signal === 'SIGKILL') {
			try {
				process.kill(-running.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		await stopN8n(running);
	}
}
