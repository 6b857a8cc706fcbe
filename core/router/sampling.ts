/**
 * Deterministic sampling of Low items. HMAC-SHA256 keyed by the seed over the sampling key gives a
 * uniform number in [0, 1); the item is sampled when that number × 100 < rate. The same (seed, key)
 * always gives the same decision, so an auditor holding the seed can recompute every decision.
 */
import { createHmac } from 'node:crypto';

/** 2^48: the first 6 bytes of the MAC, exactly representable as a double. */
const SCALE = 2 ** 48;

export interface SampleDecision {
	sampled: boolean;
	/** The uniform number in [0, 1) derived from the MAC. */
	value: number;
}

export function samplingValue(seed: string, key: string): number {
	const mac = createHmac('sha256', Buffer.from(seed, 'utf8')).update(key, 'utf8').digest();
	return mac.readUIntBE(0, 6) / SCALE;
}

export function validateRate(rate: unknown): number {
	if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 100) {
		throw new RangeError(`Sampling rate must be a number from 0 to 100 (got ${String(rate)})`);
	}
	return rate;
}

/** Recomputes a sampling decision from what the annotation records: seed, key and rate (percent). */
export function recomputeSample(seed: string, key: string, rate: number): SampleDecision {
	validateRate(rate);
	const value = samplingValue(seed, key);
	return { sampled: value * 100 < rate, value };
}

/** The text that is hashed for a key value; numbers and text only, so the decision is unambiguous. */
export function samplingKeyText(key: unknown): string {
	if (typeof key === 'string') {
		if (key.trim() === '') throw new Error('Sampling key is empty');
		return key;
	}
	if (typeof key === 'number' && Number.isFinite(key)) return String(key);
	if (typeof key === 'bigint') return key.toString();
	throw new Error(`Sampling key is missing or not text/number (got ${key === null ? 'null' : typeof key})`);
}
