import {
	addBusinessTime,
	describeCalendar,
	isWorkingTime,
	parseBusinessCalendar,
	type BusinessCalendar,
	type BusinessUnit,
} from '../../../core/deadline/businessTime';

// Every expected instant below was worked out by hand (weekdays checked against a printed calendar, DST
// dates from the tz database: EU last Sunday of March/October, US second Sunday of March/first of November)
// and is written with the local offset it has in the calendar's zone.

function cal(overrides: Partial<BusinessCalendar> = {}): BusinessCalendar {
	return { zone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], dayStartMinute: 9 * 60, dayEndMinute: 17 * 60, holidays: [], ...overrides };
}
const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7];
const berlin = cal();
const berlin7 = cal({ workdays: ALL_WEEK });
const berlin24 = cal({ workdays: ALL_WEEK, dayStartMinute: 0, dayEndMinute: 1440 });
const newYork = cal({ zone: 'America/New_York' });
const newYork24 = cal({ zone: 'America/New_York', workdays: ALL_WEEK, dayStartMinute: 0, dayEndMinute: 1440 });

function add(start: string, amount: number, unit: BusinessUnit, calendar: BusinessCalendar): string {
	return addBusinessTime(new Date(start), amount, unit, calendar).toISOString();
}
/** The same instant as `iso` (written with its local offset), as toISOString() prints it. */
function utc(iso: string): string {
	return new Date(iso).toISOString();
}

describe('weekends', () => {
	test.each<[string, number, BusinessUnit, string]>([
		['2026-01-09T15:00:00+01:00', 3, 'hours', '2026-01-12T10:00:00+01:00'], // Fri 2 h + Mon 1 h
		['2026-01-09T16:30:00+01:00', 45, 'minutes', '2026-01-12T09:15:00+01:00'],
		['2026-01-10T12:00:00+01:00', 1, 'hours', '2026-01-12T10:00:00+01:00'], // Sat → counts from Mon 09:00
		['2026-01-11T23:59:00+01:00', 1, 'hours', '2026-01-12T10:00:00+01:00'],
		['2026-01-09T18:00:00+01:00', 1, 'days', '2026-01-13T09:00:00+01:00'], // Fri 18:00 → Mon 09:00, + 1 day
		['2026-01-09T14:30:00+01:00', 1, 'days', '2026-01-12T14:30:00+01:00'],
		['2026-01-08T11:00:00+01:00', 2, 'days', '2026-01-12T11:00:00+01:00'], // Thu → Fri → Mon
		['2026-01-05T11:00:00+01:00', 5, 'days', '2026-01-12T11:00:00+01:00'], // a whole working week
	])('%s + %d %s → %s', (start, amount, unit, expected) => {
		expect(add(start, amount, unit, berlin)).toBe(utc(expected));
	});
});

