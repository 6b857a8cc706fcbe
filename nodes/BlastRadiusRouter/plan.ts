/**
 * Turns the node's parameters into a compiled router, once per run. Parameters are read raw; a
 * value that is a per-item expression (it references the item) is evaluated per item, everything
 * else once. A plain field reference like `{{ $json.a.b }}` becomes a native path lookup.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import {
	compileRouter,
	type ConditionSpec,
	type ExternalValues,
	type IfMissing,
	type PresetSpecs,
	type Router,
	type RuleSpec,
} from '../../core/router';
import type { Tier } from '../../core/tiers';

/** Globals whose value is the same for every item of a run; any other `$name` may depend on the item. */
const ITEM_INDEPENDENT = new Set(['$vars', '$env', '$workflow', '$execution', '$now', '$today', '$runIndex', '$nodeVersion', '$prevNode', '$secrets']);

const SIMPLE_JSON_REF = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(?:"[^"]*"|'[^']*')\])+)\s*\}\}$/;

export function isExpression(raw: unknown): raw is string {
	return typeof raw === 'string' && raw.startsWith('=');
}

/** Cheap, conservative test: an expression is item-dependent unless every `$name` it uses is known to be run-level. */
export function isItemDependent(raw: string): boolean {
	if (raw.includes('$(')) return true;
	for (const m of raw.matchAll(/\$[A-Za-z_][\w]*/g)) {
		if (!ITEM_INDEPENDENT.has(m[0])) return true;
	}
	return false;
}

/** `={{ $json.a.b[0] }}` → `a.b[0]`; anything else → null. */
export function simpleJsonPath(raw: string): string | null {
	const m = SIMPLE_JSON_REF.exec(raw);
	if (!m) return null;
	return m[1].startsWith('.') ? m[1].slice(1) : m[1];
}

/** Per-item work for one rule: which parameters to evaluate for each item. */
interface RuleExternals {
	left?: string;
	value?: string;
	bool?: string;
	/** Values that are expressions but the same for all items, evaluated once. */
	constant: ExternalValues;
}

export interface RoutingPlan {
	router: Router;
	annotationField: string;
	/** Indexed like `router.rules`; undefined for rules that need nothing per item. */
	externals: Array<RuleExternals | undefined>;
	hasExternals: boolean;
	/** How to get an item's sampling key. */
	samplingKey: { path: string } | { parameter: 'samplingKey' } | null;
}

/** A configuration problem: the whole run cannot be judged. */
function planError(ctx: IExecuteFunctions, message: string, description: string, cause?: unknown): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), message, { itemIndex: 0, description });
	if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
	return error;
}

const FORBIDDEN_FIELD = new Set(['__proto__', 'constructor', 'prototype', 'json', 'binary', 'pairedItem', 'error']);

export function buildPlan(ctx: IExecuteFunctions): RoutingPlan {
	const get = (name: string, fallback: unknown) => ctx.getNodeParameter(name, 0, fallback);
	const raw = (name: string, fallback: unknown) => ctx.getNodeParameter(name, 0, fallback, { rawExpressions: true });

	// Run-level settings may be expressions, but not per-item ones: one value must hold for the run.
	for (const name of ['fallbackTier', 'samplingRate', 'samplingSeed', 'presets', 'options']) {
		assertRunLevel(ctx, raw(name, null), name);
	}
	const options = get('options', {}) as IDataObject;
	const annotationField = String(options.annotationField ?? 'blastRadius').trim();
	if (annotationField === '' || FORBIDDEN_FIELD.has(annotationField)) {
		throw planError(
			ctx,
			`Annotation field "${annotationField}" cannot be used`,
			'Set Options → Annotation Field to a plain field name such as "blastRadius".',
		);
	}
	const rawRules = (raw('rules.rule', []) as IDataObject[]) ?? [];
	const rules: RuleSpec[] = [];
	const externals: Array<RuleExternals | undefined> = [];
	rawRules.forEach((rule, r) => {
		const built = buildRule(ctx, rule, r);
		rules.push(built.spec);
		externals.push(built.externals);
	});

	const rate = get('samplingRate', 10);
	const seed = String(get('samplingSeed', '') ?? '');
	const needsKey = typeof rate === 'number' && rate > 0 && rate < 100;
	let samplingKey: RoutingPlan['samplingKey'] = null;
	if (needsKey) {
		const rawKey = raw('samplingKey', '');
		if (typeof rawKey !== 'string' || rawKey.trim() === '' || rawKey.trim() === '=') {
			throw planError(
				ctx,
				'Sampling key is empty',
				'Set Sampling Key to a field that identifies the item (e.g. candidateId or {{ $json.candidateId }}), or set the sampling rate to 0 or 100.',
			);
		}
		if (!isExpression(rawKey)) samplingKey = { path: rawKey };
		else samplingKey = simpleJsonPath(rawKey) !== null ? { path: simpleJsonPath(rawKey)! } : { parameter: 'samplingKey' };
	}

	let router: Router;
	try {
		router = compileRouter({
			rules,
			presets: presetSpecs(get('presets', {}) as IDataObject),
			presetIfMissing: (options.presetIfMissing as IfMissing) ?? 'fail',
			fallbackTier: get('fallbackTier', 'high') as Tier,
			sampling: { rate: rate as number, seed },
			limits: {
				...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth as number } : {}),
				...(options.maxNodes !== undefined ? { maxNodes: options.maxNodes as number } : {}),
				...(options.maxStringLength !== undefined ? { maxStringLength: options.maxStringLength as number } : {}),
			},
		});
	} catch (error) {
		throw planError(ctx, (error as Error).message, 'Check the fallback tier, sampling rate and seed, rule tiers and input limits.', error);
	}
	while (externals.length < router.rules.length) externals.push(undefined);
	return { router, annotationField, externals, hasExternals: externals.some((e) => e !== undefined), samplingKey };
}

