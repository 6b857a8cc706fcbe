/**
 * Two small plain-SVG chart helpers for the admin report: a line chart (queue time over periods) and a
 * horizontal stacked bar chart (decisions by tier and by reviewer). They return markup strings, every
 * label escaped, each chart an `role="img"` with a `<title>` and `<desc>` and a `<title>` per point or
 * bar segment; the report puts the same figures in a table beside each chart.
 *
 * Why hand-written and not a chart library: the report is rendered on the n8n server, in Node, without a
 * browser. The libraries on npm that draw SVG either need a DOM (Chartist, Frappe Charts, Observable
 * Plot, d3-node via jsdom) or are far larger than the rest of this package together (ECharts' server
 * renderer, Vega) — a heavy runtime dependency for a community node, for two chart types of a few dozen
 * lines each. Server-side output must also carry no script, which rules out client-rendered charts.
 */
import { escapeHtml } from '../html';

export interface ChartSeries {
	name: string;
	values: Array<number | null>;
	/** Stroke / fill colour (a CSS colour; at least 3:1 against white). */
	color: string;
	/** Draw the line dashed (so series differ by more than colour). */
	dashed?: boolean;
}

export interface ChartOptions {
	/** Unique id prefix within the document (for aria-labelledby). */
	id: string;
	title: string;
	/** What the chart shows, read out by screen readers (the `<desc>`). */
	description: string;
	categories: string[];
	series: ChartSeries[];
	/** Formats a value for tick labels and point titles. */
	format?: (value: number) => string;
}

const esc = escapeHtml;
const num = (n: number): string => (Math.round(n * 10) / 10).toString();

/**
 * An axis maximum of four equal steps that read well: step = the smallest 1/2/2.5/5 × 10^k (for counts,
 * 1/2/5 × 10^k and at least 1) with 4 steps ≥ `v`.
 */
export function axisMax(v: number, integer: boolean): number {
	const need = !(v > 0) || !Number.isFinite(v) ? 1 : v / 4;
	const p = 10 ** Math.floor(Math.log10(need));
	let step = 10 * p;
	for (const m of integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]) {
		if (m * p >= need - 1e-9) {
			step = m * p;
			break;
		}
	}
	return 4 * (integer ? Math.max(1, step) : step);
}

/** Shortens a label for an axis (the full text stays in the bar's `<title>`). */
export function shorten(label: string, max: number): string {
	const chars = [...label];
	return chars.length <= max ? label : `${chars.slice(0, max - 1).join('')}…`;
}

function open(o: ChartOptions, width: number, height: number): string {
	return (
		`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" ` +
		`preserveAspectRatio="xMinYMin meet" aria-labelledby="${esc(o.id)}-t ${esc(o.id)}-d" style="max-width:${width}px">` +
		`<title id="${esc(o.id)}-t">${esc(o.title)}</title><desc id="${esc(o.id)}-d">${esc(o.description)}</desc>`
	);
}

function empty(o: ChartOptions, width: number): string {
	return `${open(o, width, 48)}<text x="8" y="28" class="chart-empty">No data in this period</text></svg>`;
}

