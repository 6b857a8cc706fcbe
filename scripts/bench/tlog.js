// Transparency log (the Merkle tree index beside the review log) at scale, using the built core from dist/.
// Writes a valid log of --records records (default 1,000,000; or HITL_BENCH_RECORDS) in the temp folder, then:
//   - anchor: raw SHA-256 of every line (node:crypto), over the whole log at the start and the end of the run,
//     and over its first ANCHOR_SAMPLE_MB right before and after each operation it is compared with;
//   - first tree build of the file store (catch-up over the whole log), in a child process;
//   - incremental: append 1,000 (and 10,000) records, catch up / issue a checkpoint; the same with nothing new;
//   - proofs: inclusion for 1,000 random records, consistency for 100 random pairs, with the number of
//     stored hashes each call reads; tlog-proof bundles and verifyRecordProof per second;
//   - verification: verifyFile (hash chain) and verifyLogAgainstCheckpoint (chain + tree in memory), each
//     in a child process (its own peak RSS).
// Speeds are reported as ratios against the SHA-256 anchor measured in the same process around the same
// operation (shared, noisy machines: absolute figures drift by tens of percent within one run).
//   npm run bench -- tlog --records 1000000
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = process.env.HITL_DIST || path.join(ROOT, 'dist');
const CHAIN = 'bench';
const ORIGIN = 'bench.example/hitl-review-log';
const INCREMENT = 1000;
const ROUNDS = 3;
const INCLUSION_PROOFS = 1000;
const CONSISTENCY_PROOFS = 100;
const BUNDLES = 200;
/** V8 heap cap of the streaming children (tree build into files, verifyFile): their memory must not grow with the log. */
const STREAMING_HEAP_MB = 64;
/** The in-memory tree's heap part (two arrays of line offsets and lengths) may take this per record, above STREAMING_HEAP_MB. */
const TREE_HEAP_BYTES_PER_RECORD = 32;
/** Bytes of the log hashed by the anchor right before and after each compared operation. */
const ANCHOR_SAMPLE_MB = 128;
/** Every n'th generated line is rebuilt with createRecord and must come out byte for byte the same. */
const SPOT_CHECK_EVERY = 1000;

function arg(argv, name, fallback) {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

function dist(...parts) {
	return path.join(DIST, 'core', ...parts);
}

/** Deterministic random integers in [lo, hi] (mulberry32), so runs prove the same records. */
function randomInts(seed) {
	let a = seed >>> 0;
	return (lo, hi) => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
		return lo + Math.floor(r * (hi - lo + 1));
	};
}

/**
 * Valid records at memory speed. createRecord (canonical JSON twice and a SHA-256) ran at ~10k records/s on
 * a busy 2-core machine, too slow for a million, so each of a pool of record bodies is turned once into a
 * template of its canonical line with slots for seq, recordedAt, prevHash and hash: a record is then two
 * string joins and one SHA-256 (of the domain prefix and the line without its hash member, as
 * computeRecordHash does). Every SPOT_CHECK_EVERY'th line is compared with createRecord's; the bench
 * also verifies the whole log (verifyFile and the tree build refuse any bad record).
 */
