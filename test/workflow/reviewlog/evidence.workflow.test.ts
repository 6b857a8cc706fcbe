/**
 * Review Log's evidence operations in real n8n execution (WorkflowExecute, built nodes): Erase
 * Subject's Evidence and Apply Retention, on the file store with its evidence vault. The evidence is
 * put into the vault directly (as HITL Gate would, with any `recordedAt`), and every claim is checked
 * where it lands: the vault says erased, the log has an `erased` record naming who and why, the log
 * still verifies, and the subject id appears in no output and nowhere in the log.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { deriveEvidenceKeys, openEvidenceVault, retentionCutoff, type EvidenceVault } from '../../../core/evidence';
import { verifyFile } from '../../../core/verify';
import { DIST, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const distStore = require(path.join(DIST, 'core/store/index.js')) as typeof import('../../../core/store');

const NODE = 'Review Log';
const SECRET = 'evidence-secret-for-workflow-tests-0123456789';
const COF = { onError: 'continueRegularOutput' as const };
const DAY = 86_400_000;

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'hitl-rl-ev-'));
});
afterEach(async () => {
	await distStore.closeAllReviewStores();
	rmSync(dir, { recursive: true, force: true });
});

type Cred = Record<string, ICredentialDataDecryptedObject>;
const cred = (extra: IDataObject = {}): Cred => ({ hitlStoreApi: { backend: 'file', directory: dir, chain: 'default', evidenceSecret: SECRET, ...extra } });
const logText = () => readFileSync(path.join(dir, 'default.jsonl'), 'utf8');
const records = () =>
	logText()
		.split('\n')
		.filter((l) => l !== '')
		.map((l) => JSON.parse(l) as IDataObject & { seq: number; event: string; details: IDataObject | null });

function workflow(operation: string, params: IDataObject = {}, onFail?: Pick<INode, 'onError' | 'continueOnFail'>): WorkflowJson {
	const fixture = operation === 'append' ? 'append' : 'verify';
	const wf = loadFixture(`reviewlog/${fixture}.json`);
	const node = wf.nodes.find((n) => n.name === NODE)!;
	node.parameters = (operation === 'append' ? { ...node.parameters, ...params } : { operation, ...params }) as INodeParameters;
	Object.assign(node, onFail);
	return wf;
}

async function run(operation: string, params: IDataObject, options: { items?: IDataObject[]; credentials?: Cred; onFail?: typeof COF } = {}) {
	return runWorkflow({ workflow: workflow(operation, params, options.onFail), items: options.items ?? [{}], credentials: options.credentials ?? cred() });
}

function failure(result: WorkflowRunResult) {
	expect(result.status).toBe('error');
	return result.error as unknown as { message: string; description?: string; context?: { itemIndex?: number } };
}

async function withVault<T>(use: (vault: EvidenceVault) => Promise<T>): Promise<T> {
	const vault = await openEvidenceVault({ kind: 'file', directory: dir, chain: 'default' }, deriveEvidenceKeys(SECRET));
	try {
		return await use(vault);
	} finally {
		await vault.close();
	}
}

/** Puts evidence for each subject (recorded at the given time) and returns the ids, in order. */
async function putEvidence(entries: Array<{ subject: string; recordedAt: Date }>): Promise<string[]> {
	return withVault(async (vault) => {
		const ids: string[] = [];
		for (const e of entries) {
			ids.push((await vault.put({ subjectId: e.subject, parts: { draft: { body: `Dear ${e.subject}` }, final: { body: 'Offer' } }, recordedAt: e.recordedAt })).evidenceId);
		}
		return ids;
	});
}

const statusOf = (ids: string[]) => withVault(async (vault) => Promise.all(ids.map(async (id) => (await vault.get(id)).status)));

async function appendNote() {
	const result = await run('append', { event: 'note', fields: { note: 'before the erasure' } });
	expect(result.status).toBe('success');
}

async function logVerifies() {
	await distStore.closeAllReviewStores();
	expect(await verifyFile(path.join(dir, 'default.jsonl'))).toMatchObject({ ok: true });
	const viaNode = await run('verify', {});
	expect(viaNode.json(NODE)[0]).toMatchObject({ ok: true });
}

const eraseParams = { subjectId: '={{ $json.candidate }}', erasedBy: 'dpo@example.com', erasureReason: '={{ $json.ticket }}' };

