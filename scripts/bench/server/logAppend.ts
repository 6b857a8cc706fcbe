/**
 * Review Log Append on a real n8n 2.41.1: what mapping its Fields per item costs on n8n's own server
 * (whose expression runtime is slower per expression than n8n-workflow in a test process). Three
 * workflows append the same N items (webhook → Split Out → Review Log Append, the file store): the
 * Fields as constants (the anchor), as `{{ $json.x }}` placeholders (filled in by the node's field
 * lookup) and as expressions n8n evaluates per item. Measured: the Review Log node's executionTime from
 * n8n's saved run data; rounds interleave the three.
 *   npm run bench -- log-append --server                  1,000 items, 5 rounds
 *   npm run bench -- log-append --server --items 2000 --rounds 7
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';

import { N8nClient, nodeRuns, type WorkflowJson } from '../../../test/harness/n8nClient';
import { REPO_ROOT } from '../../../test/harness/paths';
import { startSuite, stopSuite } from '../../../test/harness/suite';

const RUN = randomUUID().slice(0, 8);
type Fields = 'constant' | 'lookup' | 'n8n';
const CASES: Fields[] = ['constant', 'lookup', 'n8n'];
/** The same Fields as the in-process bench (scripts/bench/log-append.js). */
const FIELD_PARAMETERS = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts', 'bench', 'lib', 'logAppendFields.json'), 'utf8')) as Record<Fields, Record<string, string>>;

function numberArg(argv: string[], name: string, fallback: number): number {
	const i = argv.indexOf(`--${name}`);
	const n = i >= 0 ? Number(argv[i + 1]) : fallback;
	if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number ≥ 1`);
	return n;
}

function appendWorkflow(fields: Fields, path: string): WorkflowJson {
	return {
		name: `Bench log append ${fields} ${RUN}`,
		nodes: [
			{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} } },
			{ id: randomUUID(), name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items', options: {} } },
			{
				id: randomUUID(),
				name: 'Review Log',
				type: 'n8n-nodes-hitl.reviewLog',
				typeVersion: 1,
				position: [400, 0],
				parameters: { operation: 'append', event: 'note', fields: FIELD_PARAMETERS[fields] },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Review Log', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
}

/** The Review Log node's executionTime (ms) of one run appending `items` items. */
async function appendRound(n8n: N8nClient, workflowId: string, path: string, items: number, round: number): Promise<number> {
	const body = {
		items: Array.from({ length: items }, (_, i) => ({ candidateId: `cand-${round}-${i}`, recruiter: `recruiter${i % 17}@example.com`, summary: `Offer letter ${i} for Zoë Müller`, model: 'gpt-draft', version: (i % 9) + 1 })),
	};
	const last = (await n8n.listExecutions(workflowId, { limit: 1 }))[0]?.id;
	const answer = await n8n.callWebhook(path, { body });
	if (answer.status !== 200) throw new Error(`the append run answered ${answer.status}`);
	const [execution] = await n8n.waitForExecutions(workflowId, { afterId: last, statuses: ['success'], timeoutMs: 120_000 });
	const [run] = nodeRuns(execution, 'Review Log');
	const written = run?.data?.main[0]?.length ?? 0;
	if (written !== items) throw new Error(`Review Log passed on ${written} of ${items} items`);
	return run.executionTime;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runLogAppendBench(argv: string[]): Promise<void> {
	const items = numberArg(argv, 'items', 1000);
	const rounds = numberArg(argv, 'rounds', 5);
	const suite = await startSuite();
	try {
		const n8n = N8nClient.fromConnectionInfo(suite.info);
		const workflows = new Map<Fields, { id: string; path: string }>();
		for (const fields of CASES) {
			const path = `bench-log-append-${fields}-${RUN}`;
			workflows.set(fields, { id: (await n8n.deployWorkflow(appendWorkflow(fields, path))).id, path });
		}
		const times: Record<Fields, number[]> = { constant: [], lookup: [], n8n: [] };
		const ratios: Record<Fields, number[]> = { constant: [], lookup: [], n8n: [] };
		// Warm-up (module loads, store creation), not counted.
		for (const fields of CASES) {
			const w = workflows.get(fields) as { id: string; path: string };
			await appendRound(n8n, w.id, w.path, 20, -1);
		}
		for (let r = 0; r < rounds; r++) {
			const order = r % 2 === 0 ? CASES : [...CASES].reverse();
			const round = {} as Record<Fields, number>;
			for (const fields of order) {
				const w = workflows.get(fields) as { id: string; path: string };
				round[fields] = await appendRound(n8n, w.id, w.path, items, r);
			}
			for (const fields of CASES) {
				times[fields].push(round[fields]);
				ratios[fields].push(round[fields] / round.constant);
			}
		}
		const label: Record<Fields, string> = { constant: 'constants (anchor: no expression)', lookup: '`{{ $json.x }}` (field lookup)', n8n: 'expressions n8n evaluates per item' };
		const perField = (fields: Fields) => (((median(times[fields]) - median(times.constant)) * 1000) / items / Object.keys(FIELD_PARAMETERS[fields]).length).toFixed(1);
		process.stdout.write(
			[
				`log-append (server): Review Log Append of ${items} items × 5 mapped Fields on a real n8n ${suite.info.n8n.version}, the Review Log node's executionTime, median of ${rounds} interleaved rounds; load ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} (${os.cpus().length} cores)`,
				...CASES.map((f) => `${label[f].padEnd(40)} ${String(median(times[f])).padStart(6)} ms   ${median(ratios[f]).toFixed(2)}× constants`),
				`per item and mapped field over the anchor: lookup ${perField('lookup')} µs, n8n ${perField('n8n')} µs`,
			].join('\n') + '\n',
		);
	} finally {
		await stopSuite(suite);
	}
}

if (require.main === module) {
	runLogAppendBench(process.argv.slice(2)).catch((error) => {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	});
}
