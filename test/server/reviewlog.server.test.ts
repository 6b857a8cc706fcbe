/**
 * Review Log inside a real n8n 2.41 server, installed the way users install it
 * (`n8n-nodes-hitl.reviewLog`). Workflow: Webhook → Split Out → Append → Verify → Export (the last
 * two "execute once"), with the hitlStoreApi credential created through n8n's REST API — once with
 * the file backend, once with the suite's real Postgres. Checked from n8n's execution history, the
 * exported file (downloaded from n8n's binary-data endpoint), the log itself and the core verifier.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { canonicalize } from '../../core/canonicalJson';
import { closeAllReviewStores, openReviewStore, type ReviewStoreConfig } from '../../core/store';
import { verifyFile } from '../../core/verify';
import { readConnectionInfo } from '../harness/connectionInfo';
import { N8nClient, nodeOutput, nodeRan, uniqueSuffix, type ExecutionDetail, type OutputItem, type WorkflowJson } from '../harness/n8nClient';
import { fetchFresh } from '../harness/http';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const CHECKPOINT = { keyId: 'srv-ck1', secret: `server-suite-checkpoint-secret-${RUN}-0123456789` };
const H = 'c'.repeat(64);

const ITEMS = [
	{
		id: 'cand-1',
		model: 'm-2026-10',
		hitl: { decision: 'approve', reviewer: 'alice@hitl.test', decidedAt: '2026-11-25T09:05:00.000Z', requestedAt: '2026-11-25T09:00:00.000Z', queueTimeMs: 300000, comment: 'ok', edits: [{ path: 'subject', before: 'Ofer', after: 'Offer' }], draftSha256: H, finalSha256: H, linkKeyId: 'k1', requestId: 'r1' },
		blastRadius: { tier: 'high', reasons: [{ label: 'Goes to a candidate', tier: 'high', source: 'preset' }], sampled: false, sampling: null },
	},
	{
		id: 'cand-2',
		model: 'm-2026-10',
		hitl: { decision: 'reject', reviewer: 'bob@hitl.test', decidedAt: '2026-11-25T09:30:00.000Z', requestedAt: '2026-11-25T09:00:00.000Z', queueTimeMs: 1800000, comment: 'wrong date', edits: [], draftSha256: H, linkKeyId: 'k1', requestId: 'r2' },
		blastRadius: { tier: 'medium', reasons: [{ label: 'Stage change', tier: 'medium', source: 'rule' }], sampled: false, sampling: null },
	},
	{
		id: 'cand-3',
		model: 'm-2026-10',
		blastRadius: { tier: 'low', reasons: [{ label: 'Routine update', tier: 'low', source: 'rule' }], sampled: true, sampling: { rate: 50, seed: 's', key: 'cand-3', value: 0.1 } },
	},
];

function loadWorkflow(webhookPath: string, credential: { id: string; name: string }): WorkflowJson {
	const text = readFileSync(path.join(__dirname, 'fixtures', 'reviewlog', 'reviewlog.workflow.json'), 'utf8')
		.replace('__WEBHOOK_PATH__', webhookPath)
		.replaceAll('__CREDENTIAL_ID__', credential.id)
		.replaceAll('__CREDENTIAL_NAME__', credential.name);
	const workflow = JSON.parse(text) as WorkflowJson;
	workflow.name = `${workflow.name} ${webhookPath}`;
	return workflow;
}

/** The exported file's bytes: from n8n's binary-data endpoint (filesystem mode) or inline base64. */
async function binaryText(binary: Record<string, unknown>): Promise<string> {
	if (typeof binary.id === 'string' && binary.id !== '') {
		const url = `${info.n8n.baseUrl}/rest/binary-data?${new URLSearchParams({ id: binary.id, action: 'download' }).toString()}`;
		const res = await fetchFresh(url, { headers: { cookie: info.n8n.cookie, 'browser-id': info.n8n.browserId } });
		if (!res.ok) throw new Error(`GET binary-data → ${res.status} ${await res.text()}`);
		return await res.text();
	}
	return Buffer.from(String(binary.data), 'base64').toString('utf8');
}

interface Backend {
	name: 'file' | 'postgres';
	credentialData: () => Record<string, unknown>;
	storeConfig: () => ReviewStoreConfig;
	/** The exact stored JSON Lines text of the chain, read without n8n. */
	storedText: () => Promise<string>;
}

