/**
 * The six ready-made rules. Each compiles to a {@link CompiledRule} like a builder's own rule, with
 * the same fail-closed behaviour: a missing or mistyped field throws (→ High) unless the builder
 * chose "does not match" for missing fields.
 */
import type { Tier } from '../tiers';
import { formatPath, getOwn, parsePath, type PathSegment } from './path';
import type { CompiledRule, IfMissing, TestResult } from './types';
import { RuleError, describeType, errorMessage, isEmptyValue, isMissing, toNumber, toText } from './values';

export interface PresetSpecs {
	/** Item goes to someone outside (a candidate): field is `true`, or its text is one of `values`. */
	candidateFacing?: { field?: string; values?: string[] | string; tier?: Tier; label?: string };
	/** Recipient count (array length, number, or a comma/semicolon separated list) ≥ `min`. */
	bulkRecipients?: { field?: string; min?: number; tier?: Tier; label?: string };
	/** Money amount ≥ `min`. */
	moneyAmount?: { field?: string; min?: number; tier?: Tier; label?: string };
	/**
	 * A change that starts a legal deadline: the stage field moves to one of `stages` (and differs
	 * from `previousStageField` when that is given), or one of `dateFields` is set.
	 */
	complianceClock?: {
		stageField?: string;
		stages?: string[] | string;
		previousStageField?: string;
		dateFields?: string[] | string;
		tier?: Tier;
		label?: string;
	};
	/** Model confidence below `below`; a missing confidence counts as failing closed. */
	lowConfidence?: { field?: string; below?: number; tier?: Tier; label?: string };
	/** Required fields missing or of the wrong type: `"name:string, score:number, tags:array"`. */
	structuredOutput?: { fields?: string | Array<{ path: string; type: FieldType }>; tier?: Tier; label?: string };
}

