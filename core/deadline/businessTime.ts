/**
 * Business-time deadlines: "2 business days" or "8 business hours" after a moment, counted in the gate's
 * time zone with its working hours, working weekdays and holidays. A reviewer in Berlin should not see a
 * deadline expire over the weekend, on Christmas Day or at 03:00; and the same rules must hold when the
 * clocks change, so every local-time step here goes through the calendar's IANA zone (luxon), never
 * through the host's zone or a fixed offset.
 *
 * Rules:
 * - A working day is a local date whose ISO weekday is in `workdays` and which is not in `holidays`.
 *   Working time is [dayStart, dayEnd) local time on working days: one unbroken stretch of real time per
 *   working day. The end itself is not working time (17:00 is after hours, 09:00 is not).
 * - Local clock time → instant: a local time T on a date means the first moment of that date at which the
 *   local clock shows T or later. A time skipped by a DST change (02:30 on 2026-03-08 in New York) is the
 *   moment the clock jumps (03:00 EDT); a time that occurs twice (01:30 on 2026-11-01 in New York) is its
 *   first occurrence (01:30 EDT). 24:00 is the first moment of the next date. So a working day keeps its
 *   local hours across a DST change (09:00–17:00 is still 09:00–17:00), and a window that contains the
 *   change is shorter or longer in real time (a 24-hour calendar has a 23- or 25-hour day).
 * - minutes / hours: walk forward through working time only, counting real elapsed time (1 hour = 60
 *   minutes; fractions allowed; the result is rounded to the millisecond once, up front). A start outside
 *   working time counts from the next working-time start. A count that uses a day's working time up
 *   exactly ends at that day's end (Mon 09:00 + 8 hours = Mon 17:00, not Tue 09:00). 0 gives the next
 *   working moment at or after the start.
 * - days: the start first moves to the next working moment (Fri 18:00 → Mon 09:00); N whole business days
 *   later is the same local time of day on the N-th following working day (Mon 09:00 + 1 day = Tue 09:00).
 *   That time maps to an instant by the rule above and is then clamped into the day's working time: a time
 *   skipped by DST lands on the clock's jump, and if the working day is already over by then the result
 *   is that day's working-time end. A fraction of a day is then added as business minutes: the fraction of
 *   the nominal working-day length (dayEnd − dayStart), e.g. 0.5 day of 09:00–17:00 = 4 business hours.
 *   0 days gives the next working moment at or after the start.
 * - Limits: RangeError for an amount that is negative, not finite, or more than 3660 business days
 *   (hours and minutes convert at the calendar's working-day length), for an invalid start or calendar,
 *   and when the calendar has no working time for two years in a row (a Sunday-only calendar whose Sundays
 *   are all holidays), instead of searching forever. The walk goes a day at a time, never a minute.
 */
import { DateTime, IANAZone } from 'luxon';

export interface BusinessCalendar {
	/** IANA zone, e.g. 'Europe/Berlin'. */
	zone: string;
	/** ISO weekdays 1=Mon … 7=Sun, sorted, unique, non-empty. */
	workdays: number[];
	/** Minutes after local midnight the working day starts (0..1439). */
	dayStartMinute: number;
	/** Minutes after local midnight it ends (> dayStartMinute, ≤ 1440). */
	dayEndMinute: number;
	/** Local dates 'yyyy-MM-dd', sorted unique. */
	holidays: string[];
}

export type BusinessUnit = 'minutes' | 'hours' | 'days';

export type CalendarParse = { ok: true; calendar: BusinessCalendar } | { ok: false; message: string; hint: string };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** The largest amount, in business days (hours and minutes convert at the working-day length). */
const MAX_BUSINESS_DAYS = 3660;
/** Days in a row without working time after which the calendar counts as having none ("two years"). */
const MAX_IDLE_DAYS = 732;

