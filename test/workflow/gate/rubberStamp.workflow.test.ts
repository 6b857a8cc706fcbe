/**
 * The per-record rubber-stamp flag through the built HITL Gate in n8n's engine (file store): each
 * request carries its tier's threshold in its MAC'd payload (Router-verified Low / Medium / High, and an
 * item without a tier); a decision taken sooner than that after its page was served is recorded with
 * `details.possibleRubberStamp: true` and the threshold, one taken later with `false`; the decision is
 * taken either way. A store writer lowering the stored threshold gets an integrity refusal. Review Log
 * metrics over the stored records count the flags per reviewer and tier. Real waits, no backdating.
 */
import { NodeConnectionTypes, type IDataObject, type INode } from 'n8n-workflow';

import { computeMetrics } from '../../../core/metrics';
import type { ReviewRecord, ReviewRequest } from '../../../core/store/types';
import { sleep } from '../../harness/net';
import { loadFixture, runWorkflow, type WorkflowJson } from '../harness';
import { callWebhook, csrfOf, executionIdOf, GATE, gateLinks, outputsOf, recordsOf, runGate, TIME_ON_PAGE_OFF, titleOf, useGateEnv, type GateEnv } from './gateHarness';
import { listMail } from '../../harness/smtpCapture';

const NO_MINIMUM = TIME_ON_PAGE_OFF.options as IDataObject;