function recordFactory() {
	const { createRecord, normaliseInput, RECORD_DOMAIN, ZERO_HASH } = require(dist('chain.js'));
	const start = Date.UTC(2026, 0, 1);
	const events = ['requested', 'viewed', 'decided'];
	const bodies = [];
	for (let n = 0; n < 105; n++) {
		bodies.push(
			normaliseInput({
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
			}),
		);
	}
	// Splits `text` at the values of the given members ([slot, key, value]) into [literal, slot, literal, …, literal].
	const compile = (text, members) => {
		const found = members
			.map(([slot, key, value]) => {
				const member = `"${key}":${value}`;
				const at = text.indexOf(member);
				if (at < 0 || text.lastIndexOf(member) !== at) throw new Error(`record template: ${member} is not in the line exactly once`);
				const valueAt = at + key.length + 3 + (value.startsWith('"') ? 1 : 0);
				return { slot, at: valueAt, end: valueAt + value.length - (value.startsWith('"') ? 2 : 0) };
			})
			.sort((x, y) => x.at - y.at);
		const parts = [];
		let from = 0;
		for (const f of found) {
			parts.push(text.slice(from, f.at), f.slot);
			from = f.end;
		}
		parts.push(text.slice(from));
		return parts;
	};
	const render = (parts, v) => {
		let s = parts[0];
		for (let i = 1; i < parts.length; i += 2) s += v[parts[i]] + parts[i + 1];
		return s;
	};
	const probe = { seq: '987654321', recordedAt: '2031-02-03T04:05:06.789Z', prevHash: 'e'.repeat(64) };
	const templates = bodies.map((body) => {
		const { record, line } = createRecord(body, { chain: CHAIN, seq: Number(probe.seq), prevHash: probe.prevHash, recordedAt: probe.recordedAt });
		const hashMember = `"hash":"${record.hash}"`;
		const without = line.includes(`,${hashMember}`) ? line.replace(`,${hashMember}`, '') : line.replace(`${hashMember},`, '');
		if (crypto.hash('sha256', RECORD_DOMAIN + without, 'hex') !== record.hash) throw new Error('record template: the hash is not SHA-256 of the line without it');
		const members = [
			['seq', 'seq', probe.seq],
			['recordedAt', 'recordedAt', `"${probe.recordedAt}"`],
			['prevHash', 'prevHash', `"${probe.prevHash}"`],
		];
		return { full: compile(line, [...members, ['hash', 'hash', `"${record.hash}"`]]), without: compile(without, members) };
	});
	return {
		/** The stored line of record `seq` after a record with hash `prevHash`, and its hash. */
		next(seq, prevHash) {
			const n = seq - 1;
			const t = templates[n % templates.length];
			const v = { seq: String(seq), recordedAt: new Date(start + n * 1000).toISOString(), prevHash, hash: '' };
			v.hash = crypto.hash('sha256', RECORD_DOMAIN + render(t.without, v), 'hex');
			const line = render(t.full, v);
			if (seq % SPOT_CHECK_EVERY === 1) {
				const made = createRecord(bodies[n % bodies.length], { chain: CHAIN, seq, prevHash, recordedAt: v.recordedAt });
				if (made.line !== line) throw new Error(`generated record seq ${seq} differs from createRecord's:\n${made.line}\n${line}`);
			}
			return { line, hash: v.hash };
		},
		ZERO_HASH,
	};
}

/** Appends records after `head` ({seq, hash}) to `file` in large writes (no fsync per record); returns the new head. */
function writeRecords(factory, file, head, count) {
	const fd = fs.openSync(file, 'a');
	try {
		let chunk = '';
		for (let i = 0; i < count; i++) {
			const { line, hash } = factory.next(head.seq + 1, head.hash);
			head = { seq: head.seq + 1, hash };
			chunk += `${line}\n`;
			if (chunk.length > 4 << 20) {
				fs.writeSync(fd, chunk);
				chunk = '';
			}
		}
		if (chunk) fs.writeSync(fd, chunk);
	} finally {
		fs.closeSync(fd);
	}
	return head;
}

/**
 * The anchor: SHA-256 (node:crypto) of each line of the file's first `maxBytes` bytes (whole lines), read in
 * 1 MB chunks; only the hashing is timed. Self-contained: the children run its source too.
 */
function sha256Anchor(file, maxBytes) {
	const fs = require('fs');
	const crypto = require('crypto');
	const chunk = Buffer.allocUnsafe(1 << 20);
	const fd = fs.openSync(file, 'r');
	let [records, bytes, pos, carry, ns, cpuUs] = [0, 0, 0, 0, 0n, 0];
	try {
		for (;;) {
			const n = fs.readSync(fd, chunk, carry, chunk.length - carry, pos);
			pos += n;
			const data = chunk.subarray(0, carry + n);
			let from = 0;
			const cpu = process.cpuUsage();
			const t = process.hrtime.bigint();
			for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, from)) {
				crypto.hash('sha256', data.subarray(from, nl), 'buffer');
				records++;
				bytes += nl + 1 - from;
				from = nl + 1;
			}
			ns += process.hrtime.bigint() - t;
			const used = process.cpuUsage(cpu);
			cpuUs += used.user + used.system;
			if (n === 0 || bytes >= maxBytes) break;
			chunk.copy(chunk, 0, from, data.length);
			carry = data.length - from;
		}
	} finally {
		fs.closeSync(fd);
	}
	return { records, bytes, ms: Number(ns) / 1e6, cpuMs: cpuUs / 1000 };
}

