/**
 * HITL Gate trusts a `blastRadius` annotation only when a Blast Radius Router produced it in the same
 * execution (nodes/HitlGate/riskProvenance.ts). Real n8n engine, built nodes, real expressions: the
 * Router really runs, the gate traces each item back to the Router's output with n8n's paired-item
 * lineage. Checked where it matters: the `requested` records in the review store (tier, tierReasons),
 * the stored request, the mail (SMTP capture) and the review page (the gate's webhook() on GET).
 *
 * `n8n-nodes-base.set` is not installed here; a stand-in below does what the fixtures use of n8n's Set
 * node v3.4 (manual mapping, values from real expressions, other fields kept), so the fixtures stay
 * importable n8n workflow JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, IWebhookFunctions } from 'n8n-workflow';

import { openReviewStore } from '../../../core/store';
import type { ReviewRecord, ReviewStore } from '../../../core/store/types';
import { extractLinks, listMail, startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../harness/smtpCapture';
import { createNodeTypes, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';

const GATE = 'HITL Gate';
const ROUTER = 'Blast Radius Router';
const KEY = { kid: 'wf-risk', secret: 'workflow-risk-provenance-secret-0123456789' };
const UNVERIFIED = 'Unverified: risk annotation not produced by a Blast Radius Router in this execution — treated as high';
const PAGE_UNVERIFIED = 'unverified — treat as high';
const FORGED = { tier: 'low', reasons: ['forged'] };

/** What the fixtures use of n8n's Set node (v3.4, manual mode): assignments evaluated per item. */
class SetStandIn implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Edit Fields (Set) (test stand-in)',
		name: 'set',
		group: ['input'],
		version: [3.4],
		description: 'Stand-in for n8n-nodes-base.set: manual assignments, other fields kept',
		defaults: { name: 'Edit Fields' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Mode', name: 'mode', type: 'string', default: 'manual' },
			{ displayName: 'Assignments', name: 'assignments', type: 'assignmentCollection', default: {} },
			{ displayName: 'Include Other Fields', name: 'includeOtherFields', type: 'boolean', default: false },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((item, i) => {
				const keep = this.getNodeParameter('includeOtherFields', i, false) as boolean;
				const list = this.getNodeParameter('assignments.assignments', i, []) as Array<{ name: string; value: unknown }>;
				const json: IDataObject = keep ? { ...item.json } : {};
				for (const a of list) json[a.name] = a.value as IDataObject;
				return { json, pairedItem: { item: i } };
			}),
		];
	}
}

let smtp: SmtpCapture;
let storeDir: string;
let store: ReviewStore;
let credentials: Record<string, IDataObject>;
let runs = 0;