describe('HITL Gate rubber-stamp flag', () => {
	const env: GateEnv = useGateEnv('hitl-rubber-stamp');

	/** The Router fixture with every tier's output wired into the gate, and the gate's options set. */
	function routedGate(options: IDataObject): { workflow: WorkflowJson; gate: INode } {
		const workflow = loadFixture('../gate/fixtures/risk-router-gate.json');
		const gate = workflow.nodes.find((n) => n.name === GATE)!;
		Object.assign(gate.parameters, TIME_ON_PAGE_OFF, { options: { ...NO_MINIMUM, ...options } });
		const toGate = [{ node: GATE, type: NodeConnectionTypes.Main, index: 0 }];
		workflow.connections['Blast Radius Router'] = { main: [toGate, toGate, toGate, toGate] };
		return { workflow, gate: gate as INode };
	}

	const decide = async (result: Parameters<typeof callWebhook>[1], link: string, gate?: INode) => {
		const page = await callWebhook(env, result, link, 'GET', {}, gate);
		return { page, post: async () => await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '' }, gate) };
	};

	test('each tier\'s threshold is fixed into its request; a quick decision is flagged with it, a slower one is not; both are taken; metrics count the flags per reviewer and tier', async () => {
		// Thresholds small enough to wait past: Low 1 s, Medium 1.5 s, High 2 s (Router-verified tiers).
		const { workflow, gate } = routedGate({ rubberStampSecondsLow: 1, rubberStampSecondsMedium: 1.5, rubberStampSecondsHigh: 2 });
		// One run per tier (a waiting gate takes one Router output per run).
		const runs: Record<string, { result: Awaited<ReturnType<typeof runWorkflow>>; link: string; executionId: string; request: ReviewRequest }> = {};
		for (const [tier, item] of [['low', { kind: 'note', subject: 'low' }], ['medium', { amount: 500, subject: 'medium' }], ['high', { subject: 'high' }]] as const) {
			const before = listMail(env.smtp.mailDir).length;
			const result = await runWorkflow({ workflow, items: [item], credentials: env.credentials as never });
			expect(result.status).toBe('waiting');
			const link = gateLinks(listMail(env.smtp.mailDir).slice(before)[0])[0];
			const executionId = executionIdOf(link);
			const requestId = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')!.itemKey as string;
			const request = (await env.store.getReviewRequest(requestId))!;
			expect((request.payload as IDataObject).tier).toBe(tier);
			runs[tier] = { result, link, executionId, request };
		}
		expect((runs.low.request.payload as IDataObject).rubberStampSeconds).toBe(1);
		expect((runs.medium.request.payload as IDataObject).rubberStampSeconds).toBe(1.5);
		expect((runs.high.request.payload as IDataObject).rubberStampSeconds).toBe(2);

		// Low: decided at once (flagged). Medium: after 1.7 s (not flagged). High: at once (flagged).
		const taken = async (tier: string, waitMs = 0) => {
			const { page, post } = await decide(runs[tier].result, runs[tier].link, gate);
			expect(page.status).toBe(200);
			if (waitMs > 0) await sleep(waitMs);
			const answer = await post();
			expect(titleOf(answer.body)).toBe('Decision recorded');
			// Taken either way: the item leaves through Approved.
			expect(outputsOf(answer)[1]).toHaveLength(1);
		};
		await taken('low');
		await taken('medium', 1_700);
		await taken('high');

		const decided: ReviewRecord[] = [];
		for (const tier of ['low', 'medium', 'high']) decided.push(...(await recordsOf(env, runs[tier].executionId)));
		const detailsOf = (tier: string) => decided.find((r) => r.event === 'decided' && r.itemKey === runs[tier].request.id)!.details!;
		expect(detailsOf('low')).toMatchObject({ possibleRubberStamp: true, rubberStampThresholdSeconds: 1 });
		expect(detailsOf('medium')).toMatchObject({ possibleRubberStamp: false, rubberStampThresholdSeconds: 1.5 });
		expect(detailsOf('medium').secondsOnPage as number).toBeGreaterThanOrEqual(1.5);
		expect(detailsOf('high')).toMatchObject({ possibleRubberStamp: true, rubberStampThresholdSeconds: 2 });
		expect(detailsOf('high').secondsOnPage as number).toBeLessThan(2);

		// Metrics over the stored records: the gate's flags, not the run-level threshold (set high on purpose).
		const rows = await computeMetrics(decided, { period: 'week', fastThresholdSeconds: 600, dimensions: ['reviewer', 'tier'] });
		expect(rows.map((r) => [r.dimension, r.key, r.approved, r.fastDecisions])).toEqual([
			['total', 'all', 3, 2],
			['reviewer', 'ann@example.com', 3, 2],
			['tier', 'high', 1, 1],
			['tier', 'medium', 1, 0],
			['tier', 'low', 1, 1],
		]);
	}, 30_000);

	test('an item without a tier gets the Unclassified threshold (default 30 s): a quick decision is flagged with 30', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'unclassified' }]);
		const link = gateLinks(mails[0])[0];
		const { post } = await decide(result, link);
		const answer = await post();
		expect(outputsOf(answer)[1]).toHaveLength(1);
		const record = (await recordsOf(env, executionIdOf(link))).find((r) => r.event === 'decided')!;
		expect(record.tier).toBeNull();
		expect(record.details).toMatchObject({ possibleRubberStamp: true, rubberStampThresholdSeconds: 30 });
	});

	test('0 never flags', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'zero' }], { options: { ...NO_MINIMUM, rubberStampSecondsUnclassified: 0 } });
		const link = gateLinks(mails[0])[0];
		await (await decide(result, link)).post();
		const record = (await recordsOf(env, executionIdOf(link))).find((r) => r.event === 'decided')!;
		expect(record.details).toMatchObject({ possibleRubberStamp: false, rubberStampThresholdSeconds: 0 });
	});

	test('the threshold is what was signed: a store writer who sets it to 0 gets an integrity refusal, not a decision', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'tamper' }]);
		const link = gateLinks(mails[0])[0];
		const executionId = executionIdOf(link);
		const requestId = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')!.itemKey as string;
		const { post } = await decide(result, link);
		await env.editStoredRequest(requestId, (r) => ({ ...r, payload: { ...r.payload, rubberStampSeconds: 0 } }));
		const answer = await post();
		expect(titleOf(answer.body)).not.toBe('Decision recorded');
		expect(answer.result.workflowData).toBeUndefined();
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(0);
		expect(records.filter((r) => r.event === 'tamper_suspected')).toHaveLength(1);
	});

	test('a threshold out of range fails the node with what to set, before anything is sent', async () => {
		const bad = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'x' }], { options: { ...NO_MINIMUM, rubberStampSecondsMedium: 5000 } });
		expect(bad.result.status).toBe('error');
		expect(bad.result.error?.message).toContain('Invalid rubber-stamp threshold for Medium: 5000');
		expect(bad.mails).toHaveLength(0);
	});
});