describe('holidays', () => {
	const easter = cal({ holidays: ['2026-04-03', '2026-04-06'] }); // Good Friday, Easter Monday
	test('a holiday on the Monday after a weekend (and on the Friday before)', () => {
		expect(add('2026-04-02T16:00:00+02:00', 2, 'hours', easter)).toBe(utc('2026-04-07T10:00:00+02:00'));
		expect(add('2026-04-02T16:00:00+02:00', 1, 'days', easter)).toBe(utc('2026-04-07T16:00:00+02:00'));
		expect(add('2026-04-04T10:00:00+02:00', 0, 'hours', easter)).toBe(utc('2026-04-07T09:00:00+02:00'));
	});
	test('only the Monday is a holiday: Fri afternoon + hours → Tuesday', () => {
		const mondayOff = cal({ holidays: ['2026-01-12'] });
		expect(add('2026-01-09T16:00:00+01:00', 3, 'hours', mondayOff)).toBe(utc('2026-01-13T11:00:00+01:00'));
	});
	const christmas = cal({ holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'] });
	test('consecutive holidays, and holidays across the turn of the year', () => {
		expect(add('2026-12-23T16:30:00+01:00', 1, 'hours', christmas)).toBe(utc('2026-12-28T09:30:00+01:00'));
		expect(add('2026-12-23T10:00:00+01:00', 3, 'days', christmas)).toBe(utc('2026-12-30T10:00:00+01:00'));
		expect(add('2026-12-23T10:00:00+01:00', 4, 'days', christmas)).toBe(utc('2027-01-04T10:00:00+01:00'));
		// Wed 23rd 10:00 → 7 h that day, 8 h each on 28th, 29th, 30th = 31 h; 2 more → Mon 4 Jan 11:00.
		expect(add('2026-12-23T10:00:00+01:00', 33, 'hours', christmas)).toBe(utc('2027-01-04T11:00:00+01:00'));
	});
	test('the same day in another year is not a holiday', () => {
		const otherYears = cal({ holidays: ['2025-12-21', '2027-12-21'] });
		expect(add('2026-12-18T16:00:00+01:00', 2, 'hours', otherYears)).toBe(utc('2026-12-21T10:00:00+01:00'));
		expect(isWorkingTime(new Date('2026-12-21T12:00:00+01:00'), otherYears)).toBe(true);
	});
	test('a holiday is a local date in the calendar zone', () => {
		// 2026-01-12 in Tokyo; at 2026-01-12T01:00Z it is Mon 10:00 there (a holiday) but Mon 02:00 in Berlin.
		const tokyo = cal({ zone: 'Asia/Tokyo', holidays: ['2026-01-12'] });
		expect(isWorkingTime(new Date('2026-01-12T01:00:00Z'), tokyo)).toBe(false);
		expect(add('2026-01-12T01:00:00Z', 1, 'hours', tokyo)).toBe(utc('2026-01-13T10:00:00+09:00'));
	});
});

describe('time zones', () => {
	const instant = '2026-01-09T07:00:00Z'; // Fri 16:00 in Tokyo, Thu 23:00 in Los Angeles
	test('the same instant gives different deadlines in Tokyo and Los Angeles', () => {
		const tokyo = cal({ zone: 'Asia/Tokyo' });
		const la = cal({ zone: 'America/Los_Angeles' });
		expect(add(instant, 2, 'hours', tokyo)).toBe(utc('2026-01-12T10:00:00+09:00'));
		expect(add(instant, 2, 'hours', la)).toBe(utc('2026-01-09T11:00:00-08:00'));
		expect(add(instant, 1, 'days', tokyo)).toBe(utc('2026-01-12T16:00:00+09:00'));
		expect(add(instant, 1, 'days', la)).toBe(utc('2026-01-12T09:00:00-08:00'));
		expect(isWorkingTime(new Date(instant), tokyo)).toBe(true);
		expect(isWorkingTime(new Date(instant), la)).toBe(false);
	});
	test('a zone with a 30-minute offset', () => {
		const india = cal({ zone: 'Asia/Kolkata' });
		// 2026-01-09T11:00Z = Fri 16:30 +05:30.
		expect(add('2026-01-09T11:00:00Z', 1, 'hours', india)).toBe(utc('2026-01-12T09:30:00+05:30'));
	});
});

describe('DST: working hours stay in local time', () => {
	test('Europe/Berlin spring forward (Sun 2026-03-29, 02:00 CET → 03:00 CEST)', () => {
		expect(add('2026-03-27T16:00:00+01:00', 2, 'hours', berlin)).toBe(utc('2026-03-30T10:00:00+02:00'));
		expect(add('2026-03-27T10:00:00+01:00', 1, 'days', berlin)).toBe(utc('2026-03-30T10:00:00+02:00'));
		// A working Sunday on the change day still runs 09:00–17:00 local: 8 business hours.
		expect(add('2026-03-29T09:00:00+02:00', 8, 'hours', berlin7)).toBe(utc('2026-03-29T17:00:00+02:00'));
		expect(add('2026-03-28T12:00:00+01:00', 8, 'hours', berlin7)).toBe(utc('2026-03-29T12:00:00+02:00'));
		expect(add('2026-03-28T10:00:00+01:00', 1, 'days', berlin7)).toBe(utc('2026-03-29T10:00:00+02:00'));
	});
	test('Europe/Berlin fall back (Sun 2026-10-25, 03:00 CEST → 02:00 CET)', () => {
		expect(add('2026-10-23T16:00:00+02:00', 2, 'hours', berlin)).toBe(utc('2026-10-26T10:00:00+01:00'));
		expect(add('2026-10-25T09:00:00+01:00', 8, 'hours', berlin7)).toBe(utc('2026-10-25T17:00:00+01:00'));
		expect(add('2026-10-24T16:00:00+02:00', 2, 'hours', berlin7)).toBe(utc('2026-10-25T10:00:00+01:00'));
		expect(add('2026-10-24T10:00:00+02:00', 1, 'days', berlin7)).toBe(utc('2026-10-25T10:00:00+01:00'));
	});
	test('America/New_York spring forward (Sun 2026-03-08, 02:00 EST → 03:00 EDT)', () => {
		expect(add('2026-03-06T16:00:00-05:00', 2, 'hours', newYork)).toBe(utc('2026-03-09T10:00:00-04:00'));
		expect(add('2026-03-06T13:00:00-05:00', 1, 'days', newYork)).toBe(utc('2026-03-09T13:00:00-04:00'));
	});
	test('America/New_York fall back (Sun 2026-11-01, 02:00 EDT → 01:00 EST)', () => {
		expect(add('2026-10-30T16:00:00-04:00', 2, 'hours', newYork)).toBe(utc('2026-11-02T10:00:00-05:00'));
		expect(add('2026-10-30T13:00:00-04:00', 1, 'days', newYork)).toBe(utc('2026-11-02T13:00:00-05:00'));
	});
});

describe('DST: a 24/7 calendar counts real elapsed hours', () => {
	test.each<[string, BusinessCalendar, string, number, string]>([
		['Berlin spring: 24 h from Sat noon', berlin24, '2026-03-28T12:00:00+01:00', 24, '2026-03-29T13:00:00+02:00'],
		['Berlin fall: 24 h from Sat noon', berlin24, '2026-10-24T12:00:00+02:00', 24, '2026-10-25T11:00:00+01:00'],
		['New York spring: 3 h from midnight', newYork24, '2026-03-08T00:00:00-05:00', 3, '2026-03-08T04:00:00-04:00'],
		['New York fall: 3 h from midnight', newYork24, '2026-11-01T00:00:00-04:00', 3, '2026-11-01T02:00:00-05:00'],
		['New York spring: the whole 23-hour day', newYork24, '2026-03-08T00:00:00-05:00', 23, '2026-03-09T00:00:00-04:00'],
		['New York fall: the whole 25-hour day', newYork24, '2026-11-01T00:00:00-04:00', 25, '2026-11-02T00:00:00-05:00'],
	])('%s', (_name, calendar, start, hours, expected) => {
		expect(add(start, hours, 'hours', calendar)).toBe(utc(expected));
	});
	test('days keep the local time of day (a 23-hour business day)', () => {
		expect(add('2026-03-28T12:00:00+01:00', 1, 'days', berlin24)).toBe(utc('2026-03-29T12:00:00+02:00'));
		expect(add('2026-10-24T12:00:00+02:00', 1, 'days', berlin24)).toBe(utc('2026-10-25T12:00:00+01:00'));
	});
	test('a day later, a local time the clocks skip is the moment they jump', () => {
		// 02:30 does not exist in New York on 2026-03-08: the clock goes from 01:59:59 EST to 03:00 EDT.
		expect(add('2026-03-07T02:30:00-05:00', 1, 'days', newYork24)).toBe(utc('2026-03-08T03:00:00-04:00'));
		// Berlin 2026-03-29: 02:15 is skipped as well.
		expect(add('2026-03-28T02:15:00+01:00', 1, 'days', berlin24)).toBe(utc('2026-03-29T03:00:00+02:00'));
	});
	test('a day later, a local time the clocks repeat is its first occurrence', () => {
		expect(add('2026-10-31T01:30:00-04:00', 1, 'days', newYork24)).toBe(utc('2026-11-01T01:30:00-04:00'));
		expect(add('2026-10-24T02:30:00+02:00', 1, 'days', berlin24)).toBe(utc('2026-10-25T02:30:00+02:00'));
	});
});

describe('DST at midnight (America/Santiago 2026)', () => {
	// Sat 2026-04-04 24:00 -03 → Sat 23:00 -04 (Saturday's 23:00 hour happens twice);
	// Sun 2026-09-06 00:00 -04 → 01:00 -03 (Sunday has no 00:00 hour).
	const santiago24 = cal({ zone: 'America/Santiago', workdays: ALL_WEEK, dayStartMinute: 0, dayEndMinute: 1440 });
	const santiagoMonSat = cal({ zone: 'America/Santiago', workdays: [1, 2, 3, 4, 5, 6], dayStartMinute: 0, dayEndMinute: 1440 });
	const santiagoSun = cal({ zone: 'America/Santiago', workdays: [7], dayStartMinute: 0, dayEndMinute: 1440 });
	test('the Saturday that repeats 23:00 has 25 hours, all of them Saturday', () => {
		expect(add('2026-04-04T00:00:00-03:00', 24, 'hours', santiago24)).toBe(utc('2026-04-04T23:00:00-04:00'));
		expect(add('2026-04-04T00:00:00-03:00', 25, 'hours', santiago24)).toBe(utc('2026-04-05T00:00:00-04:00'));
		expect(add('2026-04-04T00:00:00-03:00', 25, 'hours', santiagoMonSat)).toBe(utc('2026-04-05T00:00:00-04:00'));
		expect(add('2026-04-03T23:30:00-03:00', 1, 'days', santiago24)).toBe(utc('2026-04-04T23:30:00-03:00'));
		expect(isWorkingTime(new Date('2026-04-04T23:30:00-04:00'), santiagoMonSat)).toBe(true);
		expect(isWorkingTime(new Date('2026-04-05T00:30:00-04:00'), santiagoMonSat)).toBe(false);
	});
	test('a Sunday without midnight starts its working day at 01:00 and has 23 hours', () => {
		expect(add('2026-09-05T00:00:00-04:00', 1, 'days', santiago24)).toBe(utc('2026-09-06T01:00:00-03:00'));
		expect(add('2026-09-05T12:00:00-04:00', 0, 'hours', santiagoSun)).toBe(utc('2026-09-06T01:00:00-03:00'));
		expect(add('2026-09-05T12:00:00-04:00', 23, 'hours', santiagoSun)).toBe(utc('2026-09-07T00:00:00-03:00'));
		expect(add('2026-09-05T12:00:00-04:00', 24, 'hours', santiagoSun)).toBe(utc('2026-09-13T01:00:00-03:00'));
	});
});

describe('DST inside the working hours', () => {
	const nightNY = cal({ zone: 'America/New_York', workdays: ALL_WEEK, dayStartMinute: 60, dayEndMinute: 240 }); // 01:00–04:00
	test('a window that loses an hour is 2 real hours long', () => {
		expect(add('2026-03-08T01:00:00-05:00', 2, 'hours', nightNY)).toBe(utc('2026-03-08T04:00:00-04:00'));
		expect(add('2026-03-08T01:00:00-05:00', 2.5, 'hours', nightNY)).toBe(utc('2026-03-09T01:30:00-04:00'));
		expect(isWorkingTime(new Date('2026-03-08T03:30:00-04:00'), nightNY)).toBe(true);
	});
	test('a window that gains an hour is 4 real hours long; its start is the first 01:00', () => {
		expect(add('2026-11-01T00:00:00-04:00', 4, 'hours', nightNY)).toBe(utc('2026-11-01T04:00:00-05:00'));
		expect(add('2026-11-01T00:00:00-04:00', 0, 'hours', nightNY)).toBe(utc('2026-11-01T01:00:00-04:00'));
		expect(isWorkingTime(new Date('2026-11-01T01:30:00-05:00'), nightNY)).toBe(true);
	});
	test('a working day that starts inside the skipped hour starts when the clock jumps', () => {
		const from0230 = cal({ zone: 'America/New_York', workdays: ALL_WEEK, dayStartMinute: 150, dayEndMinute: 600 }); // 02:30–10:00
		expect(add('2026-03-08T00:00:00-05:00', 0, 'hours', from0230)).toBe(utc('2026-03-08T03:00:00-04:00'));
		expect(add('2026-03-08T00:00:00-05:00', 1, 'hours', from0230)).toBe(utc('2026-03-08T04:00:00-04:00'));
	});
	test('a working day entirely inside the skipped hour has no working time', () => {
		const skipped = cal({ zone: 'America/New_York', workdays: ALL_WEEK, dayStartMinute: 130, dayEndMinute: 150 }); // 02:10–02:30
		expect(add('2026-03-08T00:00:00-05:00', 10, 'minutes', skipped)).toBe(utc('2026-03-09T02:20:00-04:00'));
		expect(add('2026-03-07T02:20:00-05:00', 1, 'days', skipped)).toBe(utc('2026-03-09T02:20:00-04:00'));
	});
});

describe('hours over several days are exact', () => {
	test.each<[string, number, BusinessUnit, string]>([
		['2026-01-12T10:00:00+01:00', 20, 'hours', '2026-01-14T14:00:00+01:00'], // Mon 7 h, Tue 8 h, Wed 5 h
		['2026-01-12T10:00:00+01:00', 1000.5, 'minutes', '2026-01-14T10:40:30+01:00'], // 16 h 40 min 30 s
		['2026-01-12T10:00:00.123+01:00', 1, 'minutes', '2026-01-12T10:01:00.123+01:00'],
		['2026-01-12T09:00:00+01:00', 80, 'hours', '2026-01-23T17:00:00+01:00'], // 10 working days exactly
		['2026-01-12T09:00:00+01:00', 81, 'hours', '2026-01-26T10:00:00+01:00'],
	])('%s + %d %s → %s', (start, amount, unit, expected) => {
		expect(add(start, amount, unit, berlin)).toBe(utc(expected));
	});
});

describe('fractional amounts', () => {
	test.each<[string, number, BusinessUnit, string]>([
		['2026-01-12T09:00:00+01:00', 1.5, 'hours', '2026-01-12T10:30:00+01:00'],
		['2026-01-12T09:00:00+01:00', 0.1, 'hours', '2026-01-12T09:06:00+01:00'],
		['2026-01-12T09:00:00+01:00', 1 / 3, 'minutes', '2026-01-12T09:00:20+01:00'],
		['2026-01-12T09:00:00+01:00', 1 / 3, 'hours', '2026-01-12T09:20:00+01:00'],
		['2026-01-12T09:00:00+01:00', 0.001, 'minutes', '2026-01-12T09:00:00.060+01:00'],
		['2026-01-12T15:00:00+01:00', 0.5, 'days', '2026-01-13T11:00:00+01:00'], // half of 8 h: Mon 2 h + Tue 2 h
		['2026-01-12T09:00:00+01:00', 1.5, 'days', '2026-01-13T13:00:00+01:00'],
		['2026-01-12T16:00:00+01:00', 1.25, 'days', '2026-01-14T10:00:00+01:00'], // Tue 16:00 + 2 h
		['2026-01-09T18:00:00+01:00', 0.25, 'days', '2026-01-12T11:00:00+01:00'], // Fri evening → Mon 09:00 + 2 h
	])('%s + %d %s → %s', (start, amount, unit, expected) => {
		expect(add(start, amount, unit, berlin)).toBe(utc(expected));
	});
	test('a fraction of a day uses the nominal working-day length (09:00–17:30 = 8.5 h)', () => {
		const long = cal({ dayEndMinute: 17 * 60 + 30 });
		expect(add('2026-01-12T09:00:00+01:00', 0.5, 'days', long)).toBe(utc('2026-01-12T13:15:00+01:00'));
	});
});

describe('amount 0 and the edges of the working day', () => {
	test.each<[string, BusinessUnit, string]>([
		['2026-01-12T10:00:00+01:00', 'hours', '2026-01-12T10:00:00+01:00'], // already working: unchanged
		['2026-01-12T10:00:00+01:00', 'days', '2026-01-12T10:00:00+01:00'],
		['2026-01-10T10:00:00+01:00', 'minutes', '2026-01-12T09:00:00+01:00'], // Saturday → Mon 09:00
		['2026-01-10T10:00:00+01:00', 'days', '2026-01-12T09:00:00+01:00'],
		['2026-01-09T17:00:00+01:00', 'hours', '2026-01-12T09:00:00+01:00'], // Fri at its end → Mon
		['2026-01-12T08:59:59.999+01:00', 'hours', '2026-01-12T09:00:00+01:00'],
		['2026-01-12T16:59:59.999+01:00', 'hours', '2026-01-12T16:59:59.999+01:00'],
	])('%s + 0 %s → %s', (start, unit, expected) => {
		expect(add(start, 0, unit, berlin)).toBe(utc(expected));
	});
	test.each<[string, number, BusinessUnit, string]>([
		['2026-01-12T09:00:00+01:00', 1, 'hours', '2026-01-12T10:00:00+01:00'], // exactly at the start
		['2026-01-12T17:00:00+01:00', 1, 'hours', '2026-01-13T10:00:00+01:00'], // exactly at the end: after hours
		['2026-01-12T16:00:00+01:00', 1, 'hours', '2026-01-12T17:00:00+01:00'], // used up exactly: ends at 17:00
		['2026-01-12T09:00:00+01:00', 8, 'hours', '2026-01-12T17:00:00+01:00'],
		['2026-01-12T08:59:59.999+01:00', 1, 'minutes', '2026-01-12T09:01:00+01:00'],
		['2026-01-12T09:00:00+01:00', 1, 'days', '2026-01-13T09:00:00+01:00'],
		['2026-01-12T17:00:00+01:00', 1, 'days', '2026-01-14T09:00:00+01:00'], // Mon 17:00 → Tue 09:00, + 1 day
		['2026-01-12T16:59:00+01:00', 1, 'days', '2026-01-13T16:59:00+01:00'],
	])('%s + %d %s → %s', (start, amount, unit, expected) => {
		expect(add(start, amount, unit, berlin)).toBe(utc(expected));
	});
	test('a working day that ends at 24:00 ends at the next midnight', () => {
		const evening = cal({ dayStartMinute: 18 * 60, dayEndMinute: 1440 });
		expect(add('2026-01-12T23:00:00+01:00', 2, 'hours', evening)).toBe(utc('2026-01-13T19:00:00+01:00'));
		expect(add('2026-01-12T23:00:00+01:00', 1, 'hours', evening)).toBe(utc('2026-01-13T00:00:00+01:00'));
		expect(isWorkingTime(new Date('2026-01-13T00:00:00+01:00'), evening)).toBe(false);
	});
});

describe('parseBusinessCalendar', () => {
	test('defaults: Mon-Fri, 09:00-17:00, no holidays', () => {
		expect(parseBusinessCalendar({ zone: 'Europe/Berlin' })).toEqual({
			ok: true,
			calendar: { zone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], dayStartMinute: 540, dayEndMinute: 1020, holidays: [] },
		});
		expect(parseBusinessCalendar({ zone: ' UTC ', workdays: '  ', hours: '', holidays: '' })).toEqual({
			ok: true,
			calendar: { zone: 'UTC', workdays: [1, 2, 3, 4, 5], dayStartMinute: 540, dayEndMinute: 1020, holidays: [] },
		});
	});
	test.each<[string, number[]]>([
		['Mon-Fri', [1, 2, 3, 4, 5]],
		['Sun-Thu', [1, 2, 3, 4, 7]],
		['Fri-Mon', [1, 5, 6, 7]],
		['Mon,Tue,Thu', [1, 2, 4]],
		['thu; mon  TUE', [1, 2, 4]],
		['Monday – Friday', [1, 2, 3, 4, 5]],
		['Mon-Wed, Fri', [1, 2, 3, 5]],
		['Mon-Sun', [1, 2, 3, 4, 5, 6, 7]],
		['Sat-Sat, sat', [6]],
		['Mon-Fri, Wed', [1, 2, 3, 4, 5]],
	])('workdays "%s" → %j', (workdays, expected) => {
		const r = parseBusinessCalendar({ zone: 'UTC', workdays });
		expect(r.ok && r.calendar.workdays).toEqual(expected);
	});
	test.each<[string, number, number]>([
		['09:00-17:30', 540, 1050],
		[' 9:00 – 17:30 ', 540, 1050],
		['00:00-24:00', 0, 1440],
		['23:59-24:00', 1439, 1440],
		['08:15 - 12:45', 495, 765],
	])('hours "%s" → %d..%d', (hours, start, end) => {
		const r = parseBusinessCalendar({ zone: 'UTC', hours });
		expect(r.ok && [r.calendar.dayStartMinute, r.calendar.dayEndMinute]).toEqual([start, end]);
	});
	test('holidays as one string with mixed separators: sorted, unique', () => {
		const r = parseBusinessCalendar({ zone: 'Europe/Berlin', holidays: '2026-12-25, 2026-12-24;2026-12-25\n2027-01-01  2026-12-26T00:00:00+01:00\r\n\t2026-12-31,' });
		expect(r.ok && r.calendar.holidays).toEqual(['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01']);
	});
	test('holidays as a list; an ISO date-time counts as the date it is written with', () => {
		const r = parseBusinessCalendar({ zone: 'Asia/Tokyo', holidays: ['2026-12-31T23:30:00Z', '2026-12-25T23:30:00-05:00', '2026-05-05, 2026-05-04', ''] });
		expect(r.ok && r.calendar.holidays).toEqual(['2026-05-04', '2026-05-05', '2026-12-25', '2026-12-31']);
		expect(parseBusinessCalendar({ zone: 'UTC', holidays: [] })).toMatchObject({ ok: true, calendar: { holidays: [] } });
	});

	type Input = Parameters<typeof parseBusinessCalendar>[0];
	const bad = (input: Record<string, unknown>) => input as unknown as Input;
	test.each<[string, Input, string, RegExp]>([
		['no zone', { zone: '' }, 'No time zone given for the business calendar', /IANA time zone/],
		['zone not text', bad({ zone: 1 }), 'No time zone given for the business calendar', /Europe\/Berlin/],
		['unknown zone', { zone: 'Mars/Olympus' }, 'Unknown time zone "Mars/Olympus"', /IANA time zone such as Europe\/Berlin/],
		['bad weekday name', { zone: 'UTC', workdays: 'Mox-Fri' }, 'Unknown weekday "Mox" in working days "Mox-Fri"', /Mon, Tue, Wed, Thu, Fri, Sat, Sun/],
		['bad weekday in a list', { zone: 'UTC', workdays: 'Mon, Tue, Frieday' }, 'Unknown weekday "Frieday" in working days "Mon, Tue, Frieday"', /range such as Mon-Fri/],
		['numbers are not weekdays', { zone: 'UTC', workdays: '1-5' }, 'Unknown weekday "1" in working days "1-5"', /Mon-Fri or Sun-Thu/],
		['three-part range', { zone: 'UTC', workdays: 'Mon-Tue-Wed' }, 'Cannot read "Mon-Tue-Wed" as a range of weekdays', /Mon-Fri/],
		['open range', { zone: 'UTC', workdays: 'Mon-' }, 'Cannot read "Mon-" as a range of weekdays', /Mon-Fri/],
		['only separators', { zone: 'UTC', workdays: ' , ; ' }, 'No working days in " , ; "', /Mon-Fri/],
		['workdays not text', bad({ zone: 'UTC', workdays: 5 }), 'Working days must be text', /Mon-Fri/],
		['unreadable hours', { zone: 'UTC', hours: '9-5' }, 'Cannot read working hours "9-5"', /HH:mm-HH:mm, e\.g\. 09:00-17:30/],
		['one time only', { zone: 'UTC', hours: '09:00' }, 'Cannot read working hours "09:00"', /HH:mm-HH:mm/],
		['hour 25', { zone: 'UTC', hours: '25:00-26:00' }, '"25:00" is not a time of day', /00 to 23.*00 to 59/],
		['minute 60', { zone: 'UTC', hours: '09:60-17:00' }, '"09:60" is not a time of day', /24:00 may only end the working day/],
		['24:30', { zone: 'UTC', hours: '09:00-24:30' }, '"24:30" is not a time of day', /24:00/],
		['start at 24:00', { zone: 'UTC', hours: '24:00-24:00' }, 'The working day cannot start at 24:00', /00:00-24:00/],
		['end before start', { zone: 'UTC', hours: '17:00-09:00' }, 'Working hours end at 09:00, which is not after their start at 17:00', /across midnight/],
		['end equals start', { zone: 'UTC', hours: '09:00-09:00' }, 'Working hours end at 09:00, which is not after their start at 09:00', /earlier time first/],
		['hours not text', bad({ zone: 'UTC', hours: 9 }), 'Working hours must be text', /HH:mm-HH:mm/],
		['unreadable holiday', { zone: 'UTC', holidays: '2026-12-24, 25.12.2026' }, 'Cannot read holiday "25.12.2026"', /yyyy-MM-dd \(e\.g\. 2026-12-25\) or as a full ISO date-time/],
		['holiday without zero padding', { zone: 'UTC', holidays: '2026-1-6' }, 'Cannot read holiday "2026-1-6"', /yyyy-MM-dd/],
		['holiday that is no date', { zone: 'UTC', holidays: '2026-02-30' }, 'Holiday "2026-02-30" is not a real date', /yyyy-MM-dd/],
		['holiday date-time that is no date', { zone: 'UTC', holidays: ['2026-02-30T00:00:00Z'] }, 'Holiday "2026-02-30T00:00:00Z" is not a real ISO date-time', /full ISO date-time/],
		['holiday date-time with a bad time', { zone: 'UTC', holidays: '2026-12-25T25:00' }, 'Holiday "2026-12-25T25:00" is not a real ISO date-time', /ISO date-time/],
		['holidays not text', bad({ zone: 'UTC', holidays: 20261225 }), 'Holidays must be text or a list of dates', /separated by commas/],
		['a holiday in the list not text', bad({ zone: 'UTC', holidays: ['2026-12-25', 7] }), 'Holiday number 2 is not text', /yyyy-MM-dd/],
	])('%s', (_name, input, message, hint) => {
		const r = parseBusinessCalendar(input);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.message).toBe(message);
		expect(r.hint).toMatch(hint);
	});
	test('a parsed calendar works with addBusinessTime', () => {
		const r = parseBusinessCalendar({ zone: 'Asia/Jerusalem', workdays: 'Sun-Thu', hours: '08:30-16:30', holidays: '2026-09-21' });
		if (!r.ok) throw new Error(r.message);
		// Thu 2026-09-17 16:00 +03:00 → 0.5 h Thu, (Fri, Sat off), Sun 20th 08:30 + 1.5 h; Mon 21st is a holiday.
		expect(add('2026-09-17T16:00:00+03:00', 2, 'hours', r.calendar)).toBe(utc('2026-09-20T10:00:00+03:00'));
		expect(add('2026-09-20T10:00:00+03:00', 1, 'days', r.calendar)).toBe(utc('2026-09-22T10:00:00+03:00'));
	});
});