/**
 * Runs `body` (an async function's source using `out(value)`) in a fresh Node process with its V8 heap
 * capped at `heapMb`, so timings, CPU and peak RSS are the operation's own. `timed(fn)` in the child
 * measures wall and CPU time of `fn`.
 */
function inChild(body, input, heapMb) {
	const script = `
		const input = JSON.parse(process.env.HITL_BENCH_INPUT);
		${sha256Anchor.toString()}
		// fn's wall and CPU time, with the SHA-256 anchor right before and after it in this process.
		const timed = async (fn) => {
			const before = sha256Anchor(input.file, input.anchorBytes);
			const cpu = process.cpuUsage();
			const t = process.hrtime.bigint();
			const value = await fn();
			const ms = Number(process.hrtime.bigint() - t) / 1e6;
			const used = process.cpuUsage(cpu);
			const after = sha256Anchor(input.file, input.anchorBytes);
			return { value, ms, cpuMs: (used.user + used.system) / 1000, anchors: [before, after] };
		};
		// VmHWM: this process's own peak RSS. getrusage's maxRSS is not: Linux carries the parent's RSS at
		// fork over into the child's, so a parent bigger than the child would be reported instead.
		const peakRssKb = () => {
			try {
				const m = /^VmHWM:\\s+(\\d+) kB/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'));
				if (m) return Number(m[1]);
			} catch {}
			return process.resourceUsage().maxRSS;
		};
		const out = (value) => process.stdout.write(JSON.stringify({ ...value, maxRssKb: peakRssKb() }));
		(${body})().catch((e) => { console.error(e); process.exit(1); });`;
	// A heap cap makes the memory claims hard: a process that kept more than it should dies instead.
	const child = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '-e', script], {
		encoding: 'utf8',
		maxBuffer: 1 << 20,
		env: { ...process.env, HITL_BENCH_INPUT: JSON.stringify(input) },
	});
	if (child.status !== 0) throw new Error(`bench child failed: ${child.stderr}`);
	return JSON.parse(child.stdout);
}

const firstBuildChild = `async () => {
	const { JsonlReviewStore } = require(input.store);
	const store = await JsonlReviewStore.open({ directory: input.dir, chain: input.chain, verifyOnOpen: false });
	const r = await timed(() => store.treeHead());
	await store.close();
	out({ size: r.value.size, root: r.value.root.toString('base64'), ms: r.ms, cpuMs: r.cpuMs, anchors: r.anchors });
}`;

const verifyFileChild = `async () => {
	const { verifyFile } = require(input.verify);
	const r = await timed(() => verifyFile(input.file));
	out({ ok: r.value.ok, records: r.value.recordsChecked, ms: r.ms, cpuMs: r.cpuMs, anchors: r.anchors });
}`;

const verifyAgainstCheckpointChild = `async () => {
	const { verifyLogAgainstCheckpoint } = require(input.audit);
	const { verifierFromKey } = require(input.note);
	const r = await timed(() => verifyLogAgainstCheckpoint(input.file, input.checkpoint, [verifierFromKey(input.verifierKey)]));
	out({ ok: r.value.ok, records: r.value.records, reason: r.value.reason, ms: r.ms, cpuMs: r.cpuMs, anchors: r.anchors });
}`;

