/**
 * Workflow-test harness: runs real n8n workflow JSON through n8n's own engine
 * (`n8n-core`'s `WorkflowExecute` with real `n8n-workflow` expressions) against this package's
 * **built** nodes, the way n8n's `packages/nodes-base/test/nodes/Helpers.ts` / `@n8n/nodes-testing`
 * run `WorkflowTestData` fixtures. No mocked execution context.
 *
 * Why the built nodes (`dist/`) and not the TypeScript sources: the issue asks to load the built
 * nodes — the JavaScript that n8n loads for users — so a compile-time difference can't hide. Run
 * `npm run build` before the workflow suite (`npm test` does). The harness refuses to run when
 * `dist/` is missing and warns when a node's sources are newer than its build.
 *
 * Usage
 * ```ts
 * import { loadFixture, runWorkflow } from '../harness';
 * const result = await runWorkflow({
 *   workflow: loadFixture('router/tiers.json'),        // test/workflow/fixtures/<path>
 *   items: [{ amount: 5000 }, { amount: 3 }],           // optional: replaces the trigger's pinData
 *   credentials: { hitlStoreApi: { backend: 'file', directory: tmp } }, // optional, by type
 * });
 * expect(result.status).toBe('success');
 * result.outputs('Blast Radius Router');   // INodeExecutionData[][] — every output of the node's last run
 * result.json('Blast Radius Router', 0);   // the json of output 0's items
 * result.ran('On High');                   // did that node run?
 * result.error;                            // the execution error, if any (status 'error')
 * result.run;                              // the raw IRun (runData, waitTill for waiting nodes, …)
 * ```
 *
 * Node types available to fixtures
 * - Every node in `dist/nodes/*\/*.node.js`, under `n8n-nodes-hitl.<name>` — the name n8n gives a
 *   community package's nodes (e.g. `n8n-nodes-hitl.blastRadiusRouter`).
 * - n8n-nodes-base is NOT installed (it is not a dependency of this package), so three small
 *   stand-ins are registered under n8n's own names, with the same behaviour for what tests use:
 *   `n8n-nodes-base.manualTrigger` (emits its pinData, or one empty item),
 *   `n8n-nodes-base.noOp` (passes items through), and `n8n-nodes-base.stickyNote` (never runs).
 *   Fixtures therefore stay real, importable n8n workflow JSON; the server suite runs the real ones.
 * - Extra node types per test: `runWorkflow({ nodeTypes: { 'my.type': new MyNode() } })`.
 *
 * Input items: put them in the fixture's `pinData` for the trigger (as n8n saves pinned data), or
 * pass `items` (plain JSON objects or full `{ json, binary }` items) to replace it.
 *
 * Credentials: `credentials` maps a credential *type* to its decrypted data; a node in the fixture
 * must still reference it (`"credentials": { "hitlStoreApi": { "id": "1", "name": "Store" } }`),
 * exactly as n8n requires. {@link TestCredentialsHelper} is n8n's `ICredentialsHelper` returning it.
 *
 * Environment: `N8N_USER_FOLDER` is pointed at a fresh temp folder (n8n-core writes an encryption
 * key there) unless the caller set it already.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IPinData,
	type IRun,
	type IConnections,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

if (!process.env.N8N_USER_FOLDER) {
	const userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-hitl-wf-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
}

export const PACKAGE_NAME = 'n8n-nodes-hitl';
export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const FIXTURES = path.join(__dirname, 'fixtures');

/** Workflow JSON as n8n exports it (only the fields the engine needs are required). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	[key: string]: unknown;
}

export interface RunWorkflowOptions {
	workflow: WorkflowJson;
	/** Replaces the trigger's pinData: plain JSON objects or full items. */
	items?: Array<IDataObject | INodeExecutionData>;
	/** Node to start from; default: the first `manualTrigger`, else n8n's own choice. */
	startNode?: string;
	/** Decrypted credential data by credential type. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Extra node types by full type name. */
	nodeTypes?: Record<string, INodeType>;
	mode?: WorkflowExecuteMode;
	executionId?: string;
	/** n8n's base URL the run's resume and webhook URLs are built on (default http://localhost:5678). */
	baseUrl?: string;
}

