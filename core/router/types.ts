/** Shapes shared by the router's core: rule specs (input), compiled rules, and the annotation (output). */
import type { Tier } from '../tiers';

export const STRING_OPERATIONS = [
	'equals',
	'notEquals',
	'contains',
	'notContains',
	'startsWith',
	'endsWith',
	'regex',
	'notRegex',
] as const;
export type StringOperation = (typeof STRING_OPERATIONS)[number];

export const NUMBER_OPERATIONS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export type NumberOperation = (typeof NUMBER_OPERATIONS)[number];

export const BOOLEAN_OPERATIONS = ['isTrue', 'isFalse'] as const;
export type BooleanOperation = (typeof BOOLEAN_OPERATIONS)[number];

export const DATE_OPERATIONS = ['before', 'after'] as const;
export type DateOperation = (typeof DATE_OPERATIONS)[number];

export const PRESENCE_OPERATIONS = ['exists', 'notExists', 'isEmpty', 'isNotEmpty'] as const;
export type PresenceOperation = (typeof PRESENCE_OPERATIONS)[number];

/** What a typed condition does when its field is missing or null. */
export type IfMissing = 'fail' | 'noMatch';

/**
 * Where a condition's left value comes from: a field path in the item (evaluated natively), or a
 * value the caller supplies per item (an n8n expression the builder wrote, evaluated by n8n).
 */
export type LeftSource = { path: string } | { external: true };

interface FieldConditionBase {
	kind: 'field';
	left: LeftSource;
	ifMissing?: IfMissing;
}

export type FieldCondition =
	| (FieldConditionBase & {
			type: 'string';
			operation: StringOperation;
			/** Right value; `{ external: true }` when the caller supplies it per item. */
			value: string | { external: true };
			caseSensitive?: boolean;
	  })
	| (FieldConditionBase & { type: 'number'; operation: NumberOperation; value: number | string | { external: true } })
	| (FieldConditionBase & { type: 'boolean'; operation: BooleanOperation })
	| (FieldConditionBase & { type: 'date'; operation: DateOperation; value: unknown })
	| (FieldConditionBase & { type: 'presence'; operation: PresenceOperation });

/** A boolean the builder computed with an n8n expression; the caller supplies it per item. */
export interface ExpressionCondition {
	kind: 'expression';
}

export type ConditionSpec = FieldCondition | ExpressionCondition;

export interface RuleSpec {
	condition: ConditionSpec;
	tier: Tier;
	/** Short reason shown to reviewers; a generated one is used when empty. */
	label?: string;
}

export type ReasonSource = 'rule' | 'preset' | 'fallback' | 'error';

export interface Reason {
	label: string;
	tier: Tier;
	source: ReasonSource;
	/** `rule 1`, `preset moneyAmount`, … — which rule produced it. */
	ruleId?: string;
	/** Extra facts, e.g. which required fields were missing. */
	detail?: string;
	/** The error message when `source` is `error`. */
	error?: string;
}

/** Per-item values supplied by the caller for a rule (n8n expressions the builder wrote). */
export interface ExternalValues {
	left?: unknown;
	value?: unknown;
	/** Result of a boolean-expression condition. */
	bool?: unknown;
	/** The expression itself failed; the rule fails closed with this error. */
	error?: unknown;
}

/** Result of a rule test: no match, a match, or a match with detail text for the reason. */
export type TestResult = boolean | string;

export interface CompiledRule {
	id: string;
	label: string;
	tier: Tier;
	source: 'rule' | 'preset';
	/** Which per-item values this rule needs from the caller. */
	needs: { left: boolean; value: boolean; bool: boolean };
	/** May throw: the router turns any throw into a High routing with the error as reason. */
	test(json: Record<string, unknown>, external: ExternalValues | undefined): TestResult;
}

export interface SamplingRecord {
	/** Rate in percent, 0–100. */
	rate: number;
	seed: string;
	/** The sampling key as hashed (text); `null` when the rate is 0 or 100 and no key is needed. */
	key: string | null;
	/**
	 * The uniform number in [0, 1) from HMAC-SHA256(seed, key); sampled if value × 100 < rate.
	 * `null` when the rate is 0 or 100.
	 */
	value: number | null;
}

export interface BlastRadiusAnnotation {
	tier: Tier;
	reasons: Reason[];
	/** Low items only: whether this item was picked for sample review. */
	sampled: boolean;
	/** The inputs an auditor needs to recompute the sampling decision (Low items only). */
	sampling: SamplingRecord | null;
	routerVersion: string;
	evaluatedAt: string;
}

export type RouteOutput = 'high' | 'medium' | 'lowSampled' | 'low';
