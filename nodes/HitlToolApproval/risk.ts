/**
 * The risk of a tool call, for the reviewer's page, the time-on-page minimum and the log. The node
 * classifies the model's arguments itself with the Blast Radius Router's own presets (core/router), so
 * nothing upstream — least of all the model — can claim a lower tier: the annotation the gate trusts is
 * the one computed here, compared as canonical JSON. By default every call is High; presets can raise a
 * call to High (money amount, candidate-facing) and the builder's "otherwise" tier applies to the rest.
 * A missing argument a preset needs is High (the Router's fail-closed rule).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { canonicalize } from '../../core/canonicalJson';
import { compileRouter, type BlastRadiusAnnotation, type PresetSpecs, type RouterConfig } from '../../core/router';
import { isTier, type Tier } from '../../core/tiers';
import type { RiskProvenance } from '../HitlGate/riskProvenance';
import type { ToolCall } from './toolCall';

/** The builder's risk settings, as a Router configuration over the call's arguments. */
export function readToolRisk(ctx: IExecuteFunctions): RouterConfig {
	const mode = String(ctx.getNodeParameter('riskTier', 0, 'high'));
	if (mode !== 'presets') return { fallbackTier: 'high' };
	const presets: PresetSpecs = {};
	const moneyField = String(ctx.getNodeParameter('moneyAmountArgument', 0, 'amount')).trim();
	if (moneyField !== '') presets.moneyAmount = { field: moneyField, min: Number(ctx.getNodeParameter('moneyAmountFrom', 0, 1000)), tier: 'high' };
	const audienceField = String(ctx.getNodeParameter('candidateFacingArgument', 0, '')).trim();
	if (audienceField !== '') {
		presets.candidateFacing = { field: audienceField, values: String(ctx.getNodeParameter('candidateFacingValues', 0, 'candidate')), tier: 'high' };
	}
	const otherwise = ctx.getNodeParameter('otherwiseTier', 0, 'high');
	if (!isTier(otherwise)) {
		throw new NodeOperationError(ctx.getNode(), `Unknown tier "${String(otherwise)}"`, { description: 'Pick High, Medium or Low for "Tier Otherwise".' });
	}
	return { presets, fallbackTier: otherwise as Tier };
}

/** One annotation per call, evaluated at one time for the run. */
export function classifyCalls(ctx: IExecuteFunctions, config: RouterConfig, calls: readonly ToolCall[], now: Date): BlastRadiusAnnotation[] {
	let router;
	try {
		router = compileRouter(config);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, { description: 'Check the risk settings (argument names and amounts).' });
	}
	return calls.map((call) => router.route(call.arguments, { now }).annotation);
}

/** Trusts exactly the annotations computed here (by item index); anything else is unverified → High. */
export function verifierOf(nodeName: string, annotations: readonly BlastRadiusAnnotation[]): (itemIndex: number, annotation: unknown) => RiskProvenance {
	const expected = annotations.map((a) => canonicalize(a));
	return (itemIndex, annotation) => {
		let actual: string | null = null;
		try {
			actual = canonicalize(annotation);
		} catch {
			actual = null;
		}
		return actual !== null && actual === expected[itemIndex]
			? { verified: true, router: nodeName, detail: null }
			: { verified: false, router: null, detail: 'the annotation is not the one HITL Tool Approval computed' };
	};
}
