// Blast Radius Router throughput inside real n8n execution (n8n-core WorkflowExecute + n8n-workflow
// expressions), using the built node from dist/. Compares:
//   - the engine alone (a pass-through node instead of the router),
//   - rules read once per run and evaluated natively (field paths, presets, sampling by field),
//   - the same rules written as `{{ $json.x }}` field references (recognised and read natively),
//   - the same rules as per-item boolean expressions (n8n evaluates each one for every item),
//   - the anchor of issue 14: n8n's own Switch node (V3, rules mode) with the same four rules, each a
//     `{{ $json.x }}` comparison as the Switch node's UI writes it, first match wins, a fallback output —
//     loaded from the n8n release `npm run setup` installed (skipped, and said so, without it).
// Reports the median of N runs, as whole-workflow items/s and router-node items/s, and the router's rates
// as ratios against the Switch node's and against the pass-through node's (the engine's own limit).
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

/** n8n's Switch V3 from the n8n release the project's set-up installed (test/harness/install-n8n.sh), or null. */
function loadSwitchNode() {
	const cacheRoot = process.env.HITL_CACHE_DIR || path.join(os.homedir(), '.cache', 'n8n-nodes-hitl');
	const file = path.join(cacheRoot, `n8n-${process.env.HITL_N8N_VERSION || '2.41.1'}`, 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'Switch', 'V3', 'SwitchV3.node.js');
	if (!fs.existsSync(file)) return null;
	const { SwitchV3 } = require(file);
	return new SwitchV3({ displayName: 'Switch', name: 'switch', group: ['transform'], description: 'Route items' });
}

/** The four rules as Switch V3 conditions, in the router's order of severity; unmatched items to the fallback output. */
function switchParams() {
	const condition = (field, type, operation, rightValue) => ({
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
			conditions: [{ leftValue: `={{ $json.${field} }}`, rightValue, operator: { type, operation } }],
			combinator: 'and',
		},
	});
	return {
		mode: 'rules',
		rules: {
			values: [
				condition('amount', 'number', 'gte', 10000),
				condition('kind', 'string', 'equals', 'internal-note'),
				condition('channel', 'string', 'equals', 'sms'),
				condition('confidence', 'number', 'lt', 0.3),
			],
		},
		options: { fallbackOutput: 'extra' },
	};
}

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
	const switchNode = loadSwitchNode();
	const nodeTypes = nodeTypesOf({
		'bench.emit': EMIT,
		'bench.pass': passThrough,
		'n8n-nodes-hitl.blastRadiusRouter': new BlastRadiusRouter(),
		...(switchNode ? { 'n8n-nodes-base.switch': switchNode } : {}),
	});
	const workflowFor = (type, parameters, typeVersion = 1) => ({
		nodes: [
			{ id: 't', name: 'Trigger', type: 'bench.emit', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'r', name: 'Router', type, typeVersion, position: [200, 0], parameters },
		],
		connections: { Trigger: { main: [[{ node: 'Router', type: 'main', index: 0 }]] } },
	});

	const cases = [
		{ name: 'engine only (pass-through node)', wf: workflowFor('bench.pass', {}), n: nItems },
		{ name: 'router: native field rules', wf: workflowFor('n8n-nodes-hitl.blastRadiusRouter', routerParams(nativeRules, 'id')), n: nItems },
		{ name: 'router: {{ $json.x }} field refs', wf: workflowFor('n8n-nodes-hitl.blastRadiusRouter', routerParams(refRules, '={{ $json.id }}')), n: nItems },
		{ name: 'router: per-item expressions', wf: workflowFor('n8n-nodes-hitl.blastRadiusRouter', routerParams(exprRules, "={{ $json.id + '' }}")), n: nExpr },
		...(switchNode ? [{ name: "n8n's Switch V3, same 4 rules", wf: workflowFor('n8n-nodes-base.switch', switchParams(), 3.2), n: nExpr }] : []),
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
	const engine = rows[0];
	console.log(`Share of the engine's own limit (router native ÷ pass-through node): ${((100 * native.nodeRate) / engine.nodeRate).toFixed(1)} % (node time), ${((100 * native.cpuRate) / engine.cpuRate).toFixed(1)} % (CPU, whole workflow).`);
	const sw = rows.find((r) => r.name.startsWith("n8n's Switch"));
	if (sw) {
		console.log(`Against n8n's Switch V3 with the same rules (target ≥ 100×): router native ${(native.nodeRate / sw.nodeRate).toFixed(0)}× (node time), ${(native.cpuRate / sw.cpuRate).toFixed(0)}× (CPU).`);
	} else {
		console.log("n8n's Switch node not measured: n8n is not installed in the set-up cache (run `npm run setup`).");
	}
	return rows;
}

module.exports = { run };