export const PRESET_NAMES = [
	'candidateFacing',
	'bulkRecipients',
	'moneyAmount',
	'complianceClock',
	'lowConfidence',
	'structuredOutput',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const FIELD_TYPES = ['string', 'number', 'boolean', 'object', 'array', 'any'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const PRESET_DEFAULTS = {
	candidateFacing: { field: 'audience', values: ['candidate'], tier: 'high' as Tier },
	bulkRecipients: { field: 'recipients', min: 50, tier: 'high' as Tier },
	moneyAmount: { field: 'amount', min: 1000, tier: 'high' as Tier },
	complianceClock: { stageField: 'stage', stages: ['rejected', 'offer', 'hired'], tier: 'high' as Tier },
	lowConfidence: { field: 'confidence', below: 0.8, tier: 'medium' as Tier },
	structuredOutput: { tier: 'high' as Tier },
};

type Test = (json: Record<string, unknown>) => TestResult;

export function compilePresets(specs: PresetSpecs, ifMissing: IfMissing = 'fail'): CompiledRule[] {
	const rules: CompiledRule[] = [];
	for (const name of PRESET_NAMES) {
		const spec = specs[name];
		if (spec === undefined || spec === null) continue;
		const tier = spec.tier ?? PRESET_DEFAULTS[name].tier;
		let label = spec.label?.trim() || '';
		let test: Test;
		try {
			const built = BUILDERS[name](spec as never, ifMissing);
			label ||= built.label;
			test = built.test;
		} catch (error) {
			const message = `Preset is misconfigured: ${errorMessage(error)}`;
			label ||= name;
			test = () => {
				// The router turns this into a High routing with the message as its reason.
				throw new RuleError(message);
			};
		}
		rules.push({
			id: `preset ${name}`,
			label,
			tier,
			source: 'preset',
			needs: { left: false, value: false, bool: false },
			test: (json) => test(json),
		});
	}
	return rules;
}

function field(path: string | undefined, fallback: string): { segs: PathSegment[]; name: string } {
	const segs = parsePath(path?.trim() ? path : fallback);
	return { segs, name: formatPath(segs) };
}

function list(value: string[] | string | undefined, fallback: string[]): string[] {
	const raw = value === undefined ? fallback : Array.isArray(value) ? value : value.split(/[,;\n]/);
	return raw.map((s) => String(s).trim()).filter((s) => s !== '');
}

function need(value: unknown, name: string, ifMissing: IfMissing): boolean {
	if (!isMissing(value)) return true;
	if (ifMissing === 'noMatch') return false;
	throw new RuleError(`Field "${name}" is missing`);
}

function finite(value: unknown, what: string): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	throw new RuleError(`${what} must be a number`);
}

const BUILDERS: { [K in PresetName]: (spec: NonNullable<PresetSpecs[K]>, ifMissing: IfMissing) => { label: string; test: Test } } = {
	candidateFacing(spec, ifMissing) {
		const f = field(spec.field, PRESET_DEFAULTS.candidateFacing.field);
		const values = new Set(list(spec.values, PRESET_DEFAULTS.candidateFacing.values).map((s) => s.toLowerCase()));
		return {
			label: 'Candidate-facing send',
			test: (json) => {
				const v = getOwn(json, f.segs);
				if (!need(v, f.name, ifMissing)) return false;
				if (typeof v === 'boolean') return v;
				const texts = Array.isArray(v) ? v : [v];
				for (const t of texts) {
					const s = toText(t, `Field "${f.name}"`).trim().toLowerCase();
					if (values.has(s)) return `${f.name} = ${s}`;
				}
				return false;
			},
		};
	},
	bulkRecipients(spec, ifMissing) {
		const f = field(spec.field, PRESET_DEFAULTS.bulkRecipients.field);
		const min = finite(spec.min ?? PRESET_DEFAULTS.bulkRecipients.min, 'Minimum recipients');
		return {
			label: `Bulk send (≥ ${min} recipients)`,
			test: (json) => {
				const v = getOwn(json, f.segs);
				if (!need(v, f.name, ifMissing)) return false;
				let count: number;
				if (Array.isArray(v)) count = v.length;
				else if (typeof v === 'number') count = toNumber(v, `Field "${f.name}"`);
				else if (typeof v === 'string') count = v.split(/[,;\n]/).filter((s) => s.trim() !== '').length;
				else throw new RuleError(`Field "${f.name}" is not a list or count (got ${describeType(v)})`);
				return count >= min ? `${count} recipients` : false;
			},
		};
	},
	moneyAmount(spec, ifMissing) {
		const f = field(spec.field, PRESET_DEFAULTS.moneyAmount.field);
		const min = finite(spec.min ?? PRESET_DEFAULTS.moneyAmount.min, 'Minimum amount');
		return {
			label: `Money amount ≥ ${min}`,
			test: (json) => {
				const v = getOwn(json, f.segs);
				if (!need(v, f.name, ifMissing)) return false;
				const amount = toNumber(v, `Field "${f.name}"`);
				// Refunds and credits move money too: compare the size of the amount.
				return Math.abs(amount) >= min ? `${f.name} = ${amount}` : false;
			},
		};
	},
	complianceClock(spec, ifMissing) {
		const stageName = spec.stageField === undefined ? PRESET_DEFAULTS.complianceClock.stageField : spec.stageField.trim();
		const stage = stageName === '' ? null : field(stageName, stageName);
		const previous = spec.previousStageField?.trim() ? field(spec.previousStageField, '') : null;
		const stages = new Set(list(spec.stages, PRESET_DEFAULTS.complianceClock.stages).map((s) => s.toLowerCase()));
		const dates = list(spec.dateFields, []).map((d) => field(d, d));
		if (stage === null && dates.length === 0) throw new RuleError('Set a stage field or at least one date field');
		return {
			label: 'Compliance clock change',
			test: (json) => {
				for (const d of dates) {
					if (!isEmptyValue(getOwn(json, d.segs))) return `${d.name} set`;
				}
				if (stage === null) return false;
				const v = getOwn(json, stage.segs);
				if (isMissing(v)) {
					// With date fields configured, an item without a stage simply did not change stage.
					if (dates.length > 0) return false;
					return need(v, stage.name, ifMissing);
				}
				const s = toText(v, `Field "${stage.name}"`).trim().toLowerCase();
				if (!stages.has(s)) return false;
				if (previous !== null) {
					const p = getOwn(json, previous.segs);
					if (!isMissing(p) && toText(p, `Field "${previous.name}"`).trim().toLowerCase() === s) return false;
				}
				return `${stage.name} → ${s}`;
			},
		};
	},
	lowConfidence(spec, ifMissing) {
		const f = field(spec.field, PRESET_DEFAULTS.lowConfidence.field);
		const below = finite(spec.below ?? PRESET_DEFAULTS.lowConfidence.below, 'Confidence threshold');
		return {
			label: `Model confidence below ${below}`,
			test: (json) => {
				const v = getOwn(json, f.segs);
				if (!need(v, f.name, ifMissing)) return false;
				const c = toNumber(v, `Field "${f.name}"`);
				return c < below ? `${f.name} = ${c}` : false;
			},
		};
	},
	structuredOutput(spec) {
		const required = parseRequiredFields(spec.fields ?? []);
		if (required.length === 0) throw new RuleError('List at least one required field, e.g. "name:string, score:number"');
		return {
			label: 'Structured output check failed',
			test: (json) => {
				const problems: string[] = [];
				for (const r of required) {
					const v = getOwn(json, r.segs);
					if (isMissing(v) || (r.type === 'string' && typeof v === 'string' && v.trim() === '')) {
						problems.push(`${r.name} missing`);
					} else if (!hasType(v, r.type)) {
						problems.push(`${r.name} is ${describeType(v)}, not ${r.type}`);
					}
				}
				return problems.length > 0 ? problems.join('; ') : false;
			},
		};
	},
};

function hasType(v: unknown, type: FieldType): boolean {
	switch (type) {
		case 'any':
			return true;
		case 'array':
			return Array.isArray(v);
		case 'object':
			return typeof v === 'object' && v !== null && !Array.isArray(v);
		case 'number':
			return typeof v === 'number' && Number.isFinite(v);
		default:
			return typeof v === type;
	}
}

/** `"name:string, score:number"` (type defaults to `any`) or an array of `{ path, type }`. */
export function parseRequiredFields(
	fields: string | Array<{ path: string; type: FieldType }>,
): Array<{ segs: PathSegment[]; name: string; type: FieldType }> {
	const entries =
		typeof fields === 'string'
			? fields
					.split(/[,;\n]/)
					.map((s) => s.trim())
					.filter((s) => s !== '')
					.map((s) => {
						const i = s.lastIndexOf(':');
						return i < 0 ? { path: s, type: 'any' } : { path: s.slice(0, i).trim(), type: s.slice(i + 1).trim().toLowerCase() };
					})
			: fields;
	return entries.map((e) => {
		if (!(FIELD_TYPES as readonly string[]).includes(e.type)) {
			throw new RuleError(`Unknown type "${e.type}" for "${e.path}" (use ${FIELD_TYPES.join(', ')})`);
		}
		const segs = parsePath(e.path);
		return { segs, name: formatPath(segs), type: e.type as FieldType };
	});
}
