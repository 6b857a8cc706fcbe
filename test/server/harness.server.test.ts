/**
 * Self-test of the server harness: the shared services globalSetup started really work, so a
 * failing gate or log test points at the node, not at the harness.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTransport } from 'nodemailer';

import { launchBrowser } from '../harness/browser';
import { readConnectionInfo } from '../harness/connectionInfo';
import { N8nClient, nodeOutput, uniqueSuffix } from '../harness/n8nClient';
import { extractLinks, waitForMail } from '../harness/smtpCapture';
import { fetchFresh } from '../harness/http';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);

describe('server harness', () => {
	it('runs the pinned n8n with this package loaded under its package name', async () => {
		const health = await fetchFresh(`${info.n8n.baseUrl}/healthz`);
		expect(health.status).toBe(200);
		expect(info.n8n.version).toBe('2.41.1');
		expect(info.n8n.nodeTypes.length).toBeGreaterThan(0);
		for (const type of info.n8n.nodeTypes) expect(type.startsWith('n8n-nodes-hitl.')).toBe(true);
	});

	it('installed the package like the Community Nodes installer: stripped manifest, runtime deps only', () => {
		const manifest = JSON.parse(readFileSync(path.join(info.n8n.packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
		expect(manifest.name).toBe('n8n-nodes-hitl');
		for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) expect(manifest).not.toHaveProperty(field);
		const runtime = Object.keys(manifest.dependencies as Record<string, string>);
		const repoManifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
			dependencies: Record<string, string>;
		};
		expect(runtime.sort()).toEqual(Object.keys(repoManifest.dependencies).sort());
		for (const dependency of runtime) expect(info.n8n.installedDependencies).toHaveProperty(dependency);
		// n8n's own modules come from n8n, never from the package's folder.
		expect(info.n8n.installedDependencies).not.toHaveProperty('n8n-workflow');
		expect(info.n8n.installedDependencies).not.toHaveProperty('n8n-core');
		const nodesManifest = JSON.parse(readFileSync(path.join(info.n8n.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8')) as {
			dependencies: Record<string, string>;
		};
		expect(nodesManifest.dependencies['n8n-nodes-hitl']).toBe(info.n8n.packageVersion);
	});

	it('answers the public API with the API key', async () => {
		const page = await n8n.publicApi<{ data: unknown[] }>('GET', '/workflows?limit=1');
		expect(Array.isArray(page.data)).toBe(true);
	});

	it('deploys a webhook workflow and reads the run back from execution history', async () => {
		const webhookPath = `harness-${uniqueSuffix()}`;
		const workflow = await n8n.deployWorkflow({
			name: `harness self-test ${webhookPath}`,
			nodes: [
				{
					id: 'w1',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					position: [0, 0],
					parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
					webhookId: webhookPath,
				},
				{
					id: 'w2',
					name: 'Split',
					type: 'n8n-nodes-base.splitOut',
					typeVersion: 1,
					position: [200, 0],
					parameters: { fieldToSplitOut: 'body.items', options: {} },
				},
				{ id: 'w3', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 0], parameters: {} },
			],
			connections: {
				Webhook: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
				Split: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
			},
		});
		const response = await n8n.callWebhook(webhookPath, { body: { items: [{ n: 1 }, { n: 2 }] } });
		expect(response.status).toBe(200);
		const [execution] = await n8n.waitForExecutions(workflow.id, { count: 1 });
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, 'Done').map((item) => item.json)).toEqual([{ n: 1 }, { n: 2 }]);
		await n8n.deactivateWorkflow(workflow.id);
	});

	it('captures mail sent over SMTP, with its links', async () => {
		const to = `reviewer-${uniqueSuffix()}@example.test`;
		const transport = createTransport({ host: info.smtp.host, port: info.smtp.port, secure: false });
		await transport.sendMail({
			from: 'n8n@example.test',
			to,
			subject: 'Review needed',
			text: 'Open http://127.0.0.1/review?a=1&b=2 now',
			html: '<p><a href="http://127.0.0.1/review?a=1&amp;b=2">Review</a></p>',
		});
		const [mail] = await waitForMail(info.smtp.mailDir, { to, subjectContains: 'Review', timeoutMs: 10_000 });
		expect(mail.to).toEqual([to]);
		expect(mail.text).toContain('now');
		expect(mail.html).toContain('<a href=');
		expect(extractLinks(mail)).toEqual(['http://127.0.0.1/review?a=1&b=2']);
		expect(mail.raw).toContain('Subject: Review needed');
	});

	it('connects to the embedded Postgres', async () => {
		const client = new Client({ connectionString: info.postgres.connectionString });
		await client.connect();
		try {
			const result = await client.query<{ db: string; v: string }>('select current_database() as db, version() as v');
			expect(result.rows[0].db).toBe(info.postgres.database);
			expect(result.rows[0].v).toMatch(/^PostgreSQL 1\d/);
		} finally {
			await client.end();
		}
	});

	it('drives headless Chromium against the n8n server', async () => {
		const browser = await launchBrowser();
		try {
			const page = await browser.context.newPage();
			const response = await page.goto(`${info.n8n.baseUrl}/healthz`);
			expect(response?.status()).toBe(200);
			expect(await page.textContent('body')).toContain('ok');
		} finally {
			await browser.close();
		}
	});
});
