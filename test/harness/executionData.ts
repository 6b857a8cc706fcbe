/** Reading a decoded execution: which node ran, and what it emitted on which output. */
import type { ExecutionDetail, NodeRun, OutputItem } from './n8nTypes';

/** Every run of `nodeName` in the execution (empty if the node never ran). */
export function nodeRuns(execution: ExecutionDetail, nodeName: string): NodeRun[] {
	return execution.data.resultData.runData[nodeName] ?? [];
}

/** True when `nodeName` ran at least once in the execution. */
export function nodeRan(execution: ExecutionDetail, nodeName: string): boolean {
	return nodeRuns(execution, nodeName).length > 0;
}

/**
 * Items `nodeName` emitted on output `output` in run `run` — i.e.
 * `runData[node][run].data.main[output]`; empty when the node did not run or that output was empty.
 */
export function nodeOutput(execution: ExecutionDetail, nodeName: string, output = 0, run = 0): OutputItem[] {
	return nodeRuns(execution, nodeName)[run]?.data?.main[output] ?? [];
}

/** All outputs of one run of `nodeName`, indexed by output. */
export function nodeOutputs(execution: ExecutionDetail, nodeName: string, run = 0): OutputItem[][] {
	return (nodeRuns(execution, nodeName)[run]?.data?.main ?? []).map((items) => items ?? []);
}
