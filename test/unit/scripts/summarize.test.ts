// The CI summary (`N passed, N failed, N skipped`) must not be green when a suite ran nothing: these call
// scripts/summarize-results.js's summarize() with fabricated jest --json results and exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ProjectInput {
	name: string;
	result?: Record<string, unknown> | null;
	resultError?: string;
	exitCode?: number | null;
}
interface Summary {
	passed: number;
	failed: number;
	skipped: number;
	lines: string[];
	exitCode: number;
}
interface Summarizer {
	summarize(input: { projects: ProjectInput[]; checks?: Array<{ name: string; exitCode: number }> }): Summary;
	main(argv: string[]): number;
}

// The summariser is a plain CommonJS script run by Node directly (no .d.ts), so it is required, typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarize, main } = require(join(__dirname, '..', '..', '..', 'scripts', 'summarize-results.js')) as Summarizer;

/** jest --json's counters for a run of `passed`/`failed`/`pending` tests (the fields the summariser reads). */
function jestResult(passed: number, failed = 0, pending = 0, extra: Record<string, unknown> = {}) {
	return {
		success: failed === 0,
		numTotalTests: passed + failed + pending,
		numPassedTests: passed,
		numFailedTests: failed,
		numPendingTests: pending,
		numTodoTests: 0,
		numRuntimeErrorTestSuites: 0,
		numTotalTestSuites: 1,
		testResults: [],
		...extra,
	};
}

const greenChecks = [
	{ name: 'typecheck', exitCode: 0 },
	{ name: 'lint', exitCode: 0 },
	{ name: 'build', exitCode: 0 },
];

function lastLine(summary: Summary): string {
	return summary.lines[summary.lines.length - 1];
}

