/**
 * Compiles one condition into a native predicate, once per run. Problems found while compiling
 * (bad regex, bad date, bad path) do not throw here: the compiled predicate throws them on every
 * item instead, so every item goes to High with the problem as its reason (fail closed).
 */
import { formatPath, getOwn, parsePath, type PathSegment } from './path';
import type { ConditionSpec, ExternalValues, FieldCondition } from './types';
import {
	RuleError,
	clip,
	errorMessage,
	isEmptyValue,
	isMissing,
	toBoolean,
	toEpochMs,
	toNumber,
	toText,
} from './values';

export interface CompiledCondition {
	/** A readable form of the condition, used as the default reason label. */
	text: string;
	needs: { left: boolean; value: boolean; bool: boolean };
	test(json: Record<string, unknown>, external: ExternalValues | undefined): boolean;
}

export interface ConditionOptions {
	/** Longest string a regex runs on (guards against slow patterns on huge text). */
	maxRegexInput: number;
}

const ALWAYS_FAILS = (error: unknown, text: string): CompiledCondition => {
	const message = `Rule is misconfigured: ${errorMessage(error)}`;
	return {
		text,
		needs: { left: false, value: false, bool: false },
		test: () => {
			throw new RuleError(message);
		},
	};
};

export function compileCondition(spec: ConditionSpec, options: ConditionOptions): CompiledCondition {
	if (spec.kind === 'expression') {
		return {
			text: 'expression is true',
			needs: { left: false, value: false, bool: true },
			test: (_json, external) => {
				if (external === undefined || !('bool' in external)) {
					throw new RuleError('No value was supplied for the boolean expression');
				}
				const b = external.bool;
				if (typeof b === 'boolean') return b;
				throw new RuleError(`Boolean expression returned ${typeof b === 'string' ? `"${clip(b)}"` : String(b)}, not true or false`);
			},
		};
	}
	let segments: PathSegment[] | null = null;
	let fieldName = 'expression value';
	try {
		if ('path' in spec.left) {
			segments = parsePath(spec.left.path);
			fieldName = formatPath(segments);
		}
	} catch (error) {
		return ALWAYS_FAILS(error, `${'path' in spec.left ? spec.left.path : '?'} ${spec.operation}`);
	}
	try {
		return compileField(spec, segments, fieldName, options);
	} catch (error) {
		return ALWAYS_FAILS(error, `${fieldName} ${spec.operation}`);
	}
}

function compileField(
	spec: FieldCondition,
	segments: PathSegment[] | null,
	field: string,
	options: ConditionOptions,
): CompiledCondition {
	const ifMissing = spec.ifMissing ?? 'fail';
	const externalLeft = segments === null;
	const externalValue =
		'value' in spec && spec.value !== null && typeof spec.value === 'object' && 'external' in spec.value;
	const needs = { left: externalLeft, value: externalValue, bool: false };

	const leftOf = (json: Record<string, unknown>, external: ExternalValues | undefined): unknown => {
		if (segments !== null) return getOwn(json, segments);
		if (external === undefined || !('left' in external)) throw new RuleError('No value was supplied for the field expression');
		return external.left;
	};
	const rightOf = (external: ExternalValues | undefined, fallback: unknown): unknown => {
		if (!externalValue) return fallback;
		if (external === undefined || !('value' in external)) throw new RuleError('No value was supplied for the compare value expression');
		return external.value;
	};

	if (spec.type === 'presence') {
		const op = spec.operation;
		return {
			text: `${field} ${{ exists: 'exists', notExists: 'does not exist', isEmpty: 'is empty', isNotEmpty: 'is not empty' }[op]}`,
			needs,
			test: (json, external) => {
				const v = leftOf(json, external);
				switch (op) {
					case 'exists':
						return !isMissing(v);
					case 'notExists':
						return isMissing(v);
					case 'isEmpty':
						return isEmptyValue(v);
					case 'isNotEmpty':
						return !isEmptyValue(v);
				}
				throw new RuleError(`Unknown presence operation "${String(op)}"`);
			},
		};
	}

	/** Reads the left value; `undefined` means "missing, and the rule says no match". */
	const present = (json: Record<string, unknown>, external: ExternalValues | undefined): unknown => {
		const v = leftOf(json, external);
		if (isMissing(v)) {
			if (ifMissing === 'noMatch') return undefined;
			throw new RuleError(`Field "${field}" is missing`);
		}
		return v;
	};

	switch (spec.type) {
		case 'number': {
			const op = spec.operation;
			const fixed = externalValue ? 0 : toNumber(spec.value, 'Compare value');
			const sym = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' }[op];
			if (sym === undefined) throw new RuleError(`Unknown number operation "${String(op)}"`);
			return {
				text: `${field} ${sym} ${externalValue ? '(expression)' : fixed}`,
				needs,
				test: (json, external) => {
					const raw = present(json, external);
					if (raw === undefined) return false;
					const a = toNumber(raw, `Field "${field}"`);
					const b = externalValue ? toNumber(rightOf(external, 0), 'Compare value') : fixed;
					switch (op) {
						case 'eq':
							return a === b;
						case 'neq':
							return a !== b;
						case 'gt':
							return a > b;
						case 'gte':
							return a >= b;
						case 'lt':
							return a < b;
						case 'lte':
							return a <= b;
					}
					return false;
				},
			};
		}
		case 'boolean': {
			const want = spec.operation === 'isTrue';
			if (spec.operation !== 'isTrue' && spec.operation !== 'isFalse') {
				throw new RuleError(`Unknown boolean operation "${String(spec.operation)}"`);
			}
			return {
				text: `${field} is ${want}`,
				needs,
				test: (json, external) => {
					const raw = present(json, external);
					if (raw === undefined) return false;
					return toBoolean(raw, `Field "${field}"`) === want;
				},
			};
		}
		case 'date': {
			const op = spec.operation;
			if (op !== 'before' && op !== 'after') throw new RuleError(`Unknown date operation "${String(op)}"`);
			const fixed = externalValue ? 0 : toEpochMs(spec.value, 'Compare date');
			return {
				text: `${field} ${op} ${externalValue ? '(expression)' : new Date(fixed).toISOString()}`,
				needs,
				test: (json, external) => {
					const raw = present(json, external);
					if (raw === undefined) return false;
					const a = toEpochMs(raw, `Field "${field}"`);
					const b = externalValue ? toEpochMs(rightOf(external, 0), 'Compare date') : fixed;
					return op === 'before' ? a < b : a > b;
				},
			};
		}
		case 'string':
			return compileString(spec, field, needs, present, rightOf, externalValue, options);
	}
	throw new RuleError(`Unknown condition type "${String((spec as { type?: unknown }).type)}"`);
}