describe('Erase Subject’s Evidence', () => {
	test('erases everything kept for the subject, logs who and why, and the log still verifies; the subject id is nowhere', async () => {
		await appendNote();
		const now = new Date();
		const ids = await putEvidence([
			{ subject: 'cand-42', recordedAt: now },
			{ subject: 'cand-43', recordedAt: now },
			{ subject: 'cand-42', recordedAt: new Date(now.getTime() - DAY) },
		]);
		const result = await run('erase', eraseParams, { items: [{ candidate: 'cand-42', ticket: 'DSR-2026-0142' }] });
		expect(result.status).toBe('success');
		const out = result.outputs(NODE)[0];
		expect(out).toEqual([{ json: { evidenceErased: 2, subjectKeysDestroyed: 1, reviewRequestsErased: 0, pendingReviewsClosed: 0, recordSeqs: [2], erasedBy: 'dpo@example.com' }, pairedItem: { item: 0 } }]);
		expect(JSON.stringify(out)).not.toContain('cand-42');

		expect(await statusOf(ids)).toEqual(['erased', 'present', 'erased']);
		await withVault(async (vault) => expect(await vault.get(ids[0])).toMatchObject({ status: 'erased', by: 'dpo@example.com', reason: 'DSR-2026-0142' }));

		const erased = records().find((r) => r.seq === 2)!;
		expect(erased).toMatchObject({ event: 'erased', nodeName: NODE, details: { evidenceErasure: { scope: 'subject', by: 'dpo@example.com', reason: 'DSR-2026-0142' } } });
		expect(((erased.details!.evidenceErasure as IDataObject).evidenceIds as string[]).sort()).toEqual([ids[0], ids[2]].sort());
		expect(logText()).not.toContain('cand-42');
		await logVerifies();

		// A second request for the same subject finds nothing and writes nothing.
		const again = await run('erase', eraseParams, { items: [{ candidate: 'cand-42', ticket: 'DSR-2026-0143' }] });
		expect(again.json(NODE)[0]).toMatchObject({ evidenceErased: 0, subjectKeysDestroyed: 0, recordSeqs: [] });
		expect(records()).toHaveLength(2);
	});

	test('a reason naming the subject or an empty Subject ID is that item’s error; the other items are erased (Continue On Fail)', async () => {
		const ids = await putEvidence(['cand-1', 'cand-2', 'cand-4'].map((subject) => ({ subject, recordedAt: new Date() })));
		const items = [
			{ candidate: 'cand-1', ticket: 'DSR-1' },
			{ candidate: 'cand-2', ticket: 'erasure request of cand-2' },
			{ candidate: '', ticket: 'DSR-3' },
			{ candidate: 'cand-4', ticket: 'DSR-4' },
		];
		const result = await run('erase', eraseParams, { items, onFail: COF });
		expect(result.status).toBe('success');
		const out = result.outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json).toMatchObject({ evidenceErased: 1, recordSeqs: [1] });
		expect(out[1].json).toMatchObject({ error: expect.stringMatching(/must not contain the subject id/), description: expect.stringMatching(/must not contain the subject ID/) });
		expect(out[2].json).toMatchObject({ error: '"Subject ID" is empty' });
		expect(out[3].json).toMatchObject({ evidenceErased: 1, recordSeqs: [2] });
		expect(JSON.stringify(out)).not.toMatch(/cand-[124]/);
		expect(await statusOf(ids)).toEqual(['erased', 'present', 'erased']);
		expect(records().map((r) => r.event)).toEqual(['erased', 'erased']);

		const error = failure(await run('erase', eraseParams, { items: [items[1]] }));
		expect(error.context?.itemIndex).toBe(0);
		expect(error.message).not.toContain('cand-2');
	});

	test('without an evidence secret: each item’s error says what to set', async () => {
		const noSecret = cred({ evidenceSecret: '' });
		const result = await run('erase', eraseParams, { items: [{ candidate: 'a', ticket: 'T-1' }, { candidate: 'b', ticket: 'T-2' }], credentials: noSecret, onFail: COF });
		expect(result.json(NODE)).toEqual([
			{ error: expect.stringMatching(/No evidence is kept for this review store/), description: expect.stringMatching(/Evidence Encryption Secret/) },
			{ error: expect.stringMatching(/No evidence is kept for this review store/), description: expect.stringMatching(/Evidence Encryption Secret/) },
		]);
		const error = failure(await run('erase', eraseParams, { items: [{ candidate: 'a', ticket: 'T-1' }], credentials: noSecret }));
		expect(error.description).toMatch(/Evidence Encryption Secret/);
	});
});

