/**
 * The admin report: one self-contained HTML file (inline CSS, inline SVG, no script) an admin opens or
 * mails weekly, and the same content as JSON. Why a separate module and not more Metrics output: the
 * report is a reading of figures that already exist — it arranges the rows of `computeMetrics`
 * (total, per period, per reviewer, per tier), the deadline status and the Verify result, and renders
 * them. It computes no figure of its own, so a number in the report is always the number Metrics
 * outputs for the same options. Pure: no n8n import, no clock (the caller passes `generatedAt`).
 */
import type { DeadlineStatus } from '../deadline/status';
import type { MetricsPeriod, MetricsRow } from '../metrics';
import { renderReportHtml } from './html';

/** The chain verification as the Verify operation reports it (`verifyReport`), the fields the report shows. */
export interface ReportVerification {
	ok: boolean;
	recordsChecked: number;
	headSeq: number;
	headHash: string;
	firstBad: { seq: number | null; line: number; reason: string; message: string } | null;
	/** The checkpoint the log was checked against, when the verification was given one. */
	checkpoint: { seq: number | null; verified: boolean; [key: string]: unknown } | null;
	verifiedAt?: string;
}

/** The store's deadline status (the Metrics "Deadline Status" row); null when it could not be read. */
export type ReportDeadlines = Omit<DeadlineStatus, 'overdueExecutions'>;

export interface ReportInput {
	/** Heading of the report; default "Review report — <chain>". */
	title?: string;
	chain: string;
	periodUnit: MetricsPeriod;
	/** The From / To options as given (ISO-8601), undefined when open-ended. */
	from?: string;
	to?: string;
	/** When the report was made (ISO-8601). */
	generatedAt: string;
	fastThresholdSeconds: number;
	/** `computeMetrics` output with all three dimensions. */
	rows: MetricsRow[];
	deadlines: ReportDeadlines | null;
	verification: ReportVerification;
}

/** The report as data: what the node outputs as JSON and what the HTML shows, nothing more. */
export interface Report {
	title: string;
	chain: string;
	period: { unit: MetricsPeriod; from: string | null; to: string | null };
	generatedAt: string;
	fastThresholdSeconds: number;
	verification: ReportVerification;
	totals: MetricsRow;
	byPeriod: MetricsRow[];
	byReviewer: MetricsRow[];
	byTier: MetricsRow[];
	deadlines: ReportDeadlines | null;
}

/** Arranges metrics rows into the report; throws a RangeError when the rows have no total (not from computeMetrics). */
export function buildReport(input: ReportInput): Report {
	const totals = input.rows.find((r) => r.dimension === 'total');
	if (!totals) throw new RangeError('The metrics rows have no total row; pass the output of computeMetrics');
	const of = (d: MetricsRow['dimension']): MetricsRow[] => input.rows.filter((r) => r.dimension === d);
	return {
		title: input.title !== undefined && input.title.trim() !== '' ? input.title.trim() : `Review report — ${input.chain}`,
		chain: input.chain,
		period: { unit: input.periodUnit, from: input.from ?? null, to: input.to ?? null },
		generatedAt: input.generatedAt,
		fastThresholdSeconds: input.fastThresholdSeconds,
		verification: input.verification,
		totals,
		byPeriod: of('period'),
		byReviewer: of('reviewer'),
		byTier: of('tier'),
		deadlines: input.deadlines,
	};
}

/** Builds the report and renders it: `{ report, html }`. */
export function renderReport(input: ReportInput): { report: Report; html: string } {
	const report = buildReport(input);
	return { report, html: renderReportHtml(report) };
}

export { renderReportHtml } from './html';
export { barChartSvg, lineChartSvg } from './charts';
