// Indexed reads on the Postgres store at large sizes, using the built core from dist/. Fills a chain of
// --records rows (default 100,000; --full: 1,000,000) by SQL — generating them through createRecord would
// take minutes per million — from four stored lines that parse as records (a query returns and parses
// them; their content does not match the row's columns, which is all a query filters on, and the chain
// is not meant to verify). Then, each as p50/p99 over random lookups and as a ratio against the anchor —
// a lookup of one row by (chain, seq), the log's unique index, on the same table in the same run:
//   Query by item key, by reviewer, by execution, by event (first page of 50, newest first), and a
//   request's terminal record by request id (the SQL terminalRecord runs); the same without the query
//   indexes (dropped, then re-created: the time CREATE INDEX takes is printed); Metrics (computeMetrics
//   over readAll) over the whole chain, against a plain read of every line in the same batches.
//   npm run bench -- query                 100,000 records
//   npm run bench -- query --full          1,000,000 records
'use strict';
const os = require('os');
const path = require('path');

const { startBenchPostgres } = require('./lib/postgres');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = process.env.HITL_DIST || path.join(ROOT, 'dist');
const CHAIN = 'bench';
const FILL_CHUNK = 100_000;

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function timings(samples, fn) {
	const out = [];
	for (let i = 0; i < samples; i++) {
		const start = process.hrtime.bigint();
		await fn(i);
		out.push(ms(start));
	}
	return { p50: pct(out, 0.5), p99: pct(out, 0.99) };
}

async function fill(pool, n) {
	const { createRecord, normaliseInput, ZERO_HASH } = require(path.join(DIST, 'core', 'chain.js'));
	const bodies = [
		{ event: 'requested', reviewerId: 'ann@example.com', itemKey: 'candidate-1', tier: 'high', executionId: 'exec-1', workflowId: 'wf-1' },
		{ event: 'viewed', reviewerId: 'ann@example.com', itemKey: 'candidate-1', tier: 'high', executionId: 'exec-1', workflowId: 'wf-1' },
		{ event: 'decided', decision: 'approved', reviewerId: 'ann@example.com', itemKey: 'candidate-1', tier: 'high', executionId: 'exec-1', workflowId: 'wf-1', queueTimeMs: 120000 },
		{ event: 'note', comment: 'bench', itemKey: 'candidate-1' },
	];
	const lines = bodies.map((b, i) => createRecord(normaliseInput(b), { chain: CHAIN, seq: i + 1, prevHash: ZERO_HASH, recordedAt: new Date().toISOString() }).line);
	for (let from = 1; from <= n; from += FILL_CHUNK) {
		const to = Math.min(n, from + FILL_CHUNK - 1);
		await pool.query(
			`INSERT INTO hitl_review_log (chain, seq, hash, prev_hash, recorded_at, event, decision, reviewer_id, tier, workflow_id, execution_id, item_key, line, ends_request)
			 SELECT $1, g, lpad(to_hex(g), 64, '0'), lpad(to_hex(g - 1), 64, '0'), now() - ($4::bigint - g) * interval '1 second',
			        (ARRAY['requested', 'viewed', 'decided', 'note'])[g % 4 + 1], CASE WHEN g % 4 = 2 THEN 'approved' END,
			        'reviewer' || (g % 200) || '@example.com', 'high', 'wf-' || (g % 20), 'exec-' || (g / 8), 'item-' || (g / 4),
			        ($5::text[])[g % 4 + 1], CASE WHEN g % 4 = 2 THEN 'req-' || (g / 4) END
			 FROM generate_series($2::bigint, $3::bigint) g`,
			[CHAIN, from, to, n, lines],
		);
	}
	await pool.query('ANALYZE hitl_review_log');
}

