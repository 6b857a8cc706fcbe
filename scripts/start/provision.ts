/**
 * Puts what the examples need into the demo's n8n, idempotently: a first start creates the owner,
 * the SMTP credential and the example workflows; a later start finds them, points the credential at
 * this run's mailbox port, and updates a workflow only when its example file changed — so a second
 * start neither duplicates anything nor loses the execution history.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { login, setupOwner, type OwnerAccount, type Session } from '../../test/harness/n8nServer';
import { N8nApiError, N8nClient, type WorkflowJson, type WorkflowRecord } from '../../test/harness/n8nClient';
import { sleep } from '../../test/harness/net';
import { fetchFresh } from '../../test/harness/http';
import { EXAMPLES, examplePath, SAMPLE_REVIEW_WORKFLOW_ID, SMTP_CREDENTIAL_NAME, type DemoState } from './config';

/**
 * Logs in as the demo owner, creating the owner first on a fresh database. n8n can refuse both for a
 * few seconds after it reports ready, so this retries for up to `timeoutMs`.
 */
export async function ownerSession(baseUrl: string, owner: OwnerAccount, timeoutMs = 60_000): Promise<Session> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			return await login(baseUrl, owner);
		} catch (error) {
			last = error;
		}
		try {
			await setupOwner(baseUrl, owner, 2_000);
		} catch (error) {
			// Expected once the owner exists (then only the login above was early).
			last = error;
		}
		await sleep(500);
	}
	throw new Error(`could not log in as ${owner.email}: ${String(last)}`);
}

/** Fails with the loaded list unless n8n loaded every node type the package declares. */
export async function assertNodesLoaded(baseUrl: string, session: Session, expected: string[]): Promise<void> {
	const res = await fetchFresh(`${baseUrl}/types/nodes.json`, { headers: { cookie: session.cookie, 'browser-id': session.browserId } });
	if (!res.ok) throw new Error(`GET /types/nodes.json → ${res.status}`);
	const loaded = new Set(((await res.json()) as Array<{ name: string }>).map((type) => type.name));
	const missing = expected.filter((name) => !loaded.has(name));
	if (missing.length > 0) throw new Error(`n8n did not load ${missing.join(', ')}; its log (below) says why`);
}

/** n8n's own `smtp` credential pointing at the local mailbox: created once, updated to this run's port. */
export async function ensureSmtpCredential(client: N8nClient, smtp: { host: string; port: number }): Promise<{ id: string; name: string }> {
	const body = {
		name: SMTP_CREDENTIAL_NAME,
		type: 'smtp',
		data: { host: smtp.host, port: smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
	};
	const existing = (await client.rest<Array<{ id: string; name: string; type: string }>>('GET', '/credentials')).find(
		(credential) => credential.name === SMTP_CREDENTIAL_NAME && credential.type === 'smtp',
	);
	if (existing) {
		await client.rest('PATCH', `/credentials/${existing.id}`, body);
		return { id: existing.id, name: existing.name };
	}
	const created = await client.createCredential(body);
	return { id: created.id, name: created.name };
}

/** An example file as a user would import it, with its SMTP credential placeholders set to `credential`. */
export function loadExample(file: string, credential: { id: string; name: string }): WorkflowJson {
	const workflow = JSON.parse(readFileSync(examplePath(file), 'utf8')) as WorkflowJson;
	for (const node of workflow.nodes) {
		if (node.credentials?.smtp) node.credentials.smtp = { id: credential.id, name: credential.name };
		// The sub-workflow a node calls, by the fixed id npm start imports it under.
		const called = node.parameters?.workflowId as { value?: unknown } | undefined;
		if (called && typeof called === 'object' && called.value === 'REPLACE_WITH_SAMPLE_REVIEW_WORKFLOW_ID') called.value = SAMPLE_REVIEW_WORKFLOW_ID;
	}
	return workflow;
}

function sha256(value: unknown): string {
	return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

async function findWorkflow(client: N8nClient, id: string): Promise<WorkflowRecord | undefined> {
	try {
		return await client.getWorkflow(id);
	} catch (error) {
		if (error instanceof N8nApiError && error.status === 404) return undefined;
		throw error;
	}
}

function isPublished(record: WorkflowRecord): boolean {
	const activeVersionId = record.activeVersionId as string | null | undefined;
	return activeVersionId === undefined ? record.active : activeVersionId === record.versionId;
}

/**
 * Imports every example (under its fixed id), updates one whose file changed since the last start,
 * activates it, and waits until its webhook answers. Returns the new per-workflow hashes for the state.
 */
export async function ensureExamples(
	client: N8nClient,
	credential: { id: string; name: string },
	state: DemoState,
	log: (message: string) => void,
): Promise<Record<string, string>> {
	const hashes: Record<string, string> = {};
	for (const example of EXAMPLES) {
		const workflow = loadExample(example.file, credential);
		const { name, nodes, connections, settings, pinData } = workflow;
		const payload = { name, nodes, connections, settings: settings ?? { executionOrder: 'v1' }, pinData };
		hashes[example.id] = sha256(payload);
		let record = await findWorkflow(client, example.id);
		if (!record) {
			log(`importing examples/${example.file}`);
			record = await client.rest<WorkflowRecord>('POST', '/workflows', { ...payload, id: example.id });
		} else if (state.workflowSha256?.[example.id] !== hashes[example.id]) {
			log(`examples/${example.file} changed since the last start: updating the workflow`);
			record = await client.rest<WorkflowRecord>('PATCH', `/workflows/${example.id}`, { ...payload, versionId: record.versionId });
		}
		if (!isPublished(record)) await client.rest('POST', `/workflows/${example.id}/activate`, { versionId: record.versionId });
		// n8n registers production webhooks asynchronously, also when it re-activates them at start.
		if (example.webhookPath !== null) await client.waitForWebhook(example.webhookPath, 'POST', 60_000);
	}
	return hashes;
}
