/**
 * The reporting window Metrics and Report both ask for — period, fast-decision threshold, From, To —
 * defined and read in one place, so the two operations offer the same fields and count the same way
 * (a Report's figures are the Metrics rows for the same window).
 */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { metricsBounds, type MetricsOptions, type MetricsPeriod } from '../../../core/metrics';

export function periodProperty(description: string): INodeProperties {
	return {
		displayName: 'Period',
		name: 'period',
		type: 'options',
		default: 'week',
		description,
		options: [
			{ name: 'Day', value: 'day' },
			{ name: 'Week', value: 'week' },
			{ name: 'Month', value: 'month' },
		],
	};
}

export const fastThresholdProperty: INodeProperties = {
	displayName: 'Fast Decision Threshold (Seconds)',
	name: 'fastThresholdSeconds',
	type: 'number',
	default: 10,
	typeOptions: { minValue: 0 },
	description: 'Decisions made faster than this after the reviewer opened the page count as possible rubber-stamping. A HITL Gate decision that carries its own judgement (details.possibleRubberStamp, from the gate\'s per-tier thresholds) is counted by that instead.',
};

export const fromProperty: INodeProperties = {
	displayName: 'From',
	name: 'from',
	type: 'dateTime',
	default: '',
	description: 'Only count events at or after this time (empty: from the start of the log)',
};

export const toProperty: INodeProperties = {
	displayName: 'To',
	name: 'to',
	type: 'dateTime',
	default: '',
	description: 'Only count events at or before this time (empty: up to now)',
};

const iso = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : v instanceof Date ? v.toISOString() : String(v));

/** The window of item `i` as MetricsOptions (plus `extra`), checked before any record is read. */
export function readMetricsWindow(ctx: IExecuteFunctions, i: number, extra: Partial<MetricsOptions> = {}): MetricsOptions {
	const period = ctx.getNodeParameter('period', i, 'week') as MetricsPeriod;
	if (!['day', 'week', 'month'].includes(period)) {
		throw new NodeOperationError(ctx.getNode(), `Period "${String(period)}" is not supported`, { itemIndex: i, description: 'Choose Day, Week or Month.' });
	}
	const options: MetricsOptions = {
		period,
		fastThresholdSeconds: ctx.getNodeParameter('fastThresholdSeconds', i, 10) as number,
		from: iso(ctx.getNodeParameter('from', i, '')),
		to: iso(ctx.getNodeParameter('to', i, '')),
		...extra,
	};
	// A bad date is this item's error, told apart from a store that cannot be read.
	try {
		metricsBounds(options);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			itemIndex: i,
			description: 'Fix From / To (ISO-8601, From before To) and the threshold (a number ≥ 0).',
		});
	}
	return options;
}
