import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import { computeMetrics, type MetricsOptions } from '../../../core/metrics';
import type { ReviewStore } from '../../../core/store';
import { deadlineStatus } from '../../../core/deadline';
import { fastThresholdProperty, fromProperty, periodProperty, readMetricsWindow, toProperty } from '../helpers/metricsWindow';
import { forEachItem, storeFailure } from '../helpers/perItem';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['metrics'] } }, [
	periodProperty('Length of each period row (UTC; weeks are ISO weeks starting Monday)'),
	{
		displayName: 'Break Down By',
		name: 'dimensions',
		type: 'multiOptions',
		default: ['period', 'reviewer', 'tier', 'deadlines'],
		description: 'Which rows to output besides the total',
		options: [
			{ name: 'Deadline Status', value: 'deadlines', description: 'One row: live HITL Deadlines triggers, and reminders, escalations and deadlines overdue with nobody acting on them' },
			{ name: 'Period', value: 'period' },
			{ name: 'Reviewer', value: 'reviewer' },
			{ name: 'Tier', value: 'tier' },
		],
	},
	fastThresholdProperty,
	fromProperty,
	toProperty,
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return forEachItem(this, items, async (i) => {
		const chosen = this.getNodeParameter('dimensions', i, ['period', 'reviewer', 'tier', 'deadlines']) as string[];
		const options = readMetricsWindow(this, i, { dimensions: chosen.filter((d) => d !== 'deadlines') as MetricsOptions['dimensions'] });
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