const UNIT_MINUTES: Readonly<Record<Exclude<BusinessUnit, 'days'>, number>> = { minutes: 1, hours: 60 };

const WEEKDAY_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

const WEEKDAY_NAMES: ReadonlyMap<string, number> = new Map([
	['mon', 1], ['monday', 1],
	['tue', 2], ['tues', 2], ['tuesday', 2],
	['wed', 3], ['wednesday', 3],
	['thu', 4], ['thur', 4], ['thurs', 4], ['thursday', 4],
	['fri', 5], ['friday', 5],
	['sat', 6], ['saturday', 6],
	['sun', 7], ['sunday', 7],
]);

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T/;
const HOURS_RE = /^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$/;

const DEFAULT_WORKDAYS = [1, 2, 3, 4, 5];
const DEFAULT_START = 9 * 60;
const DEFAULT_END = 17 * 60;

const ZONE_HINT = 'Type an IANA time zone such as Europe/Berlin, America/New_York or UTC.';
const WORKDAYS_HINT = 'Use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full names) separated by commas, or a range such as Mon-Fri or Sun-Thu.';
const HOURS_HINT = 'Type the start and end of the working day as HH:mm-HH:mm, e.g. 09:00-17:30.';
const HOLIDAYS_HINT =
	'Type each holiday as yyyy-MM-dd (e.g. 2026-12-25) or as a full ISO date-time (e.g. 2026-12-25T00:00:00+01:00, whose own date counts), separated by commas, semicolons, spaces or new lines.';

// ---------------------------------------------------------------------------------------------------
// Parsing what the builder typed

function fail(message: string, hint: string): CalendarParse {
	return { ok: false, message, hint };
}

function isBlank(value: string | undefined): boolean {
	return value === undefined || value.trim() === '';
}

function parseWorkdays(text: string): number[] | CalendarParse {
	const tokens = text
		.trim()
		.replace(/\s*[-–—]\s*/g, '-')
		.split(/[\s,;]+/)
		.filter((t) => t !== '');
	if (tokens.length === 0) return fail(`No working days in "${text}"`, WORKDAYS_HINT);
	const days = new Set<number>();
	for (const token of tokens) {
		const parts = token.split('-');
		if (parts.length > 2 || parts.some((p) => p === '')) {
			return fail(`Cannot read "${token}" as a range of weekdays`, WORKDAYS_HINT);
		}
		const numbers: number[] = [];
		for (const part of parts) {
			const n = WEEKDAY_NAMES.get(part.toLowerCase());
			if (n === undefined) return fail(`Unknown weekday "${part}" in working days "${text}"`, WORKDAYS_HINT);
			numbers.push(n);
		}
		// A range may wrap past Sunday: Sun-Thu is Sun, Mon, Tue, Wed, Thu.
		const [from, to] = numbers.length === 2 ? numbers : [numbers[0], numbers[0]];
		for (let d = from; ; d = (d % 7) + 1) {
			days.add(d);
			if (d === to) break;
		}
	}
	return [...days].sort((a, b) => a - b);
}

function parseHours(text: string): { start: number; end: number } | CalendarParse {
	const match = HOURS_RE.exec(text.trim());
	if (match === null) return fail(`Cannot read working hours "${text}"`, HOURS_HINT);
	const [, sh, sm, eh, em] = match;
	const times: number[] = [];
	for (const [h, m] of [[sh, sm], [eh, em]]) {
		const hour = Number(h);
		const minute = Number(m);
		if (!(minute <= 59 && (hour <= 23 || (hour === 24 && minute === 0)))) {
			return fail(`"${h}:${m}" is not a time of day`, 'Hours run from 00 to 23 and minutes from 00 to 59; 24:00 may only end the working day, e.g. 09:00-24:00.');
		}
		times.push(hour * 60 + minute);
	}
	const [start, end] = times;
	if (start === 1440) return fail('The working day cannot start at 24:00', 'Start between 00:00 and 23:59, e.g. 00:00-24:00 for the whole day.');
	if (end <= start) {
		return fail(
			`Working hours end at ${clockText(end)}, which is not after their start at ${clockText(start)}`,
			'Type the earlier time first, within one day, e.g. 09:00-17:00; working hours across midnight (a night shift) are not supported.',
		);
	}
	return { start, end };
}