/** A line chart over categories (periods); a null value breaks the line. */
export function lineChartSvg(o: ChartOptions): string {
	const W = 640;
	const H = 260;
	const m = { left: 64, right: 40, top: 16, bottom: 44 };
	const format = o.format ?? num;
	const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
	if (o.categories.length === 0 || all.length === 0) return empty(o, W);
	const max = axisMax(Math.max(...all), false);
	const plotW = W - m.left - m.right;
	const plotH = H - m.top - m.bottom;
	const n = o.categories.length;
	const x = (i: number): number => m.left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
	const y = (v: number): number => m.top + plotH - (v / max) * plotH;
	let out = open(o, W, H);
	// Grid and y ticks (4 steps).
	out += '<g class="axis" aria-hidden="true">';
	for (let k = 0; k <= 4; k++) {
		const v = (max * k) / 4;
		const yy = num(y(v));
		out += `<line x1="${m.left}" x2="${W - m.right}" y1="${yy}" y2="${yy}" class="grid"/>`;
		out += `<text x="${m.left - 6}" y="${yy}" dy="0.32em" text-anchor="end">${esc(format(v))}</text>`;
	}
	// X labels: at most ~8, evenly thinned.
	const every = Math.max(1, Math.ceil(n / 8));
	o.categories.forEach((c, i) => {
		if (i % every !== 0 && i !== n - 1) return;
		out += `<text x="${num(x(i))}" y="${H - m.bottom + 18}" text-anchor="middle">${esc(shorten(c, 12))}</text>`;
	});
	out += '</g>';
	for (const s of o.series) {
		const segments: string[][] = [];
		let current: string[] = [];
		s.values.forEach((v, i) => {
			if (v === null || !Number.isFinite(v)) {
				if (current.length > 0) segments.push(current);
				current = [];
				return;
			}
			current.push(`${num(x(i))},${num(y(v))}`);
		});
		if (current.length > 0) segments.push(current);
		out += `<g class="series"><title>${esc(s.name)}</title>`;
		for (const seg of segments) {
			if (seg.length > 1) {
				out += `<polyline points="${seg.join(' ')}" fill="none" stroke="${esc(s.color)}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
			}
		}
		s.values.forEach((v, i) => {
			if (v === null || !Number.isFinite(v)) return;
			out += `<circle cx="${num(x(i))}" cy="${num(y(v))}" r="4" fill="${esc(s.color)}"><title>${esc(`${o.categories[i]} — ${s.name}: ${format(v)}`)}</title></circle>`;
		});
		out += '</g>';
	}
	return `${out}</svg>`;
}

/** Horizontal stacked bars, one per category, segments in series order; the total at the bar's end. */
export function barChartSvg(o: ChartOptions): string {
	const W = 640;
	const rowH = 30;
	const m = { left: 168, right: 48, top: 8, bottom: 28 };
	const format = o.format ?? num;
	const totals = o.categories.map((_, i) => o.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
	if (o.categories.length === 0 || totals.every((t) => t === 0)) return empty(o, W);
	const max = axisMax(Math.max(...totals), true);
	const plotW = W - m.left - m.right;
	const H = m.top + o.categories.length * rowH + m.bottom;
	const xw = (v: number): number => (v / max) * plotW;
	let out = open(o, W, H);
	out += '<g class="axis" aria-hidden="true">';
	for (let k = 0; k <= 4; k++) {
		const v = (max * k) / 4;
		const xx = num(m.left + xw(v));
		out += `<line x1="${xx}" x2="${xx}" y1="${m.top}" y2="${H - m.bottom}" class="grid"/>`;
		out += `<text x="${xx}" y="${H - m.bottom + 18}" text-anchor="middle">${esc(format(v))}</text>`;
	}
	out += '</g>';
	o.categories.forEach((c, i) => {
		const top = m.top + i * rowH;
		const parts = o.series.map((s) => `${s.name} ${format(s.values[i] ?? 0)}`).join(', ');
		out += `<g class="bar"><title>${esc(`${c}: ${parts}`)}</title>`;
		out += `<text x="${m.left - 8}" y="${top + rowH / 2}" dy="0.32em" text-anchor="end">${esc(shorten(c, 22))}</text>`;
		let at = m.left;
		for (const s of o.series) {
			const v = s.values[i] ?? 0;
			if (v <= 0) continue;
			const w = xw(v);
			out += `<rect x="${num(at)}" y="${top + 5}" width="${num(w)}" height="${rowH - 10}" fill="${esc(s.color)}"><title>${esc(`${c} — ${s.name}: ${format(v)}`)}</title></rect>`;
			at += w;
		}
		out += `<text x="${num(at + 6)}" y="${top + rowH / 2}" dy="0.32em">${esc(format(totals[i]))}</text></g>`;
	});
	return `${out}</svg>`;
}
