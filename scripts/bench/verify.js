// Streaming verification of a large review log, using the built core from dist/.
// Generates a valid chain of at least --size-mb MB (default 200) in the temp folder, then verifies
// it in a fresh child process (so peak RSS is the verifier's own) and, for comparison, a 1 MB log.
// Reports records/s, MB/s and peak RSS: memory must not grow with the file.
//   npm run bench -- verify --size-mb 200
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = process.env.HITL_DIST || path.join(ROOT, 'dist');
const HEAP_CAP_MB = 32;

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

/** Writes a valid chain of at least `bytes` bytes; returns the record count. */
async function generate(file, bytes) {
	const { createRecord, normaliseInput, ZERO_HASH } = require(path.join(DIST, 'core', 'chain.js'));
	const out = fs.createWriteStream(file);
	let prev = { seq: 0, hash: ZERO_HASH };
	let size = 0;
	const start = Date.UTC(2026, 0, 1);
	const events = ['requested', 'viewed', 'decided'];
	while (size < bytes) {
		const n = prev.seq;
		const body = normaliseInput({
			event: events[n % 3],
			decision: n % 3 === 2 ? (n % 7 === 0 ? 'rejected' : 'approved') : null,
			reviewerId: `reviewer${n % 17}@example.com`,
			requesterId: 'workflow-bot@example.com',
			requestedAt: new Date(start + n * 1000).toISOString(),
			workflowId: 'wf-candidate-outreach',
			workflowName: 'Candidate outreach',
			executionId: String(100000 + Math.floor(n / 3)),
			nodeName: 'HITL Gate',
			itemKey: `candidate-${Math.floor(n / 3)}`,
			modelName: 'gpt-4o',
			modelVersion: '2024-08-06',
			promptVersion: 'outreach-v12',
			tier: n % 5 === 0 ? 'high' : 'medium',
			tierReasons: ['External recipient', 'Mentions compensation'],
			draftSha256: 'a'.repeat(64),
			comment: n % 3 === 2 ? 'Looks fine, softened the second paragraph.' : null,
		});
		const { record, line } = createRecord(body, {
			chain: 'bench',
			seq: n + 1,
			prevHash: prev.hash,
			recordedAt: new Date(start + n * 1000).toISOString(),
		});
		const buf = `${line}\n`;
		size += Buffer.byteLength(buf);
		if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
		prev = { seq: record.seq, hash: record.hash };
	}
	await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
	return prev.seq;
}

function verifyInChild(file) {
	const script = `
		const { verifyFile } = require(${JSON.stringify(path.join(DIST, 'core', 'verify.js'))});
		const t = process.hrtime.bigint();
		verifyFile(${JSON.stringify(file)}).then((r) => {
			const ms = Number(process.hrtime.bigint() - t) / 1e6;
			const u = process.resourceUsage();
			process.stdout.write(JSON.stringify({ ok: r.ok, records: r.recordsChecked, ms, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS }));
		});`;
	// A small heap cap proves the memory claim: a verifier that kept records would die on a big file.
	const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
	if (child.status !== 0) throw new Error(`verify child failed: ${child.stderr}`);
	return JSON.parse(child.stdout);
}

async function run(argv) {
	const sizeMb = arg(argv, 'size-mb', 200);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hitl-bench-verify-'));
	try {
		const rows = [];
		for (const mb of [1, sizeMb]) {
			const file = path.join(dir, `log-${mb}.jsonl`);
			const t = Date.now();
			const records = await generate(file, mb * 1024 * 1024);
			const genMs = Date.now() - t;
			const bytes = fs.statSync(file).size;
			const r = verifyInChild(file);
			if (!r.ok || r.records !== records) throw new Error(`verification of the generated log failed: ${JSON.stringify(r)}`);
			rows.push({
				'file MB': (bytes / 1048576).toFixed(1),
				records,
				'generate s': (genMs / 1000).toFixed(1),
				'verify s': (r.ms / 1000).toFixed(1),
				'records/s': Math.round(records / (r.ms / 1000)),
				'records/CPU-s': Math.round(records / (r.cpuMs / 1000)),
				'MB/s': (bytes / 1048576 / (r.ms / 1000)).toFixed(1),
				'peak RSS MB': (r.maxRssKb / 1024).toFixed(0),
			});
			fs.rmSync(file);
		}
		console.log(`\nReview log verification (streaming, one child process per file, V8 heap capped at ${HEAP_CAP_MB} MB)`);
		console.table(rows);
		return rows;
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { run };
if (require.main === module) run(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
