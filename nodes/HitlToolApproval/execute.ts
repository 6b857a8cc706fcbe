/**
 * HITL Tool Approval's first half: check the call n8n handed over, then let the gate record the
 * request, sign the reviewer's links and mail them, and wait with no n8n timer (a deadline is the HITL
 * Deadlines worker's signed order). Run on its own (not as the agent's `…HitlTool`), or with an item that
 * is not a tool call, it fails with an error: nothing is approved and no tool runs.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { executeGate } from '../HitlGate/execute';
import { gateContextFor } from './gateContext';
import { classifyCalls, readToolRisk, verifierOf } from './risk';
import { aboutCall, reviewItemOf, toolCallOf } from './toolCall';

/** n8n's suffix for the agent-tool variant it generates from a send-and-wait node. */
const HITL_TOOL_SUFFIX = 'HitlTool';

export async function executeToolApproval(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	if (!node.type.endsWith(HITL_TOOL_SUFFIX)) {
		throw new NodeOperationError(node, 'HITL Tool Approval only works between a tool and an AI Agent', {
			description:
				'Add it from the AI Agent\'s Tool input (Human in the Loop → HITL Tool Approval), then connect the tool to approve to it. To hold ordinary items for review, use HITL Gate.',
		});
	}
	const items = this.getInputData();
	const calls = items.map((item, itemIndex) => {
		const call = toolCallOf(item.json);
		if ('problem' in call) {
			throw new NodeOperationError(node, `Not a tool call: ${call.problem}`, {
				itemIndex,
				description: 'n8n passes HITL Tool Approval one item per tool call from an AI Agent. Nothing was approved and the tool did not run.',
			});
		}
		return call;
	});
	const risks = classifyCalls(this, readToolRisk(this), calls, new Date());
	const held = calls.map((call, i) => reviewItemOf(call, { ...risks[i] }));
	await executeGate.call(gateContextFor(this, calls, held), {
		// n8n checks its own URL signature on a send-and-wait node's waiting webhook: every link is signed by
		// n8n (its HMAC covers the gate's token in the query), and the page's form posts back to that URL.
		linkUrlFor: (token: string) => this.getSignedResumeUrl({ t: token }),
		deadlineOrderUrl: this.getSignedResumeUrl(),
		// When n8n's own wait timer ends a waiting node it passes the node's input item on, and the agent
		// would read an `approved: true` the model slipped into its call as an approval. Only a reviewer or
		// the HITL Deadlines worker's signed order ends this wait.
		noWaitTimer: true,
		verifyRisk: verifierOf(node.name, risks),
		aboutOf: (item) => aboutCall(item.json),
	});
	return [[]];
}