async function run(argv) {
	const full = argv.includes('--full');
	const n = arg(argv, 'records', full ? 1_000_000 : 100_000);
	const samples = arg(argv, 'samples', 200);
	const { PostgresReviewStore } = require(path.join(DIST, 'core', 'store', 'postgres', 'pgStore.js'));
	const { LOG_INDEX_SQL, LOG_INDEXES } = require(path.join(DIST, 'core', 'store', 'postgres', 'schema.js'));
	const { computeMetrics } = require(path.join(DIST, 'core', 'metrics.js'));
	const { Pool } = require('pg');
	const { connection, stop } = await startBenchPostgres();
	const pool = new Pool({ ...connection, max: 2 });
	pool.on('error', () => undefined); // the server stops at the end; an idle client's loss is expected
	const store = await PostgresReviewStore.open({ connection, chain: CHAIN });
	try {
		console.log(`\nquery benchmark on ${os.cpus().length} CPUs, load (1/5/15 min) at start ${load()}`);
		const fillStart = process.hrtime.bigint();
		await fill(pool, n);
		console.log(`filled ${n} rows in ${(ms(fillStart) / 1000).toFixed(1)} s`);
		const rnd = (i, mod) => (Math.imul(i + 1, 2654435761) >>> 0) % mod;
		const anchor = await timings(samples, (i) => pool.query('SELECT line FROM hitl_review_log WHERE chain = $1 AND seq = $2', [CHAIN, 1 + rnd(i, n)]));
		const cases = [
			['Query by item key', (i) => store.query({ itemKey: `item-${rnd(i, n / 4)}` })],
			['Terminal record by request id (terminalRecord SQL)', (i) => pool.query('SELECT line FROM hitl_review_log WHERE chain = $1 AND ends_request = $2 ORDER BY seq LIMIT 1', [CHAIN, `req-${rnd(i, n / 4)}`])],
			['Query by reviewer (first page)', (i) => store.query({ reviewerId: `reviewer${rnd(i, 200)}@example.com` })],
			['Query by execution', (i) => store.query({ executionId: `exec-${rnd(i, n / 8)}` })],
			['Query by event `decided` (first page)', () => store.query({ event: 'decided' })],
			['Query by item key and time range (last day)', (i) => store.query({ itemKey: `item-${rnd(i, n / 4)}`, from: new Date(Date.now() - 86_400_000).toISOString() })],
		];
		const rows = [];
		for (const [name, fn] of cases) rows.push([name, await timings(samples, fn)]);
		// The same without the query indexes (as a store of an earlier version had it).
		await pool.query(LOG_INDEXES.map((i) => `DROP INDEX ${i};`).join('\n'));
		await pool.query('ANALYZE hitl_review_log');
		const without = [];
		for (const [name, fn] of cases.filter(([name]) => !/request id|event/.test(name))) without.push([`${name}, without the query indexes`, await timings(Math.min(samples, 10), fn)]);
		const indexStart = process.hrtime.bigint();
		await pool.query(LOG_INDEX_SQL);
		const indexMs = ms(indexStart);
		await pool.query('ANALYZE hitl_review_log');

		console.log(`\nquery: Postgres store, ${n} records, ${samples} random lookups each; load ${load()}; ratio = p50 against the anchor's p50`);
		console.log('| Read | p50 ms | p99 ms | ratio |');
		console.log('|---|---|---|---|');
		console.log(`| one row by (chain, seq) (anchor) | ${anchor.p50.toFixed(2)} | ${anchor.p99.toFixed(2)} | 1.0× |`);
		for (const [name, t] of [...rows, ...without]) console.log(`| ${name} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${(t.p50 / anchor.p50).toFixed(1)}× |`);
		console.log(`CREATE INDEX of the four query indexes on ${n} rows: ${(indexMs / 1000).toFixed(1)} s (writes wait meanwhile)`);

		// Metrics: one pass over readAll, against reading the same lines in the same batches without parsing.
		const plainStart = process.hrtime.bigint();
		let after = 0;
		for (;;) {
			const { rows: batch } = await pool.query('SELECT seq, line FROM hitl_review_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT 2000', [CHAIN, after]);
			if (batch.length === 0) break;
			after = Number(batch[batch.length - 1].seq);
		}
		const plainMs = ms(plainStart);
		const metricsStart = process.hrtime.bigint();
		await computeMetrics(store.readAll(), { period: 'day', fastThresholdSeconds: 10, asOf: new Date().toISOString() });
		const metricsMs = ms(metricsStart);
		console.log(`Metrics (computeMetrics over readAll, every breakdown) over ${n} records: ${(metricsMs / 1000).toFixed(1)} s; a plain read of the same lines ${(plainMs / 1000).toFixed(1)} s (${(metricsMs / plainMs).toFixed(1)}×); load ${load()}`);
	} finally {
		await store.close();
		await pool.end();
		await stop();
	}
}

module.exports = { run };
