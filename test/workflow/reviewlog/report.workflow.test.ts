/**
 * Review Log Report in real n8n execution (WorkflowExecute, built nodes) over a real file store: one
 * output item per input item with the report as JSON — figures identical to the core metrics of the
 * stored records, the verification of the stored chain — and report.html as binary property "report";
 * a damaged log is reported as broken, not refused; bad options follow the per-item error policy; the
 * log is never written.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IBinaryData, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { computeMetrics } from '../../../core/metrics';
import { DIST, loadFixture, runWorkflow, type WorkflowJson } from '../harness';

// The built nodes use dist's module instances, so the store cache to reset is dist's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const distStore = require(path.join(DIST, 'core/store/index.js')) as typeof import('../../../core/store');

const NODE = 'Review Log';
const SECRET = 'checkpoint-secret-for-tests-0123456789abcdef';
const H = 'b'.repeat(64);
const EVIL = '<script>x</script>@a.test';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'hitl-rl-report-'));
});
afterEach(async () => {
	await distStore.closeAllReviewStores();
	rmSync(dir, { recursive: true, force: true });
});

const logFile = () => path.join(dir, 'default.jsonl');
const records = () => readFileSync(logFile(), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as IDataObject);
const cred = () => ({ hitlStoreApi: { backend: 'file', directory: dir, chain: 'default', checkpointKid: 'ck1', checkpointSecret: SECRET } });

/** The metrics fixture turned into a Report node (its per-operation parameters replaced). */
function reportWorkflow(params: IDataObject = {}, onFail?: Pick<INode, 'continueOnFail'>): WorkflowJson {
	const wf = loadFixture('reviewlog/metrics.json');
	const node = wf.nodes.find((n) => n.name === NODE)!;
	node.parameters = { operation: 'report', period: 'week', fastThresholdSeconds: 5, ...params } as INodeParameters;
	Object.assign(node, onFail);
	return wf;
}

function appendWorkflow(): WorkflowJson {
	return loadFixture('reviewlog/append.json');
}

const gateItems = [
	{
		id: 'cand-1',
		hitl: { decision: 'approve', reviewer: EVIL, decidedAt: '2026-11-02T09:10:02.000Z', requestedAt: '2026-11-02T09:00:00.000Z', queueTimeMs: 602000, edits: [{ path: 'subject', before: 'Ofer', after: 'Offer' }], draftSha256: H, finalSha256: H, linkKeyId: 'k1', nonce: 'bm9uY2Vub25jZW5vbmNl', requestId: 'req-1' },
		blastRadius: { tier: 'high', reasons: [{ label: 'candidate-facing send' }], sampled: false },
	},
	{
		id: 'cand-2',
		hitl: { decision: 'reject', reviewer: 'bob@example.com', decidedAt: '2026-11-03T10:00:00.000Z', requestedAt: '2026-11-03T09:00:00.000Z', queueTimeMs: 3600000, comment: 'wrong salary', edits: [], draftSha256: H, linkKeyId: 'k1', requestId: 'req-2' },
		blastRadius: { tier: 'medium', reasons: ['money ≥ 1000'], sampled: false },
	},
	{ id: 'cand-3', blastRadius: { tier: 'low', reasons: [], sampled: true, sampleRate: 10, seed: 's' } },
];

async function seed(): Promise<void> {
	const result = await runWorkflow({ workflow: appendWorkflow(), items: gateItems, credentials: cred() });
	expect(result.status).toBe('success');
}

const text = (b: IBinaryData): string => Buffer.from(b.data, 'base64').toString('utf8');