describe('Apply Retention', () => {
	test('erases only evidence older than the period, logs the period and cutoff, and the log still verifies', async () => {
		await appendNote();
		const now = new Date();
		const old = new Date(now.getTime() - 2 * 365 * DAY);
		const ids = await putEvidence([
			{ subject: 's1', recordedAt: old },
			{ subject: 's2', recordedAt: old },
			{ subject: 's1', recordedAt: now },
			{ subject: 's3', recordedAt: new Date(now.getTime() - 30 * DAY) },
		]);
		const result = await run('retention', {}, { credentials: cred({ evidenceRetention: 'P6M' }) });
		expect(result.status).toBe('success');
		const json = result.json(NODE)[0];
		expect(json).toMatchObject({ retention: 'P6M', batches: 1, evidenceErased: 2, subjectKeysDestroyed: 1, recordSeqs: [2], more: false });
		const cutoff = new Date(json.cutoff as string).getTime();
		expect(Math.abs(cutoff - retentionCutoff(now, 'P6M').getTime())).toBeLessThan(60_000);

		expect(await statusOf(ids)).toEqual(['erased', 'erased', 'present', 'present']);
		const erased = records().find((r) => r.seq === 2)!;
		expect(erased).toMatchObject({ event: 'erased', details: { evidenceErasure: { scope: 'evidence', by: 'retention', retention: { period: 'P6M', cutoff: json.cutoff } } } });
		await logVerifies();

		// Nothing left to erase: no record.
		const again = await run('retention', {}, { credentials: cred({ evidenceRetention: 'P6M' }) });
		expect(again.json(NODE)[0]).toMatchObject({ evidenceErased: 0, recordSeqs: [], more: false });
		expect(records()).toHaveLength(2);
	});

	test('also empties the HITL Gate\'s working copies of ended reviews requested before the cutoff (never pending ones), with a record', async () => {
		const old = new Date(Date.now() - 400 * DAY).toISOString();
		const request = (id: string, status: 'pending' | 'expired', createdAt: string) => ({
			id, groupId: `g-${id}`, executionId: 'e1', nodeId: 'n1', itemIndex: 0, reviewers: ['ann@example.com'], draftSha256: 'ab'.repeat(32),
			createdAt, expiresAt: '2099-01-01T00:00:00.000Z', status: 'pending' as const, outcome: null, mac: null,
			payload: { nodeName: 'HITL Gate', items: [{ index: 0, subjectId: id, json: { body: `Old draft of ${id}` } }] },
			end: status,
		});
		const store = await distStore.openReviewStore({ backend: 'file', directory: dir, chain: 'default' });
		const wanted = [request('old-ended', 'expired', old), request('old-pending', 'pending', old), request('new-ended', 'expired', new Date().toISOString())];
		await store.putReviewRequests(wanted.map(({ end: _end, ...r }) => r));
		for (const r of wanted.filter((w) => w.end === 'expired')) {
			await store.resolveReviewRequest(r.id, {
				status: 'expired', outcome: null,
				record: { event: 'expired', details: { hitlRequest: { id: r.id, groupId: r.groupId, nodeId: r.nodeId, keyId: null, mac: null } } },
			});
		}
		await store.close();
		const result = await run('retention', {}, { credentials: cred({ evidenceRetention: 'P6M' }) });
		expect(result.json(NODE)[0]).toMatchObject({ evidenceErased: 0, reviewRequestsErased: 1 });
		const last = records().pop()!;
		expect(last).toMatchObject({ event: 'erased', details: { requestErasure: { scope: 'retention', by: 'retention', requestIds: ['old-ended'], retention: { period: 'P6M' } } } });
		const requestFiles = readdirSync(path.join(dir, 'default.requests')).map((f) => readFileSync(path.join(dir, 'default.requests', f), 'utf8')).join('\n');
		expect(requestFiles).not.toContain('Old draft of old-ended');
		expect(requestFiles).toContain('Old draft of old-pending');
		expect(requestFiles).toContain('Old draft of new-ended');
		await logVerifies();
	});

	test('works in bounded batches: stops after Max Batches and reports more; the next run goes on', async () => {
		const old = new Date(Date.now() - 400 * DAY);
		const ids = await putEvidence(['a', 'b', 'c'].map((subject) => ({ subject, recordedAt: old })));
		const options = { retentionOptions: { batchSize: 1, maxBatches: 2, erasedBy: 'nightly-retention' } };
		const first = await run('retention', options, { credentials: cred({ evidenceRetention: 'P1Y' }) });
		expect(first.json(NODE)[0]).toMatchObject({ batches: 2, evidenceErased: 2, recordSeqs: [1, 2], more: true });
		expect((await statusOf(ids)).filter((s) => s === 'erased')).toHaveLength(2);
		const second = await run('retention', options, { credentials: cred({ evidenceRetention: 'P1Y' }) });
		expect(second.json(NODE)[0]).toMatchObject({ evidenceErased: 1, recordSeqs: [3], more: false });
		expect(await statusOf(ids)).toEqual(['erased', 'erased', 'erased']);
		expect(records().map((r) => (r.details!.evidenceErasure as IDataObject).by)).toEqual(['nightly-retention', 'nightly-retention', 'nightly-retention']);
		await logVerifies();
	});

	test('no retention period or no evidence secret: the item’s error says what to set', async () => {
		const noPeriod = failure(await run('retention', {}));
		expect(noPeriod.message).toMatch(/No Evidence Retention is set/);
		expect(noPeriod.description).toMatch(/P6M/);
		const noSecret = failure(await run('retention', {}, { credentials: cred({ evidenceSecret: '' }) }));
		expect(noSecret.message).toMatch(/No evidence is kept/);
		const perItem = await run('retention', {}, { items: [{}, {}], onFail: COF });
		expect(perItem.outputs(NODE)[0].map((i) => [i.pairedItem, i.json.error])).toEqual([
			[{ item: 0 }, expect.stringMatching(/No Evidence Retention/)],
			[{ item: 1 }, expect.stringMatching(/No Evidence Retention/)],
		]);
	});
});
