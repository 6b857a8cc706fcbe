/**
 * The Blast Radius Router's decision, without n8n: compile rules and presets once, then route each
 * item natively. Highest matching tier wins; no match → fallback tier; any failure → High.
 */
import { maxTier, type Tier } from '../tiers';
import { compileCondition } from './conditions';
import { DEFAULT_INPUT_LIMITS, inspectItem, type InputLimits } from './inputGuard';
import { compilePresets, type PresetSpecs } from './presets';
import { recomputeSample, samplingKeyText, validateRate } from './sampling';
import type {
	BlastRadiusAnnotation,
	CompiledRule,
	ExternalValues,
	IfMissing,
	Reason,
	RouteOutput,
	RuleSpec,
	SamplingRecord,
} from './types';
import { errorMessage } from './values';

/** Version of the routing algorithm and annotation format; recorded on every item. */
export const ROUTER_VERSION = '1.0.0';

export interface RouterConfig {
	rules?: RuleSpec[];
	presets?: PresetSpecs;
	/** What presets do when their field is missing; default `fail` (→ High). */
	presetIfMissing?: IfMissing;
	/** Tier for items no rule matches; default `high` (unknown means risky). */
	fallbackTier?: Tier;
	sampling?: { rate: number; seed: string };
	limits?: Partial<InputLimits>;
}

export interface Router {
	readonly rules: readonly CompiledRule[];
	readonly fallbackTier: Tier;
	readonly sampling: { rate: number; seed: string };
	/** Whether Low items need a sampling key (0 < rate < 100). */
	readonly needsSamplingKey: boolean;
	route(json: unknown, options?: RouteOptions): RouteResult;
}

export interface RouteOptions {
	/** Per-rule values computed by the caller (n8n expressions), indexed like `router.rules`. */
	externals?: ReadonlyArray<ExternalValues | undefined>;
	/** Returns the sampling key; called only for Low items when a key is needed. May throw. */
	samplingKey?: () => unknown;
	/** Evaluation time; default: now. Pass one per run to avoid a clock read and a string per item. */
	now?: Date | string;
}

export interface RouteResult {
	output: RouteOutput;
	annotation: BlastRadiusAnnotation;
	/** Errors that forced the item to High (bad input, throwing rules, sampling key). */
	errors: Reason[];
}

export function compileRouter(config: RouterConfig): Router {
	const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS, ...(config.limits ?? {}) };
	for (const [k, v] of Object.entries(limits)) {
		if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`Input limit ${k} must be a positive whole number`);
	}
	const fallbackTier = config.fallbackTier ?? 'high';
	if (!['low', 'medium', 'high'].includes(fallbackTier)) throw new RangeError(`Unknown fallback tier "${String(fallbackTier)}"`);
	const rate = validateRate(config.sampling?.rate ?? 0);
	const seed = config.sampling?.seed ?? '';
	const needsSamplingKey = rate > 0 && rate < 100;
	if (needsSamplingKey && seed.trim() === '') {
		throw new RangeError('Sampling seed is empty: set a seed (any text you keep) or set the rate to 0 or 100');
	}

	const rules: CompiledRule[] = (config.rules ?? []).map((spec, index) => {
		if (!['low', 'medium', 'high'].includes(spec.tier)) throw new RangeError(`Rule ${index + 1}: unknown tier "${String(spec.tier)}"`);
		const condition = compileCondition(spec.condition, { maxRegexInput: limits.maxStringLength });
		return {
			id: `rule ${index + 1}`,
			label: spec.label?.trim() || condition.text,
			tier: spec.tier,
			source: 'rule',
			needs: condition.needs,
			test: condition.test,
		};
	});
	rules.push(...compilePresets(config.presets ?? {}, config.presetIfMissing ?? 'fail'));

	return {
		rules,
		fallbackTier,
		sampling: { rate, seed },
		needsSamplingKey,
		route(json, options = {}) {
			const reasons: Reason[] = [];
			const errors: Reason[] = [];
			let tier: Tier | null = null;

			const problem = inspectItem(json, limits);
			if (problem !== null) {
				errors.push({ label: 'Bad input', tier: 'high', source: 'error', error: problem });
			} else {
				const item = json as Record<string, unknown>;
				for (let r = 0; r < rules.length; r++) {
					const rule = rules[r];
					try {
						const external = options.externals?.[r];
						if (external !== undefined && 'error' in external) throw external.error;
						const hit = rule.test(item, external);
						if (hit === false) continue;
						const reason: Reason = { label: rule.label, tier: rule.tier, source: rule.source, ruleId: rule.id };
						if (typeof hit === 'string' && hit !== '') reason.detail = hit;
						reasons.push(reason);
						tier = tier === null ? rule.tier : maxTier(tier, rule.tier);
					} catch (error) {
						errors.push({ label: rule.label, tier: 'high', source: 'error', ruleId: rule.id, error: errorMessage(error) });
					}
				}
			}

			if (errors.length === 0 && tier === null) {
				tier = fallbackTier;
				reasons.push({ label: 'No rule matched', tier: fallbackTier, source: 'fallback' });
			}

			let sampling: SamplingRecord | null = null;
			let sampled = false;
			if (errors.length === 0 && tier === 'low') {
				try {
					if (needsSamplingKey) {
						if (!options.samplingKey) throw new Error('No sampling key was supplied');
						const key = samplingKeyText(options.samplingKey());
						const decision = recomputeSample(seed, key, rate);
						sampled = decision.sampled;
						sampling = { rate, seed, key, value: decision.value };
					} else {
						sampled = rate >= 100;
						sampling = { rate, seed, key: null, value: null };
					}
				} catch (error) {
					errors.push({ label: 'Sampling', tier: 'high', source: 'error', error: errorMessage(error) });
				}
			}

			if (errors.length > 0) {
				// Fail closed: whatever else matched, an item we could not fully judge is High.
				tier = 'high';
				sampled = false;
				sampling = null;
			}
			const finalTier = tier as Tier;
			const annotation: BlastRadiusAnnotation = {
				tier: finalTier,
				reasons: [...reasons, ...errors],
				sampled,
				sampling,
				routerVersion: ROUTER_VERSION,
				evaluatedAt: typeof options.now === 'string' ? options.now : (options.now ?? new Date()).toISOString(),
			};
			const output: RouteOutput =
				finalTier === 'high' ? 'high' : finalTier === 'medium' ? 'medium' : sampled ? 'lowSampled' : 'low';
			return { output, annotation, errors };
		},
	};
}
