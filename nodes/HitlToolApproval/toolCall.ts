/**
 * The tool call n8n hands this node, and the one answer the AI Agent reads back.
 *
 * n8n runs the node with one item per call: the agent's input item, spread with the call
 * (`tool`, `toolParameters`, the model's other arguments) and `toolCallId`. Only the three named
 * fields are taken; everything else (including any `approved` a model or an upstream node put there)
 * is dropped, so the review page shows exactly what n8n will run and nothing can pre-approve a call.
 *
 * The agent reads `approved` (a boolean) from the first item of this node's output; `true` makes n8n
 * run the tool with the arguments the model sent, anything else tells the model the call was not
 * approved, quoting `chatInput` when it is a string (n8n's processHitlResponses). So the answer is
 * always built fresh: `approved: true` only from a reviewer's approval the gate read from the chain.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { sha256Json } from '../../core/edits';
import { OUTPUT_APPROVED, OUTPUT_REJECTED, OUTPUT_TIMED_OUT } from '../HitlGate/description';

export interface ToolCall {
	toolCallId: string;
	tool: string;
	arguments: IDataObject;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The call in an item n8n built for this node, or what is wrong with it. */
export function toolCallOf(json: IDataObject): ToolCall | { problem: string } {
	const { toolCallId, tool, toolParameters } = json;
	if (typeof toolCallId !== 'string' || toolCallId === '') return { problem: 'the item has no toolCallId' };
	if (typeof tool !== 'string' || tool === '') return { problem: 'the item names no tool' };
	if (!isObject(toolParameters)) return { problem: 'the item has no toolParameters object' };
	return { toolCallId, tool, arguments: toolParameters };
}

/** The item the gate holds for review: the call and, when given, the risk this node computed for it. */
export function reviewItemOf(call: ToolCall, blastRadius?: IDataObject): INodeExecutionData {
	return { json: { tool: call.tool, arguments: call.arguments, toolCallId: call.toolCallId, ...(blastRadius ? { blastRadius } : {}) } };
}

/**
 * What the request's records say it is about (`details.about`), so an auditor reading only the log sees
 * which tool was asked for and with which arguments (their SHA-256 over RFC 8785 canonical JSON).
 */
export function aboutCall(json: Record<string, unknown>): IDataObject {
	return {
		kind: 'agent_tool_call',
		tool: typeof json.tool === 'string' ? json.tool : null,
		toolCallId: typeof json.toolCallId === 'string' ? json.toolCallId : null,
		argumentsSha256: sha256Json(json.arguments ?? null),
	};
}

/** A top-level argument name that can be an edit key (`arguments.<name>`): no dot, bracket, control or edge space. */
const EDITABLE_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/;

type ToolCallField = { label: string; path: string; format: 'text' | 'auto'; editable: boolean };

/**
 * What the page shows, in this order: the tool, then each argument the model sent, each editable (a
 * number stays a number, an object stays an object: core/edits). Model-written text is shown as plain text,
 * never rendered as HTML. Arguments whose names cannot be edit keys are shown together, read-only.
 */
export function toolCallFields(calls: readonly ToolCall[]): { field: ToolCallField[] } {
	const names = [...new Set(calls.flatMap((c) => Object.keys(c.arguments)))];
	const editable = names.filter((n) => EDITABLE_NAME.test(n));
	const fields: ToolCallField[] = [{ label: 'Tool', path: 'tool', format: 'text', editable: false }];
	for (const name of editable) fields.push({ label: name, path: `arguments.${name}`, format: 'text', editable: true });
	if (editable.length < names.length) fields.push({ label: 'Arguments', path: 'arguments', format: 'text', editable: false });
	fields.push({ label: 'Tool call ID', path: 'toolCallId', format: 'text', editable: false });
	return { field: fields };
}

interface GateAnnotation {
	decision?: unknown;
	reviewer?: unknown;
	decidedAt?: unknown;
	comment?: unknown;
	requestId?: unknown;
	logSeq?: unknown;
	draftSha256?: unknown;
}

function annotationOf(item: INodeExecutionData | undefined): GateAnnotation {
	const hitl = item?.json.hitl;
	return isObject(hitl) ? (hitl as GateAnnotation) : {};
}

/** For the execution log only: the agent shows the model `approved` and `chatInput`, never this. */
function evidenceOf(a: GateAnnotation): IDataObject {
	return {
		decision: typeof a.decision === 'string' ? a.decision : 'timed_out',
		reviewer: typeof a.reviewer === 'string' ? a.reviewer : null,
		decidedAt: typeof a.decidedAt === 'string' ? a.decidedAt : null,
		requestId: typeof a.requestId === 'string' ? a.requestId : null,
		logSeq: typeof a.logSeq === 'number' ? a.logSeq : null,
		argumentsSha256: typeof a.draftSha256 === 'string' ? a.draftSha256 : null,
	};
}

/** The reviewer's reason as the model reads it ("…provided feedback: "<this>"…"). */
export function denialText(comment: unknown): string {
	const reason = typeof comment === 'string' ? comment.trim() : '';
	return reason === '' ? 'The reviewer did not approve this tool call.' : `The reviewer did not approve this tool call. Reason: ${reason}`;
}

export const TIMED_OUT_TEXT = 'No reviewer approved this tool call in time, so it was not run.';

/**
 * n8n runs an approved call with the arguments the model sent (the agent's own record of the call), so an
 * approval with changes cannot run as it stands: the model is told the corrected arguments and calls again,
 * and that call is reviewed like any other (the reviewer confirms it with a second approval).
 */
export function editedText(tool: string, args: unknown): string {
	return `The reviewer approved this call only with changed arguments, so it was not run. Call ${tool} again with exactly these arguments: ${JSON.stringify(args)}`;
}

/**
 * The gate's three outputs for the one call → the one item the agent reads. Approved only when the
 * gate released the item through Approved with a decision other than a rejection; everything else —
 * rejected, timed out, an unexpected shape — is a denial.
 */
export function agentAnswerOf(gateOutputs: INodeExecutionData[][]): INodeExecutionData[][] {
	const approved = gateOutputs[OUTPUT_APPROVED]?.[0];
	const rejected = gateOutputs[OUTPUT_REJECTED]?.[0];
	const timedOut = gateOutputs[OUTPUT_TIMED_OUT]?.[0];
	const approval = annotationOf(approved);
	if (approved && approval.decision === 'approved' && typeof approval.reviewer === 'string') {
		return [[{ json: { approved: true, hitl: evidenceOf(approval) }, pairedItem: { item: 0 } }]];
	}
	if (approved && approval.decision === 'approved_with_edits' && typeof approved.json.tool === 'string') {
		const text = editedText(approved.json.tool, approved.json.arguments);
		return [[{ json: { approved: false, chatInput: text, hitl: { ...evidenceOf(approval), editedArguments: approved.json.arguments ?? null } }, pairedItem: { item: 0 } }]];
	}
	if (rejected) {
		const rejection = annotationOf(rejected);
		const text = rejection.decision === 'timed_out' ? TIMED_OUT_TEXT : denialText(rejection.comment);
		return [[{ json: { approved: false, chatInput: text, hitl: evidenceOf(rejection) }, pairedItem: { item: 0 } }]];
	}
	const other = annotationOf(timedOut ?? approved);
	return [[{ json: { approved: false, chatInput: TIMED_OUT_TEXT, hitl: evidenceOf(other) }, pairedItem: { item: 0 } }]];
}
