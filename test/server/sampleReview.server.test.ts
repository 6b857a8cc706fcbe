/**
 * Sample review that does not block (HITL Gate, Review Mode "Sample Review"), on the suite's real n8n
 * 2.41 server: Webhook → Blast Radius Router → "Low – sampled for review" → HITL Gate (sample) → Deliver,
 * with an active HITL Review Links workflow on its own path (so the suite's other gates keep theirs) and
 * the same store and signing key. The run finishes at once and every note reaches Deliver — nothing waits,
 * nothing leaves through an Approved output. The mailed link (loopback SMTP) opens the review page and
 * decides nothing; "Problem" with a comment records one decided/rejected record (sampleVerdict problem),
 * a second POST gets "Already decided"; Review Log Metrics, run by n8n, shows the skip and problem rates.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { openReviewStore } from '../../core/store';
import { readConnectionInfo } from '../harness/connectionInfo';
import { httpCall, N8nClient, nodeOutput, nodeOutputs, nodeRan, uniqueSuffix, type WorkflowJson } from '../harness/n8nClient';
import { extractLinks, waitForMail } from '../harness/smtpCapture';
import { closeStores, csrfIn, fileStoreRecords, postForm } from '../harness/storeRecords';
import { createCredentials, executionOfReviewLink, reviewLinksWorkflow, type Credentials } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const TAG = `sample-${RUN}`;
const LINKS_PATH = `hitl-sample-${RUN}`;
const HOOK = `sample-review-${RUN}`;
const METRICS_HOOK = `sample-metrics-${RUN}`;
const QA = `qa-${RUN}@hitl.test`;
const BROWSER = 'Mozilla/5.0 (SampleReviewServerTest)';
const directory = mkdtempSync(path.join(tmpdir(), 'hitl-sample-review-store-'));

afterAll(async () => {
	await closeStores();
	rmSync(directory, { recursive: true, force: true });
});

const node = (name: string, type: string, position: [number, number], parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
	id: randomUUID(),
	name,
	type,
	typeVersion: 1,
	position,
	parameters,
	...extra,
});

function sampleWorkflow(credentials: Credentials): WorkflowJson {
	const creds = {
		hitlSigningApi: { id: credentials.signing, name: `Deadline signing ${TAG}` },
		hitlSmtpApi: { id: credentials.smtp, name: `Deadline SMTP ${TAG}` },
		hitlStoreApi: { id: credentials.store, name: `Deadline store ${TAG}` },
	};
	return {
		name: `Sample review ${TAG}`,
		nodes: [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', [0, 200], { httpMethod: 'POST', path: HOOK, responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() }), typeVersion: 2.1 },
			node('Split Items', 'n8n-nodes-base.splitOut', [200, 200], { fieldToSplitOut: 'body.items', options: {} }),
			node('Blast Radius Router', 'n8n-nodes-hitl.blastRadiusRouter', [400, 200], {
				rules: { rule: [{ conditionType: 'field', field: 'audience', type: 'string', stringOperation: 'equals', value: 'internal', ifMissing: 'fail', tier: 'low', label: 'Internal note' }] },
				fallbackTier: 'high',
				samplingRate: 100,
				samplingSeed: TAG,
				options: {},
			}),
			{
				...node('HITL Gate', 'n8n-nodes-hitl.hitlGate', [650, 200], {
					reviewers: QA,
					reviewMode: 'sample',
					deadlineAmount: 1,
					deadlineUnit: 'hours',
					displayFields: { field: [{ label: 'Note', path: 'text', format: 'text', editable: false }] },
					notifyByEmail: true,
					smtpCredentialType: 'hitlSmtpApi',
					fromEmail: 'gate@hitl.test',
					subject: `=Sample check {{ $json.subject }}`,
					message: 'Already sent: please check whether it looks fine.',
					options: { minSecondsOnPageLow: 0, hashClientInfo: false, reviewLinksPath: LINKS_PATH },
				}, { credentials: creds }),
				typeVersion: 1.1,
			},
			node('Held', 'n8n-nodes-base.noOp', [650, 0], {}),
			node('Deliver', 'n8n-nodes-base.noOp', [900, 200], {}),
			// Wired to the gate's second output as a three-output gate would be: sample mode has none.
			node('Approved', 'n8n-nodes-base.noOp', [900, 400], {}),
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Items', type: 'main', index: 0 }]] },
			'Split Items': { main: [[{ node: 'Blast Radius Router', type: 'main', index: 0 }]] },
			'Blast Radius Router': { main: [[{ node: 'Held', type: 'main', index: 0 }], [{ node: 'Held', type: 'main', index: 0 }], [{ node: 'HITL Gate', type: 'main', index: 0 }], []] },
			'HITL Gate': { main: [[{ node: 'Deliver', type: 'main', index: 0 }], [{ node: 'Approved', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

/** Webhook → Review Log Metrics on the same store, answering with the rows (n8n runs the Metrics operation). */
function metricsWorkflow(credentials: Credentials): WorkflowJson {
	return {
		name: `Sample metrics ${TAG}`,
		nodes: [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', [0, 0], { httpMethod: 'POST', path: METRICS_HOOK, responseMode: 'lastNode', responseData: 'allEntries', options: {} }, { webhookId: randomUUID() }), typeVersion: 2.1 },
			node('Review Log', 'n8n-nodes-hitl.reviewLog', [250, 0], { operation: 'metrics', period: 'day', dimensions: ['tier'], fastThresholdSeconds: 0 }, {
				credentials: { hitlStoreApi: { id: credentials.store, name: `Deadline store ${TAG}` } },
			}),
		],
		connections: { Webhook: { main: [[{ node: 'Review Log', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

describe('Sample review on a real n8n server', () => {
	let credentials: Credentials;

	beforeAll(async () => {
		credentials = await createCredentials(n8n, info, { backend: 'file', directory }, TAG);
		await n8n.deployWorkflow(reviewLinksWorkflow(TAG, credentials, LINKS_PATH));
		await n8n.waitForWebhook(LINKS_PATH, 'GET');
		await n8n.deployWorkflow(sampleWorkflow(credentials));
		await n8n.waitForWebhook(HOOK, 'POST');
		await n8n.deployWorkflow(metricsWorkflow(credentials));
		await n8n.waitForWebhook(METRICS_HOOK, 'POST');
	});

	test('items pass on at once; the mailed link shows and decides nothing; "Problem" with a comment is one decided record; a second POST is already decided; metrics show skip and problem rates', async () => {
		const items = [1, 2, 3].map((n) => ({ audience: 'internal', subject: `note ${n} ${RUN}`, text: `Internal note ${n} ${RUN}` }));
		const res = await n8n.callWebhook(HOOK, { body: { items } });
		expect(res.status).toBe(200);
		const mails = await waitForMail(info.smtp.mailDir, { to: QA, timeoutMs: 30_000 });
		const links = [...new Set(extractLinks(mails[0]).filter((l) => l.includes(`/webhook/${LINKS_PATH}?t=`)))];
		expect(links).toHaveLength(3);
		const executionId = executionOfReviewLink(links[0]);

		// The run did not wait for anyone: it finished, every note reached Deliver, nothing went to Approved.
		const run = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed', 'waiting'], 30_000);
		expect(run.status).toBe('success');
		expect(run.waitTill).toBeNull();
		expect(nodeOutputs(run, 'HITL Gate')).toHaveLength(1);
		const delivered = nodeOutput(run, 'Deliver');
		expect(delivered.map((i) => i.json.text)).toEqual(items.map((i) => i.text));
		for (const item of delivered) expect(item.json.hitl).toMatchObject({ mode: 'sample', status: 'pending_sample_review' });
		expect(nodeRan(run, 'Approved')).toBe(false);
		expect(nodeRan(run, 'Held')).toBe(false);
		let recs = await fileStoreRecords(directory, executionId);
		expect(recs.map((r) => r.event)).toEqual(['requested', 'requested', 'requested', 'sampled', 'sampled', 'sampled']);

		// GET (twice, as a mail scanner and the reviewer would): the page, one viewed record, no decision.
		const page = await httpCall(links[0], { method: 'GET', headers: { 'user-agent': BROWSER } });
		expect(page.status).toBe(200);
		expect(page.text).toContain('>Looks fine</button>');
		expect(page.text).toContain('>Problem</button>');
		expect(page.text).toContain(`Internal note 1 ${RUN}`);
		await httpCall(links[0], { method: 'GET', headers: { 'user-agent': BROWSER } });
		recs = await fileStoreRecords(directory, executionId);
		expect(recs.filter((r) => r.event === 'viewed').map((r) => r.userAgent)).toEqual([BROWSER]);
		expect(recs.some((r) => r.event === 'decided')).toBe(false);

		const problem = await postForm(links[0], { csrf: csrfIn(page.text), decision: 'reject', comment: 'Names the wrong office' }, { 'user-agent': BROWSER });
		expect(problem.status).toBe(200);
		expect(problem.text).toContain('Verdict recorded');
		const again = await postForm(links[0], { csrf: csrfIn(page.text), decision: 'approve', comment: '' }, { 'user-agent': BROWSER });
		expect(again.text).toContain('Already decided');
		expect(again.text).toContain(`rejected by ${QA}`);

		recs = await fileStoreRecords(directory, executionId);
		const decided = recs.filter((r) => r.event === 'decided');
		expect(decided).toHaveLength(1);
		expect(decided[0]).toMatchObject({ decision: 'rejected', reviewerId: QA, comment: 'Names the wrong office', userAgent: BROWSER });
		expect(decided[0].details).toMatchObject({ sampleVerdict: 'problem', hitlRequest: { keyId: `deadlines-${TAG}` } });
		expect(decided[0].itemKey).toBe((delivered[0].json.hitl as { requestId: string }).requestId);
		const store = await openReviewStore({ backend: 'file', directory });
		expect((await store.verify()).ok).toBe(true);

		// Review Log Metrics, run by n8n over this store: 3 sampled, 2 never reviewed, the 1 reviewed a problem.
		const metrics = await n8n.callWebhook(METRICS_HOOK, { body: {} });
		expect(metrics.status).toBe(200);
		const rows = JSON.parse(metrics.text) as Array<Record<string, unknown>>;
		const total = rows.find((r) => r.dimension === 'total');
		expect(total).toMatchObject({ sampled: 3, sampledUnreviewed: 2, sampledProblems: 1, problemRate: 1, rejected: 1, requests: 3 });
		expect(total?.skipRate).toBeCloseTo(2 / 3, 10);
		expect(rows.find((r) => r.dimension === 'tier' && r.key === 'low')).toMatchObject({ sampled: 3, sampledUnreviewed: 2, problemRate: 1 });
	});
});