function parseHoliday(token: string): string | CalendarParse {
	if (DATE_RE.test(token)) {
		const date = DateTime.fromISO(token, { zone: 'utc' });
		return date.isValid ? token : fail(`Holiday "${token}" is not a real date`, HOLIDAYS_HINT);
	}
	if (DATE_TIME_RE.test(token)) {
		// The date as written, in the string's own offset: '2026-12-25T00:00:00Z' is the 25th everywhere.
		const at = DateTime.fromISO(token, { setZone: true });
		return at.isValid ? at.toFormat('yyyy-MM-dd') : fail(`Holiday "${token}" is not a real ISO date-time`, HOLIDAYS_HINT);
	}
	return fail(`Cannot read holiday "${token}"`, HOLIDAYS_HINT);
}

function parseHolidays(input: string | string[]): string[] | CalendarParse {
	const pieces = typeof input === 'string' ? [input] : input;
	const dates = new Set<string>();
	for (let i = 0; i < pieces.length; i++) {
		const piece: unknown = pieces[i];
		if (typeof piece !== 'string') return fail(`Holiday number ${i + 1} is not text`, HOLIDAYS_HINT);
		for (const token of piece.split(/[\s,;]+/)) {
			if (token === '') continue;
			const date = parseHoliday(token);
			if (typeof date !== 'string') return date;
			dates.add(date);
		}
	}
	return [...dates].sort();
}

/**
 * Builder input as typed in the node: zone; workdays like 'Mon-Fri' or 'Mon,Tue,Thu' or 'Sun-Thu'; hours
 * like '09:00-17:30'; holidays as a string of dates separated by commas/semicolons/whitespace/newlines, or
 * an array of such strings. Each holiday is 'yyyy-MM-dd' or a full ISO date-time (its own date counts).
 * Defaults (for a missing or blank field): workdays Mon-Fri, hours 09:00-17:00, no holidays. Errors say
 * what is wrong (message) and what to type (hint).
 */
export function parseBusinessCalendar(input: { zone: string; workdays?: string; hours?: string; holidays?: string | string[] }): CalendarParse {
	const zoneInput: unknown = input.zone;
	if (typeof zoneInput !== 'string' || zoneInput.trim() === '') return fail('No time zone given for the business calendar', ZONE_HINT);
	const zone = zoneInput.trim();
	if (!IANAZone.isValidZone(zone)) return fail(`Unknown time zone "${zone}"`, ZONE_HINT);

	const workdaysInput: unknown = input.workdays;
	let workdays = DEFAULT_WORKDAYS;
	if (workdaysInput !== undefined && typeof workdaysInput !== 'string') return fail('Working days must be text', WORKDAYS_HINT);
	if (!isBlank(workdaysInput)) {
		const parsed = parseWorkdays(workdaysInput as string);
		if (!Array.isArray(parsed)) return parsed;
		workdays = parsed;
	}

	const hoursInput: unknown = input.hours;
	let dayStartMinute = DEFAULT_START;
	let dayEndMinute = DEFAULT_END;
	if (hoursInput !== undefined && typeof hoursInput !== 'string') return fail('Working hours must be text', HOURS_HINT);
	if (!isBlank(hoursInput)) {
		const parsed = parseHours(hoursInput as string);
		if ('ok' in parsed) return parsed;
		dayStartMinute = parsed.start;
		dayEndMinute = parsed.end;
	}

	const holidaysInput: unknown = input.holidays;
	let holidays: string[] = [];
	if (holidaysInput !== undefined) {
		if (typeof holidaysInput !== 'string' && !Array.isArray(holidaysInput)) return fail('Holidays must be text or a list of dates', HOLIDAYS_HINT);
		const parsed = parseHolidays(holidaysInput as string | string[]);
		if (!Array.isArray(parsed)) return parsed;
		holidays = parsed;
	}

	return { ok: true, calendar: { zone, workdays: [...workdays], dayStartMinute, dayEndMinute, holidays } };
}