describe('Report', () => {
	it('outputs the report as JSON (the core metrics of the stored records, the verification) and report.html', async () => {
		await seed();
		const size = statSync(logFile()).size;
		const result = await runWorkflow({ workflow: reportWorkflow(), items: [{}], credentials: cred() });
		expect(result.status).toBe('success');
		const [item, ...rest] = result.outputs(NODE)[0];
		expect(rest).toEqual([]);
		expect(item.pairedItem).toEqual({ item: 0 });
		const json = item.json as IDataObject & { totals: IDataObject; byPeriod: IDataObject[]; byReviewer: IDataObject[]; byTier: IDataObject[] };
		const stored = records();
		const expected = await computeMetrics(stored as never, { period: 'week', fastThresholdSeconds: 5, asOf: json.generatedAt as string });
		expect([json.totals, ...json.byPeriod, ...json.byReviewer, ...json.byTier]).toEqual(expected);
		expect(json.totals).toMatchObject({ outcomes: 2, approved: 1, approvedWithEdits: 1, rejected: 1, sampled: 1, sampledUnreviewed: 1, skipRate: 1 });
		expect(json.verification).toMatchObject({ ok: true, recordsChecked: 3, headSeq: 3, headHash: stored[2].hash, firstBad: null, checkpoint: null });
		expect(json).toMatchObject({ chain: 'default', title: 'Review report — default', period: { unit: 'week', from: null, to: null } });

		const file = item.binary!.report;
		expect(file).toMatchObject({ fileName: 'report.html', mimeType: 'text/html' });
		const html = text(file);
		expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
		expect(html).toContain('Chain verification: ok');
		expect(html).toContain('&lt;script&gt;x&lt;/script&gt;@a.test');
		expect(html).not.toMatch(/<script/i);
		expect(html).toContain(`<code>${stored[2].hash as string}</code>`);
		// Reading never writes (the store is opened read-only, like Verify).
		expect(statSync(logFile()).size).toBe(size);
	});

	it('JSON only: no binary; one output per input item, paired', async () => {
		await seed();
		const result = await runWorkflow({ workflow: reportWorkflow({ reportOutput: 'json', reportTitle: 'Weekly' }), items: [{}, {}], credentials: cred() });
		expect(result.status).toBe('success');
		const out = result.outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out.map((i) => i.binary)).toEqual([undefined, undefined]);
		expect(out[0].json.title).toBe('Weekly');
	});

	it('reports a damaged log as broken at the first bad record, with the figures', async () => {
		await seed();
		await distStore.closeAllReviewStores();
		// Shorter by one byte: a store that verifies on open re-reads the whole file (and would refuse it).
		writeFileSync(logFile(), readFileSync(logFile(), 'utf8').replace('bob@example.com', 'bob@example.co'));
		const result = await runWorkflow({ workflow: reportWorkflow(), items: [{}], credentials: cred() });
		expect(result.status).toBe('success');
		const [item] = result.outputs(NODE)[0];
		expect(item.json.verification).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'hash_mismatch' } });
		const html = text(item.binary!.report);
		expect(html).toContain('Chain verification: broken');
		expect(html).toContain('Chain BROKEN at record 2');
	});

	it('a bad date is the item\'s error: with Continue On Fail an error item paired with it, else a node error with what to fix', async () => {
		await seed();
		const failed = await runWorkflow({ workflow: reportWorkflow({ from: '={{ $json.from }}' }), items: [{ from: '' }, { from: 'soon' }], credentials: cred() });
		expect(failed.status).toBe('error');
		const error = failed.error as unknown as { message: string; description?: string; context?: { itemIndex?: number } };
		expect(error.message).toMatch(/From "soon" is not a valid date/);
		expect(error.description).toMatch(/ISO-8601/);
		expect(error.context?.itemIndex).toBe(1);

		const cof = await runWorkflow({ workflow: reportWorkflow({ from: '={{ $json.from }}' }, { continueOnFail: true }), items: [{ from: '' }, { from: 'soon' }, { from: '' }], credentials: cred() });
		expect(cof.status).toBe('success');
		const out = cof.outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1].json).toMatchObject({ error: expect.stringMatching(/not a valid date/), description: expect.stringMatching(/ISO-8601/) });
		expect(out[0].binary?.report).toBeDefined();
		expect(out[2].json.verification).toMatchObject({ ok: true });
	});
});