export interface WorkflowRunResult {
	run: IRun;
	status: IRun['status'];
	/** The execution error (node errors included), if the run failed. */
	error: IRun['data']['resultData']['error'];
	/** Every output of the node's last run (`[]` if it did not run). */
	outputs(nodeName: string): INodeExecutionData[][];
	/** The json of one output's items of the node's last run. */
	json(nodeName: string, output?: number): IDataObject[];
	/** Whether the node ran at least once. */
	ran(nodeName: string): boolean;
	/** Names of the nodes that ran, in order. */
	executionOrder: string[];
}

// ---------------------------------------------------------------------------------------------
// Node types
// ---------------------------------------------------------------------------------------------

class ManualTriggerStandIn implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Manual Trigger (test stand-in)',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Stand-in for n8n-nodes-base.manualTrigger: emits its input (pinData when pinned)',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	};
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

class NoOpStandIn implements INodeType {
	description: INodeType['description'] = {
		displayName: 'No Operation (test stand-in)',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'Stand-in for n8n-nodes-base.noOp: passes items through',
		defaults: { name: 'No Operation, do nothing' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	};
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

class StickyNoteStandIn implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Sticky Note (test stand-in)',
		name: 'stickyNote',
		group: ['input'],
		version: [1, 2],
		description: 'Stand-in for n8n-nodes-base.stickyNote',
		defaults: { name: 'Sticky Note' },
		inputs: [],
		outputs: [],
		properties: [],
	};
}

let warnedStale = false;

function newestMtime(dir: string, ext: string): number {
	if (!existsSync(dir)) return 0;
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, ext));
		else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(full).mtimeMs);
	}
	return newest;
}

/** Loads every built node class from `dist/nodes`, keyed `n8n-nodes-hitl.<description.name>`. */
export function loadPackageNodeTypes(): Record<string, INodeType | IVersionedNodeType> {
	const nodesDir = path.join(DIST, 'nodes');
	if (!existsSync(nodesDir)) {
		throw new Error(`No built nodes in ${nodesDir}: run "npm run build" before the workflow tests.`);
	}
	const types: Record<string, INodeType | IVersionedNodeType> = {};
	for (const folder of readdirSync(nodesDir)) {
		const file = path.join(nodesDir, folder, `${folder}.node.js`);
		if (!existsSync(file)) continue;
		if (!warnedStale) {
			const src = Math.max(newestMtime(path.join(ROOT, 'nodes', folder), '.ts'), newestMtime(path.join(ROOT, 'core'), '.ts'));
			if (src > statSync(file).mtimeMs + 1000) {
				warnedStale = true;
				console.warn(`[harness] ${path.relative(ROOT, file)} is older than its sources: run "npm run build" to test current code.`);
			}
		}
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(file) as Record<string, new () => INodeType | IVersionedNodeType>;
		const Cls = mod[folder];
		if (typeof Cls !== 'function') throw new Error(`${file} does not export class ${folder}`);
		const instance = new Cls();
		types[`${PACKAGE_NAME}.${instance.description.name}`] = instance;
	}
	return types;
}

/** Loads built credential types from `dist/credentials` (for their properties). */
export function loadPackageCredentialTypes(): Record<string, ICredentialType> {
	const dir = path.join(DIST, 'credentials');
	const types: Record<string, ICredentialType> = {};
	if (!existsSync(dir)) return types;
	for (const file of readdirSync(dir)) {
		if (!file.endsWith('.credentials.js')) continue;
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(path.join(dir, file)) as Record<string, new () => ICredentialType>;
		for (const Cls of Object.values(mod)) {
			if (typeof Cls !== 'function') continue;
			const instance = new Cls();
			if (typeof instance.name === 'string') types[instance.name] = instance;
		}
	}
	return types;
}

let cachedPackageTypes: Record<string, INodeType | IVersionedNodeType> | null = null;