describe('summarize-results', () => {
	it('all green: counts only tests as passed, checks on their own line, exit 0', () => {
		const summary = summarize({
			projects: [
				{ name: 'unit', result: jestResult(10, 0, 1), exitCode: 0 },
				{ name: 'workflow', result: jestResult(5), exitCode: 0 },
			],
			checks: greenChecks,
		});
		expect(summary).toMatchObject({ passed: 15, failed: 0, skipped: 1, exitCode: 0 });
		expect(summary.lines).toContain('checks: typecheck ok, lint ok, build ok');
		expect(lastLine(summary)).toBe('15 passed, 0 failed, 1 skipped');
		expect(summary.lines.some((line) => line.startsWith('!!!'))).toBe(false);
	});

	it('one failing test fails the run', () => {
		const summary = summarize({
			projects: [
				{ name: 'unit', result: jestResult(9, 1), exitCode: 1 },
				{ name: 'workflow', result: jestResult(5), exitCode: 0 },
			],
			checks: greenChecks,
		});
		expect(summary).toMatchObject({ passed: 14, failed: 1, exitCode: 1 });
		expect(lastLine(summary)).toBe('14 passed, 1 failed, 0 skipped');
	});

	it('a project whose testMatch found nothing (exit 1, zero tests) is a failure', () => {
		const noTests = { ...jestResult(0), success: false, numTotalTestSuites: 0 };
		const summary = summarize({
			projects: [
				{ name: 'unit', result: jestResult(3), exitCode: 0 },
				{ name: 'server', result: noTests, exitCode: 1 },
			],
			checks: greenChecks,
		});
		expect(summary).toMatchObject({ passed: 3, failed: 1, exitCode: 1 });
		expect(summary.lines).toContain('!!! jest project server ran no tests (no test found)');
		expect(lastLine(summary)).toBe('3 passed, 1 failed, 0 skipped');
	});

	it('a project that exits 0 with every test skipped is a failure', () => {
		const summary = summarize({
			projects: [{ name: 'server', result: jestResult(0, 0, 7), exitCode: 0 }],
			checks: greenChecks,
		});
		expect(summary).toMatchObject({ passed: 0, failed: 1, skipped: 7, exitCode: 1 });
		expect(summary.lines).toContain('!!! jest project server ran no tests (all 7 skipped)');
		expect(lastLine(summary)).toBe('0 passed, 1 failed, 7 skipped');
	});

	it('todo tests do not count as having run', () => {
		const summary = summarize({
			projects: [{ name: 'unit', result: { ...jestResult(0), numTotalTests: 2, numTodoTests: 2 }, exitCode: 0 }],
		});
		expect(summary).toMatchObject({ failed: 1, skipped: 2, exitCode: 1 });
	});

	it('a project with no results file is a failure', () => {
		const summary = summarize({
			projects: [
				{ name: 'unit', result: jestResult(4), exitCode: 0 },
				{ name: 'workflow', result: null, exitCode: 1 },
			],
			checks: greenChecks,
		});
		expect(summary).toMatchObject({ passed: 4, failed: 1, exitCode: 1 });
		expect(summary.lines).toContain('!!! jest project workflow produced no results file (exit 1)');
		expect(lastLine(summary)).toBe('4 passed, 1 failed, 0 skipped');
	});

	it('a non-zero exit with no failed test (e.g. a globalTeardown error) is a failure', () => {
		const summary = summarize({ projects: [{ name: 'server', result: jestResult(8), exitCode: 1 }] });
		expect(summary).toMatchObject({ passed: 8, failed: 1, exitCode: 1 });
		expect(summary.lines).toContain('!!! jest project server exited 1 although no test failed');
	});

	it('a test file that crashed before its tests counts as failed', () => {
		const summary = summarize({
			projects: [{ name: 'unit', result: jestResult(8, 0, 0, { numRuntimeErrorTestSuites: 2 }), exitCode: 1 }],
		});
		expect(summary).toMatchObject({ passed: 8, failed: 2, exitCode: 1 });
	});

	it('a failed check fails the run while every test passed, and is not counted as a passed test', () => {
		const summary = summarize({
			projects: [{ name: 'unit', result: jestResult(12), exitCode: 0 }],
			checks: [
				{ name: 'typecheck', exitCode: 0 },
				{ name: 'lint', exitCode: 1 },
				{ name: 'build', exitCode: 0 },
			],
		});
		expect(summary).toMatchObject({ passed: 12, failed: 1, exitCode: 1 });
		expect(summary.lines).toContain('checks: typecheck ok, lint FAILED (exit 1), build ok');
		expect(summary.lines).toContain('!!! check failed: lint (counted as 1 failed)');
		expect(lastLine(summary)).toBe('12 passed, 1 failed, 0 skipped');
	});

	it('no jest project at all is a failure', () => {
		expect(summarize({ projects: [], checks: greenChecks })).toMatchObject({ failed: 1, exitCode: 1 });
	});

	describe('main() over a results directory', () => {
		let dir: string;
		let log: jest.SpyInstance;
		beforeEach(() => {
			dir = mkdtempSync(join(tmpdir(), 'hitl-summary-'));
			log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
		});
		afterEach(() => {
			log.mockRestore();
			rmSync(dir, { recursive: true, force: true });
		});
		const printed = () => log.mock.calls.map((call: unknown[]) => String(call[0]));

		it('reads <project>.json and <project>.exit, and names a listed project with neither as failed', () => {
			writeFileSync(join(dir, 'unit.json'), JSON.stringify(jestResult(6)));
			writeFileSync(join(dir, 'unit.exit'), '0\n');
			const code = main([dir, '--projects', 'unit,server', '--check', 'typecheck=0', '--check', 'build=2']);
			expect(code).toBe(1);
			const lines = printed();
			expect(lines).toContain('!!! jest project server produced no results file (no exit code)');
			expect(lines).toContain('checks: typecheck ok, build FAILED (exit 2)');
			expect(lines[lines.length - 1]).toBe('6 passed, 2 failed, 0 skipped');
		});

		it('an unparseable results file is a failure', () => {
			writeFileSync(join(dir, 'unit.json'), '{"numPassedTests":');
			writeFileSync(join(dir, 'unit.exit'), '1');
			expect(main([dir])).toBe(1);
			expect(printed()[printed().length - 1]).toBe('0 passed, 1 failed, 0 skipped');
		});

		it('all green from files', () => {
			writeFileSync(join(dir, 'unit.json'), JSON.stringify(jestResult(6)));
			writeFileSync(join(dir, 'unit.exit'), '0');
			expect(main([dir, '--projects', 'unit', '--check', 'lint=0'])).toBe(0);
			expect(printed()[printed().length - 1]).toBe('6 passed, 0 failed, 0 skipped');
		});
	});
});
