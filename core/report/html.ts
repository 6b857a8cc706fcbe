/**
 * Renders the admin report as one HTML document that stands alone: inline CSS, inline SVG, no script,
 * no external request (a Content-Security-Policy meta tag forbids them should anything slip in), so it
 * reads the same opened from disk, from a mail attachment or in a browser with scripts off. Every value
 * from the log (chain name, reviewer ids, tiers, messages) goes through `escapeHtml`; reviewer ids are
 * written by whoever configured a gate and must be treated like any other untrusted text.
 *
 * Layout: the page never scrolls sideways (wide tables scroll inside a focusable region), charts scale to
 * the width, each chart has a table with the same figures. Numbers are formatted here only — every
 * figure is taken as it is from the metrics rows (see ./index.ts).
 */
import { escapeHtml } from '../html';
import type { MetricsRow } from '../metrics';
import { barChartSvg, lineChartSvg } from './charts';
import type { Report } from './index';

const esc = escapeHtml;

const COLORS = {
	approved: '#1a7f37',
	edited: '#0969da',
	rejected: '#cf222e',
	expired: '#6e7781',
	median: '#0969da',
	p90: '#bc4c00',
};

/** A rate as a percentage with one decimal; "—" when it has no denominator. */
export function formatRate(rate: number | null): string {
	if (rate === null || !Number.isFinite(rate)) return '—';
	return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** A duration in ms as "27 min 30 s", "1 h 5 min", "2 d 3 h"; "—" when unknown. */
export function formatDuration(ms: number | null): string {
	if (ms === null || !Number.isFinite(ms)) return '—';
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s} s`;
	const join = (a: number, ua: string, b: number, ub: string): string => (b === 0 ? `${a} ${ua}` : `${a} ${ua} ${b} ${ub}`);
	if (s < 3600) return join(Math.floor(s / 60), 'min', s % 60, 's');
	if (s < 172800) return join(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
	return join(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

const int = (n: number): string => String(n);

/** Approvals without edits: the stacked bars show approvals and approvals with edits side by side, not twice. */
const plainApproved = (r: MetricsRow): number => r.approved - r.approvedWithEdits;

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.45;color:#1f2328;background:#fff}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.25rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
h3{font-size:1rem;margin:0 0 .5rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere;word-break:break-all}
.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,15rem),1fr));gap:.25rem 1.5rem;margin:0}
.meta div{min-width:0}
.meta dt{font-size:.8rem;color:#59636e;text-transform:uppercase;letter-spacing:.03em}
.meta dd{margin:0;overflow-wrap:anywhere}
.status{border:2px solid;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.status h2{margin:0 0 .25rem;font-size:1.1rem}
.status p{margin:.25rem 0;overflow-wrap:anywhere}
.status.ok{border-color:#1a7f37;background:#dafbe1;color:#0f4d22}
.status.broken{border-color:#cf222e;background:#ffebe9;color:#82071e}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,10.5rem),1fr));gap:.5rem;margin:0}
.figures div{border:1px solid #d1d9e0;border-radius:6px;padding:.5rem .75rem;min-width:0}
.figures dt{font-size:.85rem;color:#4b535d}
.figures dd{margin:0;font-size:1.4rem;font-weight:600;font-variant-numeric:tabular-nums}
.figures dd small{display:block;font-size:.8rem;font-weight:400;color:#4b535d}
.figures .warn dd{color:#a40e26}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:1.25rem}
figure{margin:0;min-width:0;border:1px solid #d1d9e0;border-radius:6px;padding:.75rem}
figcaption{font-size:.9rem;color:#4b535d;margin-top:.25rem}
svg.chart{display:block;height:auto;font-size:12px;font-family:inherit}
svg.chart text{fill:#1f2328}
svg.chart .grid{stroke:#d1d9e0;stroke-width:1}
.legend{list-style:none;padding:0;margin:.5rem 0 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.9rem}
.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{display:inline-block;width:1.5rem;height:.8rem;border-radius:2px}
.swatch.dashed{height:0;border-top:3px dashed}
.table-wrap{overflow-x:auto;max-width:100%;margin-bottom:1.25rem;border:1px solid #d1d9e0;border-radius:6px}
.table-wrap:focus{outline:3px solid #0969da;outline-offset:2px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.5rem .75rem}
th,td{padding:.35rem .6rem;border-top:1px solid #d1d9e0;text-align:right;white-space:nowrap}
th[scope=row],thead th:first-child{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:8rem;max-width:18rem}
thead th{background:#f6f8fa;font-weight:600}
footer{margin-top:2rem;font-size:.85rem;color:#4b535d}
@media print{.table-wrap{overflow:visible}}
`;

function verificationSection(r: Report): string {
	const v = r.verification;
	const records = `${int(v.recordsChecked)} record${v.recordsChecked === 1 ? '' : 's'} checked`;
	const head = `head seq ${int(v.headSeq)}, head hash <code>${esc(v.headHash)}</code>`;
	let checkpoint: string;
	if (v.checkpoint === null) {
		checkpoint = 'No checkpoint given: a cut-off tail of the log cannot be seen here (run Verify with a checkpoint kept elsewhere).';
	} else {
		const seq = v.checkpoint.seq === null ? 'unknown size' : `seq ${int(v.checkpoint.seq)}`;
		checkpoint = `Checked against a checkpoint at ${esc(seq)}: ${v.checkpoint.verified ? 'matches' : 'does not match'}.`;
	}
	let verdict: string;
	if (v.ok) {
		verdict = `<p><strong>Chain intact</strong> — ${records}; ${head}.</p>`;
	} else {
		const bad = v.firstBad;
		const where = bad === null ? 'an unknown record' : bad.seq !== null ? `record ${int(bad.seq)}` : bad.line > 0 ? `line ${int(bad.line)}` : 'the checkpoint';
		const why = bad === null ? '' : ` (${esc(bad.reason)}): ${esc(bad.message)}`;
		verdict =
			`<p><strong>Chain BROKEN at ${esc(where)}</strong>${why}.</p>` +
			`<p>${records}; ${head}. The figures below were read from a log that was changed or damaged after it was written: keep the file as evidence and compare it with your last export.</p>`;
	}
	const at = v.verifiedAt ? `<p>Verified at ${esc(v.verifiedAt)}.</p>` : '';
	return (
		`<section class="status ${v.ok ? 'ok' : 'broken'}" aria-labelledby="verify-h"><h2 id="verify-h">Chain verification: ${v.ok ? 'ok' : 'broken'}</h2>` +
		`${verdict}<p>${checkpoint}</p>${at}</section>`
	);
}

function figure(label: string, value: string, note = '', warn = false): string {
	return `<div${warn ? ' class="warn"' : ''}><dt>${esc(label)}</dt><dd>${esc(value)}${note ? `<small>${esc(note)}</small>` : ''}</dd></div>`;
}

function keyFigures(r: Report): string {
	const t = r.totals;
	const d = r.deadlines;
	const items = [
		figure('Requests', int(t.requests), `${int(t.outcomes)} outcomes`),
		figure('Approved', int(t.approved), `approval rate ${formatRate(t.approvalRate)}`),
		figure('Approved with edits', int(t.approvedWithEdits), `edit rate ${formatRate(t.editRate)}`),
		figure('Rejected', int(t.rejected), `rejection rate ${formatRate(t.rejectionRate)}`),
		figure('Expired', int(t.expired), `expiry rate ${formatRate(t.expiryRate)}; ${int(t.expiredUnrecorded)} unrecorded`),
		figure('Pending', int(t.pending), 'no outcome yet, deadline not passed'),
		figure(
			'Overdue, unattended',
			d === null ? '—' : int(d.overdueUnattended),
			d === null ? 'deadline status not available' : `past due now, nobody acting (${int(d.overdueReminders)} reminders, ${int(d.overdueEscalations)} escalations, ${int(d.overdueDeadlines)} deadlines)`,
			d !== null && d.overdueUnattended > 0,
		),
		figure('Edit rate', formatRate(t.editRate), 'approvals with edits ÷ approvals'),
		figure('Rejection rate', formatRate(t.rejectionRate), 'rejections ÷ outcomes'),
		figure('Expiry rate', formatRate(t.expiryRate), 'expiries ÷ outcomes'),
		figure('Rubber-stamp rate', formatRate(t.fastDecisionRate), `${int(t.fastDecisions)} possible rubber stamps (the gate's per-tier thresholds, else under ${int(r.fastThresholdSeconds)} s)`, t.fastDecisions > 0),
		figure('Skip rate', formatRate(t.skipRate), `${int(t.sampledUnreviewed)} of ${int(t.sampled)} samples unreviewed`, t.sampledUnreviewed > 0),
		figure('Decisions too fast', int(t.decisionsTooFast), 'posted before the minimum time on page; not taken', t.decisionsTooFast > 0),
		figure('Self-approval refusals', int(t.selfApprovalRefused), 'requester refused on own item', t.selfApprovalRefused > 0),
		figure('Bypassed', int(t.bypassed), 'requests with a visible bypass on', t.bypassed > 0),
		figure('Tamper suspected', int(t.tamperSuspected), 'tamper_suspected records', t.tamperSuspected > 0),
		figure('Queue time, median', formatDuration(t.queueTimeMedianMs), `p90 ${formatDuration(t.queueTimeP90Ms)}`),
	];
	return `<section aria-labelledby="figures-h"><h2 id="figures-h">Key figures</h2><dl class="figures">${items.join('')}</dl></section>`;
}

function legend(entries: Array<{ name: string; color: string; dashed?: boolean }>): string {
	const li = entries
		.map((e) => `<li><span class="swatch${e.dashed ? ' dashed' : ''}" style="${e.dashed ? `border-color:${esc(e.color)}` : `background:${esc(e.color)}`}" aria-hidden="true"></span>${esc(e.name)}</li>`)
		.join('');
	return `<ul class="legend" aria-label="Legend">${li}</ul>`;
}

/** Picks the unit of the queue-time axis from the largest value. */
function durationUnit(maxMs: number): { div: number; label: string } {
	if (maxMs >= 2 * 3600000) return { div: 3600000, label: 'h' };
	if (maxMs >= 2 * 60000) return { div: 60000, label: 'min' };
	return { div: 1000, label: 's' };
}

function queueChart(r: Report): string {
	const unit = r.period.unit;
	const rows = r.byPeriod;
	const max = Math.max(0, ...rows.flatMap((p) => [p.queueTimeMedianMs ?? 0, p.queueTimeP90Ms ?? 0]));
	const u = durationUnit(max);
	const values = (pick: (p: MetricsRow) => number | null): Array<number | null> => rows.map((p) => (pick(p) === null ? null : (pick(p) as number) / u.div));
	const fmt = (v: number): string => `${Math.round(v * 10) / 10} ${u.label}`;
	const series = [
		{ name: 'Median', values: values((p) => p.queueTimeMedianMs), color: COLORS.median },
		{ name: 'p90', values: values((p) => p.queueTimeP90Ms), color: COLORS.p90, dashed: true },
	];
	const svg = lineChartSvg({
		id: 'chart-queue',
		title: `Queue time per ${unit}: median and p90`,
		description: `Time from request to decision, median and 90th percentile, for each ${unit} from ${rows[0]?.key ?? '—'} to ${rows[rows.length - 1]?.key ?? '—'}. The same figures are in the table "Per ${unit}".`,
		categories: rows.map((p) => p.key),
		series,
		format: fmt,
	});
	return `<figure>${svg}${legend(series)}<figcaption>Queue time per ${esc(unit)} (median and p90). Figures: table “Per ${esc(unit)}”.</figcaption></figure>`;
}

function decisionsChart(id: string, what: string, rows: MetricsRow[], tableName: string): string {
	const series = [
		{ name: 'Approved', values: rows.map(plainApproved), color: COLORS.approved },
		{ name: 'Approved with edits', values: rows.map((x) => x.approvedWithEdits), color: COLORS.edited },
		{ name: 'Rejected', values: rows.map((x) => x.rejected), color: COLORS.rejected },
		{ name: 'Expired', values: rows.map((x) => x.expired), color: COLORS.expired },
	];
	const svg = barChartSvg({
		id,
		title: `Outcomes by ${what}`,
		description: `Approved, approved with edits, rejected and expired requests for each ${what}, stacked. The same figures are in the table "${tableName}".`,
		categories: rows.map((x) => x.key),
		series,
		format: (v) => String(Math.round(v * 100) / 100),
	});
	return `<figure>${svg}${legend(series)}<figcaption>Outcomes by ${esc(what)}. Figures: table “${esc(tableName)}”.</figcaption></figure>`;
}

const COLUMNS: Array<[string, (r: MetricsRow) => string]> = [
	['Requests', (r) => int(r.requests)],
	['Approved', (r) => int(r.approved)],
	['With edits', (r) => int(r.approvedWithEdits)],
	['Rejected', (r) => int(r.rejected)],
	['Expired', (r) => int(r.expired)],
	['Pending', (r) => int(r.pending)],
	['Edit rate', (r) => formatRate(r.editRate)],
	['Rejection rate', (r) => formatRate(r.rejectionRate)],
	['Expiry rate', (r) => formatRate(r.expiryRate)],
	['Queue median', (r) => formatDuration(r.queueTimeMedianMs)],
	['Queue p90', (r) => formatDuration(r.queueTimeP90Ms)],
	['Fast decisions', (r) => int(r.fastDecisions)],
	['Rubber-stamp rate', (r) => formatRate(r.fastDecisionRate)],
	['Skip rate', (r) => formatRate(r.skipRate)],
	['Too fast', (r) => int(r.decisionsTooFast)],
	['Self-approval refused', (r) => int(r.selfApprovalRefused)],
	['Bypassed', (r) => int(r.bypassed)],
];

function table(id: string, caption: string, keyHeader: string, rows: MetricsRow[]): string {
	if (rows.length === 0) {
		return `<h3 id="${esc(id)}">${esc(caption)}</h3><p>No records in this period.</p>`;
	}
	const head = `<tr><th scope="col">${esc(keyHeader)}</th>${COLUMNS.map(([h]) => `<th scope="col">${esc(h)}</th>`).join('')}</tr>`;
	const body = rows.map((r) => `<tr><th scope="row">${esc(r.key)}</th>${COLUMNS.map(([, f]) => `<td>${esc(f(r))}</td>`).join('')}</tr>`).join('');
	return (
		`<div class="table-wrap" role="region" aria-labelledby="${esc(id)}" tabindex="0">` +
		`<table><caption id="${esc(id)}">${esc(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`
	);
}

function periodText(r: Report): string {
	const from = r.period.from ?? 'start of the log';
	const to = r.period.to ?? 'now';
	return `${from} – ${to} (per ${r.period.unit}, UTC)`;
}

/** The report as a complete HTML document. */
export function renderReportHtml(r: Report): string {
	const unit = r.period.unit;
	const meta = [
		['Review log', r.chain],
		['Period', periodText(r)],
		['Generated at', r.generatedAt],
		['Fast decision threshold', `${r.fastThresholdSeconds} s`],
	]
		.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`)
		.join('');
	const unitTitle = `Per ${unit}`;
	return (
		'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<title>${esc(r.title)}</title><style>${CSS}</style></head><body><main>` +
		`<header><h1>${esc(r.title)}</h1><dl class="meta">${meta}</dl></header>` +
		verificationSection(r) +
		keyFigures(r) +
		`<section aria-labelledby="charts-h"><h2 id="charts-h">Charts</h2><div class="charts">` +
		queueChart(r) +
		decisionsChart('chart-tier', 'tier', r.byTier, 'Per tier') +
		decisionsChart('chart-reviewer', 'reviewer', r.byReviewer, 'Per reviewer') +
		`</div></section>` +
		`<section aria-labelledby="tables-h"><h2 id="tables-h">Tables</h2>` +
		table('table-reviewer', 'Per reviewer', 'Reviewer', r.byReviewer) +
		table('table-tier', 'Per tier', 'Tier', r.byTier) +
		table('table-period', unitTitle, unit[0].toUpperCase() + unit.slice(1), r.byPeriod) +
		`</section>` +
		`<footer><p>Figures are those of the Review Log Metrics operation for the same period and threshold. ` +
		`A request sent to several reviewers counts once in the total and once per reviewer, so reviewer rows may add up to more than the total. ` +
		`Reviewer “(none)” holds expiries and samples, which name no reviewer. Rates with no denominator show “—”.</p></footer>` +
		'</main></body></html>\n'
	);
}
