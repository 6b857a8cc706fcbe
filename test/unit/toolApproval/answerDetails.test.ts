/**
 * Written from the mutants that survived toolCall.test.ts and risk.test.ts (docs/mutation-testing.md): the
 * details of HITL Tool Approval's answer and records — the evidence fields and their fallbacks, the exact
 * texts the model reads, pairedItem, the read-only "Arguments" field, what the records say the request is
 * about — and the builder's risk settings read into a Router configuration.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { classifyCalls, readToolRisk, verifierOf } from '../../../nodes/HitlToolApproval/risk';
import { aboutCall, agentAnswerOf, editedText, reviewItemOf, TIMED_OUT_TEXT, toolCallFields, toolCallOf } from '../../../nodes/HitlToolApproval/toolCall';

const node: INode = { id: 'n1', name: 'Approve refunds', type: 'n8n-nodes-hitl.hitlToolApprovalHitlTool', typeVersion: 1, position: [0, 0], parameters: {} };

/** The two context methods readToolRisk and classifyCalls use, over a plain parameter map. */
function contextWith(parameters: Record<string, unknown>): IExecuteFunctions {
	const ctx: Pick<IExecuteFunctions, 'getNode'> & { getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => unknown } = {
		getNode: () => node,
		getNodeParameter: (name, _itemIndex, fallback) => (name in parameters ? parameters[name] : fallback),
	};
	return ctx as IExecuteFunctions;
}

describe('the answer\'s details', () => {
	const item = (hitl: unknown): INodeExecutionData => ({ json: { tool: 'refund', arguments: { id: 7 }, hitl } as never });

	test('evidence falls back field by field when the annotation has the wrong types', () => {
		const [[answer]] = agentAnswerOf([[], [], [item({ decision: 3, reviewer: 4, decidedAt: 5, requestId: 6, logSeq: '7', draftSha256: 8 })]]);
		expect(answer.json.hitl).toEqual({ decision: 'timed_out', reviewer: null, decidedAt: null, requestId: null, logSeq: null, argumentsSha256: null });
		const [[fromArray]] = agentAnswerOf([[], [], [item(['not', 'an', 'object'])]]);
		expect(fromArray.json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null });
		const [[fromNull]] = agentAnswerOf([[], [], [item(null)]]);
		expect(fromNull.json.hitl).toMatchObject({ decision: 'timed_out', reviewer: null });
	});

	test('every answer pairs with the one call (item 0)', () => {
		const approved = item({ decision: 'approved', reviewer: 'a@x.test' });
		const edited = item({ decision: 'approved_with_edits', reviewer: 'a@x.test' });
		for (const outputs of [[[], [approved], []], [[], [edited], []], [[], [], [approved]], [[approved], [], []], [[], [], []]]) {
			expect(agentAnswerOf(outputs)[0][0].pairedItem).toEqual({ item: 0 });
		}
	});

	test('missing outputs read as nothing decided; Timed Out\'s evidence is used when present', () => {
		expect(agentAnswerOf([])[0][0].json).toMatchObject({ approved: false, chatInput: TIMED_OUT_TEXT });
		const [[answer]] = agentAnswerOf([[item({ decision: 'timed_out', requestId: 'r9' })], [], []]);
		expect(answer.json.hitl).toMatchObject({ requestId: 'r9' });
	});

	test('an approval with changes needs the tool name; without it the call is not approved and no arguments are offered', () => {
		const nameless: INodeExecutionData = { json: { arguments: { id: 7 }, hitl: { decision: 'approved_with_edits', reviewer: 'a@x.test' } } };
		const [[answer]] = agentAnswerOf([[], [nameless], []]);
		expect(answer.json).toMatchObject({ approved: false, chatInput: TIMED_OUT_TEXT });
		const noArgs: INodeExecutionData = { json: { tool: 'refund', hitl: { decision: 'approved_with_edits', reviewer: 'a@x.test' } } };
		expect(agentAnswerOf([[], [noArgs], []])[0][0].json.hitl).toMatchObject({ editedArguments: null });
	});

	test('the texts the model reads', () => {
		expect(TIMED_OUT_TEXT).toBe('No reviewer approved this tool call in time, so it was not run.');
		expect(editedText('refund', { id: 7 })).toBe(
			'The reviewer approved this call only with changed arguments, so it was not run. Call refund again with exactly these arguments: {"id":7}',
		);
	});
});

