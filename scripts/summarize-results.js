#!/usr/bin/env node
// Adds up jest's --json result files and prints the one plain summary line CI reads, as the LAST line:
// `N passed, N failed, N skipped`. Exits non-zero when anything failed.
//
//   node scripts/summarize-results.js <resultsDir> --projects unit,workflow,server \
//     --check typecheck=0 --check lint=0 --check build=0
//
// <resultsDir> holds, per jest project, `<project>.json` (jest --json --outputFile) and `<project>.exit`
// (jest's exit code). The summary is honest about suites that ran nothing; a jest project counts as
// (at least one) failure when:
//   - it has no results file, or the file is not jest JSON (jest crashed before writing it);
//   - it has no recorded exit code, or jest exited non-zero while its results show no failure
//     (e.g. a globalTeardown error, an unhandled error after the tests);
//   - it ran zero tests (numTotalTests minus pending/todo is 0): "No tests found" (jest exits 1), or
//     every test skipped (jest exits 0);
//   - a test file crashed before running its tests (numRuntimeErrorTestSuites).
// The checks (typecheck, lint, mutation table, build) are reported apart on a `checks:` line and never add to the passed
// tests; a failed check adds one failed to the summary, so the last line and the exit code show it.
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * The summary as data, from fabricated or real inputs (the unit tests call this directly).
 * @param {{
 *   projects: Array<{ name: string, result?: object|null, resultError?: string, exitCode?: number|null }>,
 *   checks?: Array<{ name: string, exitCode: number }>,
 * }} input  `result` is jest's parsed --json output (null/undefined: no results file);
 *           `exitCode` is jest's exit code (null/undefined: not recorded).
 * @returns {{ passed: number, failed: number, skipped: number, lines: string[], exitCode: number }}
 *          `lines` ends with the summary line.
 */
function summarize({ projects, checks = [] }) {
	const lines = [];
	let passed = 0;
	let failed = 0;
	let skipped = 0;

	for (const { name, result, resultError, exitCode } of projects) {
		const codeText = exitCode === null || exitCode === undefined ? 'no exit code' : `exit ${exitCode}`;
		if (!result || typeof result !== 'object') {
			failed += 1;
			const why = resultError ? `unreadable results (${resultError})` : 'produced no results file';
			lines.push(`${name}: 0 passed, 1 failed, 0 skipped (${codeText})`);
			lines.push(`!!! jest project ${name} ${why} (${codeText})`);
			continue;
		}
		const numPassed = Number(result.numPassedTests) || 0;
		const numFailed = Number(result.numFailedTests) || 0;
		const numSkipped = (Number(result.numPendingTests) || 0) + (Number(result.numTodoTests) || 0);
		const suiteErrors = Number(result.numRuntimeErrorTestSuites) || 0;
		const total =
			typeof result.numTotalTests === 'number' ? result.numTotalTests : numPassed + numFailed + numSkipped;
		const ran = total - numSkipped;

		let projectFailed = numFailed + suiteErrors;
		const reasons = [];
		if (suiteErrors) reasons.push(`${suiteErrors} test files failed to run`);
		if (ran <= 0) {
			reasons.push(
				numSkipped > 0 ? `ran no tests (all ${numSkipped} skipped)` : 'ran no tests (no test found)',
			);
			if (projectFailed === 0) projectFailed = 1;
		}
		if (exitCode === null || exitCode === undefined) {
			reasons.push('has no recorded exit code');
			if (projectFailed === 0) projectFailed = 1;
		} else if (exitCode !== 0 || result.success === false) {
			if (projectFailed === 0) {
				reasons.push(`exited ${exitCode} although no test failed`);
				projectFailed = 1;
			}
		}
		passed += numPassed;
		failed += projectFailed;
		skipped += numSkipped;
		lines.push(
			`${name}: ${numPassed} passed, ${projectFailed} failed, ${numSkipped} skipped (${codeText})`,
		);
		for (const reason of reasons) lines.push(`!!! jest project ${name} ${reason}`);
	}
	if (projects.length === 0) {
		failed += 1;
		lines.push('!!! no jest project results at all');
	}

	if (checks.length > 0) {
		const parts = checks.map(({ name, exitCode }) =>
			exitCode === 0 ? `${name} ok` : `${name} FAILED (exit ${exitCode})`,
		);
		lines.push(`checks: ${parts.join(', ')}`);
		for (const { name, exitCode } of checks) {
			if (exitCode !== 0) {
				failed += 1;
				lines.push(`!!! check failed: ${name} (counted as 1 failed)`);
			}
		}
	}

	lines.push(`${passed} passed, ${failed} failed, ${skipped} skipped`);
	return { passed, failed, skipped, lines, exitCode: failed > 0 ? 1 : 0 };
}

/** Reads `<dir>/<project>.json` and `<dir>/<project>.exit` into summarize()'s project entry. */
function readProject(dir, name) {
	const entry = { name, result: null, exitCode: null };
	const exitFile = path.join(dir, `${name}.exit`);
	if (fs.existsSync(exitFile)) {
		const text = fs.readFileSync(exitFile, 'utf8').trim();
		if (/^\d+$/.test(text)) entry.exitCode = Number(text);
	}
	const jsonFile = path.join(dir, `${name}.json`);
	if (fs.existsSync(jsonFile) && fs.statSync(jsonFile).size > 0) {
		try {
			entry.result = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
		} catch (error) {
			entry.resultError = error instanceof Error ? error.message : String(error);
		}
	}
	return entry;
}

/** Parses `<resultsDir> [--projects a,b] [--check name=code]…`; without --projects, every `*.json`/`*.exit`. */
function parseArgs(argv) {
	const options = { resultsDir: undefined, projects: undefined, checks: [] };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--projects') {
			options.projects = String(argv[++i] || '').split(',').filter(Boolean);
		} else if (arg === '--check') {
			const match = /^([^=]+)=(\d+)$/.exec(String(argv[++i] || ''));
			if (!match) throw new Error(`--check needs name=exitcode, got ${argv[i]}`);
			options.checks.push({ name: match[1], exitCode: Number(match[2]) });
		} else if (options.resultsDir === undefined) {
			options.resultsDir = arg;
		} else {
			throw new Error(`unexpected argument ${arg}`);
		}
	}
	if (!options.resultsDir) throw new Error('usage: summarize-results.js <resultsDir> [--projects a,b] [--check name=code]…');
	return options;
}

function main(argv) {
	const options = parseArgs(argv);
	const dir = options.resultsDir;
	let names = options.projects;
	if (!names) {
		const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
		names = [...new Set(files.filter((f) => /\.(json|exit)$/.test(f)).map((f) => f.replace(/\.(json|exit)$/, '')))].sort();
	}
	const summary = summarize({ projects: names.map((name) => readProject(dir, name)), checks: options.checks });
	for (const line of summary.lines) console.log(line);
	return summary.exitCode;
}

module.exports = { summarize, readProject, parseArgs, main };

if (require.main === module) {
	let code;
	try {
		code = main(process.argv.slice(2));
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		console.log('0 passed, 1 failed, 0 skipped');
		code = 1;
	}
	process.exit(code);
}
