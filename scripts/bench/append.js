// Durable appends on both store backends, using the built core from dist/, each figure a ratio against an
// anchor measured in the same round on the same disk or database (a shared, noisy machine moves the
// absolute numbers by tens of percent between runs, much less the ratios):
//   file:     anchor = raw write+fsync (synchronous, as fast as Node gets) of the same lines to a plain file;
//             beside it, the same with the fsync on the thread pool (the floor of a process that must not
//             block its event loop, as the store does), for information;
//   postgres: anchor = a plain one-row-per-commit INSERT of the same lines (autocommit) on the same server,
//             an embedded Postgres started for the run with fsync on (the test clusters run with fsync off);
//             the store's concurrent callers are also compared with the same INSERT from as many concurrent
//             callers through a pool of the same size (like for like: Postgres shares WAL flushes too).
// Measured per backend: single appends awaited one after another; 16 concurrent callers (group commit);
// appendMany in batches of 1, 100 and 1,000; and, on the file store, 4 processes appending to one log at
// once (the inter-process lock: total records/s and each append's latency). Single appends and their
// anchors take turns in slices of 25 records (a shared disk's fsync latency drifts within seconds); the
// other figures run after them in the same round. Each figure is the median over rounds of the ratio
// within its round. The machine's load (os.loadavg) is printed.
//   npm run bench -- append                      small profile (CI-light, ~30 s)
//   npm run bench -- append --full               larger counts and more rounds
//   npm run bench -- append --records 2000 --rounds 5 --no-postgres   (or --no-file)
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { startBenchPostgres } = require('./lib/postgres');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = process.env.HITL_DIST || path.join(ROOT, 'dist');
const CONCURRENT_CALLERS = 16;
const BATCH_SIZES = [1, 100, 1000];
const PROCESSES = 4;

/** One process of the multi-process figure: appends one after another, prints its latencies. */
const PROCESS_CHILD = `
const { JsonlReviewStore } = require(process.env.HITL_BENCH_STORE);
(async () => {
	const [dir, n] = process.argv.slice(1);
	const store = await JsonlReviewStore.open({ directory: dir, chain: 'procs' });
	const latencies = [];
	for (let i = 0; i < Number(n); i++) {
		const start = process.hrtime.bigint();
		await store.append({ event: 'note', comment: 'process ' + process.pid + ' #' + i, details: { i } });
		latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	await store.close();
	process.stdout.write(JSON.stringify(latencies));
})();
`;

