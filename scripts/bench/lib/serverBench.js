// Runs a server benchmark written in TypeScript (scripts/bench/server/<name>.ts): those reuse the server
// test harness, so they are compiled with the repo's tsc into a git-ignored folder first, as `npm start`
// does (scripts/start/run.sh), then run with plain Node.js.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, '.bench-js');

function runServerBench(name, argv) {
	fs.rmSync(OUT, { recursive: true, force: true });
	execFileSync(
		path.join(ROOT, 'node_modules', '.bin', 'tsc'),
		[`scripts/bench/server/${name}.ts`, '--outDir', OUT, '--rootDir', ROOT, '--module', 'commonjs', '--target', 'es2022', '--types', 'node', '--esModuleInterop', '--skipLibCheck', '--strict'],
		{ cwd: ROOT, stdio: 'inherit' },
	);
	execFileSync(process.execPath, [path.join(OUT, 'scripts', 'bench', 'server', `${name}.js`), ...argv], {
		cwd: ROOT,
		stdio: 'inherit',
		// The compiled harness lives outside test/harness: tell it where the repository is.
		env: { ...process.env, HITL_REPO_ROOT: ROOT, NODE_PATH: path.join(ROOT, 'node_modules') },
	});
}

module.exports = { runServerBench };
