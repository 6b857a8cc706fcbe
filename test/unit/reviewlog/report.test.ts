/**
 * The admin report (core/report) over a hand-computed log: its figures are the metrics rows themselves
 * (never computed twice), the HTML shows them, and nothing from the log reaches the markup unescaped —
 * a reviewer id or a verification message full of markup stays text, and the file holds no script.
 */
import { Parser } from 'htmlparser2';
import { computeMetrics, type MetricsOptions } from '../../../core/metrics';
import { axisMax, barChartSvg, lineChartSvg, shorten } from '../../../core/report/charts';
import { formatDuration, formatRate } from '../../../core/report/html';
import { buildReport, renderReport, type ReportInput, type ReportVerification } from '../../../core/report';
import type { ReviewRecord } from '../../../core/store/types';
import { rec } from './records';

const EVIL = '<script>x</script>@a.test';

// Every expected figure below was worked out by hand from this log (see the comments).
const LOG: ReviewRecord[] = [
	rec(1, { event: 'requested', reviewerId: EVIL, tier: 'high', executionId: 'e1', itemKey: 'k1', requestedAt: '2026-11-02T09:00:00Z' }),
	// viewed 2 s before deciding → fast at a 10 s threshold
	rec(2, { event: 'decided', decision: 'approved', reviewerId: EVIL, tier: 'high', executionId: 'e1', itemKey: 'k1', viewedAt: '2026-11-02T09:09:58Z', decidedAt: '2026-11-02T09:10:00Z', queueTimeMs: 600000 }),
	rec(3, { event: 'requested', reviewerId: 'bob', tier: 'medium', executionId: 'e2', itemKey: 'k2', requestedAt: '2026-11-02T10:00:00Z' }),
	rec(4, { event: 'decided', decision: 'approved_with_edits', reviewerId: 'bob', tier: 'medium', executionId: 'e2', itemKey: 'k2', viewedAt: '2026-11-02T10:20:00Z', decidedAt: '2026-11-02T10:30:00Z', queueTimeMs: 1800000 }),
	rec(5, { event: 'requested', reviewerId: 'bob', tier: 'high', executionId: 'e3', itemKey: 'k3', requestedAt: '2026-11-10T08:00:00Z' }),
	rec(6, { event: 'decided', decision: 'rejected', reviewerId: 'bob', tier: 'high', executionId: 'e3', itemKey: 'k3', decidedAt: '2026-11-10T09:00:00Z', queueTimeMs: 3600000 }),
	rec(7, { event: 'requested', reviewerId: 'alice', tier: 'low', executionId: 'e4', itemKey: 'k4', requestedAt: '2026-11-10T08:00:00Z', details: { expiresAt: '2026-11-10T12:00:00Z' } }),
	rec(8, { event: 'expired', tier: 'low', executionId: 'e4', itemKey: 'k4', recordedAt: '2026-11-10T12:00:00Z' }),
	// deadline after asOf → pending
	rec(9, { event: 'requested', reviewerId: 'alice', tier: 'medium', executionId: 'e5', itemKey: 'k5', requestedAt: '2026-11-11T08:00:00Z', details: { expiresAt: '2026-12-30T00:00:00Z' } }),
	rec(10, { event: 'sampled', tier: 'low', itemKey: 'k9', recordedAt: '2026-11-10T11:00:00Z' }),
	rec(11, { event: 'decision_too_fast', reviewerId: 'bob', tier: 'high', recordedAt: '2026-11-10T08:30:00Z' }),
	rec(12, { event: 'self_approval_refused', reviewerId: 'bob', tier: 'high', recordedAt: '2026-11-10T08:40:00Z' }),
	// time on page off for High (a visible bypass); deadline before asOf, no outcome → unrecorded expiry
	rec(13, { event: 'requested', reviewerId: 'carol', tier: 'high', executionId: 'e6', itemKey: 'k6', requestedAt: '2026-11-11T09:00:00Z', details: { expiresAt: '2026-11-12T00:00:00Z', minSecondsOnPage: 0 } }),
];

const OPTIONS: MetricsOptions = { period: 'week', fastThresholdSeconds: 10, asOf: '2026-11-20T00:00:00Z', dimensions: ['period', 'reviewer', 'tier'] };

const INTACT: ReportVerification = { ok: true, recordsChecked: 13, headSeq: 13, headHash: 'f'.repeat(64), firstBad: null, checkpoint: null, verifiedAt: '2026-11-20T00:00:01.000Z' };

