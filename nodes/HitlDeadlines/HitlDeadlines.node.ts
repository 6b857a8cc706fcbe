/**
 * HITL Deadlines: the package's own deadline mechanism, as a trigger a builder activates once per n8n
 * instance and review store. It acts on what HITL Gates scheduled in the store — reminders,
 * escalation levels, deadlines — by sending each waiting gate a signed order through the gate's own
 * webhook (trigger.ts), so the gate itself mails, records and routes every item. Triggers run in n8n's
 * main process (in queue mode too), survive restarts by re-reading the store, and share the work across
 * processes through the store's claims.
 */
import type { INodeType, INodeTypeDescription, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { hitlStoreApiTest } from '../shared/reviewStore';
import { deadlinesProperties } from './description';
import { deadlinesTrigger } from './trigger';

export class HitlDeadlines implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HITL Deadlines',
		name: 'hitlDeadlines',
		icon: { light: 'file:hitlDeadlines.svg', dark: 'file:hitlDeadlines.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "every " + $parameter["intervalSeconds"] + " s" }}',
		description: 'Sends HITL Gate reminders, escalates to backup reviewers and ends reviews at their deadline',
		defaults: { name: 'HITL Deadlines' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hitlStoreApi', required: false, testedBy: 'hitlStoreApiTest' }],
		properties: deadlinesProperties,
	};

	methods = { credentialTest: { hitlStoreApiTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await deadlinesTrigger.call(this);
	}
}
