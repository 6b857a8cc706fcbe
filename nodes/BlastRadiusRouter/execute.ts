/**
 * Routes a run's items. Rules are compiled once (plan.ts); per item only expressions the builder
 * wrote that reference the item are evaluated by n8n. Everything that fails while judging an item
 * sends it to High with the error as reason, or — when the builder enabled the error output — to
 * the error output. No failure ever sends an item to Low.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type IDataObject } from 'n8n-workflow';

import { getOwn, parsePath, type ExternalValues, type Reason, type RouteOutput } from '../../core/router';
import { withMember } from '../../core/withMember';
import { buildPlan, type RoutingPlan } from './plan';

const OUTPUT_INDEX: Record<RouteOutput, number> = { high: 0, medium: 1, lowSampled: 2, low: 3 };

export async function routeItems(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outputs: INodeExecutionData[][] = [[], [], [], []];
	if (items.length === 0) return outputs;
	const node = this.getNode();
	const errorOutput = node.onError === 'continueErrorOutput';

	let plan: RoutingPlan;
	try {
		plan = buildPlan(this);
	} catch (error) {
		const nodeError =
			error instanceof NodeOperationError
				? error
				: new NodeOperationError(node, error as Error, {
						itemIndex: 0,
						description: 'Check the Blast Radius Router settings.',
					});
		if (!this.continueOnFail()) throw nodeError;
		// Continue-on-fail with a broken configuration: nothing can be judged, so everything is High.
		const evaluatedAt = new Date().toISOString();
		items.forEach((item, i) => {
			const reason: Reason = { label: 'Router configuration', tier: 'high', source: 'error', error: nodeError.message };
			const annotation = { tier: 'high', reasons: [reason], sampled: false, sampling: null, routerVersion: '', evaluatedAt };
			outputs[0].push(errorOutput ? errorItem(i, nodeError) : { json: withField(item.json, 'blastRadius', annotation), pairedItem: { item: i } });
		});
		return outputs;
	}

	const { router, annotationField } = plan;
	const keyPath = plan.samplingKey !== null && 'path' in plan.samplingKey ? safePath(plan.samplingKey.path) : null;
	const runConstants = plan.externals.map((e) => (e ? e.constant : undefined));
	// One timestamp per run: the time this node judged the batch.
	const now = new Date().toISOString();

	for (let i = 0; i < items.length; i++) {
		const item = items[i];
		const json = item.json as unknown;
		const externals = plan.hasExternals ? evaluateExternals(this, plan, runConstants, i) : undefined;
		const samplingKey = (): unknown => {
			if (plan.samplingKey === null) return undefined;
			if ('path' in plan.samplingKey) {
				if (keyPath instanceof Error) throw keyPath;
				return getOwn(json, keyPath!);
			}
			return this.getNodeParameter('samplingKey', i);
		};
		const result = router.route(json, { externals, samplingKey, now });
		if (result.errors.length > 0 && errorOutput) {
			const message = result.errors.map((e) => `${e.label}: ${e.error}`).join('; ');
			const error = new NodeOperationError(node, `Could not judge item ${i}: ${message}`, {
				itemIndex: i,
				description: 'Fix the rule or the item. Without the error output enabled, such items go to High.',
			});
			outputs[0].push(errorItem(i, error));
			continue;
		}
		const out: INodeExecutionData = { json: withField(json, annotationField, result.annotation), pairedItem: { item: i } };
		if (item.binary) out.binary = item.binary;
		outputs[OUTPUT_INDEX[result.output]].push(out);
	}
	return outputs;
}

function evaluateExternals(
	ctx: IExecuteFunctions,
	plan: RoutingPlan,
	constants: Array<ExternalValues | undefined>,
	i: number,
): Array<ExternalValues | undefined> {
	return plan.externals.map((e, r) => {
		if (e === undefined) return undefined;
		const values: ExternalValues = { ...constants[r] };
		try {
			if (e.left !== undefined) values.left = ctx.getNodeParameter(e.left, i);
			if (e.value !== undefined) values.value = ctx.getNodeParameter(e.value, i);
			if (e.bool !== undefined) values.bool = ctx.getNodeParameter(e.bool, i);
		} catch (error) {
			// Keep the cause: the router records the message as the reason for routing High.
			values.error = error;
		}
		return values;
	});
}

function safePath(path: string) {
	try {
		return parsePath(path);
	} catch (error) {
		return error as Error;
	}
}

/** A shallow copy of the item's JSON with the annotation added (withMember: the spread's result, faster); non-object JSON is not copied. */
function withField(json: unknown, field: string, annotation: unknown): IDataObject {
	const base = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as IDataObject) : {};
	return withMember(base, field, annotation) as IDataObject;
}

/**
 * An item for n8n's error output. n8n moves items whose json holds only `error` (and `message` /
 * `details`) to the error output and merges the paired input item's json back in, so the user keeps
 * the item's data. (An `item.error` would make n8n replace the json with the bare message.) Should
 * n8n not move it, it stays in High: never a lower tier.
 */
function errorItem(i: number, error: NodeOperationError): INodeExecutionData {
	return { json: { error: error.message, details: error.description ?? '' }, pairedItem: { item: i } };
}
