/**
 * What a notification says about one review request, independent of the medium: the title, the
 * risk tier in plain words and its reasons, the labelled fields as short plain text, and the
 * reviewer's link with a button label. The email's HTML and text parts and the chat text are all
 * rendered from this one summary, so they cannot drift apart (one showing a field the other hides).
 * Values here are unescaped plain text from the draft: every renderer escapes or quotes them.
 */
import type { Tier } from '../../../core/tiers';
import { entryTitle, tierLabel, type NotifyEntry } from './content';
import { fieldText } from './fieldText';
import { emailFieldsOf } from './fields';

export interface SummaryField {
	label: string;
	/** Plain text, possibly several lines, already cut to an excerpt. */
	text: string;
}

export interface SummaryItem {
	/** "Item 3" inside a batch; null for a request about one item (the entry title says it). */
	heading: string | null;
	fields: SummaryField[];
}

export interface EntrySummary {
	/** "Item 2" or "Batch of 5 items". */
	title: string;
	/** The button text: "Review item 2", "Review batch of 5 items". */
	action: string;
	tier: Tier | null;
	/** The tier as the fixed "Risk tier:" line names it: `high`, …, or "not classified (treat as high)". */
	tierName: string;
	/** The tier in plain words. */
	tierWords: TierWords;
	reasons: string[];
	items: SummaryItem[];
	/** Items of a batch the message does not show (past MAX_ITEMS_IN_MESSAGE); the review page shows them all. */
	moreItems: number;
	/**
	 * Listed by name, tier and link only (a mail's entries past MAX_ITEMS_IN_MESSAGE): no reasons, no
	 * fields; the link opens the item with everything.
	 */
	compact?: boolean;
	url: string;
}

/**
 * A batch message shows its first items only. The page the link opens shows every item and is where the
 * decision is made; a message listing all of a 1,000-item run was 1.6–3.9 MB — Gmail clips a message
 * past 102 KB, cutting off the review button at its end, and a phone scrolls for minutes.
 */
export const MAX_ITEMS_IN_MESSAGE = 25;

/** The line that stands for the items a batch message leaves out. */
export function moreItemsText(more: number): string {
	return `… and ${more} more ${more === 1 ? 'item' : 'items'}: the review page shows every item.`;
}

/** The tier in plain words: a short name ("High risk") and what it means for the reviewer. */
export interface TierWords {
	short: string;
	/** Starts lower case; the renderers join it to `short` or capitalise it. */
	explain: string;
}

/**
 * What each tier means for the reviewer. An unverified annotation is already tier high with its own
 * reason; the sentence says the rating could not be checked.
 */
export function tierWords(tier: Tier | null, unverified: boolean): TierWords {
	if (unverified) return { short: 'High risk', explain: 'the risk rating could not be checked, so it is treated as high.' };
	switch (tier) {
		case 'high':
			return { short: 'High risk', explain: 'this could do serious harm if it went ahead unchecked.' };
		case 'medium':
			return { short: 'Medium risk', explain: 'this could do some harm if it went ahead unchecked.' };
		case 'low':
			return { short: 'Low risk', explain: 'picked for a spot check.' };
		default:
			return { short: 'Not classified', explain: 'nothing rated its risk, so treat it as high risk.' };
	}
}

/** What every summary of an entry says, in full or compact: its title, button text, tier and link. */
function entryHead(entry: NotifyEntry): Pick<EntrySummary, 'title' | 'action' | 'tier' | 'tierName' | 'tierWords' | 'url'> {
	const p = entry.payload;
	const title = entryTitle(entry);
	return {
		title,
		action: `Review ${title.charAt(0).toLowerCase()}${title.slice(1)}`,
		tier: p.tier,
		tierName: tierLabel(p.tier),
		tierWords: tierWords(p.tier, p.riskProvenance === 'unverified'),
		url: entry.link.url,
	};
}

/** The entry as listed past a long mail's first MAX_ITEMS_IN_MESSAGE entries (see EntrySummary.compact). */
export function summarizeCompact(entry: NotifyEntry): EntrySummary {
	return { ...entryHead(entry), reasons: [], items: [], moreItems: 0, compact: true };
}

/** The line before a mail's compact entries. */
export function compactEntriesText(count: number): string {
	return `The next ${count} ${count === 1 ? 'item is' : 'items are'} listed by name only: each link opens the item with all its fields.`;
}

export function summarize(entry: NotifyEntry): EntrySummary {
	const p = entry.payload;
	const batch = p.items.length > 1;
	return {
		...entryHead(entry),
		reasons: p.tierReasons,
		items: p.items.slice(0, MAX_ITEMS_IN_MESSAGE).map((it) => ({
			heading: batch ? `Item ${it.index + 1}` : null,
			fields: emailFieldsOf(p, it.json).map((f) => ({ label: f.label, text: fieldText(f) })),
		})),
		moreItems: Math.max(0, p.items.length - MAX_ITEMS_IN_MESSAGE),
	};
}
