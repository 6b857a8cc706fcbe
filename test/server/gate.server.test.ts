/**
 * HITL Gate inside a real n8n 2.41 server, installed the way users install it
 * (`n8n-nodes-hitl.hitlGate`). Workflow: Webhook → Split Out → HITL Gate → one NoOp per output
 * (Timed Out, Approved, Rejected). Review emails go to the suite's loopback SMTP capture; a headless
 * Chromium plays the reviewer and the scanner. Every outcome is read back from n8n's execution
 * history (REST) and from the review log file the gate writes.
 *
 * All runs but one start in beforeAll, so the one that must outlive its 5 s deadline waits while the
 * others are tested. The gate runs with its default minimum time on page (4 s): people here wait that
 * long after a page was served before deciding, as a reader would; a clicking sandbox does not. The expired-link run starts later, at a moment chosen so that n8n's own wait
 * timer cannot release it before the test uses its link (see `quietWindowStart`).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { launchBrowser } from '../harness/browser';
import { readConnectionInfo } from '../harness/connectionInfo';
import {
	httpCall,
	N8nClient,
	nodeOutput,
	nodeOutputs,
	nodeRan,
	uniqueSuffix,
	type ExecutionDetail,
	type WebhookResponse,
	type WorkflowJson,
} from '../harness/n8nClient';
import { computeMetrics } from '../../core/metrics';
import type { ReviewRecord } from '../../core/store/types';
import { sleep } from '../harness/net';
import { extractLinks, waitForMail, type CapturedMail } from '../harness/smtpCapture';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);

const SIGNING_KEY = { keyId: 'server-test-1', secret: `server-test-secret-${randomUUID()}` };
const RUN = uniqueSuffix();
const GATE = 'HITL Gate';
const OUTPUTS = ['Timed Out', 'Approved', 'Rejected'] as const;
const OUTLOOK_SAFE_LINKS_UA =
	'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0';
const HOSTILE = '</textarea><script>alert("xss")</script>"><img src=x onerror=alert(1)>';

const who = (name: string) => `${name}-${RUN}@hitl.test`;
/** The gate's default minimum time on page (the fixture leaves Options empty), plus margin for clocks. */
const MIN_TIME_ON_PAGE_MS = 4_000;
const CONFIRM = 'Please confirm your decision';

/** Waits until the minimum time on page has passed since `servedAt` (taken after the page arrived). */
async function readForMinimum(servedAt: number): Promise<void> {
	await sleep(Math.max(0, servedAt + MIN_TIME_ON_PAGE_MS + 250 - Date.now()));
}

interface Case {
	items: Array<Record<string, unknown>>;
	startedAt?: number;
	mails: Map<string, CapturedMail>;
	executionId?: string;
}

function item(caseName: string, reviewers: string[], deadlineSeconds: number, extra: Record<string, unknown> = {}) {
	return {
		case: `${caseName}-${RUN}`,
		reviewers: reviewers.join(', '),
		deadlineSeconds,
		to: 'jane.roe@example.com',
		subject: `Your interview (${caseName})`,
		body: 'Dear Jane,\nwe would like to invite you.\n',
		...extra,
	};
}

const cases: Record<string, Case> = {
	approve: {
		items: [
			item('approve', [who('alice')], 3600, {
				subject: `Offer ${HOSTILE}`,
				audience: 'candidate',
				// A forged annotation in the input: the workflow's Blast Radius Router overwrites it, and the gate
				// trusts only what that Router produced in this execution (riskProvenance.ts).
				blastRadius: { tier: 'low', reasons: ['forged by the input'] },
			}),
		],
		mails: new Map(),
	},
	reject: {
		items: [item('reject', [who('bob'), who('carol')], 3600), item('reject', [who('bob'), who('carol')], 3600, { subject: 'Second item' })],
		mails: new Map(),
	},
	scanner: { items: [item('scanner', [who('dave'), who('erin')], 3600)], mails: new Map() },
	sandbox: { items: [item('sandbox', [who('kim')], 3600)], mails: new Map() },
	timeout: { items: [item('timeout', [who('frank')], 5)], mails: new Map() },
	expired: { items: [item('expired', [who('grace')], 5)], mails: new Map() },
};

function reviewersOf(c: Case): string[] {
	return String(c.items[0].reviewers).split(', ');
}

let workflowId = '';
let webhookPath = '';

interface ExpiredProbe {
	/** Whether n8n still held the run as waiting once the deadline had passed, before the link was used. */
	waitingAtDeadline: boolean;
	view: WebhookResponse;
	/** Whether the run was still waiting after the GET (a GET never changes state). */
	waitingAfterView: boolean;
	decide: WebhookResponse;
}

