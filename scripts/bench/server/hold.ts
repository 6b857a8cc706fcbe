/**
 * Putting N items on hold on a real n8n 2.41.1 — from the trigger call until the execution is saved as
 * waiting with every mail handed to the loopback SMTP server — for the HITL Gate in batch mode and in
 * per-item mode, against n8n's own Send Email "send and wait" in the same run. Like for like, said with the
 * figures: n8n's send-and-wait runs once for all its input items (one mail to the listed addresses, no
 * per-item request, no record; its approval passes on one item), while the gate records a request per
 * item, signs a link per reviewer (per item and reviewer in per-item mode) and mails each reviewer once.
 * Rounds alternate the order of the three. Waiting runs are stopped after each round.
 *   npm run bench -- hold                   200 items × 2 reviewers, 3 rounds
 *   npm run bench -- hold --items 1000 --rounds 3
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as os from 'node:os';

import { N8nClient, type WorkflowJson } from '../../../test/harness/n8nClient';
import { startSuite, stopSuite } from '../../../test/harness/suite';
import { sleep } from '../../../test/harness/net';

const RUN = randomUUID().slice(0, 8);
const REVIEWERS = [`hold-a-${RUN}@hitl.test`, `hold-b-${RUN}@hitl.test`];
type Mode = 'sendAndWait' | 'batch' | 'perItem';
const MODES: Mode[] = ['sendAndWait', 'batch', 'perItem'];

function numberArg(argv: string[], name: string, fallback: number): number {
	const i = argv.indexOf(`--${name}`);
	const n = i >= 0 ? Number(argv[i + 1]) : fallback;
	if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number ≥ 1`);
	return n;
}

function holdWorkflow(mode: Mode, path: string, smtp: { id: string; name: string }): WorkflowJson {
	const hold =
		mode === 'sendAndWait'
			? {
					id: randomUUID(),
					name: 'Hold',
					type: 'n8n-nodes-base.emailSend',
					typeVersion: 2.1,
					position: [400, 0],
					webhookId: randomUUID(),
					parameters: { operation: 'sendAndWait', fromEmail: 'gate@hitl.test', toEmail: REVIEWERS.join(', '), subject: '=Hold {{ $json.tag }}', message: 'Please review', options: {} },
					credentials: { smtp },
				}
			: {
					id: randomUUID(),
					name: 'Hold',
					type: 'n8n-nodes-hitl.hitlGate',
					typeVersion: 1.1,
					position: [400, 0],
					parameters: { reviewers: REVIEWERS.join(', '), reviewMode: mode, fromEmail: 'gate@hitl.test', subject: '=Hold {{ $json.tag }}', message: 'Please review', options: { reviewLinks: 'off' } },
					credentials: { smtp },
				};
	return {
		name: `Bench hold ${mode} ${RUN}`,
		nodes: [
			{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
			{ id: randomUUID(), name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items', options: {} } },
			hold,
		],
		connections: {
			Webhook: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Hold', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
}

/** The Subject header of a raw message, unfolded (the bench's tags are plain ASCII, never encoded). */
export function rawSubject(raw: string): string {
	const end = raw.search(/\r?\n\r?\n/);
	const header = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
	return /^subject:[ \t]*(.*)$/im.exec(header)?.[1] ?? '';
}

/**
 * Subjects of the captured mails, each file read once. Why: listMail parses every captured mail on each
 * call, and the round's 25 ms poll re-read all of them — per-item rounds leave two mails of several MB
 * each, so the poll's own parsing took CPU from n8n on these two cores, more with every round. The sink
 * keeps mail raw here (startSuite({ mail: 'raw' })): it answers the sender once the message is on disk,
 * as a mail server does once it is queued, instead of after parsing it.
 */
class MailSubjects {
	private readonly subjects = new Map<string, string>();
	constructor(private readonly mailDir: string) {}

	countWith(tag: string): number {
		if (!existsSync(this.mailDir)) return 0;
		for (const name of readdirSync(this.mailDir)) {
			// The sink writes each mail to a temp name and renames it: an .eml file is complete.
			if (!name.endsWith('.eml') || this.subjects.has(name)) continue;
			this.subjects.set(name, rawSubject(readFileSync(join(this.mailDir, name), 'utf8')));
		}
		let count = 0;
		for (const subject of this.subjects.values()) if (subject.includes(tag)) count += 1;
		return count;
	}
}

