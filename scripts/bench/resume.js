// Decision → resume and the decision POST's answer on a real n8n server, against n8n's own Wait node in
// the same run (scripts/bench/server/resume.ts). It starts the server suite's stack (n8n with this
// package installed as users install it, an SMTP capture): about a minute before the first round.
// The TypeScript reuses the server test harness, so it is compiled with the repo's tsc into a
// git-ignored folder first, as `npm start` does (scripts/start/run.sh).
//   npm run bench -- resume                 20 rounds
//   npm run bench -- resume --rounds 50
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.bench-js');

async function run(argv) {
	fs.rmSync(OUT, { recursive: true, force: true });
	execFileSync(
		path.join(ROOT, 'node_modules', '.bin', 'tsc'),
		['scripts/bench/server/resume.ts', '--outDir', OUT, '--rootDir', ROOT, '--module', 'commonjs', '--target', 'es2022', '--types', 'node', '--esModuleInterop', '--skipLibCheck', '--strict'],
		{ cwd: ROOT, stdio: 'inherit' },
	);
	execFileSync(process.execPath, [path.join(OUT, 'scripts', 'bench', 'server', 'resume.js'), ...argv], {
		cwd: ROOT,
		stdio: 'inherit',
		// The compiled harness lives outside test/harness: tell it where the repository is.
		env: { ...process.env, HITL_REPO_ROOT: ROOT, NODE_PATH: path.join(ROOT, 'node_modules') },
	});
}

module.exports = { run };