export function createNodeTypes(extra: Record<string, INodeType> = {}): INodeTypes {
	cachedPackageTypes ??= loadPackageNodeTypes();
	const all: Record<string, INodeType | IVersionedNodeType> = {
		'n8n-nodes-base.manualTrigger': new ManualTriggerStandIn(),
		'n8n-nodes-base.noOp': new NoOpStandIn(),
		'n8n-nodes-base.stickyNote': new StickyNoteStandIn(),
		...cachedPackageTypes,
		...extra,
	};
	const byName = (name: string) => {
		const t = all[name];
		if (!t) throw new Error(`Unknown node type "${name}" (known: ${Object.keys(all).join(', ')})`);
		return t;
	};
	return {
		getByName: byName,
		getByNameAndVersion(name: string, version?: number): INodeType {
			const t = byName(name);
			if ('nodeVersions' in t) return t.getNodeType(version);
			return t;
		},
		getKnownTypes: () => ({}),
	};
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/** n8n's `ICredentialsHelper`, answering with plain (already decrypted) test data by type. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		private readonly types: Record<string, ICredentialType> = {},
	) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(_credentials: ICredentialDataDecryptedObject, _typeName: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return requestOptions;
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(_details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`getCredentials("${type}") is not supported in workflow tests; nodes read credentials with getCredentials() on their context (getDecrypted).`);
	}
	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _details: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const found = this.data[type];
		if (!found) throw new Error(`No test credentials of type "${type}" were given to runWorkflow({ credentials })`);
		// Like n8n: defaults from the credential type's properties, then the stored values.
		const defaults: ICredentialDataDecryptedObject = {};
		for (const p of this.types[type]?.properties ?? []) {
			if (p.default !== undefined && p.type !== 'notice') defaults[p.name] = p.default as ICredentialDataDecryptedObject[string];
		}
		return { ...defaults, ...structuredClone(found) };
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types[type]?.properties ?? [];
	}
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/** Reads `test/workflow/fixtures/<relativePath>` (workflow JSON as exported from n8n). */
export function loadFixture(relativePath: string): WorkflowJson {
	const file = path.join(FIXTURES, relativePath);
	return JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
}

let executionCounter = 0;

export function createAdditionalData(
	workflowData: IWorkflowBase,
	executionId: string,
	mode: WorkflowExecuteMode,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	base = 'http://localhost:5678',
): IWorkflowExecuteAdditionalData {
	const notInTests = (what: string) => () => {
		throw new Error(`${what} is not available in workflow tests`);
	};
	const additionalData = {
		hooks: new ExecutionLifecycleHooks(mode, executionId, workflowData),
		credentialsHelper: new TestCredentialsHelper(credentials, loadPackageCredentialTypes()),
		executeWorkflow: notInTests('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executionId,
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
		startRunnerTask: notInTests('The task runner (Code node)'),
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		userId: 'test-user',
	};
	return additionalData as unknown as IWorkflowExecuteAdditionalData;
}

function toItem(item: IDataObject | INodeExecutionData): INodeExecutionData {
	const isItem = typeof item.json === 'object' && item.json !== null && Object.keys(item).every((k) => ['json', 'binary', 'pairedItem', 'error'].includes(k));
	return isItem ? (item as INodeExecutionData) : { json: item as IDataObject };
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	const mode = options.mode ?? 'manual';
	const executionId = options.executionId ?? `test-${process.pid}-${++executionCounter}`;
	const source = structuredClone(options.workflow);
	const nodeTypes = createNodeTypes(options.nodeTypes);
	const pinData: IPinData = { ...(source.pinData ?? {}) };
	const trigger = options.startNode ?? source.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger')?.name;
	if (options.items) {
		if (!trigger) throw new Error('runWorkflow({ items }) needs a manualTrigger node or startNode');
		pinData[trigger] = options.items.map(toItem);
	}
	const workflowData: IWorkflowBase = {
		id: source.id ?? 'test-workflow',
		name: source.name ?? 'Test workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		nodes: source.nodes,
		connections: source.connections,
		settings: source.settings ?? {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: source.nodes,
		connections: source.connections,
		active: false,
		nodeTypes,
		settings: source.settings ?? {},
		pinData,
	});
	const executionOrder: string[] = [];
	const additionalData = createAdditionalData(workflowData, executionId, mode, options.credentials ?? {}, options.baseUrl);
	additionalData.hooks!.addHandler('nodeExecuteBefore', (nodeName: string) => {
		executionOrder.push(nodeName);
	});
	const startNode = trigger ? workflow.getNode(trigger) ?? undefined : undefined;
	const run = await new WorkflowExecute(additionalData, mode).run({ workflow, startNode, pinData });
	const runData = run.data.resultData.runData;
	const outputs = (nodeName: string): INodeExecutionData[][] => {
		const runs = runData[nodeName];
		if (!runs || runs.length === 0) return [];
		return (runs[runs.length - 1].data?.main ?? []).map((o) => o ?? []);
	};
	return {
		run,
		status: run.status,
		error: run.data.resultData.error,
		outputs,
		json: (nodeName, output = 0) => (outputs(nodeName)[output] ?? []).map((i) => i.json),
		ran: (nodeName) => (runData[nodeName]?.length ?? 0) > 0,
		executionOrder,
	};
}
