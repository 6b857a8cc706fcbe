import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { computeMetrics, metricsBounds, type MetricsOptions, type MetricsPeriod } from '../../../core/metrics';
import type { ReviewStore } from '../../../core/store';
import { deadlineStatus } from '../../../core/deadline';
import { forEachItem, storeFailure } from '../helpers/perItem';

const show = { show: { operation: ['metrics'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		default: 'week',
		displayOptions: show,
		description: 'Length of each period row (UTC; weeks are ISO weeks starting Monday)',
		options: [
			{ name: 'Day', value: 'day' },
			{ name: 'Week', value: 'week' },
			{ name: 'Month', value: 'month' },
		],
	},
	{
		displayName: 'Break Down By',
		name: 'dimensions',
		type: 'multiOptions',
		default: ['period', 'reviewer', 'tier', 'deadlines'],
		displayOptions: show,
		description: 'Which rows to output besides the total',
		options: [
			{ name: 'Deadline Status', value: 'deadlines', description: 'One row: live HITL Deadlines triggers, and reminders, escalations and deadlines overdue with nobody acting on them' },
			{ name: 'Period', value: 'period' },
			{ name: 'Reviewer', value: 'reviewer' },
			{ name: 'Tier', value: 'tier' },
		],
	},
	{
		displayName: 'Fast Decision Threshold (Seconds)',
		name: 'fastThresholdSeconds',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 0 },
		displayOptions: show,
		description: 'Decisions made faster than this after the reviewer opened the page count as possible rubber-stamping',
	},
	{
		displayName: 'From',
		name: 'from',
		type: 'dateTime',
		default: '',
		displayOptions: show,
		description: 'Only count events at or after this time (empty: from the start of the log)',
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'dateTime',
		default: '',
		displayOptions: show,
		description: 'Only count events at or before this time (empty: up to now)',
	},
];

const iso = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : v instanceof Date ? v.toISOString() : String(v));

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		const chosen = this.getNodeParameter('dimensions', i, ['period', 'reviewer', 'tier', 'deadlines']) as string[];
		const options: MetricsOptions = {
			period: this.getNodeParameter('period', i, 'week') as MetricsPeriod,
			dimensions: chosen.filter((d) => d !== 'deadlines') as MetricsOptions['dimensions'],
			fastThresholdSeconds: this.getNodeParameter('fastThresholdSeconds', i, 10) as number,
			from: iso(this.getNodeParameter('from', i, '')),
			to: iso(this.getNodeParameter('to', i, '')),
		};
		// The options are checked before the log is read: a bad date is this item's error, a failure
		// while reading is the store's.
		try {
			metricsBounds(options);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, {
				itemIndex: i,
				description: 'Fix From / To (ISO-8601, From before To) and the threshold (a number ≥ 0).',
			});
		}
		let rows;
		let deadlines: IDataObject | null = null;
		try {
			rows = await computeMetrics(store.readAll(), options);
			if (chosen.includes('deadlines')) deadlines = { ...(await deadlineStatus(store, new Date())) };
		} catch (error) {
			throw storeFailure(
				new NodeOperationError(node, error as Error, {
					itemIndex: i,
					message: `Could not compute metrics: ${(error as Error).message}`,
					description: 'Check that the review store is reachable and readable; run the Verify operation to see whether the log is damaged.',
				}),
			);
		}
		const out = rows.map((row) => ({ json: { chain: store.chain, periodUnit: options.period, ...row } as unknown as IDataObject, pairedItem: { item: i } }));
		if (deadlines) out.push({ json: { chain: store.chain, dimension: 'deadlines', key: 'now', ...deadlines }, pairedItem: { item: i } });
		return out;
	});
}

/**
 * The deadline mechanism as the store shows it now (working state, not the log): live HITL Deadlines
 * triggers, and scheduled steps past due that nobody holds — a reminder not sent, a backup not added, a
 * run still waiting after its deadline. Without a live trigger the gates fall back to n8n's own timer.
 */