describe('the call, the page and the records', () => {
	test('an empty tool name or a null toolParameters is not a call', () => {
		expect(toolCallOf({ toolCallId: 'c', tool: '', toolParameters: {} })).toEqual({ problem: 'the item names no tool' });
		expect(toolCallOf({ toolCallId: 'c', tool: 't', toolParameters: null })).toEqual({ problem: 'the item has no toolParameters object' });
	});

	test('the read-only Arguments field, labelled and plain text', () => {
		const fields = toolCallFields([{ toolCallId: 'c', tool: 't', arguments: { 'a b': 1 } }]).field;
		expect(fields.find((f) => f.path === 'arguments')).toEqual({ label: 'Arguments', path: 'arguments', format: 'text', editable: false });
	});

	test('the held item carries the computed risk only when given', () => {
		const call = { toolCallId: 'c', tool: 't', arguments: { id: 1 } };
		expect(reviewItemOf(call).json).not.toHaveProperty('blastRadius');
		expect(reviewItemOf(call, { tier: 'high' }).json.blastRadius).toEqual({ tier: 'high' });
	});

	test('what the records say the request is about', () => {
		expect(aboutCall({ tool: 'refund', toolCallId: 'c1', arguments: { id: 7 } })).toEqual({
			kind: 'agent_tool_call',
			tool: 'refund',
			toolCallId: 'c1',
			// SHA-256 of the RFC 8785 canonical JSON {"id":7}.
			argumentsSha256: 'a3c90e3b7448d23d9eacebd0ebf15cae100e21f9b2c688f3f9d238edcd26d67f',
		});
		expect(aboutCall({ tool: 3, toolCallId: 4 })).toMatchObject({ tool: null, toolCallId: null, argumentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
	});
});

describe('the builder\'s risk settings', () => {
	const now = new Date('2026-12-02T10:00:00.000Z');
	const call = (args: IDataObject) => ({ toolCallId: 'c', tool: 't', arguments: args });

	test('default: every call High, whatever its arguments', () => {
		const config = readToolRisk(contextWith({}));
		expect(config).toEqual({ fallbackTier: 'high' });
		expect(classifyCalls(contextWith({}), config, [call({ amount: 1 })], now)[0].tier).toBe('high');
	});

	test('presets: money amount and candidate-facing raise a call to High; the rest gets the otherwise tier', () => {
		const ctx = contextWith({ riskTier: 'presets', moneyAmountArgument: ' amount ', moneyAmountFrom: 500, candidateFacingArgument: ' to ', candidateFacingValues: 'candidate, applicant', otherwiseTier: 'low' });
		const config = readToolRisk(ctx);
		expect(config).toEqual({
			presets: { moneyAmount: { field: 'amount', min: 500, tier: 'high' }, candidateFacing: { field: 'to', values: 'candidate, applicant', tier: 'high' } },
			fallbackTier: 'low',
		});
		const tiers = classifyCalls(ctx, config, [call({ amount: 600, to: 'team' }), call({ amount: 10, to: 'applicant' }), call({ amount: 10, to: 'team' })], now).map((a) => a.tier);
		expect(tiers).toEqual(['high', 'high', 'low']);
		expect(classifyCalls(ctx, config, [call({ amount: 10, to: 'team' })], now)[0].evaluatedAt).toBe(now.toISOString());
	});

	test('presets with empty argument names check nothing; defaults for amount and values', () => {
		expect(readToolRisk(contextWith({ riskTier: 'presets', moneyAmountArgument: '', otherwiseTier: 'medium' }))).toEqual({ presets: {}, fallbackTier: 'medium' });
		expect(readToolRisk(contextWith({ riskTier: 'presets', candidateFacingArgument: 'to' }))).toEqual({
			presets: { moneyAmount: { field: 'amount', min: 1000, tier: 'high' }, candidateFacing: { field: 'to', values: 'candidate', tier: 'high' } },
			fallbackTier: 'high',
		});
	});

	test('an unknown otherwise tier or a broken configuration stops the run with what to fix', () => {
		expect(() => readToolRisk(contextWith({ riskTier: 'presets', otherwiseTier: 'none' }))).toThrow(expect.objectContaining({ message: 'Unknown tier "none"', description: 'Pick High, Medium or Low for "Tier Otherwise".' }));
		expect(() => classifyCalls(contextWith({}), { fallbackTier: 'extreme' as never }, [call({})], now)).toThrow(
			expect.objectContaining({ description: 'Check the risk settings (argument names and amounts).' }),
		);
	});

	test('an annotation that cannot be read as JSON is unverified, with the reason', () => {
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		const verify = verifierOf('n', [classifyCalls(contextWith({}), { fallbackTier: 'high' }, [call({})], now)[0]]);
		expect(verify(0, circular)).toEqual({ verified: false, router: null, detail: 'the annotation is not the one HITL Tool Approval computed' });
	});
});
