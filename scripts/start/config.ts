/**
 * Settings of the local demo that `npm start` runs: fixed loopback ports (each overridable by an
 * environment variable, so a taken port has a one-line fix), the persistent demo folder (so a second
 * start reuses the n8n database, the installed package and the mail), and the fixed demo login. Fixed
 * on purpose: the demo listens on 127.0.0.1 only, and a login that never changes is one less thing to
 * look up. Shared by main.ts and demoSend.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { REPO_ROOT } from '../../test/harness/paths';

export const HOST = '127.0.0.1';

export interface DemoPort {
	/** What listens there, for messages. */
	role: string;
	/** The environment variable that moves it. */
	envVar: string;
	port: number;
}

export interface DemoPorts {
	n8n: DemoPort;
	broker: DemoPort;
	smtp: DemoPort;
	inbox: DemoPort;
}

const DEFAULT_PORTS = { n8n: 5688, broker: 5689, smtp: 2588, inbox: 5690 } as const;

function portFromEnv(envVar: string, fallback: number, role: string): DemoPort {
	const raw = process.env[envVar];
	if (raw === undefined || raw === '') return { role, envVar, port: fallback };
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new Error(`${envVar}=${raw} is not a port number (1-65535)`);
	}
	return { role, envVar, port };
}

/** The four ports the demo listens on, from the environment or the defaults; all must differ. */
export function demoPorts(): DemoPorts {
	const ports: DemoPorts = {
		n8n: portFromEnv('HITL_DEMO_PORT', DEFAULT_PORTS.n8n, 'n8n editor and webhooks'),
		broker: portFromEnv('HITL_DEMO_BROKER_PORT', DEFAULT_PORTS.broker, "n8n's task-runner broker"),
		smtp: portFromEnv('HITL_DEMO_SMTP_PORT', DEFAULT_PORTS.smtp, 'local mailbox (SMTP)'),
		inbox: portFromEnv('HITL_DEMO_INBOX_PORT', DEFAULT_PORTS.inbox, 'local mailbox (web inbox)'),
	};
	const seen = new Map<number, DemoPort>();
	for (const entry of Object.values(ports) as DemoPort[]) {
		const other = seen.get(entry.port);
		if (other) throw new Error(`${entry.envVar} and ${other.envVar} are both ${entry.port}: each service needs its own port`);
		seen.set(entry.port, entry);
	}
	return ports;
}

/** Where the demo keeps its state: `.demo/` in the repository (git-ignored) unless HITL_DEMO_DIR says otherwise. */
export function demoPaths(demoDir = process.env.HITL_DEMO_DIR || path.join(REPO_ROOT, '.demo')) {
	return {
		demoDir,
		/** N8N_USER_FOLDER: n8n's database, config, community packages and the review log. */
		userFolder: path.join(demoDir, 'n8n'),
		mailDir: path.join(demoDir, 'mail'),
		stateFile: path.join(demoDir, 'state.json'),
	};
}

/** The owner account printed on screen. n8n wants 8+ characters with a digit and an upper-case letter. */
export const DEMO_OWNER = { email: 'demo@example.com', password: 'Demo-Review-2026', firstName: 'Demo', lastName: 'Owner' };
/** The reviewer the example workflows mail (see examples/candidate-outreach.json). */
export const DEMO_REVIEWER = 'recruiter@example.com';
export const SMTP_CREDENTIAL_NAME = 'Local mailbox (SMTP)';

/** The fixed id of the Sample review sub-workflow, set where low-risk-sampling.json has its placeholder. */
export const SAMPLE_REVIEW_WORKFLOW_ID = 'hitlDemoSampleReview';

/** The example workflows npm start imports, with the fixed id each gets so a second start updates, not duplicates. */
export const EXAMPLES = [
	{ file: 'candidate-outreach.json', id: 'hitlDemoOutreach', webhookPath: 'candidate-outreach' },
	{ file: 'ats-stage-change.json', id: 'hitlDemoAtsStages', webhookPath: 'ats-stage-change' },
	{ file: 'bonus-payment.json', id: 'hitlDemoBonusPayment', webhookPath: 'bonus-payment' },
	// Called by low-risk-sampling.json without waiting, so imported (and published) first: n8n publishes a
	// workflow only once the sub-workflows it calls are published.
	{ file: 'sample-review.json', id: SAMPLE_REVIEW_WORKFLOW_ID, webhookPath: null },
	{ file: 'low-risk-sampling.json', id: 'hitlDemoLowRiskSampling', webhookPath: 'low-risk-sampling' },
	// Mondays at 08:00, or "Execute workflow" in the editor: the admins' report, mailed to the local inbox.
	{ file: 'weekly-report.json', id: 'hitlDemoWeeklyReport', webhookPath: null },
	// The deadline mechanism: one active HITL Deadlines trigger per instance (no webhook).
	{ file: 'hitl-deadlines.json', id: 'hitlDemoDeadlines', webhookPath: null },
	// Review links that still answer after their run ended: the gates find it when they run.
	{ file: 'hitl-review-links.json', id: 'hitlDemoReviewLinks', webhookPath: 'hitl-review' },
] as const;

export function examplePath(file: string): string {
	return path.join(REPO_ROOT, 'examples', file);
}

/** What survives between starts, and what demo:send reads to find the running demo. */
export interface DemoState {
	/** n8n's encryption key: stable, or n8n refuses to start on its own database (and cannot decrypt credentials). */
	encryptionKey: string;
	/** Content hashes of the build's inputs and its dist/ after the last build; both unchanged → no rebuild. */
	build?: { inputs: string; dist: string };
	/** Content hash of the packed files installed into the user folder; unchanged → no reinstall. */
	installedPackage?: string;
	/** SHA-256 of each example as last imported, by workflow id; unchanged → no update. */
	workflowSha256?: Record<string, string>;
	/** Set while a demo runs (removed on stop): where it listens. */
	running?: { pid: number; editorUrl: string; inboxUrl: string; webhookUrl: string };
}

export function readState(stateFile: string): DemoState {
	if (existsSync(stateFile)) return JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
	return { encryptionKey: randomBytes(24).toString('hex') };
}

export function writeState(stateFile: string, state: DemoState): void {
	mkdirSync(path.dirname(stateFile), { recursive: true });
	// Write-then-rename: demo:send never reads half a file. 0600: the file holds n8n's encryption key.
	writeFileSync(`${stateFile}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
	renameSync(`${stateFile}.tmp`, stateFile);
}