async function timedHere(fn) {
	const cpu = process.cpuUsage();
	const t = process.hrtime.bigint();
	const value = await fn();
	const used = process.cpuUsage(cpu);
	return { value, ms: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

function median(values) {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

function stats(values) {
	const s = [...values].sort((a, b) => a - b);
	return { min: s[0], median: median(s), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function run(argv) {
	if (!fs.existsSync(dist('tlog', 'merkle.js'))) throw new Error(`${path.relative(ROOT, dist('tlog', 'merkle.js'))} is missing: run "npm run build" first.`);
	const records = arg(argv, 'records', Number(process.env.HITL_BENCH_RECORDS) || 1_000_000);
	if (!Number.isSafeInteger(records) || records < 1000) throw new Error(`--records must be a whole number ≥ 1000, got ${records}`);
	const { JsonlReviewStore } = require(dist('store', 'file', 'jsonlStore.js'));
	const { FileTreeStorage } = require(dist('store', 'file', 'fileTree.js'));
	const { issueCheckpoint, proveRecordInclusion } = require(dist('tlog', 'publish.js'));
	const { generateNoteKey, signerFromPrivateKey, verifierFromKey } = require(dist('tlog', 'note.js'));
	const { verifyRecordProof } = require(dist('tlog', 'audit.js'));

	// Stored hashes read per call: FileTreeStorage is the only way the file store reads its tree.
	let hashesRead = 0;
	const readHashes = FileTreeStorage.prototype.readHashes;
	FileTreeStorage.prototype.readHashes = function (indexes) {
		hashesRead += indexes.length;
		return readHashes.call(this, indexes);
	};

	const loadStart = os.loadavg()[0];
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hitl-bench-tlog-'));
	const file = path.join(dir, `${CHAIN}.jsonl`);
	let store = null;
	try {
		// 1. The log.
		const factory = recordFactory();
		const gen = await timedHere(() => writeRecords(factory, file, { seq: 0, hash: factory.ZERO_HASH }, records));
		let head = gen.value;
		const logBytes = fs.statSync(file).size;
		const bytesPerRecord = logBytes / records;

		// 2. Anchor (first pass).
		const anchors = [sha256Anchor(file, Infinity)];
		const anchorBytes = ANCHOR_SAMPLE_MB * 1048576;

		// 3. First tree build, in a child (its own CPU and RSS).
		const first = inChild(firstBuildChild, { store: dist('store', 'file', 'jsonlStore.js'), dir, chain: CHAIN, file, anchorBytes }, STREAMING_HEAP_MB);
		if (first.size !== records) throw new Error(`first tree build covered ${first.size} of ${records} records`);

		// 4. Incremental, in this process.
		store = await JsonlReviewStore.open({ directory: dir, chain: CHAIN, verifyOnOpen: false });
		const key = generateNoteKey(ORIGIN);
		const signer = signerFromPrivateKey(key.privateKey);
		const verifier = verifierFromKey(key.verifierKey);
		const firstCheckpoint = await timedHere(() => issueCheckpoint(store, { signer, origin: ORIGIN }));
		let checkpoint = firstCheckpoint.value;
		// Interleaved rounds, so a change in the machine's speed hits every kind alike; medians reported.
		const inc = { catchUp: [], catchUp10: [], checkpoint: [], idleCatchUp: [], idleCheckpoint: [] };
		const catchUp = async (n, into) => {
			head = writeRecords(factory, file, head, n);
			const c = await timedHere(() => store.treeHead());
			if (c.value.size !== head.seq) throw new Error(`catch-up reached ${c.value.size}, the log has ${head.seq}`);
			into.push(c.ms);
		};
		const issue = async (n, into) => {
			head = writeRecords(factory, file, head, n);
			const k = await timedHere(() => issueCheckpoint(store, { signer, origin: ORIGIN }));
			if (k.value.size !== head.seq || !k.value.extends) throw new Error(`checkpoint of ${k.value.size} records, the log has ${head.seq}`);
			into.push(k.ms);
			checkpoint = k.value;
		};
		for (let r = 0; r < ROUNDS; r++) {
			await catchUp(INCREMENT, inc.catchUp);
			await catchUp(10 * INCREMENT, inc.catchUp10);
			await issue(INCREMENT, inc.checkpoint);
			await catchUp(0, inc.idleCatchUp);
			await issue(0, inc.idleCheckpoint);
		}
		const size = head.seq;

		// 5. Proofs on the tree of `records` leaves (and pairs up to the whole tree).
		const rand = randomInts(20260101);
		const inclusionReads = [];
		const inclusionLengths = [];
		const inclusion = await timedHere(async () => {
			for (let i = 0; i < INCLUSION_PROOFS; i++) {
				hashesRead = 0;
				const proof = await store.proveInclusion(rand(1, records), records);
				inclusionReads.push(hashesRead);
				inclusionLengths.push(proof.hashes.length);
			}
		});
		const consistencyReads = [];
		const consistencyLengths = [];
		const consistency = await timedHere(async () => {
			for (let i = 0; i < CONSISTENCY_PROOFS; i++) {
				const a = rand(1, size);
				const b = rand(1, size);
				hashesRead = 0;
				const proof = await store.proveConsistency(Math.min(a, b), Math.max(a, b));
				consistencyReads.push(hashesRead);
				consistencyLengths.push(proof.hashes.length);
			}
		});
		const bundles = [];
		const bundling = await timedHere(async () => {
			for (let i = 0; i < BUNDLES; i++) bundles.push(await proveRecordInclusion(store, rand(1, checkpoint.size), checkpoint.note));
		});
		let checked = 0;
		const checking = await timedHere(async () => {
			const t = Date.now();
			while (checked < 1000 || Date.now() - t < 500) {
				const result = verifyRecordProof(bundles[checked % bundles.length], [verifier]);
				if (!result.ok) throw new Error(`a proof bundle did not verify: ${result.message}`);
				checked++;
			}
		});
		// The cost verifyRecordProof cannot avoid: one Ed25519 signature check of the checkpoint note.
		const ed = crypto.generateKeyPairSync('ed25519');
		const message = Buffer.from(checkpoint.note.slice(0, checkpoint.note.lastIndexOf('\n\n') + 1), 'utf8');
		const signature = crypto.sign(null, message, ed.privateKey);
		const edVerify = await timedHere(async () => {
			for (let i = 0; i < checked; i++) if (!crypto.verify(null, message, ed.publicKey, signature)) throw new Error('Ed25519 anchor failed');
		});
		await store.close();
		store = null;

		// 6. Verification of the whole log, each in a child.
		const vf = inChild(verifyFileChild, { verify: dist('verify.js'), file, anchorBytes }, STREAMING_HEAP_MB);
		if (!vf.ok || vf.records !== size) throw new Error(`verifyFile of the generated log failed: ${JSON.stringify(vf)}`);
		const treeHeapMb = STREAMING_HEAP_MB + Math.ceil((size * TREE_HEAP_BYTES_PER_RECORD) / 1048576);
		const vc = inChild(
			verifyAgainstCheckpointChild,
			{ audit: dist('tlog', 'audit.js'), note: dist('tlog', 'note.js'), file, anchorBytes, checkpoint: checkpoint.note, verifierKey: key.verifierKey },
			treeHeapMb,
		);
		if (!vc.ok || vc.records !== size) throw new Error(`verifyLogAgainstCheckpoint failed: ${JSON.stringify(vc)}`);

		// 2'. Anchor (second pass, over the final log).
		anchors.push(sha256Anchor(file, Infinity));
		const loadEnd = os.loadavg()[0];

		// Report.
		const usPerRecord = (a) => (a.ms * 1000) / a.records;
		const cpuUsPerRecord = (a) => (a.cpuMs * 1000) / a.records;
		const anchorMbs = (a) => a.bytes / 1048576 / (a.ms / 1000);
		const fmt = (x) => Math.round(x).toLocaleString('en-US');
		const pad = (s, w) => String(s).padEnd(w);
		const lpad = (s, w) => String(s).padStart(w);
		const mb = (bytes) => (bytes / 1048576).toFixed(1);
		const rows = [];
		// `brackets`: the anchor passes right before and after the operation, in its process; the ratio is
		// the operation's time per record over the anchor's (their mean).
		const row = (name, n, ms, cpuMs, rssKb, brackets, floor) => {
			const anchorUs = brackets ? stats(brackets.map(usPerRecord)).mean : null;
			const anchorCpuUs = brackets ? stats(brackets.map(cpuUsPerRecord)).mean : null;
			const moved = brackets ? Math.max(...brackets.map(usPerRecord)) / Math.min(...brackets.map(usPerRecord)) - 1 : 0;
			rows.push({
				name,
				records: n,
				wallS: ms / 1000,
				recordsPerS: n / (ms / 1000),
				mbPerS: (n * bytesPerRecord) / 1048576 / (ms / 1000),
				anchorMbPerS: brackets ? stats(brackets.map(anchorMbs)).mean : null,
				shaWall: brackets ? (ms * 1000) / n / anchorUs : null,
				shaCpu: brackets ? (cpuMs * 1000) / n / anchorCpuUs : null,
				floor,
				moved,
				rssMb: rssKb ? rssKb / 1024 : null,
			});
		};
		anchors.forEach((a, i) => row(`raw SHA-256 per line, whole log (${i === 0 ? 'start' : 'end'})`, a.records, a.ms, a.cpuMs, null, null, null));
		row('first tree build (file store catch-up)', first.size, first.ms, first.cpuMs, first.maxRssKb, first.anchors, 2);
		row('verifyFile (hash chain)', vf.records, vf.ms, vf.cpuMs, vf.maxRssKb, vf.anchors, 1);
		row('verifyLogAgainstCheckpoint (chain+tree)', vc.records, vc.ms, vc.cpuMs, vc.maxRssKb, vc.anchors, 2);

		console.log(`\nTransparency log: ${fmt(records)}-record log (${mb(logBytes)} MB, ${bytesPerRecord.toFixed(0)} B/record), Node ${process.version}, ${os.cpus().length} CPUs`);
		console.log(`Log written in ${(gen.ms / 1000).toFixed(1)} s (${fmt(records / (gen.ms / 1000))} records/s; every ${SPOT_CHECK_EVERY}th record checked against createRecord).`);
		console.log(`\nThroughput. "× SHA": time per record as a multiple of one raw SHA-256 of the line, the anchor measured over the log's first ${ANCHOR_SAMPLE_MB} MB`);
		console.log('right before and after the operation in the same process (mean of the two). "floor": SHA-256s of the line per record the operation cannot avoid.\n');
		console.log(
			`${pad('operation', 44)}${lpad('records', 11)}${lpad('wall s', 8)}${lpad('records/s', 11)}${lpad('MB/s', 6)}${lpad('anchor MB/s', 13)}${lpad('× SHA wall', 12)}${lpad('× SHA CPU', 11)}${lpad('floor', 7)}${lpad('peak RSS MB', 13)}`,
		);
		for (const r of rows) {
			const opt = (x, digits) => (x === null ? '' : x.toFixed(digits));
			console.log(
				`${pad(r.name, 44)}${lpad(fmt(r.records), 11)}${lpad(r.wallS.toFixed(2), 8)}${lpad(fmt(r.recordsPerS), 11)}${lpad(r.mbPerS.toFixed(0), 6)}${lpad(opt(r.anchorMbPerS, 0), 13)}${lpad(opt(r.shaWall, 1), 12)}${lpad(opt(r.shaCpu, 1), 11)}${lpad(r.floor === null ? '' : `${r.floor}×`, 7)}${lpad(opt(r.rssMb, 0), 13)}`,
			);
		}
		const all = [...anchors, first.anchors[0], first.anchors[1], vf.anchors[0], vf.anchors[1], vc.anchors[0], vc.anchors[1]].map(anchorMbs);
		console.log(`SHA-256 anchor over the run: ${fmt(Math.min(...all))}–${fmt(Math.max(...all))} MB/s (${all.length} passes).`);
		for (const r of rows) {
			if (r.moved > 0.25) console.log(`(The anchor moved ${(r.moved * 100).toFixed(0)}% across "${r.name}": the machine's speed changed under it; that ratio is less certain.)`);
		}
		const treeMb = (vc.maxRssKb - vf.maxRssKb) / 1024;
		console.log(
			`In-memory tree (verifyLogAgainstCheckpoint): peak RSS ${(vc.maxRssKb / 1024).toFixed(0)} MB, ${treeMb.toFixed(0)} MB above the streaming verifyFile (${((treeMb * 1048576) / size).toFixed(0)} B/record).`,
		);

		const firstUs = (first.ms * 1000) / first.size;
		const [cu1, cu10, cp1, cu0, cp0] = [inc.catchUp, inc.catchUp10, inc.checkpoint, inc.idleCatchUp, inc.idleCheckpoint].map(median);
		console.log(`\nIncremental, on the file store in this process (median of ${ROUNDS} interleaved rounds; tree of ~${fmt(records)} records):\n`);
		console.log(`${pad('operation', 60)}${lpad('ms', 10)}${lpad('µs/new record', 15)}${lpad('÷ first build', 15)}`);
		const line = (name, ms, n) =>
			console.log(`${pad(name, 60)}${lpad(ms.toFixed(1), 10)}${lpad(n ? ((ms * 1000) / n).toFixed(1) : '', 15)}${lpad((ms / first.ms).toFixed(5), 15)}`);
		line(`first tree build (${fmt(first.size)} records, child process)`, first.ms, first.size);
		line(`catch-up of ${fmt(INCREMENT)} new records (treeHead)`, cu1, INCREMENT);
		line(`catch-up of ${fmt(10 * INCREMENT)} new records (treeHead)`, cu10, 10 * INCREMENT);
		line('treeHead, nothing new', cu0, 0);
		line(`issueCheckpoint after ${fmt(INCREMENT)} new records (+ consistency proof)`, cp1, INCREMENT);
		line('issueCheckpoint, nothing new', cp0, 0);
		line('first issueCheckpoint (nothing new, no earlier one)', firstCheckpoint.ms, 0);
		const slopeUs = ((cu10 - cu1) * 1000) / (9 * INCREMENT);
		console.log(
			`O(new records): ${fmt(INCREMENT)} new records cost ${((cu1 / first.ms) * 100).toFixed(2)}% of the first build (an O(n) catch-up: ~100%), ${fmt(10 * INCREMENT)} cost ${(cu10 / cu1).toFixed(1)}× as much as ${fmt(INCREMENT)}.`,
		);
		console.log(
			`Per added record ${slopeUs.toFixed(0)} µs (${(slopeUs / firstUs).toFixed(2)}× the first build's ${firstUs.toFixed(0)} µs); fixed part of a catch-up ~${fmt(cu1 - (INCREMENT * slopeUs) / 1000)} ms (a no-op treeHead: ${cu0.toFixed(1)} ms; the rest is writing the index: fsync ×2, committed.json).`,
		);

		const log2 = Math.log2(records);
		const iRead = stats(inclusionReads);
		const cRead = stats(consistencyReads);
		console.log(`\nProofs (file store; each call takes the lock, checks the tree is caught up, and re-checks the proof before returning):\n`);
		console.log(`${pad('operation', 46)}${lpad('calls', 7)}${lpad('µs/call', 10)}${lpad('calls/s', 10)}${lpad('proof hashes', 14)}${lpad('hashes read (min/med/max)', 28)}`);
		const prow = (name, calls, t, lengths, reads) =>
			console.log(
				`${pad(name, 46)}${lpad(calls, 7)}${lpad(fmt((t.ms * 1000) / calls), 10)}${lpad(fmt(calls / (t.ms / 1000)), 10)}${lpad(lengths ? `${stats(lengths).min}–${stats(lengths).max}` : '', 14)}${lpad(reads ? `${reads.min} / ${reads.median} / ${reads.max}` : '', 28)}`,
			);
		prow(`proveInclusion (random seq, size ${fmt(records)})`, INCLUSION_PROOFS, inclusion, inclusionLengths, iRead);
		prow(`proveConsistency (random pairs ≤ ${fmt(size)})`, CONSISTENCY_PROOFS, consistency, consistencyLengths, cRead);
		prow('proveRecordInclusion (tlog-proof bundle)', BUNDLES, bundling, null, null);
		prow('verifyRecordProof (Ed25519 + inclusion path)', checked, checking, null, null);
		prow('anchor: raw Ed25519 verify (node:crypto)', checked, edVerify, null, null);
		console.log(`verifyRecordProof = ${(checking.ms / edVerify.ms).toFixed(2)}× a raw Ed25519 verify (wall), ${(checking.cpuMs / edVerify.cpuMs).toFixed(2)}× (CPU).`);
		console.log(`log₂ n = ${log2.toFixed(1)}: stored hashes read per call ≤ ${(iRead.max / log2).toFixed(1)}·log₂ n (inclusion), ${(cRead.max / log2).toFixed(1)}·log₂ n (consistency).`);
		if (Math.max(iRead.max, cRead.max) > 8 * Math.ceil(log2)) throw new Error(`a proof read ${Math.max(iRead.max, cRead.max)} stored hashes: not O(log n)`);

		console.log(
			`\nLoad average: ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end, on ${os.cpus().length} CPUs${Math.max(loadStart, loadEnd) > os.cpus().length ? ' — the machine was busy; absolute figures are pessimistic, ratios are the ones to quote' : ''}. Whole bench ${((Date.now() - started) / 1000).toFixed(0)} s.`,
		);
		return { rows, first, vf, vc, anchors, incremental: inc, inclusionReads: iRead, consistencyReads: cRead };
	} finally {
		FileTreeStorage.prototype.readHashes = readHashes;
		if (store) await store.close().catch(() => undefined);
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { run };
if (require.main === module) run(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
