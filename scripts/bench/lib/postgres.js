// A throw-away embedded Postgres for the benchmarks, started through the test harness
// (test/harness/postgres.ts, transpiled on the fly: the benchmarks are plain JavaScript). It runs with
// fsync on, unlike the unit tests' clusters, so a commit costs what it costs in production.
// Not a benchmark itself: bench.js runs only the files directly in scripts/bench/.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');

async function startBenchPostgres() {
	const ts = require('typescript');
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hitl-bench-harness-'));
	for (const name of ['postgres', 'net', 'paths']) {
		const source = fs.readFileSync(path.join(ROOT, 'test', 'harness', `${name}.ts`), 'utf8');
		const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
		fs.writeFileSync(path.join(out, `${name}.js`), js);
	}
	process.env.HITL_REPO_ROOT = ROOT;
	const harness = require(path.join(out, 'postgres.js'));
	const pg = await harness.startPostgres({ database: 'hitl_bench' });
	const connection = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password };
	return {
		connection,
		stop: async () => {
			await pg.stop();
			fs.rmSync(out, { recursive: true, force: true });
		},
	};
}

module.exports = { startBenchPostgres };
