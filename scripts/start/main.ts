/**
 * `npm start`: the whole package running locally in one command, for trying it as a user would.
 * Builds the package, installs it into a local n8n 2.41.1 the way n8n's Community Nodes installer
 * does, starts a local mailbox (SMTP capture + web inbox), creates the demo login, the SMTP credential
 * and the example workflows, and prints where everything is. Ctrl-C stops everything it started.
 *
 * It reuses the server test harness (test/harness) instead of a second copy of the same start-up
 * code, compiled by scripts/start/run.sh; and it keeps its state in `.demo/` so a second start reuses
 * the n8n database and the installed package and is ready in well under a minute.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { N8nClient } from '../../test/harness/n8nClient';
import { startN8n, stopN8n, tailLog, type RunningN8n } from '../../test/harness/n8nServer';
import { withoutInheritedNpmConfig } from '../../test/harness/npmEnv';
import { buildPackage, installLikeCommunityNodes, packPackage } from '../../test/harness/packageInstall';
import { ensureN8nInstalled, N8N_VERSION, REPO_ROOT, type N8nInstall } from '../../test/harness/paths';
import { startSmtpCapture } from '../../test/harness/smtpCapture';
import { DEMO_OWNER, DEMO_REVIEWER, demoPaths, demoPorts, EXAMPLES, HOST, readState, writeState, type DemoState } from './config';
import { startInbox } from './inbox';
import { BUILD_INPUTS, packedEntries, treeHash } from './freshness';
import { portProblems } from './ports';
import { assertNodesLoaded, ensureExamples, ensureSmtpCredential, ownerSession } from './provision';

const started = Date.now();
const seconds = (since: number): string => `${Math.round((Date.now() - since) / 1000)} s`;
const log = (message: string): void => void process.stdout.write(`[start] ${message}\n`);

/** What to stop on exit, in start order; stopped in reverse. */
const running: Array<{ name: string; stop: () => Promise<void> }> = [];
let stopping = false;
let shutdownPromise: Promise<never> | undefined;

class Interrupted extends Error {}

async function step<T>(title: string, work: () => T | Promise<T>): Promise<T> {
	if (stopping) throw new Interrupted();
	const since = Date.now();
	log(`${title} …`);
	const result = await work();
	if (stopping) throw new Interrupted();
	log(`  done in ${seconds(since)}`);
	return result;
}

/**
 * Stops everything started, then exits. Idempotent: `npm start` forwards the terminal's Ctrl-C to this
 * process, which also got it directly, so a second signal must wait for the same stop, not cut it short.
 */
function shutdown(exitCode: number, stateFile?: string): Promise<never> {
	shutdownPromise ??= (async () => {
		stopping = true;
		for (const service of running.reverse()) {
			log(`stopping ${service.name}`);
			await service.stop().catch((error: unknown) => log(`  could not stop ${service.name}: ${String(error)}`));
		}
		if (stateFile && existsSync(stateFile)) {
			const { running: _gone, ...rest } = readState(stateFile);
			void _gone;
			writeState(stateFile, rest);
		}
		log(exitCode === 0 ? 'stopped; nothing of the demo is running any more' : 'stopped');
		process.exit(exitCode);
	})();
	return shutdownPromise;
}
/** Node types the package declares, as n8n names them (`n8n-nodes-hitl.<node>`). */
function declaredNodeTypes(): string[] {
	const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };
	return manifest.n8n.nodes.map((file) => {
		const base = path.basename(file).replace(/\.node\.js$/, '');
		return `${manifest.name}.${base.charAt(0).toLowerCase()}${base.slice(1)}`;
	});
}

function n8nCacheIsWarm(): boolean {
	const cacheRoot = process.env.HITL_CACHE_DIR ?? path.join(process.env.HOME ?? '', '.cache', 'n8n-nodes-hitl');
	return existsSync(path.join(cacheRoot, `n8n-${N8N_VERSION}`, '.complete'));
}

