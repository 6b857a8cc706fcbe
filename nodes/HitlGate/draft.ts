/** What a reviewer sees of an item: hashing, field selection and the blast-radius annotation. */
import { sha256Json } from '../../core/edits';
import type { Tier } from '../../core/tiers';
import { isTier } from '../../core/tiers';
import { unverifiedReason, type RiskProvenance } from './riskProvenance';

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
	/**
	 * `null` when the item was not classified: the page and mail then say to treat it as high.
	 * `'high'` when the annotation is not verified (unknown risk is high risk), whatever it claims.
	 */
	tier: Tier | null;
	reasons: string[];
	/** The annotation as it came; carried into the output's `hitl.blastRadius` only when verified. */
	annotation: Record<string, unknown> | null;
	/**
	 * True only when a Blast Radius Router produced the annotation in this execution
	 * (riskProvenance.ts). False for an unverified annotation and when there is none.
	 */
	verified: boolean;
}

/** An annotation's claims, shown (labelled as such) next to the reason it is not trusted. */
function claimedTier(annotation: Record<string, unknown>): string {
	const t = annotation.tier;
	return typeof t === 'string' ? JSON.stringify(t.slice(0, 40)) : 'none';
}

/**
 * Reads the Blast Radius Router's `blastRadius` annotation, leniently (reasons may be strings or
 * objects). Without a verified `provenance` the annotation is not trusted: tier `high`, and the
 * reasons say why (its own reasons are not repeated: they are as unverified as its tier).
 */
export function riskOf(json: Record<string, unknown>, provenance: RiskProvenance | null): RiskSummary {
	const raw = json.blastRadius;
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
		return { tier: null, reasons: [], annotation: null, verified: false };
	}
	const annotation = raw as Record<string, unknown>;
	if (provenance?.verified !== true) {
		return {
			tier: 'high',
			reasons: [unverifiedReason(provenance?.detail ?? null), `The item claimed tier ${claimedTier(annotation)} (not trusted)`],
			annotation,
			verified: false,
		};
	}
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
	return { tier, reasons, annotation, verified: true };
}