// ---------------------------------------------------------------------------------------------------
// The calendar as a function of days and instants

/** One working day's working time in epoch milliseconds, half-open, and its local date (days since 1970-01-01). */
interface Window {
	day: number;
	start: number;
	end: number;
}

function invalidCalendar(why: string): RangeError {
	return new RangeError(`Invalid business calendar: ${why}`);
}

/** A checked calendar with its zone's offsets memoised for one computation (day walks ask for the same instants twice). */
class Clock {
	private readonly zone: IANAZone;
	private readonly workdays: ReadonlySet<number>;
	private readonly holidays: ReadonlySet<string>;
	private readonly startMs: number;
	private readonly endMs: number;
	private readonly offsets = new Map<number, number>();

	constructor(calendar: BusinessCalendar) {
		if (calendar === null || typeof calendar !== 'object') throw invalidCalendar('not an object');
		const { zone, workdays, dayStartMinute, dayEndMinute, holidays } = calendar;
		if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) throw invalidCalendar(`unknown time zone ${JSON.stringify(zone)}`);
		if (!Array.isArray(workdays) || workdays.length === 0 || !workdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
			throw invalidCalendar('workdays must be a non-empty list of ISO weekdays 1..7');
		}
		if (!Number.isInteger(dayStartMinute) || dayStartMinute < 0 || dayStartMinute > 1439) throw invalidCalendar('dayStartMinute must be an integer 0..1439');
		if (!Number.isInteger(dayEndMinute) || dayEndMinute <= dayStartMinute || dayEndMinute > 1440) {
			throw invalidCalendar('dayEndMinute must be an integer after dayStartMinute and at most 1440');
		}
		if (!Array.isArray(holidays) || !holidays.every((h) => typeof h === 'string' && DATE_RE.test(h))) {
			throw invalidCalendar("holidays must be a list of 'yyyy-MM-dd' dates");
		}
		this.zone = IANAZone.create(zone);
		this.workdays = new Set(workdays);
		this.holidays = new Set(holidays);
		this.startMs = dayStartMinute * MINUTE_MS;
		this.endMs = dayEndMinute * MINUTE_MS;
	}

	get dayLengthMs(): number {
		return this.endMs - this.startMs;
	}

	/** The zone's UTC offset at `ts`, in milliseconds. */
	offset(ts: number): number {
		let o = this.offsets.get(ts);
		if (o === undefined) {
			o = Math.round(this.zone.offset(ts) * MINUTE_MS);
			// Beyond the dates JavaScript can hold the zone has no offset (NaN): stop, never loop on NaN days.
			if (!Number.isFinite(o)) throw new RangeError('the date lies beyond the dates JavaScript can represent');
			this.offsets.set(ts, o);
		}
		return o;
	}

	/** Local wall-clock time of `ts` as if it were UTC milliseconds. */
	wall(ts: number): number {
		return ts + this.offset(ts);
	}

	localDay(ts: number): number {
		return Math.floor(this.wall(ts) / DAY_MS);
	}

	/** Milliseconds after local midnight at `ts`. */
	timeOfDay(ts: number): number {
		const w = this.wall(ts);
		return w - Math.floor(w / DAY_MS) * DAY_MS;
	}

	/**
	 * The first moment of local date `day` at which the clock shows `msOfDay` or later (24:00 = the next
	 * date's first moment): a skipped time gives the moment of the jump, a repeated time its first occurrence.
	 */
	instantOf(day: number, msOfDay: number): number {
		const local = day * DAY_MS + msOfDay;
		// Fast path: the same offset at UTC midnight the day before and two days after the local date means
		// no change in between (zones do not change twice within three days), so the clock time is unique.
		const date = Math.floor(local / DAY_MS);
		const usual = this.offset((date - 1) * DAY_MS);
		if (usual === this.offset((date + 2) * DAY_MS)) return local - usual;
		const before = this.offset(local - DAY_MS);
		const after = this.offset(local + DAY_MS);
		if (before === after && this.offset(local - before) === before) return local - before;
		const candidates = new Set([before, after, this.offset(local - before), this.offset(local - after)]);
		let best: number | undefined;
		for (const o of candidates) {
			const t = local - o;
			if (this.offset(t) === o && (best === undefined || t < best)) best = t;
		}
		if (best !== undefined) return best;
		// In a gap: before the jump the clock shows less than `local`, after it more. Find the jump.
		const sorted = [...candidates].sort((a, b) => a - b);
		let lo = local - sorted[sorted.length - 1];
		let hi = local - sorted[0];
		while (hi - lo > 1) {
			const mid = Math.floor((lo + hi) / 2);
			if (mid + this.offset(mid) >= local) hi = mid;
			else lo = mid;
		}
		return hi;
	}

	isWorkingDate(day: number): boolean {
		const weekday = ((((day + 3) % 7) + 7) % 7) + 1; // 1970-01-01 (day 0) was a Thursday
		return this.workdays.has(weekday) && !this.holidays.has(isoDate(day));
	}

	/** The working time of local date `day`, or null on a day off (or one whose working time the clock skipped). */
	windowOf(day: number): Window | null {
		if (!this.isWorkingDate(day)) return null;
		const start = this.instantOf(day, this.startMs);
		const end = this.instantOf(day, this.endMs);
		return end > start ? { day, start, end } : null;
	}

	/** Working-time windows that end after `ts`, in order; RangeError after two years without one. */
	*windowsAfter(ts: number): Generator<Window, never> {
		let lastSeen = this.localDay(ts) - 1;
		for (let day = lastSeen; ; day++) {
			const w = this.windowOf(day);
			if (w !== null && w.end > ts) {
				lastSeen = day;
				yield w;
			} else if (day - lastSeen > MAX_IDLE_DAYS) {
				throw new RangeError(
					`The business calendar has no working time in the two years after ${isoDate(lastSeen + 1)}: check its working days and holidays`,
				);
			}
		}
	}

	/** `ms` of working time after `ts` (0: the next working moment at or after `ts`). */
	addWorking(ts: number, ms: number): number {
		let remaining = ms;
		for (const w of this.windowsAfter(ts)) {
			const from = Math.max(ts, w.start);
			const available = w.end - from;
			if (remaining <= available) return from + remaining;
			remaining -= available;
		}
		throw new Error('unreachable');
	}

	addDays(ts: number, amount: number): number {
		const whole = Math.floor(amount);
		const fractionMs = Math.round((amount - whole) * this.dayLengthMs);
		const windows = this.windowsAfter(ts);
		const first = windows.next().value;
		const start = Math.max(ts, first.start);
		let result = start;
		if (whole > 0) {
			const timeOfDay = this.timeOfDay(start);
			let target = first;
			for (let i = 0; i < whole; i++) target = windows.next().value;
			result = Math.min(Math.max(this.instantOf(target.day, timeOfDay), target.start), target.end);
		}
		return fractionMs > 0 ? this.addWorking(result, fractionMs) : result;
	}

	isWorking(ts: number): boolean {
		// The next date too: were a clock set back across midnight, its repeated late hour would lie after
		// the next date's first moment, so in that date's working time.
		const day = this.localDay(ts);
		for (const d of [day, day + 1]) {
			const w = this.windowOf(d);
			if (w !== null && ts >= w.start && ts < w.end) return true;
		}
		return false;
	}
}

