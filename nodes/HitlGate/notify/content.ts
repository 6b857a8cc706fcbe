/** The notification text shared by email and chat: summary of each draft, tier and reasons, link. */
import type { Tier } from '../../../core/tiers';
import { shownFields } from '../draft';
import type { GatePayload } from '../types';

export interface NotifyEntry {
	link: { url: string; itemIndexes: number[]; requestId: string };
	payload: GatePayload;
}

const MAX_VALUE_CHARS = 400;

export function tierLabel(tier: Tier | null): string {
	return tier === null ? 'not classified (treat as high)' : tier;
}

function valueText(value: unknown): string {
	const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
	return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** Field/value lines of the part of each item the reviewer is meant to see. */
export function summaryLines(payload: GatePayload): Array<{ item: number; field: string; value: string }> {
	const lines: Array<{ item: number; field: string; value: string }> = [];
	for (const it of payload.items) {
		const shown = shownFields(it.json, payload.shown);
		for (const [field, value] of Object.entries(shown)) {
			lines.push({ item: it.index, field, value: valueText(value) });
		}
	}
	return lines;
}

export function entryTitle(entry: NotifyEntry): string {
	const idx = entry.link.itemIndexes;
	return idx.length === 1 ? `Item ${idx[0] + 1}` : `Batch of ${idx.length} items`;
}
