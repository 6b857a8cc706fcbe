#!/usr/bin/env node
// Keeps the mutation scores in docs/mutation-testing.md honest: every file of stryker.config.json's
// mutate list must have a row in its Scores table, and the row's mutant count must be the count Stryker's
// own instrumenter finds in the file today. Why: `reports/` is not committed, so the table is the only
// record of the scores, and a safety-critical file that changed since its run keeps showing its old score
// — `nodes/HitlGate/ledger.ts` showed 98.0 % (150 mutants) for code that had grown to 222 mutants and
// scored 78.4 % when re-run. A changed count means the file changed: re-run
// `bash scripts/mutation-by-file.sh <file>` and update the row. (An edit that keeps the count slips through;
// the count is the cheap signal, a second or two for all files.) Run by scripts/test-all.sh as a check.
//   node scripts/check-mutation-table.js
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const ROOT = path.join(__dirname, '..');
const DOC = 'docs/mutation-testing.md';
/** Another table to check against the files (its tests: test/unit/scripts/mutationTable.test.ts). */
const DOC_PATH = process.env.HITL_MUTATION_TABLE ?? path.join(ROOT, DOC);

/** Rows of the Scores table: file → mutant count (the first backticked path of the row, its second cell). */
function tableCounts(markdown) {
	const section = markdown.split(/^## /m).find((s) => s.startsWith('Scores'));
	if (!section) throw new Error(`${DOC} has no "## Scores" section`);
	const counts = new Map();
	for (const line of section.split('\n')) {
		const cells = line.split('|').map((c) => c.trim());
		const file = /^`([^`]+\.ts)`/.exec(cells[1] ?? '');
		if (!file || !/^\d+$/.test(cells[2] ?? '')) continue;
		counts.set(file[1], Number(cells[2]));
	}
	return counts;
}

/** Stryker's instrumenter, resolved the way Stryker itself loads it (a dependency of @stryker-mutator/core). */
async function loadInstrumenter() {
	const core = require.resolve('@stryker-mutator/core/package.json', { paths: [ROOT] });
	const { Instrumenter } = await import(createRequire(core).resolve('@stryker-mutator/instrumenter'));
	const quiet = () => false;
	const nothing = () => undefined;
	return new Instrumenter({
		isTraceEnabled: quiet, isDebugEnabled: quiet, isInfoEnabled: quiet, isWarnEnabled: quiet, isErrorEnabled: quiet, isFatalEnabled: quiet,
		trace: nothing, debug: nothing, info: nothing, warn: nothing, error: nothing, fatal: nothing,
	});
}

async function countMutants(instrumenter, file) {
	const content = fs.readFileSync(path.join(ROOT, file), 'utf8');
	const result = await instrumenter.instrument([{ name: file, content, mutate: true }], { plugins: null, excludedMutations: [], ignorers: [], noHeader: false });
	return result.mutants.length;
}

async function main() {
	const mutate = require('../stryker.config.json').mutate;
	const table = tableCounts(fs.readFileSync(DOC_PATH, 'utf8'));
	const instrumenter = await loadInstrumenter();
	const problems = [];
	for (const file of mutate) {
		const now = await countMutants(instrumenter, file);
		const documented = table.get(file);
		if (documented === undefined) problems.push(`${file}: no row in ${DOC}'s Scores table (it has ${now} mutants)`);
		else if (documented !== now) problems.push(`${file}: ${DOC} gives its score for ${documented} mutants, the file has ${now} now`);
		else console.log(`ok   ${file}: ${now} mutants, as documented`);
	}
	for (const p of problems) console.log(`FAIL ${p}`);
	if (problems.length > 0) {
		console.log(`The documented score of a changed file is out of date: run bash scripts/mutation-by-file.sh <file> and update its row in ${DOC}.`);
		process.exitCode = 1;
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}

module.exports = { tableCounts };