function isoDate(day: number): string {
	return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function clockText(minute: number): string {
	return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function instantOfDate(value: Date, name: string): number {
	const ts = value instanceof Date ? value.getTime() : NaN;
	if (!Number.isFinite(ts)) throw new RangeError(`${name} is not a valid date`);
	return ts;
}

/**
 * The moment `amount` business units after `start` (see the rules above). Throws RangeError for an amount
 * below 0, not finite, or more than 3660 business days' worth; for an invalid start, unit or calendar; and
 * for a calendar with no working time at all within two years.
 */
export function addBusinessTime(start: Date, amount: number, unit: BusinessUnit, calendar: BusinessCalendar): Date {
	const ts = instantOfDate(start, 'start');
	if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new RangeError(`amount must be a finite number, not ${String(amount)}`);
	if (amount < 0) throw new RangeError(`amount must not be negative (${amount})`);
	if (unit !== 'days' && unit !== 'hours' && unit !== 'minutes') throw new RangeError(`unknown business time unit ${JSON.stringify(unit)}`);
	const clock = new Clock(calendar);
	const days = unit === 'days' ? amount : (amount * UNIT_MINUTES[unit] * MINUTE_MS) / clock.dayLengthMs;
	if (days > MAX_BUSINESS_DAYS) {
		throw new RangeError(`${amount} business ${unit} is more than ${MAX_BUSINESS_DAYS} business days with this calendar`);
	}
	const result = unit === 'days' ? clock.addDays(ts, amount) : clock.addWorking(ts, Math.round(amount * UNIT_MINUTES[unit] * MINUTE_MS));
	if (!(Math.abs(result) <= 8.64e15)) throw new RangeError('the date lies beyond the dates JavaScript can represent');
	return new Date(result);
}

/** True when `at` falls inside working time (the working day's end is outside). */
export function isWorkingTime(at: Date, calendar: BusinessCalendar): boolean {
	return new Clock(calendar).isWorking(instantOfDate(at, 'at'));
}

/** Workdays as short runs: [1,2,3,4,5] → 'Mon–Fri', [1,2,3,4,7] → 'Sun–Thu', [1,2,4] → 'Mon, Tue, Thu'. */
function describeWorkdays(workdays: number[]): string {
	const set = new Set(workdays);
	if (set.size === 7) return 'Mon–Sun';
	const prev = (d: number) => ((d + 5) % 7) + 1;
	const next = (d: number) => (d % 7) + 1;
	const sorted = [...set].sort((a, b) => a - b);
	// Start at a day whose day before is off, so a run across Sunday (Sun–Thu) stays one run.
	const first = sorted.find((d) => !set.has(prev(d))) ?? sorted[0];
	const runs: number[][] = [];
	for (let i = 0, d = first; i < 7; i++, d = next(d)) {
		if (!set.has(d)) continue;
		const last = runs[runs.length - 1];
		if (last !== undefined && last[last.length - 1] === prev(d)) last.push(d);
		else runs.push([d]);
	}
	const name = (d: number) => WEEKDAY_SHORT[d - 1];
	return runs
		.map((run) => (run.length >= 3 ? `${name(run[0])}–${name(run[run.length - 1])}` : run.map(name).join(', ')))
		.join(', ');
}

/** A one-line human description, e.g. 'Mon–Fri 09:00–17:00 Europe/Berlin, 3 holidays'. */
export function describeCalendar(calendar: BusinessCalendar): string {
	const holidays = calendar.holidays.length;
	const holidayText = holidays === 0 ? 'no holidays' : holidays === 1 ? '1 holiday' : `${holidays} holidays`;
	return `${describeWorkdays(calendar.workdays)} ${clockText(calendar.dayStartMinute)}–${clockText(calendar.dayEndMinute)} ${calendar.zone}, ${holidayText}`;
}