describe('isWorkingTime', () => {
	test.each<[string, string, BusinessCalendar, boolean]>([
		['2026-01-12T09:00:00+01:00', 'Berlin Mon–Fri', berlin, true], // the start is working time
		['2026-01-12T08:59:59.999+01:00', 'Berlin Mon–Fri', berlin, false],
		['2026-01-12T16:59:59.999+01:00', 'Berlin Mon–Fri', berlin, true],
		['2026-01-12T17:00:00+01:00', 'Berlin Mon–Fri', berlin, false], // the end is not
		['2026-01-10T12:00:00+01:00', 'Berlin Mon–Fri', berlin, false], // Saturday
		['2026-01-10T12:00:00+01:00', 'Berlin Mon–Sun', berlin7, true],
		['2026-12-25T12:00:00+01:00', 'Berlin, holiday 2026-12-25', cal({ holidays: ['2026-12-25'] }), false],
		['2026-12-25T12:00:00+01:00', 'Berlin, holiday 2025-12-25', cal({ holidays: ['2025-12-25'] }), true],
		['2026-01-10T23:59:59.999+01:00', 'Berlin 24/7', berlin24, true],
		['2026-01-11T00:00:00+01:00', 'Berlin 24/7', berlin24, true],
		['2026-03-29T03:30:00+02:00', 'Berlin 24/7', berlin24, true], // the hour after the jump, on a 24/7 calendar
		['2026-01-12T08:30:00Z', 'Berlin Mon–Fri', berlin, true], // 09:30 in Berlin
		['2026-01-12T08:30:00Z', 'New York Mon–Fri', cal({ zone: 'America/New_York' }), false], // 03:30 in New York
	])('%s, %s → %s', (at, _name, calendar, expected) => {
		expect(isWorkingTime(new Date(at), calendar)).toBe(expected);
	});
});