type Extract<T, K> = T extends { type: K } ? T : never;

function compileString(
	spec: Extract<FieldCondition, 'string'>,
	field: string,
	needs: CompiledCondition['needs'],
	present: (json: Record<string, unknown>, external: ExternalValues | undefined) => unknown,
	rightOf: (external: ExternalValues | undefined, fallback: unknown) => unknown,
	externalValue: boolean,
	options: ConditionOptions,
): CompiledCondition {
	const op = spec.operation;
	const caseSensitive = spec.caseSensitive !== false;
	const norm = (s: string) => (caseSensitive ? s : s.toLowerCase());
	if (op === 'regex' || op === 'notRegex') {
		const fixed = externalValue ? null : compileRegex(toText(spec.value, 'Regex'), caseSensitive);
		return {
			text: `${field} ${op === 'regex' ? 'matches' : 'does not match'} ${fixed ? String(fixed) : '(expression)'}`,
			needs,
			test: (json, external) => {
				const raw = present(json, external);
				if (raw === undefined) return false;
				const text = toText(raw, `Field "${field}"`);
				if (text.length > options.maxRegexInput) {
					throw new RuleError(`Field "${field}" is longer than ${options.maxRegexInput} characters; regex not run`);
				}
				const re = fixed ?? compileRegex(toText(rightOf(external, ''), 'Regex'), caseSensitive);
				return re.test(text) === (op === 'regex');
			},
		};
	}
	const verbs: Record<string, string> = {
		equals: 'equals',
		notEquals: 'does not equal',
		contains: 'contains',
		notContains: 'does not contain',
		startsWith: 'starts with',
		endsWith: 'ends with',
	};
	if (!(op in verbs)) throw new RuleError(`Unknown string operation "${String(op)}"`);
	const fixed = externalValue ? '' : norm(toText(spec.value, 'Compare value'));
	return {
		text: `${field} ${verbs[op]} "${externalValue ? '(expression)' : clip(fixed, 40)}"`,
		needs,
		test: (json, external) => {
			const raw = present(json, external);
			if (raw === undefined) return false;
			const a = norm(toText(raw, `Field "${field}"`));
			const b = externalValue ? norm(toText(rightOf(external, ''), 'Compare value')) : fixed;
			switch (op) {
				case 'equals':
					return a === b;
				case 'notEquals':
					return a !== b;
				case 'contains':
					return a.includes(b);
				case 'notContains':
					return !a.includes(b);
				case 'startsWith':
					return a.startsWith(b);
				case 'endsWith':
					return a.endsWith(b);
			}
			return false;
		},
	};
}

/**
 * `/pattern/flags` or a bare pattern. `g` and `y` are dropped: they make `test()` stateful
 * (lastIndex), which would make routing depend on the previous item.
 */
export function compileRegex(source: string, caseSensitive: boolean): RegExp {
	const m = /^\/(.*)\/([a-z]*)$/s.exec(source);
	let pattern = source;
	let flags = '';
	if (m) {
		pattern = m[1];
		flags = m[2];
		if (/[^dgimsuy]/.test(flags)) throw new RuleError(`Bad regex flags "${flags}"`);
		flags = flags.replace(/[gy]/g, '');
	}
	if (!caseSensitive && !flags.includes('i')) flags += 'i';
	try {
		return new RegExp(pattern, flags);
	} catch (error) {
		// The router turns this into a High routing with the message as its reason.
		throw new RuleError(`Bad regex ${source}: ${errorMessage(error)}`);
	}
}
