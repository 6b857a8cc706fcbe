// Ending many review requests at once — a batch page's "Approve all", a run's deadline — and reading a
// run's verdicts, on both store backends, using the built core from dist/. Each figure is a ratio against
// an anchor measured in the same round on the same disk or database: the one-request-at-a-time way the
// gate used before (one resolveReviewRequest / terminalRecord per request) on a twin run of the same size.
//   write: N requests of one run ended by one resolveReviewRequests call per 1,000 (core/store/resolveEach)
//          ÷ the same N ended one resolveReviewRequest after another;
//   read:  the run's N terminal records by terminalRecords ÷ N terminalRecord calls;
//   sweep (file store): the overdue sweep over open runs none of which is due, every run's request file
//          read (markers as written before they named their run's earliest deadline) ÷ runs skipped.
// The machine's load (os.loadavg) is printed; each figure is the median over rounds of its in-round ratio.
// Postgres runs embedded with fsync on (scripts/bench/lib/postgres.js).
//   npm run bench -- resolve                       N = 200 and 1,000, 3 rounds
//   npm run bench -- resolve --items 500 --rounds 5 --no-postgres   (or --no-file)
'use strict';
const { randomUUID } = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { startBenchPostgres } = require('./lib/postgres');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = process.env.HITL_DIST || path.join(ROOT, 'dist');

const arg = (argv, name, fallback) => {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const ms = async (fn) => {
	const start = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - start) / 1e6;
};

/** A gate run's pending requests, as the gate stores them (a small draft per item). */
function gateRun(n) {
	const groupId = randomUUID();
	return Array.from({ length: n }, (_, itemIndex) => ({
		id: randomUUID(),
		groupId,
		executionId: 'bench-exec',
		nodeId: 'bench-node',
		itemIndex,
		reviewers: ['ann@example.com', 'ben@example.com'],
		draftSha256: 'ab'.repeat(32),
		createdAt: '2026-01-01T00:00:00.000Z',
		expiresAt: '2099-01-01T00:00:00.000Z',
		status: 'pending',
		outcome: null,
		payload: { nodeName: 'HITL Gate', tier: 'low', items: [{ index: itemIndex, json: { to: `c${itemIndex}@example.com`, subject: 'Your application', body: 'Thank you for applying. '.repeat(12) } }] },
		mac: null,
	}));
}

/** An approval of `request` as the gate makes one (the store does not check the gate's MACs). */
function approval(request) {
	const finalJson = request.payload.items[0].json;
	return {
		id: request.id,
		resolution: {
			status: 'decided',
			outcome: { decision: 'approved', reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, edits: [], finalJson },
			record: {
				event: 'decided',
				decision: 'approved',
				reviewerId: 'ann@example.com',
				itemKey: request.id,
				executionId: request.executionId,
				details: { hitlRequest: { id: request.id, groupId: request.groupId, nodeId: request.nodeId, keyId: null, mac: null } },
			},
		},
	};
}

/** One round on a fresh chain: twin runs of `n` requests, ended and read the old way and the new way. */
async function round(open, n) {
	const { resolveEach } = require(path.join(DIST, 'core', 'store', 'resolveEach.js'));
	const store = await open(`resolve-${randomUUID().slice(0, 8)}`);
	try {
		const oneByOne = gateRun(n);
		const together = gateRun(n);
		await store.putReviewRequests([...oneByOne, ...together]);
		const singleMs = await ms(async () => {
			for (const r of oneByOne) await store.resolveReviewRequest(r.id, approval(r).resolution);
		});
		let outcomes = [];
		const batchMs = await ms(async () => {
			outcomes = await resolveEach(store, together.map(approval));
		});
		if (!outcomes.every((o) => o.ok && o.result.applied)) throw new Error('a request was not ended by resolveEach');
		const readSingleMs = await ms(async () => {
			for (const r of together) if (!(await store.terminalRecord(r.id))) throw new Error('terminal record missing');
		});
		let records = new Map();
		const readBatchMs = await ms(async () => {
			records = await store.terminalRecords(together.map((r) => r.id));
		});
		if (records.size !== n) throw new Error(`terminalRecords found ${records.size} of ${n}`);
		return { singleMs, batchMs, readSingleMs, readBatchMs };
	} finally {
		await store.close();
	}
}