describe('describeCalendar', () => {
	test.each<[BusinessCalendar, string]>([
		[cal({ holidays: ['2026-12-24', '2026-12-25', '2026-12-26'] }), 'Mon–Fri 09:00–17:00 Europe/Berlin, 3 holidays'],
		[cal({ holidays: ['2026-12-25'] }), 'Mon–Fri 09:00–17:00 Europe/Berlin, 1 holiday'],
		[cal({ zone: 'UTC', workdays: ALL_WEEK, dayStartMinute: 0, dayEndMinute: 1440 }), 'Mon–Sun 00:00–24:00 UTC, no holidays'],
		[cal({ zone: 'Asia/Jerusalem', workdays: [1, 2, 3, 4, 7], dayStartMinute: 510, dayEndMinute: 990 }), 'Sun–Thu 08:30–16:30 Asia/Jerusalem, no holidays'],
		[cal({ workdays: [1, 2, 4] }), 'Mon, Tue, Thu 09:00–17:00 Europe/Berlin, no holidays'],
		[cal({ workdays: [1, 2, 3, 5] }), 'Mon–Wed, Fri 09:00–17:00 Europe/Berlin, no holidays'],
		[cal({ workdays: [1, 3, 5, 6, 7] }), 'Wed, Fri–Mon 09:00–17:00 Europe/Berlin, no holidays'],
		[cal({ workdays: [6, 7] }), 'Sat, Sun 09:00–17:00 Europe/Berlin, no holidays'],
		[cal({ workdays: [3] }), 'Wed 09:00–17:00 Europe/Berlin, no holidays'],
	])('%#: %s', (calendar, expected) => {
		expect(describeCalendar(calendar)).toBe(expected);
	});
});

