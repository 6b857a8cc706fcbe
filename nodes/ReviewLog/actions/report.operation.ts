/**
 * Report: the admin's weekly page — one self-contained HTML file (inline CSS and SVG, no script) with
 * the chain's verification status, the key figures, charts and per-reviewer / per-tier tables, plus
 * the same content as JSON. A thin adapter: the figures come from `computeMetrics` (exactly what the
 * Metrics operation outputs for the same options), the verification from the store's verifier as
 * Verify reports it (`verifyReport`), the rendering from core/report. The router opens the store
 * read-only for it, like Verify, so a damaged log is reported (broken at record N), not refused.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import { deadlineStatus } from '../../../core/deadline';
import { computeMetrics } from '../../../core/metrics';
import { renderReport, type ReportDeadlines, type ReportVerification } from '../../../core/report';
import type { ReviewStore } from '../../../core/store';
import { fastThresholdProperty, fromProperty, periodProperty, readMetricsWindow, toProperty } from '../helpers/metricsWindow';
import { forEachItem, storeFailure } from '../helpers/perItem';
import { verifyReport } from './verify.operation';

const properties: INodeProperties[] = [
	periodProperty('Length of each period in the queue-time chart and the period table (UTC; weeks are ISO weeks starting Monday)'),
	fromProperty,
	toProperty,
	fastThresholdProperty,
	{
		displayName: 'Report Title',
		name: 'reportTitle',
		type: 'string',
		default: '',
		placeholder: 'Hiring review — weekly report',
		description: 'Heading of the report (empty: "Review report — " and the chain name)',
	},
	{
		displayName: 'Output',
		name: 'reportOutput',
		type: 'options',
		default: 'jsonAndHtml',
		description: 'Whether to attach the HTML file as binary property "report" besides the JSON',
		options: [
			{ name: 'JSON and HTML File', value: 'jsonAndHtml', description: 'The figures as JSON, and report.html (text/html) in binary property "report"' },
			{ name: 'JSON Only', value: 'json', description: 'The figures and the verification as JSON, no file' },
		],
	},
];

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['report'] } }, properties);

/** The deadline rows are optional in a report: a store that cannot list them (older schema) gives none. */
async function deadlinesOrNone(store: ReviewStore, now: Date): Promise<ReportDeadlines | null> {
	try {
		return await deadlineStatus(store, now);
	} catch {
		return null;
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		// One clock for the whole report: open requests are judged at the time the report says it was generated.
		const now = new Date();
		const output = this.getNodeParameter('reportOutput', i, 'jsonAndHtml') as string;
		const title = this.getNodeParameter('reportTitle', i, '') as unknown;
		if (output !== 'jsonAndHtml' && output !== 'json') {
			throw new NodeOperationError(node, `Output "${String(output)}" is not supported`, { itemIndex: i, description: 'Choose "JSON and HTML File" or "JSON Only".' });
		}
		if (typeof title !== 'string') {
			throw new NodeOperationError(node, 'Report Title must be text', { itemIndex: i, description: 'Give the title as text, or leave it empty for the default.' });
		}
		const options = readMetricsWindow(this, i, { asOf: now.toISOString(), dimensions: ['period', 'reviewer', 'tier'] });
		let rows;
		let verification: ReportVerification;
		let deadlines: ReportDeadlines | null;
		try {
			const startedAt = Date.now();
			const result = await store.verify({});
			verification = verifyReport(store.chain, result, startedAt) as unknown as ReportVerification;
			rows = await computeMetrics(store.readAll(), options);
			deadlines = await deadlinesOrNone(store, now);
		} catch (error) {
			throw storeFailure(
				new NodeOperationError(node, error as Error, {
					itemIndex: i,
					message: `Could not build the report: ${(error as Error).message}`,
					description: 'Check that the review store is reachable and readable; run the Verify operation to see whether the log is damaged.',
				}),
			);
		}
		const { report, html } = renderReport({
			title,
			chain: store.chain,
			periodUnit: options.period,
			from: options.from,
			to: options.to,
			generatedAt: now.toISOString(),
			fastThresholdSeconds: options.fastThresholdSeconds,
			rows,
			deadlines,
			verification,
		});
		const out: INodeExecutionData = { json: report as unknown as IDataObject, pairedItem: { item: i } };
		if (output === 'jsonAndHtml') {
			out.binary = { report: await this.helpers.prepareBinaryData(Buffer.from(html, 'utf8'), 'report.html', 'text/html') };
		}
		return [out];
	});
}
