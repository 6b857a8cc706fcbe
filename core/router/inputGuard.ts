/**
 * A bounded, iterative scan of an item before any rule looks at it. Items that are not plain
 * objects, are too deep or too large (or circular), or carry prototype-reaching keys are reported
 * so the router can send them to High instead of crashing or guessing.
 */
import { FORBIDDEN_KEYS } from './path';

export interface InputLimits {
	/** Deepest nesting allowed (objects and arrays). */
	maxDepth: number;
	/** Most values (objects, arrays, leaves) scanned per item. Also stops on circular data. */
	maxNodes: number;
	/** Longest string allowed anywhere in the item (guards regex run time). */
	maxStringLength: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
	maxDepth: 64,
	maxNodes: 100_000,
	maxStringLength: 1_000_000,
});

/** Returns `null` when the item is acceptable, otherwise a sentence saying what is wrong. */
export function inspectItem(json: unknown, limits: InputLimits = DEFAULT_INPUT_LIMITS): string | null {
	if (json === null || typeof json !== 'object' || Array.isArray(json)) {
		return `item has no JSON object (got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json})`;
	}
	// Two parallel stacks instead of one of small objects: this runs for every item.
	const values: unknown[] = [json];
	const depths: number[] = [0];
	let nodes = 0;
	while (values.length > 0) {
		const value = values.pop();
		const depth = depths.pop()!;
		if (++nodes > limits.maxNodes) {
			return `item is too large or circular (more than ${limits.maxNodes} values)`;
		}
		if (typeof value === 'string') {
			if (value.length > limits.maxStringLength) {
				return `item holds a string longer than ${limits.maxStringLength} characters`;
			}
			continue;
		}
		if (value === null || typeof value !== 'object') continue;
		if (depth >= limits.maxDepth) return `item is nested deeper than ${limits.maxDepth} levels`;
		if (Array.isArray(value)) {
			for (let i = 0; i < value.length; i++) {
				values.push(value[i]);
				depths.push(depth + 1);
			}
			continue;
		}
		for (const key of Object.keys(value)) {
			if (FORBIDDEN_KEYS.has(key)) return `item contains the forbidden key "${key}"`;
			values.push((value as Record<string, unknown>)[key]);
			depths.push(depth + 1);
		}
		// JSON.parse makes `__proto__` an own, enumerable key, so Object.keys sees it; a non-enumerable
		// one could only come from code, and is caught here.
		if (Object.prototype.hasOwnProperty.call(value, '__proto__')) {
			return 'item contains the forbidden key "__proto__"';
		}
	}
	return null;
}
