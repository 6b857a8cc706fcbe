/**
 * The CI check that keeps docs/mutation-testing.md's scores honest (scripts/check-mutation-table.js): it
 * must read the Scores table's rows, and fail — naming the file — when a documented mutant count is not
 * the count Stryker's instrumenter finds in the file today, or a file of the mutate list has no row.
 * Run as CI runs it (a child process), against a copy of the real table with one row changed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script, no types
const { tableCounts } = require('../../../scripts/check-mutation-table.js') as { tableCounts: (markdown: string) => Map<string, number> };

const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'check-mutation-table.js');
const REAL_TABLE = readFileSync(join(ROOT, 'docs', 'mutation-testing.md'), 'utf8');

async function check(markdown: string): Promise<{ code: number; out: string }> {
	const dir = mkdtempSync(join(tmpdir(), 'mutation-table-'));
	const doc = join(dir, 'mutation-testing.md');
	writeFileSync(doc, markdown);
	try {
		const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT], { env: { ...process.env, HITL_MUTATION_TABLE: doc } });
		return { code: 0, out: stdout };
	} catch (error) {
		const failed = error as { code: number; stdout: string };
		return { code: failed.code, out: failed.stdout };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('the mutation table check', () => {
	it('reads each row of the Scores table by its file, also when the cell says more after the path', () => {
		const counts = tableCounts(
			[
				'## Run it',
				'| `core/other.ts` | 5 |',
				'## Scores',
				'| File | Mutants | Killed |',
				'|---|---|---|',
				'| `core/a.ts` | 12 | 11 |',
				'| `core/b.ts` (re-measured 2026-12-03) | 7 | 7 |',
				'| `core/c.ts` | n/a | |',
				'## Next',
				'| `core/d.ts` | 9 |',
			].join('\n'),
		);
		expect([...counts]).toEqual([
			['core/a.ts', 12],
			['core/b.ts', 7],
		]);
		expect(() => tableCounts('## Other\n| `core/a.ts` | 1 |')).toThrow(/no "## Scores" section/);
	});

	it('passes the real table, and fails naming the file when one count is off or a row is missing', async () => {
		const real = await check(REAL_TABLE);
		expect(real.out).not.toMatch(/^FAIL/m);
		expect(real.code).toBe(0);

		const row = /^\| `core\/verify\.ts` \| (\d+) \|/m.exec(REAL_TABLE);
		expect(row).not.toBeNull();
		const documented = Number(row![1]);
		const offByOne = REAL_TABLE.replace(row![0], `| \`core/verify.ts\` | ${documented + 1} |`);
		const stale = await check(offByOne);
		expect(stale.code).toBe(1);
		expect(stale.out).toContain(`FAIL core/verify.ts: docs/mutation-testing.md gives its score for ${documented + 1} mutants, the file has ${documented} now`);

		const withoutRow = REAL_TABLE.split('\n').filter((line) => !line.startsWith('| `core/verify.ts`')).join('\n');
		const missing = await check(withoutRow);
		expect(missing.code).toBe(1);
		expect(missing.out).toContain(`FAIL core/verify.ts: no row in docs/mutation-testing.md's Scores table (it has ${documented} mutants)`);
	}, 60_000);
});
