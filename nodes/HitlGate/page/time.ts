/**
 * Times as a reviewer reads them: in the gate's time zone (the workflow's by default), with the zone
 * named, plus "in 3 hours" so nobody has to convert a deadline in their head. The exact instant stays
 * in the `<time datetime>` attribute.
 */
import { DateTime, IANAZone } from 'luxon';

export interface ShownTime {
	/** e.g. `Wed 25 Nov 2026, 11:00 CET`; the input unchanged when it is not a date. */
	text: string;
	/** e.g. `in 3 hours`, `5 minutes ago`; '' when the input is not a date. */
	relative: string;
	/** ISO 8601 in UTC for `<time datetime>`; '' when the input is not a date. */
	iso: string;
}

/** A zone luxon knows, else UTC (old requests carry none; a bad one was refused when the gate ran). */
export function usableZone(zone: string | undefined): string {
	return zone !== undefined && zone !== '' && IANAZone.isValidZone(zone) ? zone : 'UTC';
}

export function showTime(iso: string, zone: string | undefined, now: Date): ShownTime {
	const t = DateTime.fromISO(iso, { zone: 'utc' });
	if (!t.isValid) return { text: iso, relative: '', iso: '' };
	const local = t.setZone(usableZone(zone));
	// `ZZZZ` is the short name (CET) where the locale has one, else the offset (GMT+1).
	const text = local.setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
	const relative = t.toRelative({ base: DateTime.fromJSDate(now), locale: 'en' }) ?? '';
	return { text, relative, iso: t.toISO() ?? iso };
}