/** `npm run build`, unless the sources and dist/ are exactly what they were after the last build. */
function buildIfChanged(state: DemoState): void {
	const inputs = treeHash(REPO_ROOT, BUILD_INPUTS);
	if (state.build?.inputs === inputs && state.build.dist === treeHash(REPO_ROOT, ['dist'])) {
		log('  sources unchanged since the last build: nothing to build');
		return;
	}
	buildPackage();
	// HITL_SKIP_BUILD=1 (the test suite's "dist is fresh") builds nothing, so it must not vouch for dist/.
	state.build = process.env.HITL_SKIP_BUILD === '1' ? undefined : { inputs, dist: treeHash(REPO_ROOT, ['dist']) };
}

/** Packs the package and installs it like n8n's Community Nodes installer, unless those exact files are installed. */
function installPackage(install: N8nInstall, userFolder: string, state: DemoState): void {
	const packedHash = treeHash(REPO_ROOT, packedEntries(REPO_ROOT));
	const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string };
	const packageDir = path.join(userFolder, '.n8n', 'nodes', 'node_modules', manifest.name);
	if (state.installedPackage === packedHash && existsSync(path.join(packageDir, 'package.json'))) {
		log('  the installed copy is up to date');
		return;
	}
	const packed = packPackage();
	try {
		// A clean folder: files the new build no longer has must not linger in the installed copy.
		rmSync(packageDir, { recursive: true, force: true });
		installLikeCommunityNodes(packed, userFolder, { ...withoutInheritedNpmConfig(), PATH: `${path.dirname(install.node24)}:${process.env.PATH ?? ''}` });
		state.installedPackage = packedHash;
	} finally {
		rmSync(path.dirname(packed.tarball), { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true });
	if (values.help) {
		process.stdout.write('npm start — local n8n with this package, a local mailbox and the examples. Ports: HITL_DEMO_PORT, HITL_DEMO_BROKER_PORT, HITL_DEMO_SMTP_PORT, HITL_DEMO_INBOX_PORT; state folder: HITL_DEMO_DIR (default .demo/).\n');
		return;
	}
	const ports = demoPorts();
	const problems = await portProblems(HOST, Object.values(ports));
	if (problems.length > 0) {
		process.stderr.write(`[start] cannot start: nothing was started.\n${problems.join('\n')}\n`);
		process.exit(2);
	}
	const paths = demoPaths();
	mkdirSync(paths.userFolder, { recursive: true });
	const state = readState(paths.stateFile);
	writeState(paths.stateFile, state);
	process.on('SIGINT', () => void shutdown(0, paths.stateFile));
	process.on('SIGTERM', () => void shutdown(0, paths.stateFile));
	process.on('SIGHUP', () => void shutdown(0, paths.stateFile));

	await step('1/6 building the package (npm run build, about 15-30 s when the sources changed)', () => buildIfChanged(state));
	writeState(paths.stateFile, state);
	const warm = n8nCacheIsWarm();
	const install = await step(
		warm
			? `2/6 n8n ${N8N_VERSION}: using the cached install`
			: `2/6 installing n8n ${N8N_VERSION} and Node.js 24 into the cache (first time only: about 6-12 minutes and 3 GB; progress every 30 s)`,
		() => ensureN8nInstalled(),
	);
	await step('3/6 installing the package into the demo n8n like the Community Nodes installer (npm pack + npm install, about 10-20 s when it changed)', () =>
		installPackage(install, paths.userFolder, state),
	);
	writeState(paths.stateFile, state);
	const smtp = await step(`4/6 starting the local mailbox (SMTP ${HOST}:${ports.smtp.port}, inbox ${HOST}:${ports.inbox.port})`, async () => {
		const capture = await startSmtpCapture(paths.mailDir, ports.smtp.port);
		running.push({ name: 'SMTP', stop: capture.stop });
		const inbox = await startInbox({ mailDir: paths.mailDir, host: HOST, port: ports.inbox.port });
		running.push({ name: 'inbox', stop: inbox.stop });
		return { capture, inbox };
	});
	const n8n: RunningN8n = await step(`5/6 starting n8n on ${HOST}:${ports.n8n.port} (about 20-60 s; log: ${path.join(paths.userFolder, 'n8n.log')})`, async () => {
		const server = await startN8n({
			install,
			userFolder: paths.userFolder,
			port: ports.n8n.port,
			brokerPort: ports.broker.port,
			env: { N8N_ENCRYPTION_KEY: state.encryptionKey },
		});
		running.push({ name: 'n8n and its task runner', stop: async () => await stopN8n(server) });
		return server;
	});
	const client = await step('6/6 demo login, SMTP credential and example workflows', async () => {
		const session = await ownerSession(n8n.baseUrl, DEMO_OWNER);
		await assertNodesLoaded(n8n.baseUrl, session, declaredNodeTypes());
		const n8nClient = new N8nClient({ baseUrl: n8n.baseUrl, ...session, logFile: n8n.logFile });
		const credential = await ensureSmtpCredential(n8nClient, { host: HOST, port: smtp.capture.port });
		state.workflowSha256 = await ensureExamples(n8nClient, credential, state, (message) => log(`  ${message}`));
		return n8nClient;
	});
	const webhookUrl = `${client.webhookUrl}/${EXAMPLES[0].webhookPath}`;
	state.running = { pid: process.pid, editorUrl: `${n8n.baseUrl}/`, inboxUrl: smtp.inbox.url, webhookUrl };
	writeState(paths.stateFile, state);
	watchN8n(n8n, paths.stateFile);

	const relDemo = path.relative(process.cwd(), paths.demoDir) || paths.demoDir;
	process.stdout.write(
		[
			'',
			`n8n-nodes-hitl demo is ready (in ${seconds(started)}).`,
			'',
			`  n8n editor   ${n8n.baseUrl}/    login: ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`,
			`  inbox        ${smtp.inbox.url}   every mail the demo sends; the reviewer is ${DEMO_REVIEWER}`,
			`  examples     ${EXAMPLES.length} active workflows; "Candidate outreach (HITL example)" listens on POST ${webhookUrl}`,
			'',
			'  Send sample items:  npm run demo:send   (then open the inbox and click the review link)',
			'                      npm run demo:send -- --example ats        (stage changes: separation of duties, batch review)',
			'                      npm run demo:send -- --example bonus      (2 of 3 approvals, each with a one-time code)',
			'                      npm run demo:send -- --example sampling   (low-risk notes go on at once; samples reviewed later)',
			'                      the weekly report: open "Weekly review report (HITL example)" and Execute workflow',
			'  Stop:               Ctrl-C              (stops n8n with its task runner, SMTP and the inbox)',
			`  Kept in ${relDemo}/: n8n's database, the review log (n8n/.n8n/hitl/default.jsonl) and the mail. Delete it to start over.`,
			'',
		].join('\n'),
	);
}

/** n8n dying on its own (a crash, an OOM kill) stops the rest too, with its log tail, rather than leaving a half demo. */
function watchN8n(n8n: RunningN8n, stateFile: string): void {
	setInterval(() => {
		try {
			process.kill(n8n.pid, 0);
		} catch {
			if (stopping) return;
			process.stderr.write(`[start] n8n stopped unexpectedly. Last lines of ${n8n.logFile}:\n${tailLog(n8n.logFile, 40)}\n`);
			void shutdown(1, stateFile);
		}
	}, 2_000);
}

main().catch(async (error: unknown) => {
	if (error instanceof Interrupted) return; // shutdown() is already under way
	process.stderr.write(`[start] failed: ${error instanceof Error ? error.message : String(error)}\n`);
	await shutdown(1);
});
