#!/usr/bin/env node
// Per-file mutation scores from the reports of scripts/mutation-by-file.sh (reports/mutation/*.json,
// mutation-testing-report-schema). Score = detected (killed + timed out) / (detected + survived + no
// coverage), as Stryker computes it; compile and runtime errors are not valid mutants. Exits 1 when a
// file is below the break threshold of stryker.config.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'reports', 'mutation');
const threshold = require('../stryker.config.json').thresholds.break;
const rows = [];
for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []) {
	let report;
	try {
		report = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
	} catch {
		continue;
	}
	for (const [file, result] of Object.entries(report.files ?? {})) {
		const count = {};
		for (const mutant of result.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1;
		const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
		const undetected = (count.Survived ?? 0) + (count.NoCoverage ?? 0);
		const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
		rows.push({ file, total: result.mutants.length, killed: count.Killed ?? 0, timeout: count.Timeout ?? 0, survived: count.Survived ?? 0, noCoverage: count.NoCoverage ?? 0, invalid: (count.CompileError ?? 0) + (count.RuntimeError ?? 0), score });
	}
}
if (rows.length === 0) {
	console.log('No mutation reports yet: run scripts/mutation-by-file.sh');
	process.exit(1);
}
console.log('| File | Mutants | Killed | Timed out | Survived | No coverage | Invalid | Score |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| \`${r.file}\` | ${r.total} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.invalid} | ${r.score.toFixed(1)} % |`);
const low = rows.filter((r) => r.score < threshold);
if (low.length > 0) {
	console.log(`\nBelow the ${threshold} % threshold: ${low.map((r) => r.file).join(', ')}`);
	process.exit(1);
}
