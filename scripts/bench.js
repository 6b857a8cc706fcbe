#!/usr/bin/env node
// `npm run bench`: performance benchmarks, run after `npm run build` (they load the built nodes).
// Each module in scripts/bench/*.js exports `run(argv)` and prints its own table.
//   npm run bench                 all benchmarks
//   npm run bench -- router       one benchmark (by file name)
//   npm run bench -- router --items 20000 --expr-items 2000 --repeats 3
//   npm run bench -- verify --size-mb 200
//   npm run bench -- tlog --records 1000000   (or HITL_BENCH_RECORDS=1000000): Merkle tree, checkpoints, proofs
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
	const dir = path.join(__dirname, 'bench');
	const argv = process.argv.slice(2);
	const names = argv.filter((a, i) => !a.startsWith('--') && !(argv[i - 1] || '').startsWith('--'));
	const available = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
	const selected = names.length > 0 ? names : available;
	for (const name of selected) {
		if (!available.includes(name)) throw new Error(`Unknown benchmark "${name}" (have: ${available.join(', ')})`);
		await require(path.join(dir, `${name}.js`)).run(argv);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
