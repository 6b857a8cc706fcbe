/**
 * Review Log in real n8n execution (WorkflowExecute, built nodes): every operation against a real
 * file store in a temp folder, checked against the file on disk and the core verifier.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createHmac } from 'node:crypto';
import type { IBinaryData, IDataObject, INodeParameters } from 'n8n-workflow';
import { computeMetrics } from '../../../core/metrics';
import { verifyFile } from '../../../core/verify';
import { DIST, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';

// The built nodes use dist's module instances, so the store cache to reset is dist's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const distStore = require(path.join(DIST, 'core/store/index.js')) as typeof import('../../../core/store');

const NODE = 'Review Log';
const SECRET = 'checkpoint-secret-for-tests-0123456789abcdef';
const H = 'b'.repeat(64);

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'hitl-rl-wf-'));
});
afterEach(async () => {
	await distStore.closeAllReviewStores();
	rmSync(dir, { recursive: true, force: true });
});

const logFile = () => path.join(dir, 'default.jsonl');
const lines = () => (existsSync(logFile()) ? readFileSync(logFile(), 'utf8').split('\n').filter((l) => l !== '') : []);
const cred = (extra: IDataObject = {}) => ({
	hitlStoreApi: { backend: 'file', directory: dir, chain: 'default', checkpointKid: 'ck1', checkpointSecret: SECRET, ...extra },
});

function fixture(name: string, params: IDataObject = {}): WorkflowJson {
	const wf = loadFixture(`reviewlog/${name}.json`);
	const node = wf.nodes.find((n) => n.name === NODE)!;
	node.parameters = { ...node.parameters, ...params } as INodeParameters;
	return wf;
}

function errorOf(result: WorkflowRunResult) {
	expect(result.status).toBe('error');
	const error = result.error as unknown as { message: string; description?: string; context?: { itemIndex?: number } };
	return error;
}

const gateItems = [
	{
		id: 'cand-1',
		subject: 'Offer',
		hitl: { decision: 'approve', reviewer: 'alice@example.com', decidedAt: '2026-11-02T09:10:02.000Z', requestedAt: '2026-11-02T09:00:00.000Z', queueTimeMs: 602000, comment: 'fine', edits: [{ path: 'subject', before: 'Ofer', after: 'Offer' }], draftSha256: H, finalSha256: H, linkKeyId: 'k1', nonce: 'bm9uY2Vub25jZW5vbmNl', requestId: 'req-1' },
		blastRadius: { tier: 'high', reasons: [{ label: 'candidate-facing send' }], sampled: false },
	},
	{
		id: 'cand-2',
		model: 'v2',
		hitl: { decision: 'reject', reviewer: 'bob@example.com', decidedAt: '2026-11-03T10:00:00.000Z', requestedAt: '2026-11-03T09:00:00.000Z', queueTimeMs: 3600000, comment: 'wrong salary', edits: [], draftSha256: H, linkKeyId: 'k1', requestId: 'req-2' },
		blastRadius: { tier: 'medium', reasons: ['money ≥ 1000'], sampled: false },
	},
	{ id: 'cand-3', blastRadius: { tier: 'low', reasons: [], sampled: true, sampleRate: 10, seed: 's' } },
];

async function appendGateItems() {
	const result = await runWorkflow({ workflow: fixture('append'), items: gateItems, credentials: cred() });
	expect(result.status).toBe('success');
	return result;
}

describe('Append', () => {
	it('writes one chained record per item from the gate and router annotations and passes the items on', async () => {
		const result = await appendGateItems();
		const out = result.json(NODE);
		expect(out).toHaveLength(3);
		expect(result.outputs(NODE)[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const stored = lines().map((l) => JSON.parse(l));
		expect(stored.map((r) => r.seq)).toEqual([1, 2, 3]);
		out.forEach((item, i) => {
			expect(item.id).toBe(gateItems[i].id);
			expect(item.reviewLog).toEqual({ seq: i + 1, hash: stored[i].hash, chain: 'default' });
		});
		expect(stored[0]).toMatchObject({
			event: 'decided', decision: 'approved_with_edits', reviewerId: 'alice@example.com', tier: 'high', tierReasons: ['candidate-facing send'],
			itemKey: 'cand-1', modelName: 'draft-model', modelVersion: 'v1', linkNonce: 'bm9uY2Vub25jZW5vbmNl', details: { requestId: 'req-1' },
			workflowId: 'test-workflow', workflowName: 'Review Log: append', nodeName: NODE, executionId: expect.any(String),
		});
		expect(stored[1]).toMatchObject({ decision: 'rejected', reviewerId: 'bob@example.com', modelVersion: 'v2', comment: 'wrong salary' });
		expect(stored[2]).toMatchObject({ event: 'sampled', decision: null, tier: 'low', itemKey: 'cand-3', details: { sampling: { sampled: true, rate: 10, seed: 's' } } });
		expect((await verifyFile(logFile(), { chain: 'default' })).ok).toBe(true);
	});

	it('validates the whole batch first: one bad item → error with its index, nothing written', async () => {
		const items = [gateItems[0], { id: 'x', hitl: { decision: 'approve', reviewer: 'a', decidedAt: 'not a date' } }, gateItems[1]];
		const result = await runWorkflow({ workflow: fixture('append'), items, credentials: cred() });
		const error = errorOf(result);
		expect(error.message).toMatch(/Item 1: hitl\.decidedAt "not a date" is not a valid date\. Nothing was written/);
		expect(error.context?.itemIndex).toBe(1);
		expect(error.description).toMatch(/ISO-8601/);
		expect(lines()).toHaveLength(0);
	});

	it("checks the store's own limits before writing: an oversized or invalid-Unicode item stops the batch", async () => {
		const huge = { id: 'big', hitl: { ...gateItems[1].hitl, comment: 'x'.repeat(70 * 1024) }, blastRadius: gateItems[1].blastRadius };
		const big = await runWorkflow({ workflow: fixture('append'), items: [gateItems[0], huge], credentials: cred() });
		const error = errorOf(big);
		expect(error.message).toMatch(/Item 1: Record is \d+ bytes as canonical JSON; the limit is 65536 bytes/);
		expect(error.context?.itemIndex).toBe(1);
		const lone = { id: 'lone', hitl: { ...gateItems[1].hitl, comment: 'broken \ud800 surrogate' }, blastRadius: gateItems[1].blastRadius };
		const surrogate = await runWorkflow({ workflow: fixture('append'), items: [gateItems[0], lone], credentials: cred() });
		expect(errorOf(surrogate).context?.itemIndex).toBe(1);
		expect(lines()).toHaveLength(0);
	});

	it('with Continue On Fail, a bad item goes out with its error and the others are written', async () => {
		const wf = fixture('append');
		wf.nodes.find((n) => n.name === NODE)!.onError = 'continueRegularOutput';
		const result = await runWorkflow({ workflow: wf, items: [gateItems[0], { id: 'no-annotation' }], credentials: cred() });
		expect(result.status).toBe('success');
		const out = result.json(NODE);
		expect(out[0].reviewLog).toMatchObject({ seq: 1 });
		expect(out[1].error).toMatch(/neither a "hitl" annotation/);
		expect(lines()).toHaveLength(1);
	});

	it('hashes client IP and user agent with the credential secret when asked', async () => {
		const wf = fixture('append', {
			event: 'note',
			fields: { clientIp: '={{ $json.ip }}', userAgent: 'Mozilla/5.0', note: 'checked' },
			appendOptions: { hashClientInfo: true },
		});
		const result = await runWorkflow({ workflow: wf, items: [{ ip: '203.0.113.9' }], credentials: cred({ privacySecret: 'pepper' }) });
		expect(result.status).toBe('success');
		const [r] = lines().map((l) => JSON.parse(l));
		expect(r.clientIp).toBe('hmac-sha256:' + createHmac('sha256', 'pepper').update('203.0.113.9').digest('hex'));
		expect(r.userAgent).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
		expect(JSON.stringify(r)).not.toContain('203.0.113.9');
		expect(r.details).toEqual({ note: 'checked' });
	});

	it('without a credential writes to the embedded file under the n8n user folder', async () => {
		const userFolder = mkdtempSync(path.join(tmpdir(), 'hitl-rl-user-'));
		const before = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = userFolder;
		try {
			const wf = fixture('append', { event: 'note', fields: { note: 'default store' } });
			delete wf.nodes.find((n) => n.name === NODE)!.credentials;
			const result = await runWorkflow({ workflow: wf, items: [{}] });
			expect(result.status).toBe('success');
			const file = path.join(userFolder, '.n8n', 'hitl', 'default.jsonl');
			expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ seq: 1, event: 'note', details: { note: 'default store' } });
		} finally {
			process.env.N8N_USER_FOLDER = before;
			await distStore.closeAllReviewStores();
			rmSync(userFolder, { recursive: true, force: true });
		}
	});

	it('an unusable store is a node error that says what to check', async () => {
		const notADir = path.join(dir, 'file');
		writeFileSync(notADir, 'x');
		const result = await runWorkflow({ workflow: fixture('append'), items: gateItems, credentials: cred({ directory: notADir }) });
		const error = errorOf(result);
		expect(error.message).toMatch(/Could not open the review store \(the log file in .*file\)/);
		expect(error.description).toMatch(/EEXIST.*read and write that folder/s);
	});

	it('a bad credential (short checkpoint secret) is a node error', async () => {
		const result = await runWorkflow({ workflow: fixture('append'), items: gateItems, credentials: cred({ checkpointSecret: 'short' }) });
		expect(errorOf(result).message).toMatch(/shorter than 32 characters/);
	});
});

describe('Query', () => {
	beforeEach(async () => {
		await appendGateItems();
		await runWorkflow({ workflow: fixture('append', { event: 'note', fields: { reviewerId: 'alice@example.com', note: 'follow-up' } }), items: [{}, {}], credentials: cred() });
	});

	it('filters by an item expression, newest first, one page with a next cursor, then the next page', async () => {
		const first = await runWorkflow({ workflow: fixture('query'), items: [{ reviewer: 'alice@example.com' }], credentials: cred() });
		expect(first.status).toBe('success');
		const [page] = first.json(NODE);
		expect((page.records as IDataObject[]).map((r) => r.seq)).toEqual([5, 4]);
		expect(page.nextCursor).toEqual(expect.any(String));
		const second = await runWorkflow({ workflow: fixture('query', { cursor: page.nextCursor }), items: [{ reviewer: 'alice@example.com' }], credentials: cred() });
		const [page2] = second.json(NODE);
		expect((page2.records as IDataObject[]).map((r) => r.seq)).toEqual([1]);
		expect(page2.nextCursor).toBeNull();
	});

	it('returns all matching records as items, per input item, with pairedItem', async () => {
		const wf = fixture('query', { filters: { decision: 'rejected' }, returnAll: true, queryOutput: 'records' });
		const result = await runWorkflow({ workflow: wf, items: [{}], credentials: cred() });
		expect(result.json(NODE).map((r) => [r.seq, r.reviewerId])).toEqual([[2, 'bob@example.com']]);
		const all = await runWorkflow({ workflow: fixture('query', { filters: {}, returnAll: true, queryOutput: 'records' }), items: [{}, {}], credentials: cred() });
		expect(all.outputs(NODE)[0].map((i) => [i.json.seq, (i.pairedItem as { item: number }).item])).toEqual([
			[5, 0], [4, 0], [3, 0], [2, 0], [1, 0], [5, 1], [4, 1], [3, 1], [2, 1], [1, 1],
		]);
	});

	it('a cursor from elsewhere is a node error that says to start without it', async () => {
		const result = await runWorkflow({ workflow: fixture('query', { cursor: 'page-2' }), items: [{ reviewer: 'alice@example.com' }], credentials: cred() });
		const error = errorOf(result);
		expect(error.message).toMatch(/Invalid page cursor/);
		expect(error.description).toMatch(/start again without it/);
	});

	it('a bad date filter is a node error with the item index', async () => {
		const wf = fixture('query', { filters: { from: '={{ $json.since }}' } });
		const result = await runWorkflow({ workflow: wf, items: [{ since: '2026-01-01T00:00:00Z' }, { since: 'last tuesday' }], credentials: cred() });
		const error = errorOf(result);
		expect(error.message).toMatch(/From "last tuesday" is not a valid date/);
		expect(error.context?.itemIndex).toBe(1);
	});
});

describe('Verify', () => {
	it('reports an intact log', async () => {
		await appendGateItems();
		const result = await runWorkflow({ workflow: fixture('verify'), items: [{}], credentials: cred() });
		expect(result.status).toBe('success');
		expect(result.json(NODE)[0]).toMatchObject({ ok: true, chain: 'default', recordsChecked: 3, headSeq: 3, firstBad: null });
	});

	it('fails the node on a one-byte edit, naming the first bad seq; outputs the report when asked', async () => {
		await appendGateItems();
		await distStore.closeAllReviewStores();
		const text = readFileSync(logFile(), 'utf8');
		writeFileSync(logFile(), text.replace('bob@example.com', 'bob@example.org'));
		const failed = await runWorkflow({ workflow: fixture('verify'), items: [{}], credentials: cred() });
		const error = errorOf(failed);
		expect(error.message).toMatch(/verification failed at seq 2: hash_mismatch/);
		expect(error.description).toMatch(/npx n8n-nodes-hitl verify/);
		const report = await runWorkflow({ workflow: fixture('verify', { failOnBroken: false }), items: [{}], credentials: cred() });
		expect(report.status).toBe('success');
		expect(report.json(NODE)[0]).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'hash_mismatch' } });
	});

	it('detects a cut-off tail only with a checkpoint (JSON text or binary file)', async () => {
		await appendGateItems();
		const exported = await runWorkflow({ workflow: fixture('export'), items: [{}], credentials: cred() });
		const checkpoint = exported.json(NODE)[0].checkpoint as IDataObject;
		expect(checkpoint).toMatchObject({ seq: 3, keyId: 'ck1' });
		await distStore.closeAllReviewStores();
		const text = readFileSync(logFile(), 'utf8');
		truncateSync(logFile(), Buffer.byteLength(text.split('\n').slice(0, 2).join('\n') + '\n'));

		const without = await runWorkflow({ workflow: fixture('verify'), items: [{}], credentials: cred() });
		expect(without.json(NODE)[0]).toMatchObject({ ok: true, headSeq: 2 }); // the documented limit
		const withJson = await runWorkflow({
			workflow: fixture('verify', { checkpointSource: 'json', checkpointJson: JSON.stringify(checkpoint), failOnBroken: false }),
			items: [{}],
			credentials: cred(),
		});
		expect(withJson.json(NODE)[0]).toMatchObject({ ok: false, firstBad: { reason: 'truncated' } });
		const cpBinary = exported.outputs(NODE)[0][0].binary!.checkpoint;
		const withBinary = await runWorkflow({
			workflow: fixture('verify', { checkpointSource: 'binary', checkpointBinaryProperty: 'cp' }),
			items: [{ json: {}, binary: { cp: cpBinary } }],
			credentials: cred(),
		});
		expect(errorOf(withBinary).message).toMatch(/verification failed .*truncated/);
	});

	it('a malformed checkpoint is a node error that says what a checkpoint looks like', async () => {
		await appendGateItems();
		const result = await runWorkflow({ workflow: fixture('verify', { checkpointSource: 'json', checkpointJson: '{"seq": 3}' }), items: [{}], credentials: cred() });
		const error = errorOf(result);
		expect(error.message).toMatch(/checkpoint is not usable/);
		expect(error.description).toMatch(/v, chain, seq, headHash, time, keyId and mac/);
	});
});

function binaryText(b: IBinaryData): string {
	return Buffer.from(b.data, 'base64').toString('utf8');
}

describe('Export', () => {
	it('JSON Lines: byte-for-byte the stored file, with a signed checkpoint file that verifies it', async () => {
		await appendGateItems();
		const result = await runWorkflow({ workflow: fixture('export'), items: [{}], credentials: cred() });
		expect(result.status).toBe('success');
		const [item] = result.outputs(NODE)[0];
		expect(item.json).toMatchObject({ chain: 'default', format: 'jsonl', records: 3, headSeq: 3, checkpointMissingReason: null });
		const data = item.binary!.data;
		expect(data.mimeType).toBe('application/x-ndjson');
		expect(data.fileName).toMatch(/^review-log-default-\d{4}-\d{2}-\d{2}\.jsonl$/);
		expect(binaryText(data)).toBe(readFileSync(logFile(), 'utf8'));
		const exportedFile = path.join(dir, 'exported.jsonl');
		writeFileSync(exportedFile, binaryText(data));
		const checkpoint = JSON.parse(binaryText(item.binary!.checkpoint));
		expect(checkpoint).toEqual(item.json.checkpoint);
		const verdict = await verifyFile(exportedFile, { checkpoint, checkpointKeys: [{ keyId: 'ck1', secret: SECRET }] });
		expect(verdict).toMatchObject({ ok: true, recordsChecked: 3, checkpoint: { seq: 3, verified: true } });
	});

	it('CSV: header, one row per record, BOM, formula cells neutralised', async () => {
		// (A parameter starting with "=" is an n8n expression, so the formula comes from the item.)
		await runWorkflow({ workflow: fixture('append', { event: 'note', fields: { comment: '={{ $json.c }}' } }), items: [{ c: '=HYPERLINK("http://x")' }], credentials: cred() });
		const result = await runWorkflow({ workflow: fixture('export', { format: 'csv', exportOptions: { attachCheckpoint: false } }), items: [{}], credentials: cred() });
		const [item] = result.outputs(NODE)[0];
		expect(Object.keys(item.binary!)).toEqual(['data']);
		const text = binaryText(item.binary!.data);
		expect(text.charCodeAt(0)).toBe(0xfeff);
		const rows = text.slice(1).split('\r\n');
		expect(rows[0].startsWith('seq,recordedAt,event,decision,')).toBe(true);
		expect(rows[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
		expect(item.json).toMatchObject({ format: 'csv', records: 1 });
	});

	it('without a checkpoint key the export says why there is no checkpoint', async () => {
		await appendGateItems();
		const result = await runWorkflow({ workflow: fixture('export'), items: [{}], credentials: cred({ checkpointKid: '', checkpointSecret: '' }) });
		const [item] = result.outputs(NODE)[0];
		expect(item.json.checkpoint).toBeNull();
		expect(item.json.checkpointMissingReason).toMatch(/No checkpoint key configured/);
		expect(Object.keys(item.binary!)).toEqual(['data']);
	});
});

describe('Metrics', () => {
	it('outputs the total and per-period/reviewer/tier rows computed over the log', async () => {
		await appendGateItems();
		const result = await runWorkflow({ workflow: fixture('metrics'), items: [{}], credentials: cred() });
		expect(result.status).toBe('success');
		const rows = result.json(NODE);
		expect(rows.map((r) => `${r.dimension}:${r.key}`)).toEqual([
			'total:all', 'period:2026-W45', expect.stringMatching(/^period:\d{4}-W\d\d$/), 'reviewer:(none)', 'reviewer:alice@example.com', 'reviewer:bob@example.com', 'tier:high', 'tier:medium', 'tier:low',
		]);
		// Hand-checked: two decisions (one approval with edits, one rejection), one unreviewed sample.
		expect(rows[0]).toMatchObject({
			chain: 'default', periodUnit: 'week', outcomes: 2, approved: 1, approvedWithEdits: 1, rejected: 1,
			approvalRate: 0.5, editRate: 1, queueTimeMedianMs: (602000 + 3600000) / 2, queueTimeP90Ms: 3600000,
			sampled: 1, sampledUnreviewed: 1, skipRate: 1,
		});
		// And identical to the core computation over the same stored records.
		const records = lines().map((l) => JSON.parse(l));
		const expected = await computeMetrics(records, { period: 'week', fastThresholdSeconds: 5 });
		// Decisions per hour runs to "now", which moved on between the node's run and this one.
		const perHour = (r: { decisionsPerHour?: unknown }) => Number(r.decisionsPerHour);
		expect(rows.map(({ chain: _c, periodUnit: _p, decisionsPerHour: _d, ...rest }) => rest)).toEqual(expected.map(({ decisionsPerHour: _d, ...rest }) => rest));
		rows.forEach((r, n) => expect(perHour(r)).toBeCloseTo(perHour(expected[n]), 6));
	});

	it('a bad date is a node error with what to fix', async () => {
		await appendGateItems();
		const result = await runWorkflow({ workflow: fixture('metrics', { from: 'soon' }), items: [{}], credentials: cred() });
		const error = errorOf(result);
		expect(error.message).toMatch(/From "soon" is not a valid date/);
		expect(error.description).toMatch(/ISO-8601/);
	});
});

it('the log file keeps growing only by appends (size check across operations)', async () => {
	await appendGateItems();
	const size = statSync(logFile()).size;
	for (const name of ['query', 'verify', 'export', 'metrics']) {
		await runWorkflow({ workflow: fixture(name), items: [{ reviewer: 'x' }], credentials: cred() });
	}
	expect(statSync(logFile()).size).toBe(size);
});
