/**
 * Reading the gate's deadline plan (core/deadline/plan.ts) from its parameters: the deadline (a
 * duration, a moment, business time in the gate's zone, or none), the reminder times and the
 * escalation levels. The deadline and timings are read once per run; backups per item, as reviewers
 * are. Bad input fails the run before anything is sent, with what to change.
 */
import { DateTime } from 'luxon';
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { addBusinessTime, describeCalendar, parseBusinessCalendar, MAX_ESCALATION_LEVELS, reminderTimes, type DeadlinePlan, type EscalationStep } from '../../core/deadline';
import { parseReviewerList, UNIT_MS } from './settings';

/** Run-wide part of the plan: everything but the backups. */
export interface RunDeadline {
	deadline: Date | null;
	deadlineText: string;
	rejectOnTimeout: boolean;
	reminders: Date[];
	/** Level times, in level order. */
	levelTimes: Date[];
}

function duration(ctx: IExecuteFunctions, amount: unknown, unit: unknown, what: string, allowZero = false): number {
	if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || (!allowZero && amount === 0) || typeof unit !== 'string' || !(unit in UNIT_MS)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid ${what}: ${String(amount)} ${String(unit)}`, {
			description: `Set "${what}" to a ${allowZero ? 'non-negative' : 'positive'} number and pick a unit.`,
		});
	}
	return Math.round(amount * UNIT_MS[unit]);
}

function deadlineOf(ctx: IExecuteFunctions, now: Date, timeZone: string): { deadline: Date | null; text: string } {
	const type = String(ctx.getNodeParameter('deadlineType', 0, 'duration'));
	if (type === 'none') return { deadline: null, text: 'no deadline' };
	if (type === 'at') {
		const raw = ctx.getNodeParameter('deadlineAt', 0, '') as unknown;
		const parsed =
			raw instanceof Date ? DateTime.fromJSDate(raw)
			: DateTime.isDateTime(raw) ? raw
			: typeof raw === 'string' && raw.trim() !== '' ? DateTime.fromISO(raw.trim(), { zone: timeZone })
			: null;
		if (!parsed || !parsed.isValid) {
			throw new NodeOperationError(ctx.getNode(), `Invalid "Deadline At": ${String(raw).slice(0, 80)}`, {
				description: 'Pick a date and time, or use an expression returning an ISO 8601 date-time such as 2026-12-24T17:00:00+01:00.',
			});
		}
		if (parsed.toMillis() <= now.getTime()) {
			throw new NodeOperationError(ctx.getNode(), `"Deadline At" is in the past: ${parsed.toISO()}`, {
				description: 'The deadline must be after the run reaches the gate. Nothing was sent for review.',
			});
		}
		return { deadline: parsed.toJSDate(), text: `at ${parsed.setZone(timeZone).toFormat('yyyy-MM-dd HH:mm ZZZZ')}` };
	}
	if (type === 'business') {
		const calendar = parseBusinessCalendar({
			zone: timeZone,
			workdays: String(ctx.getNodeParameter('workingDays', 0, 'Mon-Fri')),
			hours: String(ctx.getNodeParameter('workingHours', 0, '09:00-17:00')),
			holidays: holidaysOf(ctx.getNodeParameter('holidays', 0, '')),
		});
		if (!calendar.ok) throw new NodeOperationError(ctx.getNode(), calendar.message, { description: calendar.hint });
		const amount = ctx.getNodeParameter('businessAmount', 0, 2) as number;
		const unit = ctx.getNodeParameter('businessUnit', 0, 'days') === 'hours' ? 'hours' : 'days';
		if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
			throw new NodeOperationError(ctx.getNode(), `Invalid business deadline: ${String(amount)} ${unit}`, {
				description: 'Set "Business Amount" to a positive number.',
			});
		}
		let deadline: Date;
		try {
			deadline = addBusinessTime(now, amount, unit, calendar.calendar);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), `The business deadline cannot be computed: ${(error as Error).message}`, {
				description: 'Check Business Amount, Working Days, Working Hours and Holidays.',
			});
		}
		return { deadline, text: `${amount} business ${unit} (${describeCalendar(calendar.calendar)})` };
	}
	const ms = duration(ctx, ctx.getNodeParameter('deadlineAmount', 0), ctx.getNodeParameter('deadlineUnit', 0), 'Deadline');
	return { deadline: new Date(now.getTime() + ms), text: `${ctx.getNodeParameter('deadlineAmount', 0)} ${ctx.getNodeParameter('deadlineUnit', 0)}` };
}

function holidaysOf(raw: unknown): string | string[] {
	if (Array.isArray(raw)) return raw.map((v) => String(v));
	return typeof raw === 'string' ? raw : raw === null || raw === undefined ? '' : String(raw);
}

interface LevelInput {
	afterAmount?: unknown;
	afterUnit?: unknown;
	reviewers?: unknown;
}

function levelsOf(ctx: IExecuteFunctions, itemIndex: number): LevelInput[] {
	const raw = ctx.getNodeParameter('escalation.levels', itemIndex, []) as unknown;
	return Array.isArray(raw) ? (raw as LevelInput[]) : [];
}

export function readRunDeadline(ctx: IExecuteFunctions, now: Date, timeZone: string): RunDeadline {
	const { deadline, text } = deadlineOf(ctx, now, timeZone);
	const everyAmount = ctx.getNodeParameter('remindEveryAmount', 0, 0) as number;
	const everyMs = everyAmount === 0 ? 0 : duration(ctx, everyAmount, ctx.getNodeParameter('remindEveryUnit', 0, 'hours'), 'Remind Every');
	const maxReminders = Number(ctx.getNodeParameter('maxReminders', 0, 3));
	const levels = levelsOf(ctx, 0);
	if (levels.length > MAX_ESCALATION_LEVELS) {
		throw new NodeOperationError(ctx.getNode(), `Too many escalation levels (${levels.length})`, {
			description: `Use at most ${MAX_ESCALATION_LEVELS} levels.`,
		});
	}
	const levelTimes = levels.map((l, i) => new Date(now.getTime() + duration(ctx, l.afterAmount, l.afterUnit, `Escalation level ${i + 1} After`, true)));
	for (let i = 1; i < levelTimes.length; i++) {
		if (levelTimes[i].getTime() < levelTimes[i - 1].getTime()) {
			throw new NodeOperationError(ctx.getNode(), `Escalation level ${i + 1} comes before level ${i}`, {
				description: 'Order the levels by their delay: each level adds backups after the previous one.',
			});
		}
	}
	return {
		deadline,
		deadlineText: text,
		rejectOnTimeout: deadline !== null && ctx.getNodeParameter('rejectOnTimeout', 0, false) === true,
		reminders: reminderTimes(now, everyMs, maxReminders, deadline),
		levelTimes,
	};
}

/** The plan of one item's request: the run's timings with this item's backups. */
/** `excluded`: addresses that may never be a backup of this item (its requester's, separation of duties). */
export function planForItem(ctx: IExecuteFunctions, run: RunDeadline, itemIndex: number, excluded: readonly string[] = []): DeadlinePlan {
	const levels = run.levelTimes.length === 0 ? [] : levelsOf(ctx, itemIndex);
	const escalation: EscalationStep[] = run.levelTimes.map((at, i) => {
		const { reviewers, invalid } = parseReviewerList(levels[i]?.reviewers ?? '');
		if (invalid.length > 0) {
			throw new NodeOperationError(ctx.getNode(), `Invalid backup reviewer email at escalation level ${i + 1}: ${invalid.join(', ')}`, {
				itemIndex,
				description: 'Backup reviewers must be plain email addresses separated by commas.',
			});
		}
		return { level: i + 1, at: at.toISOString(), reviewers: reviewers.filter((r) => !excluded.includes(r)) };
	});
	return {
		v: 1,
		deadline: run.deadline?.toISOString() ?? null,
		deadlineText: run.deadlineText,
		rejectOnTimeout: run.rejectOnTimeout,
		reminders: run.reminders.map((d) => d.toISOString()),
		escalation,
	};
}
