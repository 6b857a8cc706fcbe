#!/usr/bin/env bash
# Starts the server suite's services (n8n with this package freshly built and installed, SMTP
# capture, Postgres) and keeps them running until Ctrl-C, for developing server tests or trying
# the nodes by hand in the editor. Run server tests against it with
#   HITL_ATTACH=<info file> npx jest --selectProjects server -- <test file>
# Restart it after changing node code (attach mode does not rebuild the package).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.test-tmp/harness-js"
INFO="${HITL_SERVER_INFO:-$ROOT/.test-tmp/dev-server-info.json}"
rm -rf "$OUT"
# The harness is TypeScript; compile it once to plain JS next to the repo (git-ignored).
(cd "$ROOT" && npx tsc test/harness/*.ts --outDir "$OUT" --rootDir "$ROOT" --module commonjs --target es2022 \
  --types node,jest --esModuleInterop --skipLibCheck --strict)
cd "$ROOT"
HITL_REPO_ROOT="$ROOT" HITL_SERVER_INFO="$INFO" NODE_PATH="$ROOT/node_modules" exec node -e '
const { startSuite, stopSuite } = require(process.argv[1] + "/suite.js");
startSuite().then((suite) => {
	const { n8n } = suite.info;
	console.log(`\nn8n ${n8n.version}: ${n8n.baseUrl}  (owner ${n8n.owner.email} / ${n8n.owner.password})`);
	console.log(`connection info: ${suite.infoFile}`);
	console.log(`run tests against it: HITL_ATTACH=${suite.infoFile} npx jest --selectProjects server -- <file>`);
	console.log("Ctrl-C stops everything.");
	let stopping = false;
	const stop = () => { if (stopping) return; stopping = true; stopSuite(suite).then(() => process.exit(0)); };
	process.on("SIGINT", stop);
	process.on("SIGTERM", stop);
	setInterval(() => undefined, 1 << 30);
}, (error) => { console.error(error); process.exit(1); });
' "$OUT/test/harness"