describe('RangeError', () => {
	test.each<[string, number, BusinessUnit, RegExp]>([
		['negative', -1, 'hours', /must not be negative/],
		['a tiny negative', -0.0001, 'days', /must not be negative/],
		['NaN', NaN, 'hours', /finite number/],
		['Infinity', Infinity, 'days', /finite number/],
		['more than 3660 days', 3660.001, 'days', /more than 3660 business days/],
		['more than 3660 eight-hour days in hours', 29280.5, 'hours', /more than 3660 business days/],
		['more than 3660 eight-hour days in minutes', 3660 * 480 + 1, 'minutes', /more than 3660 business days/],
	])('%s', (_name, amount, unit, message) => {
		expect(() => addBusinessTime(new Date('2026-01-12T09:00:00+01:00'), amount, unit, berlin)).toThrow(RangeError);
		expect(() => addBusinessTime(new Date('2026-01-12T09:00:00+01:00'), amount, unit, berlin)).toThrow(message);
	});
	test('an invalid start or unit', () => {
		expect(() => addBusinessTime(new Date('not a date'), 1, 'hours', berlin)).toThrow(new RangeError('start is not a valid date'));
		expect(() => addBusinessTime(new Date(0), 1, 'weeks' as BusinessUnit, berlin)).toThrow(new RangeError('unknown business time unit "weeks"'));
		expect(() => isWorkingTime(new Date(NaN), berlin)).toThrow(new RangeError('at is not a valid date'));
		// One hour before the last date a JavaScript Date can hold (+275760-09-13): a day later is beyond it.
		expect(() => addBusinessTime(new Date(8.64e15 - 3_600_000), 1, 'days', berlin24)).toThrow(new RangeError('the date lies beyond the dates JavaScript can represent'));
		expect(() => addBusinessTime(new Date(8.64e15), 0, 'hours', berlin)).toThrow(RangeError);
		expect(() => isWorkingTime(new Date(8.64e15), berlin)).toThrow(RangeError);
	});
	test.each<[string, BusinessCalendar, RegExp]>([
		['unknown zone', cal({ zone: 'Nowhere/Land' }), /unknown time zone "Nowhere\/Land"/],
		['no workdays', cal({ workdays: [] }), /non-empty list of ISO weekdays/],
		['weekday 0', cal({ workdays: [0, 1] }), /ISO weekdays 1\.\.7/],
		['start out of range', cal({ dayStartMinute: -1 }), /dayStartMinute/],
		['start not an integer', cal({ dayStartMinute: 9.5 }), /dayStartMinute/],
		['end before start', cal({ dayStartMinute: 600, dayEndMinute: 540 }), /dayEndMinute/],
		['end after 24:00', cal({ dayEndMinute: 1441 }), /dayEndMinute/],
		['a holiday not yyyy-MM-dd', cal({ holidays: ['25.12.2026'] }), /yyyy-MM-dd/],
	])('an invalid calendar: %s', (_name, calendar, message) => {
		expect(() => addBusinessTime(new Date(0), 1, 'hours', calendar)).toThrow(RangeError);
		expect(() => addBusinessTime(new Date(0), 1, 'hours', calendar)).toThrow(message);
		expect(() => isWorkingTime(new Date(0), calendar)).toThrow(/Invalid business calendar/);
	});
});

