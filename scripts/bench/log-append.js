// Review Log Append inside real n8n execution (n8n-core WorkflowExecute + n8n-workflow expressions), the
// built node from dist/, a file store in a temp folder: what mapping the Fields per item costs. Cases, each
// appending the same items (one durable write a run):
//   - anchor: the Fields as constants (no expression: read once for the run);
//   - the Fields mapped as `{{ $json.x }}` placeholders (filled in by a field lookup, n8n's own value);
//   - the same Fields as expressions n8n's runtime evaluates per item (`{{ $json.x.toString() }}` …).
// Reports the median of N runs of the Review Log node's own time (n8n's executionTime) and each case as a
// ratio against the anchor of the same round. In-process n8n-workflow is faster per expression than a
// real n8n server (~0.1 vs ~0.4 ms, profiled), so the server gap is wider than the one shown here.
// With --server the same three cases run on a real n8n 2.41.1 (scripts/bench/server/logAppend.ts).
//   npm run bench -- log-append                    1,000 items, 5 rounds
//   npm run bench -- log-append --items 2000 --rounds 7
//   npm run bench -- log-append --server           on a real n8n server
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const { EMIT, inProcessN8n, nodeTypesOf, runInProcess } = require('./lib/inProcessN8n');
const { runServerBench } = require('./lib/serverBench');

const ROOT = path.resolve(__dirname, '..', '..');
const REVIEW_LOG_JS = path.join(ROOT, 'dist', 'nodes', 'ReviewLog', 'ReviewLog.node.js');
const NODE = 'Review Log';

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

function makeItems(n) {
	return Array.from({ length: n }, (_, i) => ({
		json: { candidateId: `cand-${i}`, recruiter: `recruiter${i % 17}@example.com`, summary: `Offer letter ${i} for Zoë Müller`, model: 'gpt-draft', version: (i % 9) + 1 },
	}));
}

// The Fields of the three cases, shared with the server bench (scripts/bench/server/logAppend.ts).
const FIELDS = require('./lib/logAppendFields.json');

function workflowFor(fields) {
	return {
		nodes: [
			{ id: 't', name: 'Trigger', type: 'bench.emit', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'l', name: NODE, type: 'n8n-nodes-hitl.reviewLog', typeVersion: 1, position: [200, 0], parameters: { operation: 'append', event: 'note', fields } },
		],
		connections: { Trigger: { main: [[{ node: NODE, type: 'main', index: 0 }]] } },
	};
}

async function runOnce(core, wf, nodeTypes, items) {
	const run = await runInProcess(core, wf, nodeTypes, 'Trigger', items);
	const task = run.data.resultData.runData[NODE][0];
	const out = task.data.main[0];
	if (!out || out.length !== items.length || !out.every((o) => o.json.reviewLog && o.json.reviewLog.seq > 0)) throw new Error('Review Log did not record every item');
	return task.executionTime;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function run(argv) {
	if (argv.includes('--server')) return runServerBench('logAppend', argv.filter((a) => a !== '--server' && a !== 'log-append'));
	if (!fs.existsSync(REVIEW_LOG_JS)) throw new Error(`${path.relative(ROOT, REVIEW_LOG_JS)} is missing: run "npm run build" first.`);
	// The review store's default folder is under n8n's user folder: a fresh temp folder, never the user's.
	const core = inProcessN8n({ ownUserFolder: true });
	const { ReviewLog } = require(REVIEW_LOG_JS);
	const nItems = arg(argv, 'items', 1000);
	const rounds = arg(argv, 'rounds', 5);
	const nodeTypes = nodeTypesOf({ 'bench.emit': EMIT, 'n8n-nodes-hitl.reviewLog': new ReviewLog() });
	const cases = Object.keys(FIELDS);
	const workflows = Object.fromEntries(cases.map((c) => [c, workflowFor(FIELDS[c])]));
	for (const c of cases) await runOnce(core, workflows[c], nodeTypes, makeItems(50)); // warm-up

	const times = Object.fromEntries(cases.map((c) => [c, []]));
	const ratios = { lookup: [], n8n: [] };
	for (let r = 0; r < rounds; r++) {
		// Interleaved, a different order each round (a shared machine drifts within seconds).
		const order = r % 2 === 0 ? cases : [...cases].reverse();
		const round = {};
		for (const c of order) round[c] = await runOnce(core, workflows[c], nodeTypes, makeItems(nItems));
		for (const c of cases) times[c].push(round[c]);
		ratios.lookup.push(round.lookup / round.constant);
		ratios.n8n.push(round.n8n / round.constant);
	}
	const load = os.loadavg()[0];
	console.log(`\nReview Log Append, ${nItems.toLocaleString('en-US')} items × 5 mapped fields — real WorkflowExecute, Node ${process.version}, median of ${rounds} rounds (load ${load.toFixed(1)} on ${os.cpus().length} CPUs)`);
	console.log(`${'Fields'.padEnd(46)}${'node ms'.padStart(10)}${'× constants'.padStart(14)}`);
	const label = { constant: 'constants (anchor: no expression)', lookup: '`{{ $json.x }}` (field lookup)', n8n: 'expressions n8n evaluates per item' };
	for (const c of cases) {
		const ratio = c === 'constant' ? '1.00' : median(ratios[c]).toFixed(2);
		console.log(`${label[c].padEnd(46)}${median(times[c]).toFixed(1).padStart(10)}${ratio.padStart(14)}`);
	}
	console.log(`Per item and mapped field: lookup ${((median(times.lookup) - median(times.constant)) * 1000 / nItems / 5).toFixed(1)} µs, n8n ${((median(times.n8n) - median(times.constant)) * 1000 / nItems / 5).toFixed(1)} µs (node time over the anchor).`);
	return { times, ratios };
}

module.exports = { run };