function assertRunLevel(ctx: IExecuteFunctions, value: unknown, where: string): void {
	if (isExpression(value)) {
		if (isItemDependent(value)) {
			throw planError(
				ctx,
				`"${where}" uses an expression that depends on the item`,
				`Per-item expressions are supported in a rule's Field, Value and Expression and in Sampling Key. Give "${where}" a fixed value (or an expression that is the same for every item).`,
			);
		}
		return;
	}
	if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) assertRunLevel(ctx, v, `${where}.${k}`);
	}
}

function buildRule(ctx: IExecuteFunctions, rule: IDataObject, r: number): { spec: RuleSpec; externals?: RuleExternals } {
	const base = `rules.rule[${r}]`;
	const label = `Rule ${r + 1}`;
	// Structure (type, operation, tier, label…) must be the same for every item.
	for (const key of Object.keys(rule)) {
		if (!['field', 'value', 'numberValue', 'dateValue', 'expression'].includes(key)) assertRunLevel(ctx, rule[key], `${label} → ${key}`);
	}
	const param = (name: string, fallback: unknown) => ctx.getNodeParameter(`${base}.${name}`, 0, fallback);
	const tier = param('tier', 'high') as Tier;
	const ruleLabel = String(param('label', '') ?? '');
	const ext: RuleExternals = { constant: {} };
	let perItem = false;

	/** A parameter that may be a literal, a run-level expression, or a per-item expression. */
	const flexible = (name: 'value' | 'numberValue' | 'dateValue' | 'expression', slot: 'value' | 'bool', fallback: unknown) => {
		const rawValue = rule[name] ?? fallback;
		if (isExpression(rawValue) && isItemDependent(rawValue)) {
			ext[slot] = `${base}.${name}`;
			perItem = true;
			return { external: true as const };
		}
		return param(name, fallback);
	};

	if ((rule.conditionType ?? 'field') === 'expression') {
		const v = flexible('expression', 'bool', false);
		if (!(v !== null && typeof v === 'object')) ext.constant.bool = v;
		return { spec: { condition: { kind: 'expression' }, tier, label: ruleLabel }, externals: ext };
	}

	const rawField = rule.field ?? '';
	let left: { path: string } | { external: true };
	if (isExpression(rawField)) {
		const path = simpleJsonPath(rawField);
		if (path !== null) left = { path };
		else if (isItemDependent(rawField)) {
			ext.left = `${base}.field`;
			perItem = true;
			left = { external: true };
		} else {
			ext.constant.left = param('field', '');
			left = { external: true };
		}
	} else {
		left = { path: String(rawField) };
	}
	const type = String(param('type', 'string'));
	const ifMissing = param('ifMissing', 'fail') as IfMissing;
	let condition: ConditionSpec;
	switch (type) {
		case 'number':
			condition = { kind: 'field', left, type, ifMissing, operation: param('numberOperation', 'gte') as never, value: flexible('numberValue', 'value', 0) as never };
			break;
		case 'boolean':
			condition = { kind: 'field', left, type, ifMissing, operation: param('booleanOperation', 'isTrue') as never };
			break;
		case 'date':
			condition = { kind: 'field', left, type, ifMissing, operation: param('dateOperation', 'after') as never, value: flexible('dateValue', 'value', '') };
			break;
		case 'presence':
			condition = { kind: 'field', left, type, operation: param('presenceOperation', 'exists') as never };
			break;
		default:
			condition = {
				kind: 'field',
				left,
				type: 'string',
				ifMissing,
				operation: param('stringOperation', 'equals') as never,
				value: flexible('value', 'value', '') as never,
				caseSensitive: param('caseSensitive', true) !== false,
			};
	}
	const hasConstant = Object.keys(ext.constant).length > 0;
	return { spec: { condition, tier, label: ruleLabel }, externals: perItem || hasConstant ? ext : undefined };
}

function presetSpecs(p: IDataObject): PresetSpecs {
	const out: PresetSpecs = {};
	const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
	const num = (v: unknown) => (v === undefined || v === '' ? undefined : (v as number));
	const tier = (v: unknown) => (v === undefined ? undefined : (v as Tier));
	const c = p.candidateFacing as IDataObject | undefined;
	if (c) out.candidateFacing = { field: str(c.field), values: str(c.values), tier: tier(c.tier), label: str(c.label) };
	const b = p.bulkRecipients as IDataObject | undefined;
	if (b) out.bulkRecipients = { field: str(b.field), min: num(b.min), tier: tier(b.tier), label: str(b.label) };
	const m = p.moneyAmount as IDataObject | undefined;
	if (m) out.moneyAmount = { field: str(m.field), min: num(m.min), tier: tier(m.tier), label: str(m.label) };
	const k = p.complianceClock as IDataObject | undefined;
	if (k) {
		out.complianceClock = {
			stageField: str(k.stageField),
			stages: str(k.stages),
			previousStageField: str(k.previousStageField),
			dateFields: str(k.dateFields),
			tier: tier(k.tier),
			label: str(k.label),
		};
	}
	const l = p.lowConfidence as IDataObject | undefined;
	if (l) out.lowConfidence = { field: str(l.field), below: num(l.below), tier: tier(l.tier), label: str(l.label) };
	const s = p.structuredOutput as IDataObject | undefined;
	if (s) out.structuredOutput = { fields: str(s.fields) ?? '', tier: tier(s.tier), label: str(s.label) };
	return out;
}
