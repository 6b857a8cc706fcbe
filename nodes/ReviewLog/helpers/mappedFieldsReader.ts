/**
 * Review Log Append's mapped Fields (a collection of per-item expressions such as Item Key
 * `={{ $json.candidateId }}`) read once per item without n8n's expression runtime where a field lookup
 * gives n8n's own value.
 *
 * Why: n8n 2.x evaluates every expression through its expression runtime, about 0.4 ms an expression and
 * item on a real server (profiled for the gate, nodes/HitlGate/itemParameters.ts); a 1,000-item Append
 * with four mapped fields spent far longer evaluating them than writing its records
 * (`npm run bench -- log-append`). This is an audit writer, so the lookup answers only with n8n's exact
 * value, type included (core/textTemplate.ts renderTemplateValue), and an item any of whose expressions
 * it cannot answer is read whole by n8n, exactly as before. Equivalence with n8n's engine:
 * test/workflow/reviewlog/mappedFields.workflow.test.ts.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { compileTextTemplate, renderTemplateValue, type TextTemplate } from '../../../core/textTemplate';

/** One member of the collection as written in the node: its own value, or a template compiled from its expression. */
type Member = { name: string; constant: unknown } | { name: string; template: TextTemplate };

/** True when a parameter value (or anything inside it) is an n8n expression. */
function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(hasExpression);
	return false;
}

/**
 * The members of a collection parameter the lookup can serve, in the node's order, or null when it
 * cannot serve it at all (not an object, an expression it does not take, an expression nested deeper, a
 * member named "__proto__").
 * A member without an expression is read from n8n once (it is the same for every item).
 */
function compileMembers(ctx: IExecuteFunctions, name: string, raw: unknown): Member[] | null {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
	const members: Member[] = [];
	for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
		// Not a member Append knows, and no plain member of the object the lookup builds: n8n's to read.
		if (key === '__proto__') return null;
		if (typeof value === 'string' && value.startsWith('=')) {
			const template = compileTextTemplate(value);
			if (!template) return null;
			members.push({ name: key, template });
		} else if (hasExpression(value)) {
			return null;
		} else {
			members.push({ name: key, constant: ctx.getNodeParameter(`${name}.${key}`, 0) });
		}
	}
	return members;
}

/** Item i's members by the lookup, or null when one of its expressions needs n8n. */
function lookUpMembers(members: readonly Member[], json: unknown): IDataObject | null {
	const out: IDataObject = {};
	for (const member of members) {
		if ('constant' in member) {
			out[member.name] = member.constant as IDataObject[string];
			continue;
		}
		const value = renderTemplateValue(member.template, json);
		if (value === null) return null;
		out[member.name] = value;
	}
	return out;
}

/**
 * Reads the collection parameter `name` for item i: by the lookup where it answers for every expression
 * of the item, else by n8n (`getNodeParameter(name, i, {})`). Without any expression, one read serves all items.
 */
export function mappedFieldsReader(ctx: IExecuteFunctions, name: string): (i: number) => IDataObject {
	const raw = ctx.getNode().parameters[name];
	if (!hasExpression(raw)) {
		const once = ctx.getNodeParameter(name, 0, {}) as IDataObject;
		return () => once;
	}
	const members = compileMembers(ctx, name, raw);
	const items = members ? ctx.getInputData() : [];
	return (i) => {
		const item = items[i];
		const quick = members && item ? lookUpMembers(members, item.json) : null;
		return quick ?? (ctx.getNodeParameter(name, i, {}) as IDataObject);
	};
}