/** Milliseconds from the trigger call until the run waits and `mails` mails with the round's tag arrived. */
async function holdRound(n8n: N8nClient, workflowId: string, path: string, mail: MailSubjects, items: number, mails: (mode: number) => number, tag: string): Promise<{ ms: number; mails: number; executionId: string }> {
	const body = { items: Array.from({ length: items }, (_, i) => ({ tag, candidate: `Candidate ${i}`, email: `c${i}@example.com`, body: `<p>Dear Candidate ${i}, thank you for applying.</p>` })) };
	const before = new Set((await n8n.listExecutions(workflowId, { limit: 20 })).map((e) => e.id));
	const started = Date.now();
	const answer = await n8n.callWebhook(path, { body });
	if (answer.status !== 200) throw new Error(`trigger answered ${answer.status}`);
	for (;;) {
		const current = (await n8n.listExecutions(workflowId, { limit: 5 })).find((e) => !before.has(e.id));
		if (current && ['error', 'crashed', 'success'].includes(current.status)) throw new Error(`hold run ${current.id} ended ${current.status}`);
		const arrived = mail.countWith(tag);
		if (current?.status === 'waiting' && arrived >= mails(items)) return { ms: Date.now() - started, mails: arrived, executionId: current.id };
		if (Date.now() - started > 600_000) throw new Error(`not on hold after 10 minutes (${arrived} mails)`);
		await sleep(25);
	}
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runHoldBench(argv: string[]): Promise<void> {
	const items = numberArg(argv, 'items', 200);
	const rounds = numberArg(argv, 'rounds', 3);
	const suite = await startSuite({ mail: 'raw' });
	try {
		const n8n = N8nClient.fromConnectionInfo(suite.info);
		const mail = new MailSubjects(suite.info.smtp.mailDir);
		const smtp = await n8n.createCredential({ name: `Bench SMTP ${RUN}`, type: 'smtp', data: { host: suite.info.smtp.host, port: suite.info.smtp.port, secure: false, disableStartTls: true, user: '', password: '' } });
		const workflows = new Map<Mode, { id: string; path: string }>();
		for (const mode of MODES) {
			const path = `bench-hold-${mode.toLowerCase()}-${RUN}`;
			workflows.set(mode, { id: (await n8n.deployWorkflow(holdWorkflow(mode, path, { id: smtp.id, name: smtp.name }))).id, path });
		}
		// Mails each mode hands to SMTP: send-and-wait one (to both addresses); the gate one per reviewer in
		// both modes (per-item mode lists that reviewer's N personal links in it).
		const expected: Record<Mode, (n: number) => number> = { sendAndWait: () => 1, batch: () => REVIEWERS.length, perItem: () => REVIEWERS.length };
		const times: Record<Mode, number[]> = { sendAndWait: [], batch: [], perItem: [] };
		const sent: Record<Mode, number> = { sendAndWait: 0, batch: 0, perItem: 0 };
		// Warm-up (module loads, store creation), not counted.
		for (const mode of MODES) {
			const w = workflows.get(mode) as { id: string; path: string };
			const warm = await holdRound(n8n, w.id, w.path, mail, 2, () => 1, `warm-${mode}-${RUN}`);
			await n8n.rest('POST', `/executions/${warm.executionId}/stop`, {}).catch(() => undefined);
		}
		for (let r = 0; r < rounds; r++) {
			const order = r % 3 === 0 ? MODES : r % 3 === 1 ? [MODES[1], MODES[2], MODES[0]] : [MODES[2], MODES[0], MODES[1]];
			for (const mode of order) {
				const w = workflows.get(mode) as { id: string; path: string };
				const result = await holdRound(n8n, w.id, w.path, mail, items, expected[mode], `r${r}-${mode}-${RUN}`);
				times[mode].push(result.ms);
				sent[mode] = result.mails;
				await n8n.rest('POST', `/executions/${result.executionId}/stop`, {}).catch(() => undefined);
			}
		}
		const anchor = median(times.sendAndWait);
		const line = (label: string, mode: Mode) =>
			`${label.padEnd(44)} median ${String(median(times[mode])).padStart(6)} ms   ${(median(times[mode]) / anchor).toFixed(2)}× send-and-wait   (${sent[mode]} mails)`;
		process.stdout.write(
			[
				`hold: ${items} items × ${REVIEWERS.length} reviewers on hold (trigger → waiting, every mail handed to SMTP), ${rounds} interleaved rounds, n8n ${suite.info.n8n.version}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} (${os.cpus().length} cores)`,
				line("n8n Send Email 'send and wait' (anchor)", 'sendAndWait'),
				line('HITL Gate, batch mode', 'batch'),
				line('HITL Gate, per-item mode', 'perItem'),
				`per-item / batch: ${(median(times.perItem) / median(times.batch)).toFixed(2)}×   (targets: batch ≤ 1.0× send-and-wait, per-item ≤ 2× batch)`,
				"Like for like: send-and-wait sends one mail for all items and, once approved, passes on one item; the gate records a request per item, signs a personal link per reviewer (per item in per-item mode) and passes every item on by its own decision.",
			].join('\n') + '\n',
		);
	} finally {
		await stopSuite(suite);
	}
}

if (require.main === module) {
	runHoldBench(process.argv.slice(2)).catch((error) => {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	});
}