/** Uses the run's link just after the request's deadline. */
async function probeExpiredLink(c: Case): Promise<ExpiredProbe> {
	const link = linkOf(c, who('grace'));
	// After the stored deadline (milliseconds), not only after the link's `exp` (whole seconds, up to
	// 999 ms earlier): between the two the gate shows "expired" but does not expire the request yet.
	await sleep(Math.max(0, deadlineOf(c) + 700 - Date.now()));
	const waitingAtDeadline = (await n8n.getExecution(c.executionId as string)).status === 'waiting';
	const view = await get(link);
	const waitingAfterView = (await n8n.getExecution(c.executionId as string)).status === 'waiting';
	const decide = await post(link, { decision: 'approve', csrf: 'x' });
	return { waitingAtDeadline, view, waitingAfterView, decide };
}

/**
 * n8n releases a waiting run by itself: its WaitTracker (n8n/dist/wait-tracker.js) queries the
 * database every 60 s, counted from server start, for runs due within 70 s and sets a timer for each
 * at its deadline. A run with a 5 s deadline is therefore released by n8n exactly at the deadline if
 * a poll falls between its start and its deadline, else at the first poll after it. Only while no
 * poll has seen the run does its expired link reach the gate (410); once n8n has released it, n8n
 * itself answers 409. Which one happens depends on the poll's phase, so the tests control it.
 */
const WAIT_TRACKER_PERIOD_MS = 60_000;

/** The request's deadline, to the millisecond, from its `requested` record. */
function deadlineOf(c: Case): number {
	const requested = requestedRecords(c)[0];
	return Date.parse(String((requested.details as Record<string, unknown>).expiresAt));
}

/**
 * When n8n's wait poll runs, learned from a run it released (the timeout case): an interval that
 * held a poll; every later poll lies a multiple of 60 s after it.
 */
function pollPhaseFrom(c: Case, released: ExecutionDetail): { from: number; to: number } {
	const releasedAt = released.data.resultData.runData['Timed Out'][0].startTime;
	// Well after the deadline: the poll ran just before the release. Around the deadline: the poll that
	// set n8n's timer ran somewhere between the run's start and the release.
	return releasedAt > deadlineOf(c) + 2000 ? { from: releasedAt - 2000, to: releasedAt } : { from: c.startedAt as number, to: releasedAt };
}

/** The earliest moment from now after which `lengthMs` passes without a poll (3 s slack for timer drift each side). */
function quietWindowStart(phase: { from: number; to: number }, lengthMs: number, now = Date.now()): number {
	const slack = 3000;
	for (let k = 0; ; k++) {
		const earliest = phase.to + k * WAIT_TRACKER_PERIOD_MS + slack;
		const latest = phase.from + (k + 1) * WAIT_TRACKER_PERIOD_MS - slack - lengthMs;
		if (latest < earliest) throw new Error(`n8n's poll phase is known only to ${phase.to - phase.from} ms: no quiet window of ${lengthMs} ms`);
		if (now <= latest) return Math.max(now, earliest);
	}
}

function loadFixture(): WorkflowJson {
	const text = readFileSync(path.join(__dirname, 'fixtures', 'gate', 'gate.workflow.json'), 'utf8')
		.replace('__WEBHOOK_PATH__', `gate-${RUN}`)
		.replace('__WEBHOOK_ID__', randomUUID());
	const workflow = JSON.parse(text) as WorkflowJson;
	workflow.name = `${workflow.name} ${RUN}`;
	return workflow;
}

async function startCase(c: Case): Promise<void> {
	c.startedAt = Date.now();
	const res = await n8n.callWebhook(webhookPath, { body: { items: c.items } });
	expect(res.status).toBe(200);
	for (const reviewer of reviewersOf(c)) {
		const [mail] = await waitForMail(info.smtp.mailDir, { to: reviewer, timeoutMs: 60_000 });
		c.mails.set(reviewer, mail);
	}
	c.executionId = executionIdOf(gateLinks(c.mails.get(reviewersOf(c)[0]) as CapturedMail)[0]);
}

function gateLinks(mail: CapturedMail): string[] {
	return extractLinks(mail).filter((link) => link.includes('/webhook-waiting/'));
}

function executionIdOf(link: string): string {
	const m = /\/webhook-waiting\/([^/?]+)\//.exec(link);
	if (!m) throw new Error(`not a gate link: ${link}`);
	return m[1];
}

function linkOf(c: Case, reviewer: string, index = 0): string {
	const mail = c.mails.get(reviewer);
	if (!mail) throw new Error(`no mail for ${reviewer}`);
	return gateLinks(mail)[index];
}