async function backend(name, open, sizes, rounds) {
	console.log(`\n${name}; load (1/5/15 min) ${load()}`);
	console.log('| requests in the run | end one by one | end together | ratio | read one by one | read together | ratio |');
	console.log('|---|---|---|---|---|---|---|');
	for (const n of sizes) {
		const results = [];
		for (let r = 0; r < rounds; r++) results.push(await round(open, n));
		const m = (key) => median(results.map((x) => x[key]));
		const ratio = (a, b) => median(results.map((x) => x[a] / x[b]));
		console.log(
			`| ${n} | ${m('singleMs').toFixed(0)} ms | ${m('batchMs').toFixed(0)} ms | ${ratio('singleMs', 'batchMs').toFixed(1)}× faster | ` +
				`${m('readSingleMs').toFixed(0)} ms | ${m('readBatchMs').toFixed(0)} ms | ${ratio('readSingleMs', 'readBatchMs').toFixed(1)}× faster |`,
		);
	}
}

/**
 * The file store's overdue sweep (every gate run and Review Log operation runs one) with `runs` open runs
 * of `n` requests, none due: open markers naming their run's earliest deadline (skipped unread) ÷ the same
 * markers holding only the run id, as written before that field (every run's request file read).
 */
async function sweepRound(JsonlReviewStore, dir, runs, n) {
	const chain = `sweep-${randomUUID().slice(0, 8)}`;
	const store = await JsonlReviewStore.open({ directory: dir, chain });
	try {
		for (let r = 0; r < runs; r++) await store.putReviewRequests(gateRun(n));
		const sweepMs = async () => {
			const times = [];
			for (let k = 0; k < 5; k++) times.push(await ms(() => store.listOverdueRequests(new Date())));
			return median(times);
		};
		const markedMs = await sweepMs();
		const folder = path.join(dir, `${chain}.requests`);
		for (const name of fs.readdirSync(folder).filter((f) => f.startsWith('o-'))) {
			const marker = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8'));
			fs.writeFileSync(path.join(folder, name), marker.groupId);
		}
		const bareMs = await sweepMs();
		return { markedMs, bareMs };
	} finally {
		await store.close();
	}
}

async function sweep(JsonlReviewStore, dir, rounds) {
	console.log(`\nfile store, overdue sweep with open runs none of which is due; load (1/5/15 min) ${load()}`);
	console.log('| open runs × requests | every run read (markers as before) | runs not due skipped | ratio |');
	console.log('|---|---|---|---|');
	for (const [runs, n] of [[20, 1000], [200, 50]]) {
		const results = [];
		for (let r = 0; r < rounds; r++) results.push(await sweepRound(JsonlReviewStore, dir, runs, n));
		const m = (key) => median(results.map((x) => x[key]));
		const ratio = median(results.map((x) => x.bareMs / x.markedMs));
		console.log(`| ${runs} × ${n} | ${m('bareMs').toFixed(1)} ms | ${m('markedMs').toFixed(1)} ms | ${ratio.toFixed(1)}× faster |`);
	}
}

async function run(argv) {
	const rounds = arg(argv, 'rounds', 3);
	const items = arg(argv, 'items', 0);
	const sizes = items > 0 ? [items] : [200, 1000];
	console.log(`\nresolve benchmark on ${os.cpus().length} CPUs: ending a run's requests and reading its verdicts, median of ${rounds} rounds`);
	if (!argv.includes('--no-file')) {
		const { JsonlReviewStore } = require(path.join(DIST, 'core', 'store', 'file', 'jsonlStore.js'));
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hitl-bench-resolve-'));
		try {
			await backend('file store', (chain) => JsonlReviewStore.open({ directory: dir, chain }), sizes, rounds);
			await sweep(JsonlReviewStore, dir, rounds);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
	if (!argv.includes('--no-postgres')) {
		const { PostgresReviewStore } = require(path.join(DIST, 'core', 'store', 'postgres', 'pgStore.js'));
		const { connection, stop } = await startBenchPostgres();
		try {
			await backend('Postgres store (embedded, fsync on)', (chain) => PostgresReviewStore.open({ connection, chain }), sizes, rounds);
		} finally {
			await stop();
		}
	}
}

module.exports = { run };
