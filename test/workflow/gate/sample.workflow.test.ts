/**
 * Sample review (HITL Gate, Review Mode "Sample Review") in n8n's real engine: Router "Low – sampled for
 * review" → gate → the next node, with the built HITL Review Links node behind a loopback HTTP server
 * (reviewLinksStandIn.ts) for the gate's run-time probe and the mailed links. Proven here: every item
 * passes on at once through the one sample output (never Approved), each with `requested` + `sampled`
 * records and a mail whose links go to Review Links; without Review Links, or with an item that is not
 * router-verified Low, the run fails and nothing passes, is recorded or mailed; the other modes keep
 * their three outputs; the later verdict (GET shows and decides nothing, POST "Problem" needs a comment,
 * one terminal record, a second POST gets "already decided"), the gate's time on page, a tampered request
 * and an expired link; and the log verifies and Metrics gives the skip and problem rates worked out by hand.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { computeMetrics } from '../../../core/metrics';
import type { ReviewRecord } from '../../../core/store/types';
import { extractLinks, listMail, type CapturedMail } from '../../harness/smtpCapture';
import { createNodeTypes, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';
import { csrfOf, GATE, gateFixture, recordsOf, TIME_ON_PAGE_DEFAULTS, TIME_ON_PAGE_OFF, titleOf, useGateEnv } from './gateHarness';
import { openLink, postLink, startReviewLinks, type ReviewLinksStandIn } from './reviewLinksStandIn';

const env = useGateEnv('hitl-sample-wf');
let links: ReviewLinksStandIn;

beforeAll(async () => {
	links = await startReviewLinks(env);
});
afterAll(async () => {
	await links?.close();
});

function sampleFixture(gateParams: IDataObject = {}): WorkflowJson {
	const wf = loadFixture('../gate/fixtures/sample.json');
	const gate = wf.nodes.find((n) => n.name === GATE)!;
	Object.assign(gate.parameters, TIME_ON_PAGE_OFF, gateParams);
	return wf;
}

const notes = (n: number, reviewers = 'qa@example.com') =>
	Array.from({ length: n }, (_, i) => ({ audience: 'internal', reviewers, subject: `note ${i + 1}`, text: `Internal note ${i + 1}` }));

async function runSample(
	items: IDataObject[],
	opts: { gate?: IDataObject; baseUrl?: string; workflow?: WorkflowJson } = {},
): Promise<{ result: WorkflowRunResult; mails: CapturedMail[] }> {
	const before = listMail(env.smtp.mailDir).length;
	const result = await runWorkflow({ workflow: opts.workflow ?? sampleFixture(opts.gate), items, credentials: env.credentials as never, baseUrl: opts.baseUrl ?? links.baseUrl });
	return { result, mails: listMail(env.smtp.mailDir).slice(before) };
}

const reviewLinksOf = (mail: CapturedMail): string[] => [...new Set(extractLinks(mail).filter((l) => l.startsWith(`${links.baseUrl}/webhook/hitl-review?t=`)))];
const executionOf = (link: string): string =>
	(JSON.parse(Buffer.from((new URL(link).searchParams.get('t') as string).split('.')[0], 'base64url').toString('utf8')) as { exec: string }).exec;
const events = (recs: ReviewRecord[]) => recs.map((r) => r.event);

describe('HITL Gate sample review in the n8n engine', () => {
	test('every item passes on at once through the one sample output, never Approved; requested + sampled recorded; links mailed to Review Links', async () => {
		const { result, mails } = await runSample(notes(3));
		expect(result.error).toBeUndefined();
		// The run did not wait: it finished, and the next node got every item.
		expect(result.status).toBe('success');
		expect(result.run.waitTill).toBeFalsy();
		const outputs = result.outputs(GATE);
		expect(outputs).toHaveLength(1);
		expect(result.ran('Approved')).toBe(false);
		const delivered = result.outputs('Deliver')[0];
		expect(delivered.map((i) => i.json.text)).toEqual(['Internal note 1', 'Internal note 2', 'Internal note 3']);
		outputs[0].forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.hitl).toMatchObject({ mode: 'sample', status: 'pending_sample_review', decision: null, itemIndex: index, reviewers: ['qa@example.com'] });
			expect((item.json.blastRadius as IDataObject).tier).toBe('low');
		});
		// One mail to the reviewer with one personal link per item, each through HITL Review Links.
		expect(mails.map((m) => m.to[0])).toEqual(['qa@example.com']);
		const mailed = reviewLinksOf(mails[0]);
		expect(mailed).toHaveLength(3);
		expect(extractLinks(mails[0]).some((l) => l.includes('/webhook-waiting/'))).toBe(false);
		// The mail says the items already went on: a verdict is asked for, not a decision.
		expect(mails[0].text).toContain('Sample review: already sent on. Give your verdict before:');
		expect(mails[0].html).toContain('Sample review: <b>already sent on</b>');
		expect(mails[0].text).not.toContain('after that nothing is approved');
		const recs = await recordsOf(env, executionOf(mailed[0]));
		expect(events(recs)).toEqual(['requested', 'requested', 'requested', 'sampled', 'sampled', 'sampled']);
		const requestIds = outputs[0].map((i) => (i.json.hitl as IDataObject).requestId);
		expect(recs.filter((r) => r.event === 'sampled').map((r) => r.itemKey)).toEqual(requestIds);
		expect(recs.filter((r) => r.event === 'requested').map((r) => r.itemKey)).toEqual(requestIds);
		for (const r of recs) {
			expect(r.tier).toBe('low');
			if (r.event === 'requested') expect(r.details).toMatchObject({ sampleReview: true });
		}
	});

	test('without an active HITL Review Links the run fails saying so; nothing passes, nothing is recorded or mailed', async () => {
		// Nothing answers the probe at this base URL (a closed port).
		const { result, mails } = await runSample(notes(2, 'nolinks@example.com'), { baseUrl: 'http://127.0.0.1:9' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/needs an active HITL Review Links workflow/);
		expect((result.error as { description?: string }).description).toMatch(/Activate a workflow with the HITL Review Links node/);
		expect(result.ran('Deliver')).toBe(false);
		expect(result.ran('Approved')).toBe(false);
		expect(mails).toEqual([]);
		expect((await env.store.query({ reviewerId: 'nolinks@example.com' }, { limit: 10 })).records).toEqual([]);
	});

	test('an item that is not router-verified Low fails the run: sample review never lets a High or unclassified item through', async () => {
		// The gate straight after the trigger: no Router classified the item (unknown risk is high risk).
		const wf = gateFixture({ reviewMode: 'sample', message: 'x' });
		const { result, mails } = await runSample([{ reviewers: 'tier@example.com', subject: 'unclassified' }], { workflow: wf });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Sample review passes on only Low items; item 1 has no risk tier/);
		for (const n of ['Timed Out', 'Approved', 'Rejected']) expect(result.ran(n)).toBe(false);
		expect(mails).toEqual([]);
		expect((await env.store.query({ reviewerId: 'tier@example.com' }, { limit: 10 })).records).toEqual([]);
		// High (the Router's fallback) wired into a sample gate by mistake: refused the same way.
		const high = sampleFixture();
		high.connections['Blast Radius Router'].main[0] = [{ node: GATE, type: 'main' as never, index: 0 }];
		const refused = await runSample([{ audience: 'candidate', reviewers: 'tier@example.com', subject: 'high', text: 'x' }], { workflow: high });
		expect(refused.result.status).toBe('error');
		expect(refused.result.error?.message).toMatch(/item 1 has tier high/);
		expect(refused.mails).toEqual([]);
	});

	test('settings that need a waiting run are refused in sample mode, before anything is sent', async () => {
		for (const [gate, message] of [
			[{ approvalPolicy: 'quorum', requiredApprovals: 2 }, /one verdict per item/],
			[{ requireOneTimeCode: 'always' }, /no one-time code/],
			[{ remindEveryAmount: 2 }, /no reminders or escalation/],
			[{ options: { reviewLinks: 'off' } }, /needs HITL Review Links/],
		] as Array<[IDataObject, RegExp]>) {
			const { result, mails } = await runSample(notes(1, 'refused@example.com'), { gate });
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
			expect(result.ran('Deliver')).toBe(false);
			expect(mails).toEqual([]);
		}
	});

	test('the other review modes keep exactly their three outputs (Timed Out, Approved, Rejected); sample mode has one', () => {
		const nodeTypes = createNodeTypes();
		const outputsFor = (params: IDataObject) => {
			const wf = gateFixture(params);
			const workflow = new Workflow({ nodes: wf.nodes, connections: wf.connections, active: false, nodeTypes });
			const node = workflow.getNode(GATE)!;
			return NodeHelpers.getNodeOutputs(workflow, node, nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description);
		};
		const three = ['Timed Out', 'Approved', 'Rejected'].map((displayName) => ({ type: 'main', displayName }));
		expect(outputsFor({})).toEqual(three);
		expect(outputsFor({ reviewMode: 'perItem' })).toEqual(three);
		expect(outputsFor({ reviewMode: 'batch' })).toEqual(three);
		expect(outputsFor({ reviewMode: 'sample' })).toEqual([{ type: 'main', displayName: 'Sent On (Sample Review Later)' }]);
	});

	test('the later verdict: GET shows and decides nothing; "Problem" needs a comment; one decided record; a second POST is "already decided"; the log verifies; Metrics has the skip and problem rates', async () => {
		const { result, mails } = await runSample(notes(4, 'qa@example.com, lead@example.com'));
		expect(result.status).toBe('success');
		const qaMail = mails.find((m) => m.to[0] === 'qa@example.com')!;
		const leadMail = mails.find((m) => m.to[0] === 'lead@example.com')!;
		const [qa1, qa2] = reviewLinksOf(qaMail);
		const lead1 = reviewLinksOf(leadMail)[0];
		const executionId = executionOf(qa1);

		const page = await openLink(qa1);
		expect(page.status).toBe(200);
		expect(page.text).toContain('>Looks fine</button>');
		expect(page.text).toContain('>Problem</button>');
		expect(page.text).toContain('Sample review: this item has already gone on');
		expect(page.text).toContain('Internal note 1');
		expect(page.text).not.toContain('>Approve</button>');
		expect(page.headers.get('content-security-policy')).toBeTruthy();
		await openLink(qa1);
		let recs = await recordsOf(env, executionId);
		expect(events(recs).filter((e) => e === 'viewed')).toHaveLength(1);
		expect(events(recs)).not.toContain('decided');

		// "Problem" without a comment: refused, nothing recorded.
		const noComment = await postLink(qa1, { csrf: csrfOf(page.text), decision: 'reject', comment: '  ' });
		expect(noComment.status).toBe(400);
		expect(noComment.text).toContain('Please say what the problem is');
		// A forged form (no CSRF token of this page): refused.
		expect((await postLink(qa1, { csrf: 'x', decision: 'approve', comment: '' })).status).toBe(403);
		expect(events(await recordsOf(env, executionId))).not.toContain('decided');

		const problem = await postLink(qa1, { csrf: csrfOf(page.text), decision: 'reject', comment: 'Wrong team named' });
		expect(problem.status).toBe(200);
		expect(titleOf(problem.text)).toBe('Verdict recorded');
		expect(problem.text).toContain('as a problem');
		// The other reviewer of the same item, and the same reviewer again: already decided, nothing more recorded.
		const leadPage = await openLink(lead1);
		expect(titleOf(leadPage.text)).toBe('Already decided');
		const again = await postLink(qa1, { csrf: csrfOf(page.text), decision: 'approve', comment: '' });
		expect(titleOf(again.text)).toBe('Already decided');
		expect(again.text).toContain('rejected by qa@example.com');

		const fine = await openLink(qa2);
		expect(titleOf((await postLink(qa2, { csrf: csrfOf(fine.text), decision: 'approve', comment: '' })).text)).toBe('Verdict recorded');
		// Read back through the gate's release check (the decision MAC, the content hash): approved by whom.
		const fineLater = await openLink(qa2);
		expect(titleOf(fineLater.text)).toBe('Already decided');
		expect(fineLater.text).toContain('approved by qa@example.com');

		recs = await recordsOf(env, executionId);
		const decided = recs.filter((r) => r.event === 'decided');
		expect(decided.map((r) => [r.decision, r.reviewerId, r.comment, r.details?.sampleVerdict])).toEqual([
			['rejected', 'qa@example.com', 'Wrong team named', 'problem'],
			['approved', 'qa@example.com', null, 'looks_fine'],
		]);
		const requestIds = (result.outputs(GATE)[0] ?? []).map((i) => (i.json.hitl as IDataObject).requestId);
		expect(decided.map((r) => r.itemKey)).toEqual(requestIds.slice(0, 2));
		// Sealed as the gate seals a decision: the request binding with the decision MAC.
		for (const r of decided) expect(r.details?.hitlRequest).toMatchObject({ keyId: 'wf-1', mac: expect.stringMatching(/.+/) });

		expect((await env.store.verify()).ok).toBe(true);
		// By hand: 4 sampled items of this run, 2 reviewed (1 problem, 1 looks fine), 2 never reviewed.
		const runRecords = recs.filter((r) => r.executionId === executionId);
		const [total] = await computeMetrics(runRecords, { period: 'day', fastThresholdSeconds: 0, dimensions: [] });
		expect(total).toMatchObject({ sampled: 4, sampledUnreviewed: 2, skipRate: 0.5, sampledProblems: 1, problemRate: 0.5, requests: 4, approved: 1, rejected: 1, pending: 2 });
	});

	test('the gate\'s minimum time on page holds for a verdict; a tampered request shows the integrity notice; an expired link decides nothing', async () => {
		const timed = await runSample(notes(1, 'slow@example.com'), { gate: { ...TIME_ON_PAGE_DEFAULTS } });
		const link = reviewLinksOf(timed.mails[0])[0];
		const page = await openLink(link);
		const quick = await postLink(link, { csrf: csrfOf(page.text), decision: 'approve', comment: '' });
		expect(quick.text).toContain('confirm');
		const recs = await recordsOf(env, executionOf(link));
		expect(events(recs)).toContain('decision_too_fast');
		expect(events(recs)).not.toContain('decided');

		const tampered = await runSample(notes(1, 'tamper@example.com'));
		const tLink = reviewLinksOf(tampered.mails[0])[0];
		const requestId = (tampered.result.outputs(GATE)[0][0].json.hitl as IDataObject).requestId as string;
		await env.editStoredRequest(requestId, (r) => ({ ...r, payload: { ...r.payload, items: [{ ...(r.payload.items as IDataObject[])[0], json: { text: 'changed' } }] } }));
		const tPage = await openLink(tLink);
		expect(tPage.status).toBe(500);
		expect(tPage.text).toContain('integrity');
		expect(tPage.text).not.toContain('changed');
		expect(events(await recordsOf(env, executionOf(tLink)))).toContain('tamper_suspected');

		const short = await runSample(notes(1, 'late@example.com'), { gate: { deadlineAmount: 3, deadlineUnit: 'seconds' } });
		const lLink = reviewLinksOf(short.mails[0])[0];
		const lPage = await openLink(lLink);
		expect(lPage.status).toBe(200);
		expect(titleOf((await openLink(lLink)).text)).not.toBe('Link expired');
		const reviewBy = Date.parse(String((short.result.outputs(GATE)[0][0].json.hitl as IDataObject).reviewBy));
		await new Promise((r) => setTimeout(r, Math.max(0, reviewBy - Date.now() + 200)));
		// GET on the dead link: the expired page, nothing written; the POST then ends the request on record.
		expect(titleOf((await openLink(lLink)).text)).toBe('Link expired');
		expect(events(await recordsOf(env, executionOf(lLink)))).not.toContain('expired');
		const late = await postLink(lLink, { csrf: csrfOf(lPage.text), decision: 'approve', comment: '' });
		expect(titleOf(late.text)).toBe('Link expired');
		const lRecs = await recordsOf(env, executionOf(lLink));
		expect(events(lRecs)).toContain('expired');
		expect(events(lRecs)).not.toContain('decided');
	});
});
