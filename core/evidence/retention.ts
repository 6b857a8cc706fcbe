/**
 * Retention: evidence older than a chain's retention period is erased automatically, the same way
 * as a subject's erasure — tombstones, keys destroyed when a subject's last evidence goes, and an
 * `erased` record (scope `evidence`, with the period and cutoff) for the caller to append.
 *
 * Periods are ISO-8601 durations of whole years, months, weeks or days (`P6M`, `P4Y`, `P30D`,
 * `P1Y6M`, `P2W`), subtracted in UTC calendar arithmetic: years and months first, clamping to the
 * end of a shorter month (31 August minus P6M is 28 or 29 February), then days. Anything else — a
 * time part, fractions, zero, lower case — is refused with the accepted forms, because a retention
 * rule that silently means something else erases the wrong evidence.
 */
import { EvidenceError } from './errors';
import type { ErasureResult, EvidenceVault } from './vault';

export interface RetentionPeriod {
	years: number;
	months: number;
	days: number;
}

const DURATION = /^P(?:(\d{1,5})W|(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,6})D)?)$/;
const FORMS = 'use an ISO-8601 duration of whole years, months, weeks or days, e.g. P6M (six months), P4Y (four years), P30D, P2W or P1Y6M';

export function parseRetention(retention: string): RetentionPeriod {
	const match = typeof retention === 'string' ? DURATION.exec(retention) : null;
	if (!match || retention === 'P') throw new EvidenceError(`Retention ${JSON.stringify(retention)} is not understood: ${FORMS}`, 'invalid_input');
	const [, weeks, years, months, days] = match.map((v) => (v === undefined ? 0 : Number(v)));
	const period = { years, months, days: days + weeks * 7 };
	if (period.years + period.months + period.days === 0) throw new EvidenceError(`Retention ${JSON.stringify(retention)} is zero: ${FORMS}`, 'invalid_input');
	if (period.years * 12 + period.months > 12 * 1000 || period.days > 366 * 1000) {
		throw new EvidenceError(`Retention ${JSON.stringify(retention)} is longer than 1000 years: ${FORMS}`, 'invalid_input');
	}
	return period;
}

/** `now` minus the retention period: evidence recorded before this is due for erasure. */
export function retentionCutoff(now: Date, retention: string): Date {
	if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new EvidenceError('retentionCutoff needs a valid Date', 'invalid_input');
	const p = parseRetention(retention);
	const totalMonths = now.getUTCFullYear() * 12 + now.getUTCMonth() - (p.years * 12 + p.months);
	const year = Math.floor(totalMonths / 12);
	const month = totalMonths - year * 12;
	const cutoff = new Date(now.getTime());
	// Day 1 first so setting the month never overflows; then the day, clamped to the month's length.
	cutoff.setUTCFullYear(year, month, 1);
	const probe = new Date(cutoff.getTime());
	probe.setUTCFullYear(year, month + 1, 0);
	cutoff.setUTCDate(Math.min(now.getUTCDate(), probe.getUTCDate()));
	return new Date(cutoff.getTime() - p.days * 86_400_000);
}

export interface RetentionSweep {
	retention: string;
	now?: Date;
	/** Who the `erased` records name (default `retention`). */
	by?: string;
	/** Items per sweep (default 500, max 1000); call again while `more` is true. */
	limit?: number;
}

/**
 * Erases one batch of the evidence older than the retention period. Append `records` to the chain;
 * repeat while `more` is true.
 */
export async function sweepRetention(vault: EvidenceVault, sweep: RetentionSweep): Promise<ErasureResult & { cutoff: string; more: boolean }> {
	const now = sweep.now ?? new Date();
	const cutoff = retentionCutoff(now, sweep.retention);
	const limit = sweep.limit ?? 500;
	const due = await vault.listExpired(cutoff, limit);
	const result = await vault.eraseEvidence(
		due.map((d) => d.evidenceId),
		{
			by: sweep.by ?? 'retention',
			reason: `retention period ${sweep.retention} ended (recorded before ${cutoff.toISOString()})`,
			at: now,
			retention: { period: sweep.retention, cutoff: cutoff.toISOString() },
		},
	);
	return { ...result, cutoff: cutoff.toISOString(), more: due.length === limit };
}
