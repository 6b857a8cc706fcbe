#!/usr/bin/env node
// Adds up jest's --json result files and the pass/fail count of the non-jest checks, and prints the one
// plain summary line CI reads: `N passed, N failed, N skipped`. Exits non-zero when anything failed,
// including a test file that crashed before running its tests (numRuntimeErrorTestSuites).
'use strict';
const fs = require('fs');
const path = require('path');

const [resultsDir, checksPassed, checksFailed] = process.argv.slice(2);
let passed = Number(checksPassed) || 0;
let failed = Number(checksFailed) || 0;
let skipped = 0;

for (const file of fs.readdirSync(resultsDir).filter((name) => name.endsWith('.json')).sort()) {
	const result = JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8'));
	const suiteErrors = result.numRuntimeErrorTestSuites || 0;
	passed += result.numPassedTests;
	failed += result.numFailedTests + suiteErrors;
	skipped += (result.numPendingTests || 0) + (result.numTodoTests || 0);
	console.log(
		`${path.basename(file, '.json')}: ${result.numPassedTests} passed, ${result.numFailedTests} failed` +
			(suiteErrors ? `, ${suiteErrors} suites failed to run` : ''),
	);
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
