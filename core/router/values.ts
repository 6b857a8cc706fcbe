/** Strict coercions used by conditions; each throws {@link RuleError} with a message a builder can act on. */

export class RuleError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RuleError';
	}
}

export function isMissing(value: unknown): boolean {
	return value === undefined || value === null;
}

export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Finite numbers, or text that is entirely a decimal number (webhooks often send numbers as text). */
export function toNumber(value: unknown, what: string): number {
	if (typeof value === 'number') {
		if (Number.isFinite(value)) return value;
		throw new RuleError(`${what} is not a finite number (${value})`);
	}
	if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
	throw new RuleError(`${what} is not a number (got ${describeType(value)}${typeof value === 'string' ? ` "${clip(value)}"` : ''})`);
}

export function toBoolean(value: unknown, what: string): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string') {
		const v = value.trim().toLowerCase();
		if (v === 'true') return true;
		if (v === 'false') return false;
	}
	throw new RuleError(`${what} is not a boolean (got ${describeType(value)})`);
}

/** Strings as they are; numbers and booleans as their text; anything else is a type error. */
export function toText(value: unknown, what: string): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw new RuleError(`${what} is not text (got ${describeType(value)})`);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch milliseconds from an ISO-8601 string, a number (epoch ms), a Date, or a Luxon-like object
 * (`toMillis()`). A date-time without an offset is read as UTC, so results never depend on the
 * server's time zone.
 */
export function toEpochMs(value: unknown, what: string): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (value instanceof Date) {
		const t = value.getTime();
		if (Number.isFinite(t)) return t;
		throw new RuleError(`${what} is an invalid date`);
	}
	if (value !== null && typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		const t = (value as { toMillis(): unknown }).toMillis();
		if (typeof t === 'number' && Number.isFinite(t)) return t;
		throw new RuleError(`${what} is an invalid date`);
	}
	if (typeof value === 'string') {
		const s = value.trim();
		let t = Number.NaN;
		if (ISO_DATE.test(s)) t = Date.parse(`${s}T00:00:00Z`);
		else if (ISO_DATE_TIME.test(s)) {
			const normalized = s.replace(' ', 'T');
			t = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(normalized) ? normalized : `${normalized}Z`);
		}
		if (Number.isFinite(t)) return t;
		throw new RuleError(`${what} is not an ISO-8601 date ("${clip(s)}")`);
	}
	throw new RuleError(`${what} is not a date (got ${describeType(value)})`);
}

export function isEmptyValue(value: unknown): boolean {
	if (isMissing(value)) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.length === 0;
	if (typeof value === 'object') return Object.keys(value as object).length === 0;
	return false;
}

export function clip(text: string, max = 60): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Error message of anything thrown, never losing it. */
export function errorMessage(error: unknown): string {
	if (error instanceof Error) return error.message || error.name;
	if (typeof error === 'string') return error;
	try {
		return JSON.stringify(error) ?? String(error);
	} catch {
		return String(error);
	}
}
