/**
 * A stand-in for n8n's execute context for the per-item parameter readers (the gate's
 * itemParameters.ts, Review Log's mappedFieldsReader.ts): the node's raw parameters, the input items,
 * and a getNodeParameter that answers with `evaluate` and notes each [name, item] it was asked for —
 * so a test sees exactly when a reader went to n8n. Only the reader's own logic is under test here;
 * its answers against n8n's real engine are tested in the workflow suite.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

export function countingContext(parameters: Record<string, unknown>, items: INodeExecutionData[], evaluate: (name: string, i: number) => unknown) {
	const asked: Array<[string, number]> = [];
	const ctx = {
		getNode: () => ({ name: 'Node under test', type: 'test.node', typeVersion: 1, position: [0, 0], parameters }),
		getInputData: () => items,
		getNodeParameter: (name: string, i: number, fallback: unknown) => {
			asked.push([name, i]);
			return evaluate(name, i) ?? fallback;
		},
	} as unknown as IExecuteFunctions;
	return { ctx, asked };
}
