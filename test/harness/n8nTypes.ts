/** The parts of n8n's workflow and execution JSON that server tests read (n8n 2.41). */

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	staticData?: unknown;
	pinData?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface WorkflowRecord extends WorkflowJson {
	id: string;
	versionId: string;
	active: boolean;
}

export type ExecutionStatus = 'new' | 'running' | 'waiting' | 'success' | 'error' | 'canceled' | 'crashed' | 'unknown';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: ExecutionStatus;
	mode: string;
	createdAt: string;
	startedAt: string | null;
	stoppedAt: string | null;
	waitTill: string | null;
}

export interface OutputItem {
	json: Record<string, unknown>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }>;
	binary?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	data?: { main: Array<OutputItem[] | null> };
	error?: { message: string; description?: string; [key: string]: unknown };
	[key: string]: unknown;
}

/** The decoded `data` of an execution (n8n's IRunExecutionData, the parts tests read). */
export interface RunExecutionData {
	resultData: {
		runData: Record<string, NodeRun[]>;
		lastNodeExecuted?: string;
		error?: { message: string; [key: string]: unknown };
		metadata?: Record<string, string>;
	};
	executionData?: Record<string, unknown>;
	resumeToken?: string;
	waitTill?: string;
	[key: string]: unknown;
}

export interface ExecutionDetail extends ExecutionSummary {
	finished: boolean;
	customData?: Record<string, string>;
	data: RunExecutionData;
	workflowData?: WorkflowJson;
}

export interface WebhookResponse {
	status: number;
	headers: Headers;
	text: string;
	/** `text` parsed as JSON, or undefined when it is not JSON. */
	json: unknown;
}
