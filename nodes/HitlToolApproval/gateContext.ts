/**
 * HITL Tool Approval runs the HITL Gate's own code (requests, MACs, links, mail, page, decision, chain)
 * for one tool call, so every promise the gate keeps holds here too. The gate reads its settings with
 * `getNodeParameter`; this node fixes the ones a tool call has no choice about (one request per call,
 * the fields shown (toolCall.ts), first reviewer decides, no reminders, links straight to n8n's waiting
 * webhook) and hands the gate the cleaned call instead of n8n's input item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toolCallFields, type ToolCall } from './toolCall';

/**
 * Fixed gate settings. No reminders or escalation: their links would be built for a plain waiting
 * webhook, and n8n accepts only links it signed itself on this node (execute.ts signs the first mail's
 * links and the deadline order's URL).
 */
const FIXED: Readonly<Record<string, unknown>> = {
	reviewMode: 'perItem',
	fieldsShown: '',
	editableFields: '',
	approvalPolicy: 'first',
	requireOneTimeCode: 'off',
	remindEveryAmount: 0,
	'escalation.levels': [],
	rejectOnTimeout: true,
	dataSubjectId: '',
	notificationWebhookUrl: '',
};

/** The builder's options, with Review Links off: n8n checks its own signature on these links (see execute.ts). */
function optionsOf(ctx: IExecuteFunctions): IDataObject {
	const chosen = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return { ...chosen, reviewLinks: 'off' };
}

/** `ctx` as the gate sees it: `items` as input, the fixed settings above, everything else the node's own. */
export function gateContextFor(ctx: IExecuteFunctions, calls: readonly ToolCall[], items: INodeExecutionData[]): IExecuteFunctions {
	const adapted: IExecuteFunctions = Object.create(ctx) as IExecuteFunctions;
	adapted.getInputData = () => items;
	const displayFields = toolCallFields(calls);
	const own = ctx.getNodeParameter.bind(ctx) as (name: string, itemIndex: number, fallback?: unknown, options?: IDataObject) => unknown;
	const read = (name: string, itemIndex: number, fallback?: unknown, options?: IDataObject): unknown => {
		if (Object.prototype.hasOwnProperty.call(FIXED, name)) return FIXED[name];
		if (name === 'options') return optionsOf(ctx);
		if (name === 'displayFields') return displayFields;
		return own(name, itemIndex, fallback, options);
	};
	// getNodeParameter is overloaded by parameter name in n8n's types; the one implementation serves all.
	adapted.getNodeParameter = read as IExecuteFunctions['getNodeParameter'];
	return adapted;
}
