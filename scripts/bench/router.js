// Blast Radius Router throughput inside real n8n execution (n8n-core WorkflowExecute + n8n-workflow
// expressions), using the built node from dist/. Compares:
//   - the engine alone (a pass-through node instead of the router),
//   - rules read once per run and evaluated natively (field paths, presets, sampling by field),
//   - the same rules written as `{{ $json.x }}` field references (recognised and read natively),
//   - the same rules as per-item boolean expressions (n8n evaluates each one for every item).
// Reports the median of N runs, as whole-workflow items/s and router-node items/s.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const { EMIT, inProcessN8n, nodeTypesOf, runInProcess } = require('./lib/inProcessN8n');

const ROOT = path.resolve(__dirname, '..', '..');
const ROUTER_JS = path.join(ROOT, 'dist', 'nodes', 'BlastRadiusRouter', 'BlastRadiusRouter.node.js');

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

function makeItems(n) {
	const kinds = ['payment', 'internal-note', 'email', 'sms'];
	const items = new Array(n);
	for (let i = 0; i < n; i++) {
		items[i] = {
			json: {
				id: `cand-${i}`,
				amount: (i * 7919) % 20000,
				kind: kinds[i % kinds.length],
				channel: i % 5 === 0 ? 'sms' : 'email',
				confidence: ((i * 37) % 100) / 100,
				audience: i % 3 === 0 ? 'candidate' : 'internal',
			},
		};
	}
	return items;
}

const nativeRules = [
	{ conditionType: 'field', field: 'amount', type: 'number', numberOperation: 'gte', numberValue: 10000, tier: 'high', label: 'Large payment' },
	{ conditionType: 'field', field: 'kind', type: 'string', stringOperation: 'equals', value: 'internal-note', tier: 'low', label: 'Internal note' },
	{ conditionType: 'field', field: 'channel', type: 'string', stringOperation: 'equals', value: 'sms', tier: 'medium', label: 'SMS' },
	{ conditionType: 'field', field: 'confidence', type: 'number', numberOperation: 'lt', numberValue: 0.3, tier: 'medium', label: 'Low confidence' },
];
const refRules = nativeRules.map((r) => ({ ...r, field: `={{ $json.${r.field} }}` }));
const exprRules = [
	{ conditionType: 'expression', expression: '={{ $json.amount >= 10000 }}', tier: 'high', label: 'Large payment' },
	{ conditionType: 'expression', expression: "={{ $json.kind === 'internal-note' }}", tier: 'low', label: 'Internal note' },
	{ conditionType: 'expression', expression: "={{ $json.channel === 'sms' }}", tier: 'medium', label: 'SMS' },
	{ conditionType: 'expression', expression: '={{ $json.confidence < 0.3 }}', tier: 'medium', label: 'Low confidence' },
];

function routerParams(rules, samplingKey) {
	return {
		rules: { rule: rules },
		presets: { candidateFacing: { field: 'audience', values: 'candidate', tier: 'high' } },
		fallbackTier: 'low',
		samplingRate: 10,
		samplingKey,
		samplingSeed: 'bench-seed',
	};
}

async function runOnce(core, wf, nodeTypes, items, routerName) {
	const started = process.hrtime.bigint();
	const cpuStarted = process.cpuUsage();
	const run = await runInProcess(core, wf, nodeTypes, 'Trigger', items);
	const cpu = process.cpuUsage(cpuStarted);
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	const cpuMs = (cpu.user + cpu.system) / 1000;
	const task = run.data.resultData.runData[routerName][0];
	const routed = task.data.main.reduce((n, o) => n + (o ? o.length : 0), 0);
	if (routed !== items.length) throw new Error(`router emitted ${routed} of ${items.length} items`);
	return { wallMs, cpuMs, nodeMs: task.executionTime, outputs: task.data.main.map((o) => (o ? o.length : 0)) };
}

