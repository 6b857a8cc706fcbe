// One workflow run in n8n's own engine inside this process (n8n-core WorkflowExecute + n8n-workflow), for
// the benchmarks that measure nodes in real execution (router, log-append). n8n-core needs a user folder
// for its encryption key: inProcessN8n() points N8N_USER_FOLDER at a temp folder unless one is set.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

/**
 * Loads n8n-core and n8n-workflow and sets up a user folder, removed on exit, unless one is given —
 * always a fresh one with `ownUserFolder` (a bench whose nodes write under it, such as the review store's
 * default folder, must never write into the user's own).
 */
function inProcessN8n({ ownUserFolder = false } = {}) {
	if (ownUserFolder || !process.env.N8N_USER_FOLDER) {
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-hitl-bench-'));
		process.env.N8N_USER_FOLDER = userFolder;
		process.on('exit', () => fs.rmSync(userFolder, { recursive: true, force: true }));
	}
	return { nCore: require('n8n-core'), nWorkflow: require('n8n-workflow') };
}

/** Node types by name, as WorkflowExecute looks them up. */
function nodeTypesOf(types) {
	return { getByName: (n) => types[n], getByNameAndVersion: (n) => types[n], getKnownTypes: () => ({}) };
}

/** A trigger node type that emits its pinned items. */
const EMIT = {
	description: { displayName: 'Trigger', name: 'emit', group: ['trigger'], version: 1, description: '', defaults: { name: 'Trigger' }, inputs: [], outputs: ['main'], properties: [] },
	async execute() {
		return [this.getInputData()];
	},
};

/** Runs `wf` from its node `trigger` with `items` pinned on it; returns n8n's run (status checked). */
async function runInProcess(core, wf, nodeTypes, trigger, items) {
	const { WorkflowExecute, ExecutionLifecycleHooks } = core.nCore;
	const { Workflow } = core.nWorkflow;
	const workflow = new Workflow({ id: 'bench', name: 'bench', nodes: wf.nodes, connections: wf.connections, active: false, nodeTypes, settings: { executionOrder: 'v1' } });
	const base = 'http://localhost:5678';
	const notInBench = async () => {
		throw new Error('not in bench');
	};
	const additionalData = {
		hooks: new ExecutionLifecycleHooks('manual', 'bench', { id: 'bench', name: 'bench', nodes: wf.nodes, connections: wf.connections, active: false, settings: {} }),
		credentialsHelper: {},
		executeWorkflow: notInBench,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: notInBench,
	};
	const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: workflow.getNode(trigger), pinData: { [trigger]: items } });
	if (run.status !== 'success') throw new Error(`bench run failed: ${run.data.resultData.error && run.data.resultData.error.message}`);
	return run;
}

module.exports = { inProcessN8n, nodeTypesOf, EMIT, runInProcess };
