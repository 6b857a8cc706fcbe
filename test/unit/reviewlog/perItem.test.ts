/**
 * The per-item error policy of Review Log (nodes/ReviewLog/helpers/perItem.ts) on the cases a
 * workflow cannot easily provoke: a store failure in the middle of a run, and an error that is not a
 * node error at all. The item-error cases run in real n8n in test/workflow/reviewlog/continueOnFail.
 */
import { NodeOperationError, type IExecuteFunctions, type INode, type INodeExecutionData } from 'n8n-workflow';
import { forEachItem, storeFailure } from '../../../nodes/ReviewLog/helpers/perItem';

const node: INode = { id: 'n1', name: 'Review Log', type: 'n8n-nodes-hitl.reviewLog', typeVersion: 1, position: [0, 0], parameters: {} };
const context = (continueOnFail: boolean) => ({ getNode: () => node, continueOnFail: () => continueOnFail }) as unknown as IExecuteFunctions;
const items: INodeExecutionData[] = [{ json: {} }, { json: {} }, { json: {} }];

/** Handles every item but item 1, which fails with `error`. */
const failingItem1 = (error: () => unknown) => async (i: number) => {
	if (i === 1) throw error();
	return [{ json: { handled: i }, pairedItem: { item: i } }];
};

it('a store failure stops the node even with Continue On Fail, naming the item it happened on', async () => {
	const down = failingItem1(() => storeFailure(new NodeOperationError(node, 'The store is down', { description: 'Check the store.' })));
	await expect(forEachItem(context(true), items, down)).rejects.toMatchObject({ message: 'The store is down', context: { itemIndex: 1 } });
	await expect(forEachItem(context(false), items, down)).rejects.toMatchObject({ message: 'The store is down', context: { itemIndex: 1 } });
});

it('any other error while handling an item (an expression, its binary data) is that item’s error', async () => {
	const missing = failingItem1(() => new Error('No binary property "cp"'));
	expect(await forEachItem(context(true), items, missing)).toEqual([
		{ json: { handled: 0 }, pairedItem: { item: 0 } },
		{ json: { error: 'No binary property "cp"', description: null }, pairedItem: { item: 1 } },
		{ json: { handled: 2 }, pairedItem: { item: 2 } },
	]);
	await expect(forEachItem(context(false), items, missing)).rejects.toMatchObject({ name: 'NodeOperationError', message: 'No binary property "cp"', context: { itemIndex: 1 } });
});
