import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { REVIEW_DECISIONS, REVIEW_EVENTS, type ReviewRecord } from '../../../core/records';
import { matchesQuery, normaliseQuery, QueryError, type QueryFilter, type ReviewStore } from '../../../core/store';
import { isTier } from '../../../core/tiers';
import { DECISION_OPTIONS, TIER_OPTIONS } from '../../shared/options';
import { forEachItem, storeFailure } from '../helpers/perItem';

const show = { show: { operation: ['query'] } };
const MAX_PAGE = 1000;

export const description: INodeProperties[] = [
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Decision',
				name: 'decision',
				type: 'options',
				default: 'approved',
				options: DECISION_OPTIONS,
			},
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				default: 'decided',
				options: REVIEW_EVENTS.map((e) => ({ name: e.charAt(0).toUpperCase() + e.slice(1), value: e })),
			},
			{ displayName: 'Execution ID', name: 'executionId', type: 'string', default: '' },
			{ displayName: 'From', name: 'from', type: 'dateTime', default: '', description: 'Records at or after this time' },
			{ displayName: 'Item Key', name: 'itemKey', type: 'string', default: '' },
			{ displayName: 'Reviewer ID', name: 'reviewerId', type: 'string', default: '' },
			{
				displayName: 'Tier',
				name: 'tier',
				type: 'options',
				default: 'high',
				options: TIER_OPTIONS,
			},
			{ displayName: 'To', name: 'to', type: 'dateTime', default: '', description: 'Records at or before this time' },
			{ displayName: 'Workflow ID', name: 'workflowId', type: 'string', default: '' },
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1, maxValue: MAX_PAGE },
		displayOptions: { show: { operation: ['query'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Cursor',
		name: 'cursor',
		type: 'string',
		default: '',
		displayOptions: { show: { operation: ['query'], returnAll: [false] } },
		description: 'The next cursor of the previous page, to continue from there (use Output: One Item per Page)',
	},
	{
		displayName: 'Output',
		name: 'queryOutput',
		type: 'options',
		default: 'records',
		displayOptions: show,
		options: [
			{ name: 'One Item per Record', value: 'records' },
			{ name: 'One Item per Page (With Next Cursor)', value: 'page' },
			{
				name: 'Overdue Steps Nobody Acts On',
				value: 'overdue',
				description: 'Not records: one item per reminder, escalation or deadline past due that no HITL Deadlines trigger holds (Execution ID filter applies)',
			},
		],
	},
];

function toIso(value: unknown, name: string): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value);
	const t = Date.parse(text);
	if (!Number.isFinite(t)) throw new Error(`${name} "${text}" is not a valid date`);
	return new Date(t).toISOString();
}

/** Checks the filter collection and turns it into the store's filter; throws a plain Error on bad input. */
export function buildFilter(raw: IDataObject): QueryFilter {
	const filter: QueryFilter = {};
	const from = toIso(raw.from, 'From');
	const to = toIso(raw.to, 'To');
	if (from !== undefined) filter.from = from;
	if (to !== undefined) filter.to = to;
	if (from !== undefined && to !== undefined && from > to) throw new Error(`From (${from}) is after To (${to})`);
	if (raw.decision !== undefined && raw.decision !== '') {
		if (!(REVIEW_DECISIONS as readonly unknown[]).includes(raw.decision)) throw new Error(`Decision "${String(raw.decision)}" is not one of ${REVIEW_DECISIONS.join(', ')}`);
		filter.decision = raw.decision as QueryFilter['decision'];
	}
	if (raw.event !== undefined && raw.event !== '') {
		if (!(REVIEW_EVENTS as readonly unknown[]).includes(raw.event)) throw new Error(`Event "${String(raw.event)}" is not one of ${REVIEW_EVENTS.join(', ')}`);
		filter.event = raw.event as QueryFilter['event'];
	}
	if (raw.tier !== undefined && raw.tier !== '') {
		if (!isTier(raw.tier)) throw new Error(`Tier "${String(raw.tier)}" is not low, medium or high`);
		filter.tier = raw.tier;
	}
	for (const key of ['reviewerId', 'workflowId', 'executionId', 'itemKey'] as const) {
		const v = raw[key];
		if (v !== undefined && v !== null && v !== '') filter[key] = String(v);
	}
	return filter;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], store: ReviewStore): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	// One query per input item: filters may be expressions reading the item.
	return forEachItem(this, items, async (i) => {
		let filter: QueryFilter;
		try {
			filter = buildFilter(this.getNodeParameter('filters', i, {}) as IDataObject);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, {
				itemIndex: i,
				description: 'Fix the filter: dates in ISO-8601 (e.g. 2026-11-25T00:00:00Z), From before To.',
			});
		}
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const output = this.getNodeParameter('queryOutput', i, 'records') as string;
		if (output === 'overdue') return await overdueSteps(this, store, filter, i);
		const limit = returnAll ? MAX_PAGE : Math.min(MAX_PAGE, Math.max(1, Math.floor(this.getNodeParameter('limit', i, 50) as number)));
		const cursor: string | undefined = returnAll ? undefined : (this.getNodeParameter('cursor', i, '') as string) || undefined;
		let records: ReviewRecord[] = [];
		let nextCursor: string | null = null;
		try {
			if (returnAll) {
				// One pass with the store's own filter semantics; paging through the store would rescan
				// the log once per page.
				const q = normaliseQuery(filter, { limit: 1 });
				for await (const r of store.readAll()) if (matchesQuery(r, q)) records.push(r);
				records = records.reverse();
			} else {
				const page = await store.query(filter, { limit, cursor });
				records = page.records;
				nextCursor = page.nextCursor;
			}
		} catch (error) {
			const message = `Query failed: ${(error as Error).message}`;
			if (error instanceof QueryError) {
				const description = `${cursor ? 'The cursor may be from another query; start again without it. ' : ''}Fix the filter and try again.`;
				throw new NodeOperationError(node, error, { itemIndex: i, message, description });
			}
			throw storeFailure(new NodeOperationError(node, error as Error, { itemIndex: i, message, description: 'Check that the review store is reachable and readable.' }));
		}

		if (output === 'page') {
			return [{ json: { records: records as unknown as IDataObject[], count: records.length, nextCursor }, pairedItem: { item: i } }];
		}
		return records.map((r) => ({ json: r as unknown as IDataObject, pairedItem: { item: i } }));
	});
}

/**
 * The deadline schedule's steps past due that nobody holds (working state, not the log): a reminder not
 * sent, a backup not added, a run still waiting after its deadline — what needs an active HITL Deadlines
 * trigger, oldest first.
 */
async function overdueSteps(ctx: IExecuteFunctions, store: ReviewStore, filter: QueryFilter, itemIndex: number): Promise<INodeExecutionData[]> {
	let events;
	try {
		events = await store.listOverdueDeadlineEvents(new Date(), MAX_PAGE);
	} catch (error) {
		throw storeFailure(new NodeOperationError(ctx.getNode(), error as Error, { itemIndex, message: `Query failed: ${(error as Error).message}`, description: 'Check that the review store is reachable and readable.' }));
	}
	return events
		.filter((e) => filter.executionId === undefined || e.executionId === filter.executionId)
		.map((e) => ({
			json: { chain: store.chain, overdue: true, kind: e.kind, step: e.step, dueAt: e.dueAt, executionId: e.executionId, groupId: e.groupId, attempts: e.attempts, lastError: e.lastError },
			pairedItem: { item: itemIndex },
		}));
}
