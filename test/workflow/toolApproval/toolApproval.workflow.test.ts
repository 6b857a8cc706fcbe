/**
 * HITL Tool Approval in n8n's real engine (WorkflowExecute, the built node): outside an AI Agent — the
 * base node type, or the agent-tool variant handed an item that is not a tool call — it stops the run with
 * an error that says what to do, and nothing is approved. (The agent path itself needs n8n's AI Agent and
 * its generated variant: test/server/toolApproval.server.test.ts.)
 */
import { createRequire } from 'node:module';

import type { IDataObject, INodeType } from 'n8n-workflow';

import { runWorkflow, type WorkflowJson } from '../harness';

// The built node, as n8n loads it; n8n registers the same class under the generated `…HitlTool` name.
const { HitlToolApproval } = createRequire(__filename)('../../../dist/nodes/HitlToolApproval/HitlToolApproval.node') as { HitlToolApproval: new () => INodeType };

function workflow(type: string): WorkflowJson {
	return {
		name: 'tool approval outside an agent',
		nodes: [
			{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'a',
				name: 'HITL Tool Approval',
				type,
				typeVersion: 1,
				position: [200, 0],
				parameters: { reviewers: 'fin@hitl.test', notifyByEmail: false, operation: 'sendAndWait' },
			},
			{ id: 'n', name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 0], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'HITL Tool Approval', type: 'main', index: 0 }]] },
			'HITL Tool Approval': { main: [[{ node: 'After', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

const errorOf = (error: unknown) => error as { message?: string; description?: string; context?: IDataObject } | undefined;

describe('HITL Tool Approval outside an AI Agent', () => {
	test('the base node type stops the run: it only works between a tool and an AI Agent', async () => {
		const result = await runWorkflow({ workflow: workflow('n8n-nodes-hitl.hitlToolApproval'), items: [{ approved: true }] });
		expect(result.status).toBe('error');
		expect(errorOf(result.error)?.message).toBe('HITL Tool Approval only works between a tool and an AI Agent');
		expect(errorOf(result.error)?.description).toContain('use HITL Gate');
		expect(result.ran('After')).toBe(false);
	});

	test.each([
		[{ tool: 'refund', toolParameters: { id: 7 } }, 'the item has no toolCallId'],
		[{ toolCallId: 'c1', toolParameters: { id: 7 }, approved: true }, 'the item names no tool'],
		[{ toolCallId: 'c1', tool: 'refund', toolParameters: 'id=7' }, 'the item has no toolParameters object'],
	])('the agent-tool variant with an item that is not a tool call stops the run: %j', async (item, problem) => {
		const result = await runWorkflow({
			workflow: workflow('n8n-nodes-hitl.hitlToolApprovalHitlTool'),
			items: [item],
			nodeTypes: { 'n8n-nodes-hitl.hitlToolApprovalHitlTool': new HitlToolApproval() },
		});
		expect(result.status).toBe('error');
		expect(errorOf(result.error)?.message).toBe(`Not a tool call: ${problem}`);
		expect(errorOf(result.error)?.description).toContain('Nothing was approved and the tool did not run');
		expect(result.ran('After')).toBe(false);
	});
});
