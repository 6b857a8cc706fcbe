/**
 * One per-item error policy for every Review Log operation, in the shape of n8n's own If V2 and
 * Switch V3: each input item is handled on its own, and a failure while handling it is either
 *
 * - about the item — its filter, checkpoint, dates, fields, an expression that does not evaluate for
 *   it: with the node's "Continue On Fail" the item goes out as `{ error, description }` paired with
 *   it and the next item runs; without it, a NodeOperationError with the item's index and what to do;
 * - or not about the item — the store unreachable, unreadable or refusing, marked with
 *   {@link storeFailure}: it stops the node either way, since reporting it on one item would say that
 *   item was wrong, and every later item would fail the same way.
 *
 * Why not let n8n handle a thrown error under Continue On Fail: n8n then passes the node's *input*
 * items on unchanged, so a bad item would leave looking like a good one, and the items after it
 * would not be handled at all.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

const storeFailures = new WeakSet<NodeOperationError>();

/** Marks a node error as the store's failure, not the item's: it stops the node even with Continue On Fail. */
export function storeFailure(error: NodeOperationError): NodeOperationError {
	storeFailures.add(error);
	return error;
}

function nodeErrorFor(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	// Anything else raised while handling the item (an expression of its parameters, its binary data).
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)), { itemIndex });
}

/**
 * Applies the policy to one failure while handling item `itemIndex`: returns the item's error output
 * under Continue On Fail, else throws the NodeOperationError.
 */
export function failedItem(ctx: IExecuteFunctions, error: unknown, itemIndex: number): INodeExecutionData {
	const nodeError = nodeErrorFor(ctx, error, itemIndex);
	if (storeFailures.has(nodeError) || !ctx.continueOnFail()) throw nodeError;
	return { json: { error: nodeError.message, description: nodeError.description ?? null }, pairedItem: { item: itemIndex } };
}

/** Runs `handle` for every input item under the policy and collects its output items, in item order. */
export async function forEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	handle: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push(...(await handle(i)));
		} catch (error) {
			out.push(failedItem(ctx, error, i));
		}
	}
	return out;
}
