import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { getStoreSettings, openReviewStore } from '../../shared/reviewStore';
import * as append from './append.operation';
import * as exportLog from './export.operation';
import * as metrics from './metrics.operation';
import * as query from './query.operation';
import * as verify from './verify.operation';

/** Opens the store once per run, hands it to the operation, and always releases it. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const settings = await getStoreSettings(this);
	// Verify must report a damaged log (first bad seq), not fail while opening it: skip the open-time
	// check of the file backend for this operation; every other operation opens fail-closed.
	if (operation === 'verify' && settings.config.backend === 'file') {
		settings.config = { ...settings.config, verifyOnOpen: false };
	}
	const store = await openReviewStore(this, settings);
	try {
		let result: INodeExecutionData[];
		switch (operation) {
			case 'append':
				result = await append.execute.call(this, items, store, settings);
				break;
			case 'query':
				result = await query.execute.call(this, items, store);
				break;
			case 'verify':
				result = await verify.execute.call(this, items, store);
				break;
			case 'export':
				result = await exportLog.execute.call(this, items, store);
				break;
			case 'metrics':
				result = await metrics.execute.call(this, items, store);
				break;
			default:
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
					description: 'Choose Append, Query, Verify, Export or Metrics.',
				});
		}
		return [result];
	} finally {
		await store.close();
	}
}
