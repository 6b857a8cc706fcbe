/**
 * HITL Tool Approval's second half: the gate's own webhook shows the page (GET never decides) and takes
 * the decision (POST), and when it releases the call this turns the gate's outputs into the one answer
 * the AI Agent reads (toolCall.ts). While nobody has decided, the run keeps waiting.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { gateWebhook } from '../HitlGate/webhook';
import { agentAnswerOf } from './toolCall';

export async function toolApprovalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const answer = await gateWebhook.call(this);
	if (!answer.workflowData) return answer;
	return { ...answer, workflowData: agentAnswerOf(answer.workflowData) };
}
