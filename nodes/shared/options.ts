/** Option lists shown by more than one node, so every node names tiers and decisions the same way. */
import type { INodePropertyOptions } from 'n8n-workflow';

/** Ordered by risk, like the Router's outputs (not alphabetically). */
export const TIER_OPTIONS: INodePropertyOptions[] = [
	{ name: 'High', value: 'high', description: 'Hard gate with a logged reviewer' },
	{ name: 'Medium', value: 'medium', description: 'Lock the record, then sync' },
	{ name: 'Low', value: 'low', description: 'Sample review' },
];

export const DECISION_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Approved', value: 'approved' },
	{ name: 'Approved With Edits', value: 'approved_with_edits' },
	{ name: 'Rejected', value: 'rejected' },
];
