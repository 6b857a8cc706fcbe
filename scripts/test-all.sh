#!/usr/bin/env bash
# The README's test command (`npm test`): the whole test ladder, then one summary line over every suite.
#   checks    — typecheck, lint, build (a failing check counts as one failed test)
#   unit      — core logic, no n8n
#   workflow  — built nodes inside real n8n execution (n8n-core WorkflowExecute)
#   server    — a real n8n 2.x server, real SMTP, real Postgres, headless Chromium
# Every rung runs even when an earlier one fails, so one run shows everything; the exit code is non-zero
# when anything failed. A suite that cannot run (server does not start, browser missing) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

RESULTS_DIR="${HITL_RESULTS_DIR:-.test-tmp/results}"
rm -rf "$RESULTS_DIR"; mkdir -p "$RESULTS_DIR"
check_failed=0
check_passed=0
stage_times=()

run_check() {
	local name="$1"; shift
	local started=$SECONDS
	echo "=== check: $name"
	local status=0
	"$@" || status=$?
	if [ "$status" = 0 ]; then check_passed=$((check_passed + 1)); else echo "!!! check failed: $name"; check_failed=$((check_failed + 1)); fi
	stage_times+=("$name $((SECONDS - started))s")
	return "$status"
}

run_jest_project() {
	local project="$1"
	local started=$SECONDS
	echo "=== jest project: $project"
	npx jest --selectProjects "$project" --json --outputFile="$RESULTS_DIR/$project.json" --ci
	local code=$?
	if [ ! -s "$RESULTS_DIR/$project.json" ]; then
		echo "!!! jest project $project produced no results (exit $code)"
		echo '{"numPassedTests":0,"numFailedTests":1,"numPendingTests":0,"numTodoTests":0,"numRuntimeErrorTestSuites":1}' > "$RESULTS_DIR/$project.json"
	fi
	stage_times+=("$project $((SECONDS - started))s")
}

run_check typecheck npx tsc -p tsconfig.json --noEmit
run_check lint npx eslint .
# The server suite packs dist/ as users would install it; when it was just built, skip its second build.
if run_check build npm run build --silent; then export HITL_SKIP_BUILD=1; fi

run_jest_project unit
run_jest_project workflow
run_jest_project server

echo "=== stage timings: ${stage_times[*]}"
node scripts/summarize-results.js "$RESULTS_DIR" "$check_passed" "$check_failed"
