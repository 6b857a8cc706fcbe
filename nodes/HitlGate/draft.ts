/** What a reviewer sees of an item: hashing, field selection and the blast-radius annotation. */
import { sha256Json } from '../../core/edits';
import type { Tier } from '../../core/tiers';
import { isTier } from '../../core/tiers';

/**
 * The item as plain JSON (what n8n stores anyway): drops `undefined`, turns Dates into strings, so
 * the hash and the stored copy describe exactly what leaves the gate.
 */
export function plainJson(json: unknown): Record<string, unknown> {
	const out = JSON.parse(JSON.stringify(json ?? {})) as unknown;
	return out !== null && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
}

/** SHA-256 (hex) over the RFC 8785 canonical JSON of the item (the same hash the log records). */
export const draftSha256 = sha256Json;

export function getPath(obj: unknown, path: string): unknown {
	let cur: unknown = obj;
	for (const key of path.split('.')) {
		if (cur === null || typeof cur !== 'object') return undefined;
		if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
		cur = (cur as Record<string, unknown>)[key];
	}
	return cur;
}

/** The part of the item the reviewer is shown; the whole item when no fields are listed. */
export function shownFields(json: Record<string, unknown>, paths: string[]): Record<string, unknown> {
	if (paths.length === 0) return json;
	const out: Record<string, unknown> = {};
	for (const p of paths) out[p] = getPath(json, p) ?? null;
	return out;
}

export interface RiskSummary {
	/** `null` when the item was not classified: the page and mail then say to treat it as high. */
	tier: Tier | null;
	reasons: string[];
	/** The annotation as it came, carried into the output's `hitl.blastRadius`. */
	annotation: Record<string, unknown> | null;
}

/** Reads the Blast Radius Router's `blastRadius` annotation, leniently (reasons may be strings or objects). */
export function riskOf(json: Record<string, unknown>): RiskSummary {
	const raw = json.blastRadius;
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
		return { tier: null, reasons: [], annotation: null };
	}
	const annotation = raw as Record<string, unknown>;
	const tier = isTier(annotation.tier) ? annotation.tier : null;
	const reasons: string[] = [];
	if (Array.isArray(annotation.reasons)) {
		for (const r of annotation.reasons) {
			if (typeof r === 'string') reasons.push(r);
			else if (r !== null && typeof r === 'object') {
				const o = r as Record<string, unknown>;
				const text = o.label ?? o.message ?? o.reason ?? o.description ?? o.rule ?? o.id;
				reasons.push(typeof text === 'string' ? text : JSON.stringify(r));
			}
		}
	}
	return { tier, reasons, annotation };
}