function median(values) {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

async function run(argv) {
	if (!fs.existsSync(ROUTER_JS)) throw new Error(`${path.relative(ROOT, ROUTER_JS)} is missing: run "npm run build" first.`);
	const core = inProcessN8n();
	const { BlastRadiusRouter } = require(ROUTER_JS);
	const nItems = arg(argv, 'items', 20000);
	const nExpr = arg(argv, 'expr-items', 2000);
	const repeats = arg(argv, 'repeats', 3);

	const passThrough = {
		description: { displayName: 'Pass', name: 'pass', group: ['transform'], version: 1, description: '', defaults: { name: 'Pass' }, inputs: ['main'], outputs: ['main', 'main', 'main', 'main'], properties: [] },
		async execute() {
			return [this.getInputData(), [], [], []];
		},
	};
	const nodeTypes = nodeTypesOf({ 'bench.emit': EMIT, 'bench.pass': passThrough, 'n8n-nodes-hitl.blastRadiusRouter': new BlastRadiusRouter() });
	const workflowFor = (type, parameters) => ({
		nodes: [
			{ id: 't', name: 'Trigger', type: 'bench.emit', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'r', name: 'Router', type, typeVersion: 1, position: [200, 0], parameters },
		],
		connections: { Trigger: { main: [[{ node: 'Router', type: 'main', index: 0 }]] } },
	});

	const cases = [
		{ name: 'engine only (pass-through node)', wf: workflowFor('bench.pass', {}), n: nItems },
		{ name: 'router: native field rules', wf: workflowFor('n8n-nodes-hitl.blastRadiusRouter', routerParams(nativeRules, 'id')), n: nItems },
		{ name: 'router: {{ $json.x }} field refs', wf: workflowFor('n8n-nodes-hitl.blastRadiusRouter', routerParams(refRules, '={{ $json.id }}')), n: nItems },
		{ name: 'router: per-item expressions', wf: workflowFor('n8n-nodes-hitl.blastRadiusRouter', routerParams(exprRules, "={{ $json.id + '' }}")), n: nExpr },
	];

	console.log(`\nBlast Radius Router — real WorkflowExecute, Node ${process.version}, median of ${repeats}`);
	console.log('4 rules + 1 preset + 10% sampling; items/s = items ÷ time\n');
	const rows = [];
	for (const c of cases) {
		const items = makeItems(c.n);
		await runOnce(core, c.wf, nodeTypes, makeItems(Math.min(200, c.n)), 'Router'); // warm-up
		const walls = [];
		const cpus = [];
		const nodes = [];
		let outputs = [];
		for (let r = 0; r < repeats; r++) {
			const res = await runOnce(core, c.wf, nodeTypes, items.map((i) => ({ json: { ...i.json } })), 'Router');
			walls.push(res.wallMs);
			cpus.push(res.cpuMs);
			nodes.push(res.nodeMs);
			outputs = res.outputs;
		}
		const wall = median(walls);
		const node = median(nodes);
		const cpu = median(cpus);
		rows.push({ name: c.name, n: c.n, wall, node, cpu, wallRate: c.n / (wall / 1000), nodeRate: c.n / (Math.max(node, 0.001) / 1000), cpuRate: c.n / (cpu / 1000), outputs });
	}
	const pad = (s, w) => String(s).padEnd(w);
	const lpad = (s, w) => String(s).padStart(w);
	const fmt = (x) => Math.round(x).toLocaleString('en-US');
	console.log(`${pad('case', 36)}${lpad('items', 8)}${lpad('wall ms', 10)}${lpad('wall items/s', 14)}${lpad('CPU ms', 10)}${lpad('CPU items/s', 13)}${lpad('router ms', 11)}${lpad('router items/s', 16)}  outputs H/M/Ls/L`);
	for (const r of rows) {
		console.log(
			`${pad(r.name, 36)}${lpad(fmt(r.n), 8)}${lpad(r.wall.toFixed(1), 10)}${lpad(fmt(r.wallRate), 14)}${lpad(r.cpu.toFixed(1), 10)}${lpad(fmt(r.cpuRate), 13)}${lpad(r.node.toFixed(1), 11)}${lpad(fmt(r.nodeRate), 16)}  ${r.outputs.join('/')}`,
		);
	}
	const load = os.loadavg()[0];
	console.log(`\nwall = whole workflow run; CPU = this process's CPU time for it; router = the router node's executionTime in n8n's run data.`);
	console.log(`Load average while measuring: ${load.toFixed(1)} on ${os.cpus().length} CPUs${load > os.cpus().length ? ' — the machine was busy; wall figures are pessimistic' : ''}.`);
	const native = rows[1];
	const expr = rows[3];
	console.log(
		`Native rules route ${(native.nodeRate / expr.nodeRate).toFixed(0)}× faster (router node time), ${(native.cpuRate / expr.cpuRate).toFixed(0)}× (CPU) than the same rules as per-item expressions.`,
	);
	return rows;
}

module.exports = { run };