async function get(link: string, headers: Record<string, string> = {}): Promise<WebhookResponse> {
	return await httpCall(link, { method: 'GET', headers });
}

async function post(link: string, fields: Record<string, string>): Promise<WebhookResponse> {
	return await httpCall(link, {
		method: 'POST',
		body: new URLSearchParams(fields).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
}

function csrfOf(html: string): string {
	const m = /name="csrf" value="([^"]+)"/.exec(html);
	if (!m) throw new Error(`no csrf field in page: ${html.slice(0, 500)}`);
	return m[1];
}

function titleOf(html: string): string {
	return /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';
}

interface LogRecord {
	event: string;
	decision: string | null;
	reviewerId: string | null;
	executionId: string | null;
	itemKey: string | null;
	edits: Array<{ path: string; before: unknown; after: unknown }> | null;
	comment: string | null;
	clientIp: string | null;
	userAgent: string | null;
	[key: string]: unknown;
}

/**
 * The review log as an auditor reads it: the JSON Lines file the gate appends to. A missing file is
 * an error, not an empty log: "no decided record" must never pass because nothing was written at all.
 */
function logRecords(executionId: string): LogRecord[] {
	const file = path.join(info.n8n.userFolder, '.n8n', 'hitl', 'default.jsonl');
	if (!existsSync(file)) throw new Error(`the review log ${file} does not exist: the gate wrote nothing there`);
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as LogRecord)
		.filter((r) => r.executionId === executionId);
}

/** The run's `requested` records, after checking there is one per item and reviewer (one per link sent). */
function requestedRecords(c: Case): LogRecord[] {
	const requested = logRecords(c.executionId as string).filter((r) => r.event === 'requested');
	expect(requested.map((r) => r.reviewerId).sort()).toEqual(c.items.flatMap(() => reviewersOf(c)).sort());
	return requested;
}

/**
 * The run's log records, once it is checked that the gate logged the run's requests: an assertion
 * that some record is absent then cannot pass on a log that missed the run altogether.
 */
function recordsOfRun(c: Case): LogRecord[] {
	requestedRecords(c);
	return logRecords(c.executionId as string);
}

/** Signs a link token the way the package does, from the documented format (not the package's code). */
function forgeToken(claims: Record<string, unknown>, key: { keyId: string; secret: string }): string {
	const order = ['v', 'kid', 'exec', 'node', 'req', 'rev', 'dec', 'dh', 'iat', 'exp', 'nonce'];
	const ordered = Object.fromEntries(order.map((k) => [k, claims[k]]));
	const signed = `n8n-nodes-hitl/link/v1\n${order.map((k) => (Array.isArray(claims[k]) ? (claims[k] as string[]).join(',') : String(claims[k]))).join('\n')}`;
	const mac = createHmac('sha256', key.secret).update(signed, 'utf8').digest('base64url');
	return `${Buffer.from(JSON.stringify(ordered)).toString('base64url')}.${mac}`;
}

function tokenOf(link: string): string {
	return new URL(link).searchParams.get('t') as string;
}

