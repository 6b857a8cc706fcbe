/**
 * The notification pieces shared by email and chat: what one entry is (a reviewer's link and its
 * request), its title and tier name, and the plain-text quoting that keeps item text (model output)
 * from posing as the mail's own lines. The per-entry summary is built in summary.ts.
 */
import { DateTime, IANAZone } from 'luxon';

import type { Tier } from '../../../core/tiers';
import type { GatePayload } from '../types';

export interface NotifyEntry {
	link: { url: string; itemIndexes: number[]; requestId: string };
	payload: GatePayload;
}

export function tierLabel(tier: Tier | null): string {
	return tier === null ? 'not classified (treat as high)' : tier;
}

/** True for n8n's "wait indefinitely" (the year 3000): a run without a deadline. */
export function isNoDeadline(deadline: Date): boolean {
	return deadline.getUTCFullYear() >= 3000;
}

/**
 * The deadline as notifications state it: in the gate's time zone when it has one (as the page shows
 * it, with the zone's name), else UTC, to the minute.
 */
export function dueText(deadline: Date, zone?: string): string {
	if (isNoDeadline(deadline)) return 'no deadline';
	if (zone && zone !== 'UTC' && IANAZone.isValidZone(zone)) {
		return DateTime.fromJSDate(deadline).setZone(zone).setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
	}
	return deadline.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * Everything a plain-text reader may take as the start of a new line: CR LF, CR, LF, vertical tab,
 * form feed, next line (U+0085), line and paragraph separators (U+2028, U+2029).
 */
const PLAIN_LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/;

/**
 * Characters a reader cannot see but that move or hide text: control characters (tab excepted),
 * bidirectional overrides and isolates, zero-width characters, soft hyphen, the byte-order mark,
 * Unicode tag characters, and lone surrogates. The line breaks above are in this set too, for text
 * that must stay on one line.
 */
const PLAIN_HIDDEN =
	/[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Item text for a plain-text line that must stay one line (a field name, a reason): line breaks and
 * hidden characters shown as `[U+XXXX]`, so the text cannot end the line it is on or hide in it.
 */
export function plainInline(text: string): string {
	return text.replace(PLAIN_HIDDEN, (ch) => {
		const cp = ch.length === 1 ? ch.charCodeAt(0) : (ch.codePointAt(0) ?? 0);
		return `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
	});
}

/**
 * Item text as a quoted block for plain text: every line of it starts with `prefix` (which must begin
 * with a space), so no line of the text can stand at column 0 where the mail's own lines are; hidden
 * characters are shown as `[U+XXXX]`. An empty text is one empty quoted line.
 */
export function plainQuoted(text: string, prefix: string): string[] {
	return text.split(PLAIN_LINE_BREAK).map((line) => `${prefix}${plainInline(line)}`.trimEnd());
}

export function entryTitle(entry: NotifyEntry): string {
	const idx = entry.link.itemIndexes;
	return idx.length === 1 ? `Item ${idx[0] + 1}` : `Batch of ${idx.length} items`;
}