const dir = mkdtempSync(path.join(tmpdir(), 'hitl-rl-srv-'));
const chain = `srv-${RUN}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 60);
const pg = info.postgres;
const backends: Backend[] = [
	{
		name: 'file',
		credentialData: () => ({ backend: 'file', directory: dir, chain, checkpointKid: CHECKPOINT.keyId, checkpointSecret: CHECKPOINT.secret }),
		storeConfig: () => ({ backend: 'file', directory: dir, chain, checkpointKeys: [CHECKPOINT] }),
		storedText: async () => readFileSync(path.join(dir, `${chain}.jsonl`), 'utf8'),
	},
	{
		name: 'postgres',
		credentialData: () => ({
			backend: 'postgres', host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, ssl: 'disable',
			chain, checkpointKid: CHECKPOINT.keyId, checkpointSecret: CHECKPOINT.secret,
		}),
		storeConfig: () => ({
			backend: 'postgres', chain, checkpointKeys: [CHECKPOINT],
			connection: { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, ssl: 'disable' },
		}),
		storedText: async () => {
			const store = await openReviewStore(backends[1].storeConfig());
			let text = '';
			try {
				for await (const record of store.readAll()) text += canonicalize(record) + '\n';
			} finally {
				await store.close();
			}
			return text;
		},
	},
];

// The first request of a fresh test worker to this n8n sometimes dies with "other side closed"
// (seen twice, always the very first call); a retried GET absorbs it before the first POST.
beforeAll(async () => {
	for (let attempt = 0; ; attempt++) {
		try {
			const res = await fetchFresh(`${info.n8n.baseUrl}/healthz`);
			if (res.ok) return;
		} catch (error) {
			if (attempt >= 4) throw error;
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
});

afterAll(async () => {
	await closeAllReviewStores();
	rmSync(dir, { recursive: true, force: true });
});

describe.each(backends)('Review Log on a real n8n server ($name backend)', (backend) => {
	let execution: ExecutionDetail;
	let appended: OutputItem[];

	beforeAll(async () => {
		const credential = await n8n.createCredential({ name: `Review store ${backend.name} ${RUN}`, type: 'hitlStoreApi', data: backend.credentialData() });
		const workflow = await n8n.deployWorkflow(loadWorkflow(`reviewlog-${backend.name}-${RUN}`, credential));
		const webhookPath = String(workflow.nodes.find((node) => node.name === 'Webhook')?.parameters.path);
		const response = await n8n.callWebhook(webhookPath, { body: { items: ITEMS } });
		expect(response.status).toBe(200);
		[execution] = await n8n.waitForExecutions(workflow.id, { count: 1 });
		await n8n.deactivateWorkflow(workflow.id);
		appended = nodeOutput(execution, 'Append');
	});

	it('runs Append, Verify and Export under the package name and succeeds', () => {
		expect(info.n8n.nodeTypes).toContain('n8n-nodes-hitl.reviewLog');
		expect(execution.data.resultData.error).toBeUndefined();
		expect(execution.status).toBe('success');
		for (const node of ['Append', 'Verify', 'Export']) expect(nodeRan(execution, node)).toBe(true);
	});

	it('Append writes one chained record per item and passes each item on with seq and hash', async () => {
		expect(appended.map((item) => item.json.id)).toEqual(['cand-1', 'cand-2', 'cand-3']);
		expect(appended.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const records = (await backend.storedText()).trim().split('\n').map((line) => JSON.parse(line));
		expect(records.map((r) => [r.seq, r.event, r.decision, r.reviewerId, r.itemKey, r.tier])).toEqual([
			[1, 'decided', 'approved_with_edits', 'alice@hitl.test', 'cand-1', 'high'],
			[2, 'decided', 'rejected', 'bob@hitl.test', 'cand-2', 'medium'],
			[3, 'sampled', null, null, 'cand-3', 'low'],
		]);
		appended.forEach((item, i) => expect(item.json.reviewLog).toEqual({ seq: i + 1, hash: records[i].hash, chain }));
		// The n8n context is recorded: workflow, execution and node.
		expect(records[0]).toMatchObject({ executionId: execution.id, nodeName: 'Append', modelVersion: 'm-2026-10', workflowName: expect.stringContaining('Review Log — server suite') });
		expect(records[0].workflowId).toEqual(expect.any(String));
	});

	it('Verify (execute once) reports the intact chain', () => {
		const [report] = nodeOutput(execution, 'Verify');
		expect(nodeOutput(execution, 'Verify')).toHaveLength(1);
		expect(report.json).toMatchObject({ ok: true, chain, recordsChecked: 3, headSeq: 3, firstBad: null });
	});

	it('Export gives the exact stored lines and a signed checkpoint an auditor can check with the CLI verifier', async () => {
		const [exported] = nodeOutput(execution, 'Export');
		expect(exported.json).toMatchObject({ chain, format: 'jsonl', records: 3, headSeq: 3, checkpoint: { chain, seq: 3, keyId: CHECKPOINT.keyId } });
		const binary = exported.binary as Record<string, Record<string, unknown>>;
		expect(binary.data).toMatchObject({ mimeType: 'application/x-ndjson', fileName: expect.stringMatching(/\.jsonl$/) });
		const text = await binaryText(binary.data);
		expect(text).toBe(await backend.storedText());
		const checkpoint = JSON.parse(await binaryText(binary.checkpoint));
		expect(checkpoint).toEqual(exported.json.checkpoint);

		const folder = path.join(dir, `auditor-${backend.name}`);
		mkdirSync(folder, { recursive: true });
		writeFileSync(path.join(folder, 'log.jsonl'), text);
		const verdict = await verifyFile(path.join(folder, 'log.jsonl'), { checkpoint, checkpointKeys: [CHECKPOINT] });
		expect(verdict).toMatchObject({ ok: true, recordsChecked: 3, checkpoint: { seq: 3, verified: true } });
		// …and cutting the exported file's tail is caught with that checkpoint.
		writeFileSync(path.join(folder, 'cut.jsonl'), text.split('\n').slice(0, 2).join('\n') + '\n');
		const cut = await verifyFile(path.join(folder, 'cut.jsonl'), { checkpoint, checkpointKeys: [CHECKPOINT] });
		expect(cut).toMatchObject({ ok: false, firstBad: { reason: 'truncated' } });
	});
});
