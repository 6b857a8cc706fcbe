// Durable appends to the file store, using the built core from dist/: N records (default 1,000) as
// N single appends (one lock and one fsync each), as one appendMany batch (one lock, one write and one
// fsync per 256 records), and — the anchor, measured in the same run on the same disk — N raw
// write+fsync calls of the same lines to a plain file. Ratios against the anchor (records/s), so a
// noisy, shared machine changes the numbers but not what they say.
//   npm run bench -- append --records 1000
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = process.env.HITL_DIST || path.join(ROOT, 'dist');

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

function input(i) {
	return { event: 'note', reviewerId: `reviewer${i % 17}@example.com`, itemKey: `candidate-${i}`, tier: 'high', comment: `bench record ${i}`, details: { i } };
}

async function timed(fn) {
	const start = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

async function run(argv) {
	const n = arg(argv, 'records', 1000);
	const repeats = arg(argv, 'repeats', 3);
	const { JsonlReviewStore } = require(path.join(DIST, 'core', 'store', 'file', 'jsonlStore.js'));
	const { createRecord, normaliseInput, ZERO_HASH } = require(path.join(DIST, 'core', 'chain.js'));
	const rows = { raw: [], single: [], many: [] };
	for (let r = 0; r < repeats; r++) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hitl-bench-append-'));
		try {
			// Anchor: the same lines, each written and fsynced on its own.
			const lines = [];
			let prev = { seq: 0, hash: ZERO_HASH };
			for (let i = 0; i < n; i++) {
				const { record, line } = createRecord(normaliseInput(input(i)), { chain: 'raw', seq: prev.seq + 1, prevHash: prev.hash, recordedAt: new Date().toISOString() });
				lines.push(Buffer.from(`${line}\n`));
				prev = record;
			}
			const fd = fs.openSync(path.join(dir, 'raw.jsonl'), 'a');
			rows.raw.push(await timed(async () => {
				for (const buf of lines) {
					fs.writeSync(fd, buf);
					fs.fsyncSync(fd);
				}
			}));
			fs.closeSync(fd);
			const single = await JsonlReviewStore.open({ directory: dir, chain: 'single' });
			rows.single.push(await timed(async () => {
				for (let i = 0; i < n; i++) await single.append(input(i));
			}));
			await single.close();
			const many = await JsonlReviewStore.open({ directory: dir, chain: 'many' });
			rows.many.push(await timed(async () => {
				await many.appendMany(Array.from({ length: n }, (_, i) => input(i)));
			}));
			await many.close();
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
	const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
	const ms = { raw: median(rows.raw), single: median(rows.single), many: median(rows.many) };
	const rate = (t) => Math.round((n / t) * 1000);
	console.log(`\nappend: ${n} durable records on the file store (median of ${repeats}), ratio = records/s against raw write+fsync per record`);
	console.log('| Method | ms | records/s | ratio |');
	console.log('|---|---|---|---|');
	console.log(`| raw write+fsync per record (anchor) | ${ms.raw.toFixed(0)} | ${rate(ms.raw)} | 1.00× |`);
	console.log(`| store.append per record | ${ms.single.toFixed(0)} | ${rate(ms.single)} | ${(ms.raw / ms.single).toFixed(2)}× |`);
	console.log(`| store.appendMany (one batch) | ${ms.many.toFixed(0)} | ${rate(ms.many)} | ${(ms.raw / ms.many).toFixed(2)}× |`);
	return ms;
}

module.exports = { run };