function claimsOf(link: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(tokenOf(link).split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}

function withToken(link: string, token: string): string {
	return link.replace(/([?&])t=[^&]*/, `$1t=${token}`);
}

function ranOutputs(execution: ExecutionDetail): string[] {
	return OUTPUTS.filter((name) => nodeRan(execution, name));
}

describe('HITL Gate on a real n8n server', () => {
	beforeAll(async () => {
		// Warm-up read: when this file runs in jest's main process, the HTTP pool may still hold a
		// keep-alive socket from globalSetup that n8n has closed; the client retries reads, not writes.
		await n8n.rest('GET', '/credentials');
		const signing = await n8n.createCredential({
			name: `HITL signing ${RUN}`,
			type: 'hitlSigningApi',
			data: { kid: SIGNING_KEY.keyId, secret: SIGNING_KEY.secret },
		});
		const smtp = await n8n.createCredential({
			name: `HITL SMTP ${RUN}`,
			type: 'hitlSmtpApi',
			data: { host: info.smtp.host, port: info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' },
		});
		const workflow = loadFixture();
		const gate = workflow.nodes.find((node) => node.name === GATE);
		if (!gate) throw new Error('fixture has no gate');
		gate.credentials = {
			hitlSigningApi: { id: signing.id, name: signing.name },
			hitlSmtpApi: { id: smtp.id, name: smtp.name },
		};
		const deployed = await n8n.deployWorkflow(workflow);
		workflowId = deployed.id;
		webhookPath = `gate-${RUN}`;
		// The short-deadline run first: its clock runs while the other tests work. The expired-link run
		// starts in its own test, once n8n's poll phase is known.
		await startCase(cases.timeout);
		await Promise.all([startCase(cases.approve), startCase(cases.reject), startCase(cases.scanner), startCase(cases.sandbox)]);
	});

	afterAll(async () => {
		if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	});

	it('puts each run to wait and emails each reviewer one mail: HTML and text, escaped draft, tier, reasons, personal links', async () => {
		for (const c of Object.values(cases).filter((x) => x !== cases.expired)) {
			const execution = await n8n.getExecution(c.executionId as string);
			expect(execution.status).toBe('waiting');
			expect(ranOutputs(execution)).toEqual([]);
		}
		const mail = cases.approve.mails.get(who('alice')) as CapturedMail;
		expect(mail.subject).toContain(`[approve-${RUN}]`);
		expect(mail.from).toContain('gate@hitl.test');
		expect(mail.text).toContain('Risk tier: high');
		expect(mail.text).toContain('Goes to a candidate');
		expect(mail.text).not.toContain('forged by the input');
		// Plain text carries the text as it is, quoted so no value can start a line of its own.
		expect(mail.text).toContain(`      | Offer ${HOSTILE}\n`);
		expect(mail.html).not.toContain('<script>');
		expect(mail.html).not.toContain('<img src=x');
		expect(mail.html).toContain('&lt;script&gt;');
		expect(gateLinks(mail)).toHaveLength(1);
		expect(mail.text).toContain('Decide before:');
		// Two items, two reviewers: each reviewer gets one mail with one personal link per item.
		for (const reviewer of reviewersOf(cases.reject)) {
			const links = gateLinks(cases.reject.mails.get(reviewer) as CapturedMail);
			expect(links).toHaveLength(2);
			for (const link of links) expect(claimsOf(link).rev).toBe(reviewer);
		}
		// Links carry n8n's resume signature and go to the gate's own node path.
		const link = linkOf(cases.approve, who('alice'));
		expect(link).toMatch(new RegExp(`/webhook-waiting/${cases.approve.executionId}/6a7e0c11-0003-4000-8000-000000000003\\?signature=[0-9a-f]+&t=`));
		const records = logRecords(cases.reject.executionId as string).filter((r) => r.event === 'requested');
		expect(records).toHaveLength(4); // 2 items × 2 reviewers
	});

	it('a reviewer opens the link in Chromium, edits a field and approves: the run resumes through Approved with the edit and the reviewer', async () => {
		const c = cases.approve;
		const reviewer = who('alice');
		const browser = await launchBrowser();
		try {
			const page = await browser.context.newPage();
			const dialogs: string[] = [];
			page.on('dialog', (d) => {
				dialogs.push(d.message());
				void d.dismiss();
			});
			const response = await page.goto(linkOf(c, reviewer));
			const servedAt = Date.now();
			expect(response?.status()).toBe(200);
			const headers = response?.headers() ?? {};
			expect(headers['content-security-policy']).toContain("default-src 'none'");
			expect(headers['referrer-policy']).toBe('no-referrer');
			expect(headers['cache-control']).toContain('no-store');
			expect(headers['x-robots-tag']).toContain('noindex');
			const html = await page.content();
			expect(html).not.toMatch(/<script/i);
			expect(await page.locator('img').count()).toBe(0);
			// The hostile subject is in the editable field as text, exactly.
			expect(await page.locator('textarea[name="edit.subject"]').inputValue()).toBe(`Offer ${HOSTILE}`);
			await page.locator('textarea[name="edit.subject"]').fill('Your offer from ACME');
			await page.locator('textarea[name="comment"]').fill('Fixed the subject line');
			// A person reads before deciding: the click comes after the gate's minimum time on page.
			await readForMinimum(servedAt);
			await Promise.all([page.waitForLoadState('load'), page.locator('button[value="approve"]').click()]);
			await page.waitForSelector('h1');
			expect(await page.locator('h1').innerText()).toBe('Decision recorded');
			expect(dialogs).toEqual([]);
		} finally {
			await browser.close();
		}
		const execution = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 60_000);
		expect(ranOutputs(execution)).toEqual(['Approved']);
		const [out] = nodeOutput(execution, 'Approved');
		expect(out.json.subject).toBe('Your offer from ACME');
		expect(out.json.body).toBe(c.items[0].body);
		const hitl = out.json.hitl as Record<string, unknown>;
		expect(hitl).toMatchObject({
			decision: 'approved_with_edits',
			reviewer,
			comment: 'Fixed the subject line',
			edits: [{ path: 'subject', before: `Offer ${HOSTILE}`, after: 'Your offer from ACME' }],
			linkKeyId: SIGNING_KEY.keyId,
			blastRadius: { tier: 'high' },
		});
		expect(hitl.draftSha256).not.toBe(hitl.finalSha256);
		expect(Number(hitl.queueTimeMs)).toBeGreaterThan(0);
		// n8n rewrites pairedItem when it resumes a node through a webhook (input = output index), so
		// the gate also names the input item itself.
		expect((nodeOutputs(execution, GATE)[1][0].json.hitl as Record<string, unknown>).itemIndex).toBe(0);
		// Execution custom data, shown in n8n's execution list.
		const custom = await n8n.waitForExecutionCustomData(c.executionId as string);
		expect(custom).toMatchObject({ hitl_decision: 'approved_with_edits', hitl_reviewer: reviewer, hitl_tier: 'high' });
		// The log: requested, viewed, decided — the decision with the edit and the reviewer.
		const records = logRecords(c.executionId as string);
		expect(records.map((r) => r.event)).toEqual(['requested', 'viewed', 'decided']);
		const decided = records[2];
		expect(decided).toMatchObject({ decision: 'approved_with_edits', reviewerId: reviewer, comment: 'Fixed the subject line' });
		expect(decided.edits).toEqual([{ path: 'subject', before: `Offer ${HOSTILE}`, after: 'Your offer from ACME' }]);
		// Privacy default: IP and user agent only as keyed hashes.
		expect(decided.clientIp).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
		expect(decided.userAgent).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
	});

	it('reject needs a reason; a second reviewer then sees "already decided by X at T"; the run resumes once every item is decided', async () => {
		const c = cases.reject;
		const [bob, carol] = reviewersOf(c);
		const bobItem1 = linkOf(c, bob, 0);
		const page = await get(bobItem1);
		await readForMinimum(Date.now());
		expect(page.status).toBe(200);
		const csrf = csrfOf(page.text);
		const noReason = await post(bobItem1, { csrf, decision: 'reject', comment: '   ' });
		expect(noReason.status).toBe(400);
		expect(noReason.text).toContain('reason');
		expect(recordsOfRun(c).filter((r) => r.event === 'decided')).toHaveLength(0);
		const rejected = await post(bobItem1, { csrf, decision: 'reject', comment: 'Wrong candidate' });
		expect(rejected.status).toBe(200);
		expect(titleOf(rejected.text)).toBe('Decision recorded');
		// Item 2 is still open, so the run keeps waiting.
		expect((await n8n.getExecution(c.executionId as string)).status).toBe('waiting');
		// Carol's link for the same item: already decided, by bob, with the time.
		const carolItem1 = linkOf(c, carol, 0);
		const carolView = await get(carolItem1);
		expect(carolView.status).toBe(200);
		expect(titleOf(carolView.text)).toBe('Already decided');
		expect(carolView.text).toContain(`already decided by ${bob}`);
		expect(carolView.text).not.toContain('name="csrf"');
		// Carol decides item 2: the run resumes.
		const carolItem2 = linkOf(c, carol, 1);
		const carolPage = await get(carolItem2);
		await readForMinimum(Date.now());
		const approved = await post(carolItem2, { csrf: csrfOf(carolPage.text), decision: 'approve', comment: '' });
		expect(titleOf(approved.text)).toBe('Decision recorded');
		const execution = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 60_000);
		expect(ranOutputs(execution).sort()).toEqual(['Approved', 'Rejected']);
		// The gate's own outputs keep the lineage to its input items.
		const [, [app], [rej]] = nodeOutputs(execution, GATE);
		expect(rej.json.hitl).toMatchObject({ decision: 'rejected', reviewer: bob, comment: 'Wrong candidate', edits: [] });
		expect(rej.json.hitl).toMatchObject({ itemIndex: 0 });
		expect(app.json.hitl).toMatchObject({ decision: 'approved', reviewer: carol, itemIndex: 1 });
		expect(nodeOutput(execution, 'Rejected')[0].json.subject).toBe(c.items[0].subject);
		expect(nodeOutput(execution, 'Approved')[0].json.subject).toBe('Second item');
		expect(await n8n.waitForExecutionCustomData(c.executionId as string)).toMatchObject({ hitl_decision: 'mixed: approved, rejected' });
		const decided = logRecords(c.executionId as string).filter((r) => r.event === 'decided');
		expect(decided.map((r) => [r.reviewerId, r.decision])).toEqual([
			[bob, 'rejected'],
			[carol, 'approved'],
		]);
	});

	it('refuses tampered, foreign and forged links and bad CSRF tokens, and changes nothing', async () => {
		const c = cases.scanner;
		const link = linkOf(c, who('dave'));
		const token = tokenOf(link);
		const [payload, mac] = token.split('.');
		const flipped = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
		expect((await get(withToken(link, `${payload}.${flipped}`))).status).toBe(401);
		const claims = claimsOf(link);
		const altered = Buffer.from(JSON.stringify({ ...claims, rev: who('mallory') })).toString('base64url');
		expect((await get(withToken(link, `${altered}.${mac}`))).status).toBe(401);
		expect((await get(withToken(link, token.slice(0, -5)))).status).toBe(401);
		expect((await get(link.replace(/&t=[^&]*/, ''))).status).toBe(401);
		// Without n8n's own signature n8n refuses before the gate runs.
		const noSignature = await get(link.replace(/signature=[^&]*&/, ''));
		expect(noSignature.status).toBe(401);
		// Another run's genuine link on this run's URL: foreign.
		const foreign = tokenOf(linkOf(cases.reject, who('bob')));
		expect((await get(withToken(link, foreign))).status).toBe(401);
		// Correctly signed (with the real key) for someone who is not a reviewer: 403.
		const mallory = forgeToken({ ...claims, rev: who('mallory') }, SIGNING_KEY);
		expect((await get(withToken(link, mallory))).status).toBe(403);
		// Signed with an unknown key: 401.
		const unknownKey = forgeToken({ ...claims, kid: 'other' }, { keyId: 'other', secret: 'x'.repeat(40) });
		expect((await get(withToken(link, unknownKey))).status).toBe(401);
		// A POST without, or with someone else's, CSRF token: 403.
		expect((await post(link, { decision: 'approve' })).status).toBe(403);
		const erinCsrf = csrfOf((await get(linkOf(c, who('erin')))).text);
		expect((await post(link, { csrf: erinCsrf, decision: 'approve' })).status).toBe(403);
		expect((await n8n.getExecution(c.executionId as string)).status).toBe('waiting');
		expect(recordsOfRun(c).filter((r) => r.event === 'decided')).toHaveLength(0);
	});

	it('scanners decide nothing: HEAD, an Outlook-like GET, a browser following every link with scripts on, 50 rapid GETs', async () => {
		const c = cases.scanner;
		const links = reviewersOf(c).map((r) => linkOf(c, r));
		const head = await httpCall(links[0], { method: 'HEAD' });
		expect(head.status).not.toBe(200);
		const outlook = await get(links[0], { 'user-agent': OUTLOOK_SAFE_LINKS_UA });
		expect(outlook.status).toBe(200);
		expect(titleOf(outlook.text)).not.toBe('Decision recorded');
		const browser = await launchBrowser({ userAgent: OUTLOOK_SAFE_LINKS_UA, javaScriptEnabled: true });
		try {
			for (const reviewer of reviewersOf(c)) {
				for (const href of extractLinks(c.mails.get(reviewer) as CapturedMail)) {
					const page = await browser.context.newPage();
					const res = await page.goto(href, { waitUntil: 'load' });
					expect(res?.status()).toBe(200);
					await sleep(300); // time for anything on the page to act on its own (there is nothing)
					await page.close();
				}
			}
		} finally {
			await browser.close();
		}
		const rapid = await Promise.all(Array.from({ length: 50 }, async (_, i) => await get(links[i % 2])));
		expect(rapid.map((r) => r.status)).toEqual(Array(50).fill(200));
		const execution = await n8n.getExecution(c.executionId as string);
		expect(execution.status).toBe('waiting');
		expect(ranOutputs(execution)).toEqual([]);
		const records = recordsOfRun(c);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		// Views are recorded once per reviewer, not once per scanner hit.
		expect(records.filter((r) => r.event === 'viewed').map((r) => r.reviewerId).sort()).toEqual(reviewersOf(c).sort());
	});

	it('a clicking sandbox decides nothing (load, click the first visible enabled submit button within 2 s; again on the confirmation page within 2 s); a person who waits the minimum decides at the first click', async () => {
		const c = cases.sandbox;
		const reviewer = who('kim');
		const link = linkOf(c, reviewer);
		const browser = await launchBrowser({ userAgent: OUTLOOK_SAFE_LINKS_UA, javaScriptEnabled: true });
		try {
			const page = await browser.context.newPage();
			/** What a load-and-click sandbox does: the first visible, enabled submit button, within 2 s of the page loading. */
			const sandboxClick = async (loadedAt: number): Promise<string> => {
				await sleep(1_000);
				const button = page.locator('button[type="submit"]:visible:enabled, input[type="submit"]:visible:enabled').first();
				const value = (await button.getAttribute('value')) ?? '';
				expect(Date.now() - loadedAt).toBeLessThan(2_000);
				await Promise.all([page.waitForEvent('load'), button.click()]);
				return value;
			};
			expect((await page.goto(link, { waitUntil: 'load' }))?.status()).toBe(200);
			// The case that matters: the first button a sandbox finds is a decision button.
			expect(['approve', 'reject']).toContain(await sandboxClick(Date.now()));
			expect(await page.content()).toContain(CONFIRM);
			expect(await page.locator('h1').innerText()).not.toBe('Decision recorded');
			// It waits on the confirmation page and clicks again, still within 2 s: nothing either.
			await sandboxClick(Date.now());
			expect(await page.content()).toContain(CONFIRM);
			let execution = await n8n.getExecution(c.executionId as string);
			expect(execution.status).toBe('waiting');
			expect(ranOutputs(execution)).toEqual([]);
			let records = recordsOfRun(c);
			expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
			const tooFast = records.filter((r) => r.event === 'decision_too_fast');
			expect(tooFast.map((r) => r.reviewerId)).toEqual([reviewer, reviewer]);
			for (const r of tooFast) expect(Number((r.details as Record<string, unknown>).elapsedMs)).toBeLessThan(MIN_TIME_ON_PAGE_MS);

			// A person opens the link, reads for the minimum time and approves: decided at the first click.
			await page.goto(link, { waitUntil: 'load' });
			await readForMinimum(Date.now());
			await Promise.all([page.waitForEvent('load'), page.locator('button[value="approve"]').click()]);
			expect(await page.locator('h1').innerText()).toBe('Decision recorded');
			execution = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 60_000);
			expect(ranOutputs(execution)).toEqual(['Approved']);
			expect(nodeOutput(execution, 'Approved')[0].json.hitl).toMatchObject({ decision: 'approved', reviewer });
			records = recordsOfRun(c);
			expect(records.map((r) => r.event)).toEqual(['requested', 'viewed', 'decision_too_fast', 'decision_too_fast', 'decided']);
		} finally {
			await browser.close();
		}
	});

	it('20 concurrent POSTs, mixed approve/reject from two reviewers: exactly one decision and one resume', async () => {
		const c = cases.scanner;
		const [dave, erin] = reviewersOf(c);
		const forms = await Promise.all(
			[dave, erin].map(async (r) => ({ link: linkOf(c, r), csrf: csrfOf((await get(linkOf(c, r))).text) })),
		);
		await readForMinimum(Date.now());
		const responses = await Promise.all(
			Array.from({ length: 20 }, async (_, i) => {
				const f = forms[i % 2];
				const decision = i % 4 < 2 ? 'approve' : 'reject';
				return await post(f.link, { csrf: f.csrf, decision, comment: `attempt ${i}` });
			}),
		);
		const recorded = responses.filter((r) => r.status === 200 && titleOf(r.text) === 'Decision recorded');
		expect(recorded).toHaveLength(1);
		// The rest: "Already decided" pages, or n8n's 409 once the resumed run is running or done.
		for (const r of responses) {
			if (r === recorded[0]) continue;
			expect(r.status === 409 || (r.status === 200 && titleOf(r.text) === 'Already decided')).toBe(true);
		}
		const execution = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 60_000);
		const ran = ranOutputs(execution);
		expect(ran).toHaveLength(1);
		const out = nodeOutput(execution, ran[0]);
		expect(out).toHaveLength(1);
		const decided = logRecords(c.executionId as string).filter((r) => r.event === 'decided');
		expect(decided).toHaveLength(1);
		expect((out[0].json.hitl as Record<string, unknown>).reviewer).toBe(decided[0].reviewerId);
		expect(ran[0]).toBe(decided[0].decision === 'rejected' ? 'Rejected' : 'Approved');
		// One resume: the gate ran once before waiting and once on resume, and never again.
		expect(execution.data.resultData.runData[GATE]).toHaveLength(1);
		const later = await n8n.listExecutions(workflowId);
		expect(later.filter((e) => e.id === c.executionId)).toHaveLength(1);
	});

	it('an expired link on a run n8n has not released yet is refused (410), and its POST ends the wait through Timed Out, never Approved', async () => {
		// Start the run where no poll of n8n's WaitTracker can fall between its start and the end of the
		// probe (20 s covers start, mail, the 5 s deadline and both requests), so the gate must answer.
		const timedOut = await n8n.waitForExecutionStatus(cases.timeout.executionId as string, 'success', 150_000);
		await sleep(quietWindowStart(pollPhaseFrom(cases.timeout, timedOut), 20_000) - Date.now());
		const c = cases.expired;
		await startCase(c);
		const { waitingAtDeadline, view, waitingAfterView, decide } = await probeExpiredLink(c);
		expect(waitingAtDeadline).toBe(true); // the precondition: n8n has not released the run itself
		expect(view.status).toBe(410);
		expect(waitingAfterView).toBe(true); // a GET after the deadline changes nothing
		expect(decide.status).toBe(410);
		const execution = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 60_000);
		expect(ranOutputs(execution)).toEqual(['Timed Out']);
		expect(nodeOutput(execution, 'Timed Out')).toHaveLength(1);
		// The gate's own path: annotated, with one `expired` record and no decision.
		expect(nodeOutputs(execution, GATE)[0][0].json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null });
		expect(await n8n.waitForExecutionCustomData(c.executionId as string)).toMatchObject({ hitl_decision: 'timed_out' });
		const records = recordsOfRun(c);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		expect(records.filter((r) => r.event === 'expired')).toHaveLength(1);
	}, 300_000);

	it("once n8n's own timer has released a run, its link gets n8n's 409 and changes nothing", async () => {
		const c = cases.timeout;
		const released = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 150_000);
		const link = linkOf(c, who('frank'));
		expect((await get(link)).status).toBe(409);
		expect((await post(link, { decision: 'approve', csrf: 'x' })).status).toBe(409);
		const after = await n8n.getExecution(c.executionId as string);
		expect(after.status).toBe('success');
		expect(after.stoppedAt).toBe(released.stoppedAt);
		expect(ranOutputs(after)).toEqual(['Timed Out']);
		expect(recordsOfRun(c).filter((r) => r.event === 'decided')).toHaveLength(0);
	});

	it('a deadline passes with no decision: the item leaves through Timed Out and Approved never runs', async () => {
		const c = cases.timeout;
		const execution = await n8n.waitForExecutionStatus(c.executionId as string, 'success', 150_000);
		expect(ranOutputs(execution)).toEqual(['Timed Out']);
		const [out] = nodeOutput(execution, 'Timed Out');
		expect(out.json.subject).toBe(c.items[0].subject);
		const outputs = nodeOutputs(execution, GATE);
		expect(outputs[1] ?? []).toHaveLength(0);
		expect(outputs[2] ?? []).toHaveLength(0);
		expect(recordsOfRun(c).filter((r) => r.event === 'decided')).toHaveLength(0);
		process.stderr.write(`[gate] 5 s deadline released after ${Math.round((Date.now() - (c.startedAt as number)) / 1000)} s\n`);
	});
	it("the run n8n's timer released still ends in one `expired` record: the next gate run closes it; metrics over the log report it", async () => {
		const c = cases.timeout;
		await n8n.waitForExecutionStatus(c.executionId as string, 'success', 150_000);
		const requestId = requestedRecords(c)[0].itemKey as string;
		// n8n skipped the gate's code when its timer fired. The next run of any gate on this store sweeps
		// overdue requests before it does anything else (here an earlier test's run may already have).
		const next: Case = { items: [item('sweep', [who('henry')], 3600)], mails: new Map() };
		await startCase(next);
		const expired = recordsOfRun(c).filter((r) => r.event === 'expired');
		expect(expired).toHaveLength(1);
		expect(expired[0]).toMatchObject({ itemKey: requestId, decision: null, details: { reason: 'deadline_passed' } });
		// Written by a later run's sweep, after the deadline, not by the run n8n released.
		expect(Date.parse(String(expired[0].recordedAt))).toBeGreaterThan(deadlineOf(c));
		expect((expired[0].details as Record<string, Record<string, unknown>>).hitlRequest).toMatchObject({ id: requestId });
		// Metrics over the real log: the request counts once (requests, not links), as expired.
		const logFile = path.join(info.n8n.userFolder, '.n8n', 'hitl', 'default.jsonl');
		const records = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ReviewRecord);
		const [total] = await computeMetrics(records.filter((r) => r.executionId === c.executionId), { period: 'day', fastThresholdSeconds: 10, dimensions: [] });
		expect(total).toMatchObject({ requests: 1, outcomes: 1, expired: 1, expiredUnrecorded: 0, approved: 0, expiryRate: 1 });
		// Sweeping again changes nothing: one terminal record per request.
		await startCase({ items: [item('sweep-again', [who('ivan')], 3600)], mails: new Map() });
		expect(recordsOfRun(c).filter((r) => r.event === 'expired')).toHaveLength(1);
	});
});
