import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ReviewStore } from '../../../core/store';
import { expireOverdueRequests } from '../../shared/expiry';
import { getStoreSettings, openReviewStore } from '../../shared/reviewStore';
import * as append from './append.operation';
import * as checkpoint from './checkpoint.operation';
import * as erase from './erase.operation';
import * as exportLog from './export.operation';
import * as metrics from './metrics.operation';
import * as prove from './prove.operation';
import * as query from './query.operation';
import * as report from './report.operation';
import * as retention from './retention.operation';
import * as verify from './verify.operation';

/**
 * Every gate request ends in one terminal record, also when n8n's own timer released its run: Review
 * Log closes overdue requests before it reads or writes, so metrics and queries see the expiry.
 * Never fails the operation.
 */
async function closeOverdueRequests(ctx: IExecuteFunctions, store: ReviewStore): Promise<void> {
	try {
		await expireOverdueRequests(store, new Date());
	} catch (error) {
		ctx.logger.warn(`Review Log could not close overdue review requests: ${(error as Error).message}`);
	}
}

/** Opens the store once per run, hands it to the operation, and always releases it. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const settings = await getStoreSettings(this);
	// Verify must report a damaged log (first bad seq), not fail while opening it, and must never write
	// (not even the repair of a torn tail): the file backend opens read-only for it. Every other
	// operation opens fail-closed.
	// Report shows the verification too, so it opens the same way (and writes nothing).
	const readOnly = operation === 'verify' || operation === 'report';
	if (readOnly && settings.config.backend === 'file') {
		settings.config = { ...settings.config, verifyOnOpen: false, readOnly: true };
	}
	const store = await openReviewStore(this, settings);
	try {
		if (!readOnly) await closeOverdueRequests(this, store);
		let result: INodeExecutionData[];
		switch (operation) {
			case 'append':
				result = await append.execute.call(this, items, store, settings);
				break;
			case 'query':
				result = await query.execute.call(this, items, store);
				break;
			case 'verify':
				// The credential's public keys check a signed checkpoint; Verify itself never signs or writes.
				result = await verify.execute.call(this, items, store, settings);
				break;
			case 'export':
				result = await exportLog.execute.call(this, items, store, settings);
				break;
			case 'metrics':
				result = await metrics.execute.call(this, items, store);
				break;
			case 'report':
				result = await report.execute.call(this, items, store);
				break;
			case 'checkpoint':
				result = await checkpoint.execute.call(this, items, store, settings);
				break;
			case 'prove':
				result = await prove.execute.call(this, items, store, settings);
				break;
			case 'erase':
				result = await erase.execute.call(this, items, store, settings);
				break;
			case 'retention':
				result = await retention.execute.call(this, items, store, settings);
				break;
			default:
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
					description: 'Choose Append, Query, Verify, Export, Metrics, Report, Sign Checkpoint, Prove Record, Erase Subject\'s Evidence or Apply Retention.',
				});
		}
		return [result];
	} finally {
		await store.close();
	}
}
