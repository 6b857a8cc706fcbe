/** Public, n8n-free API of the Blast Radius Router core. */
export { compileRouter, ROUTER_VERSION } from './router';
export type { Router, RouterConfig, RouteOptions, RouteResult } from './router';
export { recomputeSample, samplingValue, samplingKeyText } from './sampling';
export type { SampleDecision } from './sampling';
export { compilePresets, parseRequiredFields, PRESET_NAMES, PRESET_DEFAULTS, FIELD_TYPES } from './presets';
export type { PresetSpecs, PresetName, FieldType } from './presets';
export { compileCondition, compileRegex } from './conditions';
export { inspectItem, DEFAULT_INPUT_LIMITS } from './inputGuard';
export type { InputLimits } from './inputGuard';
export { parsePath, getOwn, FORBIDDEN_KEYS, PathError } from './path';
export { RuleError } from './values';
export * from './types';

import { compileRouter, type RouterConfig, type RouteOptions, type RouteResult } from './router';

/** One-shot convenience: classify one item with a config (compile once with `compileRouter` for many). */
export function classify(json: unknown, config: RouterConfig, options?: RouteOptions): RouteResult {
	return compileRouter(config).route(json, options);
}