async function input(over: Partial<ReportInput> = {}): Promise<ReportInput> {
	return {
		chain: 'hiring',
		periodUnit: 'week',
		generatedAt: '2026-11-20T00:00:02.000Z',
		fastThresholdSeconds: 10,
		rows: await computeMetrics(LOG, OPTIONS),
		deadlines: { deadlineTriggersLive: 1, deadlineTriggerLastSeenAt: null, overdueUnattended: 3, overdueReminders: 1, overdueEscalations: 0, overdueDeadlines: 2, oldestOverdueDueAt: null },
		verification: INTACT,
		...over,
	};
}

/** The text of a key-figure card: `<dt>label</dt><dd>value…`. */
function card(html: string, label: string): string {
	const m = new RegExp(`<dt>${label}</dt><dd>([^<]*)`).exec(html);
	if (!m) throw new Error(`no card ${label}`);
	return m[1];
}

/** Every start tag and attribute name in the document (parsed as a browser would tokenise it). */
function tags(html: string): { names: string[]; attributes: string[] } {
	const names: string[] = [];
	const attributes: string[] = [];
	const parser = new Parser({ onopentag: (name, attrs) => { names.push(name); attributes.push(...Object.keys(attrs)); } }, { decodeEntities: true });
	parser.write(html);
	parser.end();
	return { names, attributes };
}

describe('report figures', () => {
	it('takes the total, period, reviewer and tier rows as computeMetrics outputs them', async () => {
		const given = await input();
		const report = buildReport(given);
		expect(report.totals).toBe(given.rows[0]);
		expect([report.totals, ...report.byPeriod, ...report.byReviewer, ...report.byTier]).toEqual(given.rows);
		expect(report.byPeriod.map((r) => r.key)).toEqual(['2026-W45', '2026-W46']);
		expect(report.byReviewer.map((r) => r.key)).toEqual(['(none)', EVIL, 'alice', 'bob', 'carol'].sort());
		expect(report.byTier.map((r) => r.key)).toEqual(['high', 'medium', 'low']);
		expect(report.title).toBe('Review report — hiring');
		expect(report.period).toEqual({ unit: 'week', from: null, to: null });
	});

	it('has the hand-computed key figures', async () => {
		const { report } = renderReport(await input());
		expect(report.totals).toMatchObject({
			requests: 6, outcomes: 5, approved: 2, approvedWithEdits: 1, rejected: 1, expired: 2, expiredUnrecorded: 1, pending: 1,
			editRate: 0.5, rejectionRate: 0.2, expiryRate: 0.4, fastDecisions: 1, fastDecisionRate: 1 / 3,
			sampled: 1, sampledUnreviewed: 1, skipRate: 1, decisionsTooFast: 1, selfApprovalRefused: 1, bypassed: 1,
			queueTimeMedianMs: 1800000, queueTimeP90Ms: 3600000,
		});
	});

	it('shows every key figure in the HTML', async () => {
		const { html } = renderReport(await input());
		expect(card(html, 'Requests')).toBe('6');
		expect(card(html, 'Approved')).toBe('2');
		expect(card(html, 'Approved with edits')).toBe('1');
		expect(card(html, 'Rejected')).toBe('1');
		expect(card(html, 'Expired')).toBe('2');
		expect(card(html, 'Pending')).toBe('1');
		expect(card(html, 'Overdue, unattended')).toBe('3');
		expect(card(html, 'Edit rate')).toBe('50.0%');
		expect(card(html, 'Rejection rate')).toBe('20.0%');
		expect(card(html, 'Expiry rate')).toBe('40.0%');
		expect(card(html, 'Rubber-stamp rate')).toBe('33.3%');
		expect(card(html, 'Skip rate')).toBe('100.0%');
		expect(card(html, 'Decisions too fast')).toBe('1');
		expect(card(html, 'Self-approval refusals')).toBe('1');
		expect(card(html, 'Bypassed')).toBe('1');
		expect(card(html, 'Queue time, median')).toBe('30 min');
		expect(html).toContain('p90 1 h');
		// Per-reviewer row of bob: 2 requests (e2, e3), 1 approved (with edits), 1 rejected.
		expect(html).toMatch(/<tr><th scope="row">bob<\/th><td>2<\/td><td>1<\/td><td>1<\/td><td>1<\/td><td>0<\/td><td>0<\/td>/);
		// Per-tier row high: 3 requests (e1, e3, e6), 1 approved, 1 rejected, 1 unrecorded expiry.
		expect(html).toMatch(/<tr><th scope="row">high<\/th><td>3<\/td><td>1<\/td><td>0<\/td><td>1<\/td><td>1<\/td><td>0<\/td>/);
		expect(html).toContain('Chain verification: ok');
		expect(html).toContain(`head hash <code>${'f'.repeat(64)}</code>`);
		expect(html).toContain('No checkpoint given');
	});

	it('shows a broken chain with the first bad record and the checkpoint it was checked against', async () => {
		const broken: ReportVerification = {
			...INTACT,
			ok: false,
			recordsChecked: 6,
			firstBad: { seq: 7, line: 7, reason: 'hash_mismatch', message: 'record <b>7</b> hash differs' },
			checkpoint: { seq: 12, verified: false },
		};
		const { html } = renderReport(await input({ verification: broken }));
		expect(html).toContain('Chain verification: broken');
		expect(html).toContain('Chain BROKEN at record 7</strong> (hash_mismatch): record &lt;b&gt;7&lt;/b&gt; hash differs');
		expect(html).toContain('6 records checked');
		expect(html).toContain('Checked against a checkpoint at seq 12: does not match');
		expect(html).not.toContain('<b>7');
	});

	it('escapes everything from the log and holds no script', async () => {
		const { html } = renderReport(await input({ title: '"><img src=x onerror=alert(1)>', chain: '<svg onload=alert(2)>' }));
		expect(html).toContain('&lt;script&gt;x&lt;/script&gt;@a.test');
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toContain(EVIL);
		expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
		const { names, attributes } = tags(html);
		expect(names).not.toContain('script');
		expect(names).not.toContain('img');
		expect(names.filter((n) => n === 'svg')).toHaveLength(3);
		expect(attributes.filter((a) => /^on/i.test(a))).toEqual([]);
	});

	it('rejects rows without a total (not metrics output)', async () => {
		const given = await input();
		expect(() => buildReport({ ...given, rows: given.rows.slice(1) })).toThrow(/no total row/);
	});

	it('says when deadline status is not available, and renders an empty log', async () => {
		const rows = await computeMetrics([], OPTIONS);
		const { html, report } = renderReport(await input({ rows, deadlines: null }));
		expect(report.totals.requests).toBe(0);
		expect(card(html, 'Overdue, unattended')).toBe('—');
		expect(card(html, 'Edit rate')).toBe('—');
		expect(html).toContain('No data in this period');
	});
});

