import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { properties } from './actions/description';
import { router } from './actions/router';
import { hitlStoreApiTest } from '../shared/reviewStore';

// Not offered as an AI-agent tool: an agent must not write audit records in a reviewer's name.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class ReviewLog implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Review Log',
		name: 'reviewLog',
		icon: { light: 'file:reviewLog.svg', dark: 'file:reviewLog.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Tamper-evident, hash-chained audit log of human review decisions: append, query, verify, export, metrics, signed checkpoints, proofs, evidence erasure and retention',
		defaults: { name: 'Review Log' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Optional: without it the embedded file store under the n8n user folder is used.
		credentials: [{ name: 'hitlStoreApi', required: false, testedBy: 'hitlStoreApiTest' }],
		properties,
	};

	methods = { credentialTest: { hitlStoreApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
