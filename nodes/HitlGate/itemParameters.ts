/**
 * The gate's parameters that may differ per item — reviewers, subject, message — each read once per
 * item and run. An expression that is only text with `{{ $json.path }}` placeholders is answered by a
 * field lookup (core/textTemplate.ts) where that gives n8n's own result, and by n8n otherwise: n8n's
 * expression runtime costs about 0.4 ms an item on a real server, most of what a 1,000-item per-item run
 * spent building its requests (profiled).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compileTextTemplate, renderTemplateValue } from '../../core/textTemplate';
import { isExpressionParameter, parseReviewerList } from './settings';

/**
 * A parameter's value for item i — n8n's own value, type included (a whole `{{ $json.n }}` is the
 * number) — read once when it is not an expression, else once per item.
 */
export function itemParameterReader(ctx: IExecuteFunctions, name: string, fallback: string): (i: number) => unknown {
	if (!isExpressionParameter(ctx, name)) {
		const once = ctx.getNodeParameter(name, 0, fallback);
		return () => once;
	}
	const template = compileTextTemplate(ctx.getNode().parameters[name]);
	const items = template ? ctx.getInputData() : [];
	const read = new Map<number, unknown>();
	return (i) => {
		if (read.has(i)) return read.get(i);
		const item = items[i];
		const quick = template && item ? renderTemplateValue(template, item.json) : null;
		const value = quick ?? ctx.getNodeParameter(name, i, fallback);
		read.set(i, value);
		return value;
	};
}

/** A text parameter per item (subject, message). */
export function textReader(ctx: IExecuteFunctions, name: string, fallback: string): (i: number) => string {
	const read = itemParameterReader(ctx, name, fallback);
	return (i) => String(read(i) ?? '');
}

/** The reviewers per item: plain email addresses, at least one, or the node fails for that item. */
export function reviewersReader(ctx: IExecuteFunctions): (itemIndex: number) => string[] {
	const read = itemParameterReader(ctx, 'reviewers', '');
	return (itemIndex) => {
		const { reviewers, invalid } = parseReviewerList(read(itemIndex));
		if (invalid.length > 0) {
			throw new NodeOperationError(ctx.getNode(), `Invalid reviewer email: ${invalid.join(', ')}`, {
				itemIndex,
				description: 'Reviewers must be plain email addresses separated by commas or semicolons.',
			});
		}
		if (reviewers.length === 0) {
			throw new NodeOperationError(ctx.getNode(), 'No reviewer for this item', {
				itemIndex,
				description: 'Fill in "Reviewers" with at least one email address (an expression that returns none fails closed).',
			});
		}
		return reviewers;
	};
}