/** PROCESSES processes appending `per` records each to one log at once: total records/s and latencies (ms). */
async function processesRound(dir, per) {
	const start = process.hrtime.bigint();
	const outputs = await Promise.all(Array.from({ length: PROCESSES }, () => new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['-e', PROCESS_CHILD, dir, String(per)], {
			env: { ...process.env, HITL_BENCH_STORE: path.join(DIST, 'core', 'store', 'file', 'jsonlStore.js') },
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (c) => (out += c));
		child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bench child exited ${code}`))));
	})));
	// Wall time includes each process's start and open: the same for old and new code.
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	const all = outputs.flat().sort((a, b) => a - b);
	return { rate: (PROCESSES * per) / seconds, p50: all[Math.floor(all.length / 2)], max: all[all.length - 1] };
}

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

function input(i) {
	return { event: 'note', reviewerId: `reviewer${i % 17}@example.com`, itemKey: `candidate-${i}`, tier: 'high', comment: `bench record ${i}`, details: { i } };
}

/** Records per second of `fn`, which writes `n` records. */
async function rate(n, fn) {
	const start = process.hrtime.bigint();
	await fn();
	return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

/** The lines the store would write, chained, for the anchors (same bytes, same sizes). */
function anchorLines(n) {
	const { createRecord, normaliseInput, ZERO_HASH } = require(path.join(DIST, 'core', 'chain.js'));
	const lines = [];
	let prev = { seq: 0, hash: ZERO_HASH };
	for (let i = 0; i < n; i++) {
		const { record, line } = createRecord(normaliseInput(input(i)), { chain: 'raw', seq: prev.seq + 1, prevHash: prev.hash, recordedAt: new Date().toISOString() });
		lines.push(line);
		prev = record;
	}
	return lines;
}

/** Records per interleaved slice (see interleaved). */
const SLICE = 25;

/**
 * One record at a time, several methods in turn: SLICE records of the first, SLICE of the next, … until
 * each has written n; each method's records/s over its own slices. Why: a shared disk's fsync latency
 * drifts by 2–5× within seconds, so methods measured one after another compare moments more than
 * methods; in slices of a few dozen records each sees the same moments.
 * `methods`: name → async (i) => writes record i.
 */
async function interleaved(methods, n) {
	const names = Object.keys(methods);
	const ns = Object.fromEntries(names.map((k) => [k, 0n]));
	for (let start = 0; start < n; start += SLICE) {
		const end = Math.min(n, start + SLICE);
		for (const name of names) {
			const t = process.hrtime.bigint();
			for (let i = start; i < end; i++) await methods[name](i);
			ns[name] += process.hrtime.bigint() - t;
		}
	}
	return Object.fromEntries(names.map((k) => [k, n / (Number(ns[k]) / 1e9)]));
}

/** The store measurements of one round, shared by both backends: figures in records/s (single appends: see interleaved). */
async function storeRound(open, n, label) {
	const out = {};
	const cpuPerRecord = {};
	let store = await open(`${label}-concurrent`);
	const per = Math.ceil(n / CONCURRENT_CALLERS);
	out.concurrent = await rate(per * CONCURRENT_CALLERS, async () => {
		await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, async (_, c) => {
			for (let i = 0; i < per; i++) await store.append(input(c * per + i));
		}));
	});
	await store.close();
	for (const size of BATCH_SIZES) {
		store = await open(`${label}-batch${size}`);
		// At least n records, and at least two calls of the largest batch.
		const calls = Math.max(2, Math.ceil(n / size));
		const cpu = process.cpuUsage();
		out[`batch${size}`] = await rate(calls * size, async () => {
			for (let c = 0; c < calls; c++) await store.appendMany(Array.from({ length: size }, (_, i) => input(c * size + i)));
		});
		// This process's CPU time per record (user + system): what a batch is bound by, and much less moved
		// by other jobs on the machine than records/s.
		const used = process.cpuUsage(cpu);
		cpuPerRecord[`batch${size}`] = (used.user + used.system) / (calls * size);
		await store.close();
	}
	out.cpuPerRecord = cpuPerRecord;
	return out;
}

function report(title, anchorName, rounds) {
	const keys = Object.keys(rounds[0]).filter((k) => k !== 'anchor' && k !== 'cpuPerRecord');
	const ratio = (k) => median(rounds.map((r) => r[k] / r.anchor));
	const perSingle = (k) => median(rounds.map((r) => r[k] / r.single));
	const names = {
		asyncFsync: 'raw write + fsync on the thread pool, awaited (non-blocking floor)',
		anchor2: `${anchorName}, ${CONCURRENT_CALLERS} concurrent callers`,
		single: 'store.append, one after another',
		concurrent: `store.append, ${CONCURRENT_CALLERS} concurrent callers`,
		batch1: 'store.appendMany, batches of 1',
		batch100: 'store.appendMany, batches of 100',
		batch1000: 'store.appendMany, batches of 1,000',
	};
	console.log(`\n${title}`);
	console.log('| Method | records/s (median) | ratio to anchor | ratio to single append |');
	console.log('|---|---|---|---|');
	console.log(`| ${anchorName} (anchor) | ${Math.round(median(rounds.map((r) => r.anchor)))} | 1.00× | |`);
	for (const k of keys) {
		const single = k === 'anchor2' || k === 'asyncFsync' ? '' : `${perSingle(k).toFixed(1)}×`;
		console.log(`| ${names[k]} | ${Math.round(median(rounds.map((r) => r[k])))} | ${ratio(k).toFixed(2)}× | ${single} |`);
	}
	const cpu = rounds.map((r) => r.cpuPerRecord).filter(Boolean);
	if (cpu.length > 0) {
		console.log(`| CPU time of this process per record (median), batches of 100 / 1,000 | ${median(cpu.map((c) => c.batch100)).toFixed(1)} / ${median(cpu.map((c) => c.batch1000)).toFixed(1)} µs | | |`);
	}
	if (rounds[0].anchor2 !== undefined) {
		// Like for like: the store's concurrent callers against the anchor's, same count, same pool size.
		const vs = median(rounds.map((r) => r.concurrent / r.anchor2));
		console.log(`| store.append, ${CONCURRENT_CALLERS} concurrent callers ÷ ${names.anchor2} (same round) | | ${vs.toFixed(2)}× | |`);
	}
}

async function fileBench(n, roundsWanted) {
	const { JsonlReviewStore } = require(path.join(DIST, 'core', 'store', 'file', 'jsonlStore.js'));
	const lines = anchorLines(n).map((l) => Buffer.from(`${l}\n`));
	const rounds = [];
	const procs = [];
	for (let r = 0; r < roundsWanted; r++) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hitl-bench-append-'));
		try {
			// Single appends against both anchors, interleaved (see interleaved).
			const fd = fs.openSync(path.join(dir, 'raw.jsonl'), 'a');
			// The floor for a process that must not block its event loop on the disk (n8n): the same
			// write, the fsync on libuv's thread pool (what the store does), awaited. Informational.
			const handle = await fs.promises.open(path.join(dir, 'raw-async.jsonl'), 'a');
			const single = await JsonlReviewStore.open({ directory: dir, chain: 'file-single' });
			const slices = await interleaved({
				anchor: async (i) => {
					fs.writeSync(fd, lines[i]);
					fs.fsyncSync(fd);
				},
				asyncFsync: async (i) => {
					fs.writeSync(handle.fd, lines[i]);
					await handle.sync();
				},
				single: (i) => single.append(input(i)),
			}, n);
			fs.closeSync(fd);
			await handle.close();
			await single.close();
			rounds.push({ ...slices, ...(await storeRound((chain) => JsonlReviewStore.open({ directory: dir, chain }), n, 'file')) });
			procs.push({ anchor: slices.anchor, ...(await processesRound(dir, Math.ceil(n / 2))) });
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
	report(`append, file store: ${n} records per figure, median of ${roundsWanted} rounds; load ${load()}`, 'raw write+fsync per record', rounds);
	const per = Math.ceil(n / 2);
	console.log(`| ${PROCESSES} processes × ${per} appends to one log (wall time incl. start-up) | ${Math.round(median(procs.map((p) => p.rate)))} | ${median(procs.map((p) => p.rate / p.anchor)).toFixed(2)}× | append latency p50 ${median(procs.map((p) => p.p50)).toFixed(1)} ms, max ${median(procs.map((p) => p.max)).toFixed(0)} ms (medians over rounds) |`);
	return { rounds, procs };
}

async function postgresBench(n, roundsWanted) {
	const { PostgresReviewStore } = require(path.join(DIST, 'core', 'store', 'postgres', 'pgStore.js'));
	const { Pool } = require('pg');
	const { connection, stop } = await startBenchPostgres();
	const pool = new Pool({ ...connection, max: 4 });
	pool.on('error', () => undefined); // the server stops at the end; an idle client's loss is expected
	try {
		const lines = anchorLines(n);
		await pool.query('CREATE TABLE bench_plain (id bigserial PRIMARY KEY, line text NOT NULL)');
		const rounds = [];
		for (let r = 0; r < roundsWanted; r++) {
			// Single appends against the plain INSERT, interleaved (see interleaved).
			const single = await PostgresReviewStore.open({ connection, chain: `pg-single-${r}` });
			const slices = await interleaved({
				anchor: (i) => pool.query('INSERT INTO bench_plain (line) VALUES ($1)', [lines[i]]),
				single: (i) => single.append(input(i)),
			}, n);
			await single.close();
			const per = Math.ceil(n / CONCURRENT_CALLERS);
			const anchor2 = await rate(per * CONCURRENT_CALLERS, async () => {
				await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, async (_, c) => {
					for (let i = 0; i < per; i++) await pool.query('INSERT INTO bench_plain (line) VALUES ($1)', [lines[(c * per + i) % n]]);
				}));
			});
			const store = await storeRound((chain) => PostgresReviewStore.open({ connection, chain: `${chain}-${r}` }), n, 'pg');
			rounds.push({ ...slices, anchor2, ...store });
		}
		report(`append, Postgres store (embedded Postgres, fsync on, pool of 4): ${n} records per figure, median of ${roundsWanted} rounds; load ${load()}`, 'plain INSERT, one row per commit', rounds);
		return rounds;
	} finally {
		await pool.end();
		await stop();
	}
}

async function run(argv) {
	const full = argv.includes('--full');
	const n = arg(argv, 'records', full ? 2000 : 300);
	const rounds = arg(argv, 'rounds', full ? 5 : 3);
	console.log(`\nappend benchmark on ${os.cpus().length} CPUs, load (1/5/15 min) at start ${load()}`);
	const file = argv.includes('--no-file') ? null : await fileBench(n, rounds);
	const postgres = argv.includes('--no-postgres') ? null : await postgresBench(n, rounds);
	return { file, postgres };
}

module.exports = { run };