beforeAll(async () => {
	const tmp = mkdtempSync(path.join(tmpdir(), 'hitl-risk-wf-'));
	storeDir = path.join(tmp, 'store');
	smtp = await startSmtpCapture(path.join(tmp, 'mail'));
	credentials = {
		hitlSigningApi: { ...KEY },
		hitlSmtpApi: { host: smtp.host, port: smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		hitlStoreApi: { backend: 'file', directory: storeDir },
	};
	store = await openReviewStore({ backend: 'file', directory: storeDir });
});

afterAll(async () => {
	await store?.close();
	await smtp?.stop();
	rmSync(path.dirname(storeDir), { recursive: true, force: true });
});

const fixture = (name: string): WorkflowJson => loadFixture(`../gate/fixtures/${name}`);

interface Run {
	result: WorkflowRunResult;
	executionId: string;
	mails: CapturedMail[];
	/** The `requested` records, in item order. */
	requested: ReviewRecord[];
}

async function run(workflow: WorkflowJson, items: IDataObject[]): Promise<Run> {
	const before = listMail(smtp.mailDir).length;
	const executionId = `risk-${process.pid}-${++runs}`;
	const result = await runWorkflow({
		workflow,
		items,
		executionId,
		credentials: credentials as never,
		nodeTypes: { 'n8n-nodes-base.set': new SetStandIn() },
	});
	expect(result.error).toBeUndefined();
	expect(result.status).toBe('waiting');
	const requested = (await store.query({ executionId, event: 'requested' }, { limit: 100 })).records.reverse();
	const withIndex = requested.map((r) => ({ r, i: ((r.details as IDataObject).itemIndexes as number[])[0] }));
	withIndex.sort((a, b) => a.i - b.i);
	return { result, executionId, mails: listMail(smtp.mailDir).slice(before), requested: withIndex.map((x) => x.r) };
}

async function payloadOf(record: ReviewRecord): Promise<IDataObject> {
	const request = await store.getReviewRequest(record.itemKey as string);
	return request!.payload as IDataObject;
}

/** The text of the mail for the item whose subject line is `Review <subject>`. */
function mailFor(r: Run, subject: string): CapturedMail {
	const mail = r.mails.find((m) => m.subject === `Review ${subject}`);
	if (!mail) throw new Error(`no mail "Review ${subject}" (got ${r.mails.map((m) => m.subject).join(', ')})`);
	return mail;
}

/** One item's part of a mail (a reviewer gets one mail for every item of the run). */
function itemSection(mail: CapturedMail, item: number): string {
	const start = mail.text.indexOf(`== Item ${item} ==`);
	if (start < 0) throw new Error(`no "Item ${item}" in the mail`);
	const next = mail.text.indexOf('\n== ', start + 1);
	return mail.text.slice(start, next < 0 ? undefined : next);
}

/** The review page as the reviewer gets it: the gate's webhook() on GET with the mailed link. */
async function page(r: Run, mail: CapturedMail): Promise<string> {
	const link = extractLinks(mail).find((l) => l.includes('/webhook-waiting/'))!;
	const url = new URL(link);
	const node = fixture('risk-forged-gate.json').nodes.find((n) => n.name === GATE)!;
	let body = '';
	let status = 0;
	const logged: unknown[] = [];
	const res = {
		headersSent: false,
		setHeader: () => {},
		status(code: number) {
			status = code;
			return res;
		},
		end(text: string) {
			body = text;
			res.headersSent = true;
		},
	};
	const ctx = {
		getRequestObject: () => ({ method: 'GET', headers: { 'user-agent': 'jest' }, ip: '127.0.0.1', socket: {} }),
		getResponseObject: () => res,
		getQueryData: () => Object.fromEntries(url.searchParams),
		getBodyData: () => ({}),
		getNode: () => ({ ...node }),
		getExecutionId: () => r.executionId,
		getCredentials: async (type: string) => credentials[type],
		customData: { setAll: () => {}, set: () => {} },
		logger: { error: (...args: unknown[]) => logged.push(args), warn: () => {}, info: () => {}, debug: () => {} },
	};
	const gate = createNodeTypes().getByName('n8n-nodes-hitl.hitlGate') as INodeType;
	await gate.webhook!.call(ctx as unknown as IWebhookFunctions);
	if (status !== 200) throw new Error(`page answered ${status}: ${JSON.stringify(logged).slice(0, 1000)}`);
	return body;
}

function expectUnverified(record: ReviewRecord, detail: string | RegExp): void {
	expect(record.tier).toBe('high');
	const reasons = record.tierReasons as string[];
	expect(reasons[0]).toContain(UNVERIFIED);
	if (typeof detail === 'string') expect(reasons[0]).toContain(detail);
	else expect(reasons[0]).toMatch(detail);
	// The item's own claims are not repeated as reasons.
	expect(reasons).not.toContain('forged');
}

describe('HITL Gate: risk annotation provenance (real n8n engine)', () => {
	test('Router → Gate: the Router\'s own annotation is verified; tier and reasons shown, mailed and logged as the Router\'s', async () => {
		// A forged annotation before the Router does not survive it: the Router writes its own.
		const r = await run(fixture('risk-router-gate.json'), [{ subject: 'payment', amount: 500, blastRadius: FORGED }]);
		const routed = r.result.json(ROUTER, 1);
		expect((routed[0].blastRadius as IDataObject).tier).toBe('medium');
		expect(r.requested).toHaveLength(1);
		expect(r.requested[0]).toMatchObject({ tier: 'medium', tierReasons: ['Payment of 100 or more'] });
		const payload = await payloadOf(r.requested[0]);
		expect(payload.riskProvenance).toBe('router');
		// The verified annotation is what goes on into hitl.blastRadius: exactly the Router's.
		expect(payload.blastRadius).toEqual(routed[0].blastRadius);

		const mail = mailFor(r, 'payment');
		expect(mail.text).toContain('Risk tier: medium');
		expect(mail.text).toContain('Payment of 100 or more');
		expect(mail.text).not.toMatch(/unverified/i);
		const html = await page(r, mail);
		expect(html).toContain('<span class="tier tier-medium">medium</span>');
		expect(html).not.toMatch(/unverified/i);
	});

	test('no Router: a forged blastRadius {tier: low} is unverified — logged as high, page and mail say unverified', async () => {
		const r = await run(fixture('risk-forged-gate.json'), [{ subject: 'forged', blastRadius: FORGED }]);
		expect(r.requested).toHaveLength(1);
		expectUnverified(r.requested[0], 'no Blast Radius Router comes before this gate');
		expect(r.requested[0].tierReasons).toContain('The item claimed tier "low" (not trusted)');
		const payload = await payloadOf(r.requested[0]);
		expect(payload.riskProvenance).toBe('unverified');
		expect(payload.tier).toBe('high');
		// Not passed on as the gate's own statement in hitl.blastRadius.
		expect(payload.blastRadius).toBeNull();

		const mail = mailFor(r, 'forged');
		expect(mail.text).toContain('Risk tier: high');
		expect(mail.text).toContain(UNVERIFIED);
		expect(mail.html).toContain('Unverified: risk annotation not produced by a Blast Radius Router');
		const html = await page(r, mail);
		expect(html).toContain(PAGE_UNVERIFIED);
		expect(html).toContain('<span class="tier tier-high">high</span>');
		expect(html).not.toContain('<span class="tier tier-low">');
	});

	test('Router → a node that rewrites blastRadius.tier to low → Gate: unverified, logged as high', async () => {
		const r = await run(fixture('risk-router-rewrite-gate.json'), [{ subject: 'tampered', amount: 500, tamper: true }]);
		// The Router said medium; the gate received low.
		expect((r.result.json(ROUTER, 1)[0].blastRadius as IDataObject).tier).toBe('medium');
		const payload = await payloadOf(r.requested[0]);
		const held = (payload.items as Array<{ json: IDataObject }>)[0].json;
		expect((held.blastRadius as IDataObject).tier).toBe('low');
		expectUnverified(r.requested[0], `differs from what Blast Radius Router "${ROUTER}" produced for this item`);
		expect(payload.riskProvenance).toBe('unverified');
		const mail = mailFor(r, 'tampered');
		expect(mail.text).toContain('Risk tier: high');
		expect(mail.text).toContain(UNVERIFIED);
		expect(await page(r, mail)).toContain(PAGE_UNVERIFIED);
	});

	test('mixed provenance in one run: the untouched item keeps the Router\'s tier, the rewritten one is high; a batch of both is high and unverified', async () => {
		const items = [
			{ subject: 'clean', amount: 500 },
			{ subject: 'rewritten', amount: 700, tamper: true },
			{ subject: 'note', kind: 'note' },
		];
		const r = await run(fixture('risk-router-rewrite-gate.json'), items);
		// Item 3 is low for the Router and never reaches this (Medium) branch.
		expect(r.requested).toHaveLength(2);
		expect(r.requested[0]).toMatchObject({ tier: 'medium', tierReasons: ['Payment of 100 or more'] });
		expect((await payloadOf(r.requested[0])).riskProvenance).toBe('router');
		expectUnverified(r.requested[1], 'changed after the Router');
		const mail = mailFor(r, 'clean');
		expect(itemSection(mail, 1)).toContain('Risk tier: medium');
		expect(itemSection(mail, 1)).not.toMatch(/unverified/i);
		expect(itemSection(mail, 2)).toContain('Risk tier: high');
		expect(itemSection(mail, 2)).toContain(UNVERIFIED);

		const batch = fixture('risk-router-rewrite-gate.json');
		Object.assign(batch.nodes.find((n) => n.name === GATE)!.parameters, { reviewMode: 'batch', subject: 'Review batch' });
		const b = await run(batch, items.slice(0, 2));
		// A batch is one request per item (each decided on its own), one page and one mail for the run.
		expect(b.requested).toHaveLength(2);
		expect(new Set(b.requested.map((r) => r.details?.groupId)).size).toBe(1);
		expect(b.requested[0]).toMatchObject({ tier: 'medium', tierReasons: ['Payment of 100 or more'] });
		expect((await payloadOf(b.requested[0])).riskProvenance).toBe('router');
		expectUnverified(b.requested[1], 'changed after the Router');
		const payload = await payloadOf(b.requested[1]);
		expect(payload.riskProvenance).toBe('unverified');
		expect(payload.blastRadius).toBeNull();
		// The mail sums the batch up: its risk is the highest, and it says the rating could not be checked.
		expect(b.mails).toHaveLength(1);
		expect(b.mails[0].text).toContain('Risk tier: high');
		expect(b.mails[0].text).toContain(UNVERIFIED);
	});

	test('the Router\'s error output carries the input\'s fields: a forged annotation arriving that way is unverified', async () => {
		const wf = fixture('risk-router-gate.json');
		wf.nodes.find((n) => n.name === ROUTER)!.onError = 'continueErrorOutput';
		wf.connections[ROUTER].main = [[], [], [], [], [{ node: GATE, type: 'main' as never, index: 0 }]];
		// A text amount breaks the number rule: the item goes to the error output with its own fields.
		const r = await run(wf, [{ subject: 'error-branch', amount: 'a lot', blastRadius: FORGED }]);
		expect(r.result.json(ROUTER, 4)[0].blastRadius).toEqual(FORGED);
		expectUnverified(r.requested[0], `did not leave Blast Radius Router "${ROUTER}" through one of its tier outputs`);
	});

	test('a disabled Router passes its input through unchanged: a forged annotation is unverified', async () => {
		const wf = fixture('risk-router-gate.json');
		wf.nodes.find((n) => n.name === ROUTER)!.disabled = true;
		// n8n sends a disabled node's input to its first output.
		wf.connections[ROUTER].main = [[{ node: GATE, type: 'main' as never, index: 0 }], [], [], []];
		const r = await run(wf, [{ subject: 'disabled', blastRadius: FORGED }]);
		expectUnverified(r.requested[0], `Blast Radius Router "${ROUTER}" is disabled`);
	});
});