describe('formatting and chart helpers', () => {
	it('formats rates and durations', () => {
		expect(formatRate(null)).toBe('—');
		expect(formatRate(2 / 3)).toBe('66.7%');
		expect(formatDuration(602000)).toBe('10 min 2 s');
		expect(formatDuration(1650000)).toBe('27 min 30 s');
		expect(formatDuration(3600000)).toBe('1 h');
		expect(formatDuration(3 * 86400000 + 3600000)).toBe('3 d 1 h');
		expect(formatDuration(null)).toBe('—');
	});

	it('picks axis maxima of four readable steps', () => {
		expect(axisMax(3, true)).toBe(4);
		expect(axisMax(7, true)).toBe(8);
		expect(axisMax(9, true)).toBe(20);
		expect(axisMax(30, false)).toBe(40);
		expect(axisMax(0, true)).toBe(4);
		expect(shorten('abcdef', 4)).toBe('abc…');
	});

	it('draws one bar segment per non-zero value and breaks a line at null', () => {
		const bars = barChartSvg({ id: 'b', title: 'T', description: 'D', categories: ['a', 'b'], series: [{ name: 'x', values: [1, 0], color: '#000' }, { name: 'y', values: [2, 3], color: '#111' }] });
		expect(bars.match(/<rect /g)).toHaveLength(3);
		expect(bars).toContain('role="img"');
		expect(bars).toContain('aria-labelledby="b-t b-d"');
		const line = lineChartSvg({ id: 'l', title: 'T', description: 'D', categories: ['1', '2', '3', '4'], series: [{ name: 's', values: [1, 2, null, 4], color: '#000' }] });
		expect(line.match(/<polyline /g)).toHaveLength(1);
		expect(line.match(/<circle /g)).toHaveLength(3);
	});
});
