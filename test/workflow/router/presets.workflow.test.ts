import { loadFixture, runWorkflow } from '../harness';

const ROUTER = 'Blast Radius Router';
const ok = { kind: 'draft', subject: 'Hi', body: 'Text', confidence: 0.9 };

describe('presets configured in the node UI, in real n8n execution', () => {
	test.each([
		['candidate-facing send', { audience: 'Applicant' }, 'high', 'Candidate-facing send', 'audience = applicant'],
		['bulk recipients', { recipients: ['a', 'b', 'c'] }, 'medium', 'Bulk send (≥ 3 recipients)', '3 recipients'],
		['money amount (custom label)', { payment: { amount: 1500 } }, 'high', 'Big money', 'payment.amount = 1500'],
		['compliance clock: stage', { stage: 'offer', previousStage: 'interview' }, 'high', 'Compliance clock change', 'stage → offer'],
		['compliance clock: date field', { noticeDate: '2026-12-01' }, 'high', 'Compliance clock change', 'noticeDate set'],
		['model confidence', { confidence: 0.5 }, 'medium', 'Model confidence below 0.7', 'confidence = 0.5'],
		['structured output', { body: 42 }, 'high', 'Structured output check failed', 'body is number, not string'],
	])('%s', async (_name, patch, tier, label, detail) => {
		const result = await runWorkflow({ workflow: loadFixture('router/presets.json'), items: [{ ...ok, ...patch }] });
		expect(result.status).toBe('success');
		const output = { high: 0, medium: 1 }[tier as 'high' | 'medium'];
		const [item] = result.json(ROUTER, output);
		// The annotation field name is configurable (here "risk").
		const risk = item.risk as { tier: string; reasons: Array<Record<string, unknown>> };
		expect(risk.tier).toBe(tier);
		expect(risk.reasons).toContainEqual(expect.objectContaining({ label, tier, source: 'preset', detail }));
		expect(item.blastRadius).toBeUndefined();
	});

	test('an item no preset flags follows the rules (Draft → Low, not sampled at rate 0)', async () => {
		const result = await runWorkflow({ workflow: loadFixture('router/presets.json'), items: [ok, { ...ok, stage: 'offer', previousStage: 'offer' }] });
		const low = result.json(ROUTER, 3);
		expect(low).toHaveLength(2);
		expect(low[0].risk).toMatchObject({ tier: 'low', sampled: false, sampling: { rate: 0, key: null, value: null } });
	});
});
