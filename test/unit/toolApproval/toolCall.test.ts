/**
 * HITL Tool Approval's contract with n8n's AI Agent: which call it takes from n8n's input item, and the
 * one answer the agent reads back. The answers are fed to n8n's own `processHitlResponses` (the installed
 * n8n 2.41.1, as the server suite runs it): only a reviewer's approval makes n8n run the tool, and a
 * denial's reason reaches the model. Fail closed: every other shape is a denial.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import { agentAnswerOf, denialText, editedText, reviewItemOf, TIMED_OUT_TEXT, toolCallFields, toolCallOf } from '../../../nodes/HitlToolApproval/toolCall';
import { ensureN8nInstalled } from '../../harness/paths';

const gateItem = (hitl: Record<string, unknown>): INodeExecutionData => ({ json: { tool: 'refund', arguments: { id: 7 }, hitl } });
const approvedBy = (reviewer: unknown, decision = 'approved') =>
	gateItem({ decision, reviewer, decidedAt: '2026-12-02T10:00:00.000Z', requestId: 'r1', logSeq: 4, draftSha256: 'ab'.repeat(32) });

describe('the tool call taken from n8n\'s input item', () => {
	const n8nItem = { prompt: 'refund', approved: true, data: { approved: true }, tool: 'refund', toolParameters: { id: 7 }, toolCallId: 'call_1', hitlParameters: {} };

	test('only the call id, tool name and arguments; an injected approval is dropped', () => {
		const call = toolCallOf(n8nItem);
		expect(call).toEqual({ toolCallId: 'call_1', tool: 'refund', arguments: { id: 7 } });
		expect(reviewItemOf(call as Exclude<typeof call, { problem: string }>).json).toEqual({ tool: 'refund', arguments: { id: 7 }, toolCallId: 'call_1' });
	});

	test.each([
		[{ ...n8nItem, toolCallId: '' }, 'toolCallId'],
		[{ ...n8nItem, toolCallId: undefined }, 'toolCallId'],
		[{ ...n8nItem, tool: 3 }, 'names no tool'],
		[{ ...n8nItem, toolParameters: [1] }, 'toolParameters'],
		[{ ...n8nItem, toolParameters: 'id=7' }, 'toolParameters'],
	])('not a tool call: %#', (json, problem) => {
		const call = toolCallOf(json as never);
		expect('problem' in call && call.problem).toContain(problem);
	});
});

describe('the fields the reviewer sees', () => {
	test('the tool, then each argument, editable under arguments.<name>, shown as plain text', () => {
		const { field } = toolCallFields([{ toolCallId: 'c', tool: 'refund', arguments: { id: 7, note: '<b>x</b>', meta: { a: 1 } } }]);
		expect(field).toEqual([
			{ label: 'Tool', path: 'tool', format: 'text', editable: false },
			{ label: 'id', path: 'arguments.id', format: 'text', editable: true },
			{ label: 'note', path: 'arguments.note', format: 'text', editable: true },
			{ label: 'meta', path: 'arguments.meta', format: 'text', editable: true },
			{ label: 'Tool call ID', path: 'toolCallId', format: 'text', editable: false },
		]);
	});

	test('argument names that cannot be edit keys: all arguments shown together, read-only', () => {
		const { field } = toolCallFields([{ toolCallId: 'c', tool: 't', arguments: { 'a.b': 1, ok: 2 } }]);
		expect(field.map((f) => [f.path, f.editable])).toEqual([
			['tool', false],
			['arguments.ok', true],
			['arguments', false],
			['toolCallId', false],
		]);
	});
});

describe('the answer the agent reads', () => {
	test('approved through Approved by a named reviewer → approved: true, with the evidence for the log', () => {
		const [[answer]] = agentAnswerOf([[], [approvedBy('fin@x.test')], []]);
		expect(answer.json).toEqual({
			approved: true,
			hitl: { decision: 'approved', reviewer: 'fin@x.test', decidedAt: '2026-12-02T10:00:00.000Z', requestId: 'r1', logSeq: 4, argumentsSha256: 'ab'.repeat(32) },
		});
		expect(answer.json).not.toHaveProperty('tool');
	});

	test('an item on Approved without a reviewer or with another decision is a denial', () => {
		expect(agentAnswerOf([[], [approvedBy(null)], []])[0][0].json.approved).toBe(false);
		expect(agentAnswerOf([[], [approvedBy('a@x.test', 'rejected')], []])[0][0].json.approved).toBe(false);
		expect(agentAnswerOf([[], [approvedBy('a@x.test', 'timed_out')], []])[0][0].json.approved).toBe(false);
	});

	test('approved with changes → not run as sent: approved: false, the model is told the corrected arguments', () => {
		const edited = { json: { tool: 'refund', arguments: { id: 7, amount: 25 }, hitl: { decision: 'approved_with_edits', reviewer: 'fin@x.test' } } };
		const [[answer]] = agentAnswerOf([[], [edited], []]);
		expect(answer.json.approved).toBe(false);
		expect(answer.json.chatInput).toBe(editedText('refund', { id: 7, amount: 25 }));
		expect(answer.json.chatInput).toContain('Call refund again with exactly these arguments: {"id":7,"amount":25}');
		expect(answer.json.hitl).toMatchObject({ decision: 'approved_with_edits', editedArguments: { id: 7, amount: 25 } });
	});

	test('rejected → approved: false with the reviewer\'s reason', () => {
		const [[answer]] = agentAnswerOf([[], [], [gateItem({ decision: 'rejected', reviewer: 'fin@x.test', comment: ' Too much ' })]]);
		expect(answer.json.approved).toBe(false);
		expect(answer.json.chatInput).toBe('The reviewer did not approve this tool call. Reason: Too much');
	});

	test('timed out (either output), or nothing at all → approved: false', () => {
		expect(agentAnswerOf([[gateItem({ decision: 'timed_out' })], [], []])[0][0].json).toMatchObject({ approved: false, chatInput: TIMED_OUT_TEXT });
		expect(agentAnswerOf([[], [], [gateItem({ decision: 'timed_out' })]])[0][0].json).toMatchObject({ approved: false, chatInput: TIMED_OUT_TEXT });
		expect(agentAnswerOf([[], [], []])[0][0].json).toMatchObject({ approved: false, chatInput: TIMED_OUT_TEXT });
		expect(denialText(undefined)).toBe('The reviewer did not approve this tool call.');
	});
});

describe('n8n 2.41.1\'s own processHitlResponses reads those answers as meant', () => {
	type Processed = {
		hasApprovedHitlTools: boolean;
		pendingGatedToolRequest?: { actions: Array<{ nodeName: string; input: Record<string, unknown> }> };
		processedResponse: { actionResponses: Array<{ data: { data: { ai_tool: Array<Array<{ json: Record<string, unknown> }>> } } }> };
	};
	let processHitlResponses: (response: unknown, itemIndex: number) => Processed;

	beforeAll(() => {
		const { n8nDir } = ensureN8nInstalled();
		const file = path.join(n8nDir, 'node_modules', '@n8n', 'n8n-nodes-langchain', 'dist', 'utils', 'agent-execution', 'processHitlResponses.js');
		// n8n's installed code, not a dependency of this package.
		processHitlResponses = (createRequire(__filename)(file) as { processHitlResponses: typeof processHitlResponses }).processHitlResponses;
	});

	const responseWith = (answer: INodeExecutionData) => ({
		actionResponses: [
			{
				action: {
					id: 'call_1',
					nodeName: 'HITL Tool Approval',
					metadata: { hitl: { gatedToolNodeName: 'record_refund', toolName: 'record_refund', originalInput: { id: 7 } } },
				},
				data: { data: { ai_tool: [[answer]] } },
			},
		],
		metadata: {},
	});

	test('approval → n8n runs the gated tool with the model\'s arguments', () => {
		const result = processHitlResponses(responseWith(agentAnswerOf([[], [approvedBy('fin@x.test')], []])[0][0]), 0);
		expect(result.hasApprovedHitlTools).toBe(true);
		expect(result.pendingGatedToolRequest?.actions).toEqual([expect.objectContaining({ nodeName: 'record_refund', input: { tool: 'record_refund', id: 7 } })]);
	});

	test.each([
		['rejection', [[], [], [gateItem({ decision: 'rejected', reviewer: 'fin@x.test', comment: 'Too much' })]], 'Too much'],
		['timeout', [[gateItem({ decision: 'timed_out' })], [], []], TIMED_OUT_TEXT],
		['no reviewer on Approved', [[], [approvedBy(null)], []], TIMED_OUT_TEXT],
		['approval with changes', [[], [{ json: { tool: 'refund', arguments: { id: 7, amount: 25 }, hitl: { decision: 'approved_with_edits', reviewer: 'a@x.test' } } }], []], '{"id":7,"amount":25}'],
	])('%s → the tool does not run; the model reads the reason', (_name, outputs, reason) => {
		const result = processHitlResponses(responseWith(agentAnswerOf(outputs as INodeExecutionData[][])[0][0]), 0);
		expect(result.hasApprovedHitlTools).toBe(false);
		expect(result.pendingGatedToolRequest).toBeUndefined();
		const seen = JSON.stringify(result.processedResponse.actionResponses[0].data.data.ai_tool[0][0].json);
		// seen is JSON: the reason's quotes come escaped.
		expect(seen).toContain(JSON.stringify(reason).slice(1, -1));
	});
});