describe('a calendar with no working time', () => {
	// Sundays only, and every Sunday from 2026-01-04 to 2028-12-31 is a holiday.
	const sundays: string[] = [];
	for (let t = Date.UTC(2026, 0, 4); t <= Date.UTC(2028, 11, 31); t += 7 * 86_400_000) sundays.push(new Date(t).toISOString().slice(0, 10));
	const sundaysOff = cal({ workdays: [7], holidays: sundays });
	test.each<[number, BusinessUnit]>([[0, 'hours'], [1, 'minutes'], [1, 'days'], [0, 'days']])('+ %d %s → RangeError, not an endless search', (amount, unit) => {
		expect(() => addBusinessTime(new Date('2026-01-01T12:00:00+01:00'), amount, unit, sundaysOff)).toThrow(RangeError);
		expect(() => addBusinessTime(new Date('2026-01-01T12:00:00+01:00'), amount, unit, sundaysOff)).toThrow(/no working time in the two years after/);
	});
	test('less than two years before the first working Sunday is fine', () => {
		expect(sundays).toHaveLength(157);
		expect(add('2027-06-01T12:00:00+02:00', 0, 'hours', sundaysOff)).toBe(utc('2029-01-07T09:00:00+01:00'));
		expect(isWorkingTime(new Date('2027-06-06T12:00:00+02:00'), sundaysOff)).toBe(false);
	});
	test('a gap of more than two years in the middle of a long count also stops', () => {
		// Sun 2025-12-28 is a working day; the next one is Sun 2029-01-07, more than two years later.
		expect(add('2025-12-28T10:00:00+01:00', 0, 'days', sundaysOff)).toBe(utc('2025-12-28T10:00:00+01:00'));
		expect(add('2025-12-28T10:00:00+01:00', 7, 'hours', sundaysOff)).toBe(utc('2025-12-28T17:00:00+01:00'));
		expect(() => addBusinessTime(new Date('2025-12-28T10:00:00+01:00'), 1, 'days', sundaysOff)).toThrow(/no working time in the two years after 2025-12-29/);
		expect(() => addBusinessTime(new Date('2025-12-28T10:00:00+01:00'), 8, 'hours', sundaysOff)).toThrow(/no working time in the two years after 2025-12-29/);
	});
});

describe('long amounts walk day windows', () => {
	test('3650 business days (730 working weeks, no holidays) finish on the right day', () => {
		// 730 weeks after Mon 2026-01-05 is Mon 2040-01-02 (5110 days), winter time again.
		expect(add('2026-01-05T10:00:00+01:00', 3650, 'days', berlin)).toBe(utc('2040-01-02T10:00:00+01:00'));
	});
	test('3660 business days and 29280 business hours with holidays finish', () => {
		const holidays: string[] = [];
		for (let year = 2026; year <= 2045; year++) holidays.push(`${year}-01-01`, `${year}-05-01`, `${year}-12-25`, `${year}-12-26`);
		const withHolidays = cal({ holidays });
		const start = new Date('2026-01-05T10:00:00+01:00');
		const byDays = addBusinessTime(start, 3660, 'days', withHolidays);
		const byHours = addBusinessTime(start, 29280, 'hours', withHolidays);
		expect(byDays.getTime()).toBe(byHours.getTime()); // 3660 days from 10:00 = 29280 h from 10:00
		expect(byDays.getUTCFullYear()).toBe(2040);
		expect(isWorkingTime(byDays, withHolidays)).toBe(true);
	});
});
