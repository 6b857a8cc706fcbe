#!/usr/bin/env bash
# The README's test command (`npm test`): the whole test ladder, then one summary line over every suite.
#   checks    — typecheck, lint, mutation table (scripts/check-mutation-table.js: no documented mutation
#               score for a safety-critical file that changed since its run), build: reported apart on a
#               `checks:` line, never added to the passed tests; a failing check counts as one failed in
#               the summary line
#   unit      — core logic, no n8n
#   workflow  — built nodes inside real n8n execution (n8n-core WorkflowExecute)
#   server    — a real n8n 2.x server, real SMTP, real Postgres, headless Chromium
# Every rung runs even when an earlier one fails, so one run shows everything; the exit code is non-zero
# when anything failed. A suite that cannot run (server does not start, browser missing) is a failure, and
# so is a jest project that exits non-zero, writes no results, or runs zero tests (all skipped, or its
# testMatch finds no file): each project's jest exit code is kept in $RESULTS_DIR/<project>.exit next to its
# <project>.json, and scripts/summarize-results.js judges both. The last line is `N passed, N failed, N skipped`.
set -uo pipefail
cd "$(dirname "$0")/.."

RESULTS_DIR="${HITL_RESULTS_DIR:-.test-tmp/results}"
rm -rf "$RESULTS_DIR"; mkdir -p "$RESULTS_DIR"
check_args=()
stage_times=()

run_check() {
	local name="$1"; shift
	local started=$SECONDS
	echo "=== check: $name"
	local status=0
	"$@" || status=$?
	if [ "$status" != 0 ]; then echo "!!! check failed: $name (exit $status)"; fi
	check_args+=(--check "$name=$status")
	stage_times+=("$name $((SECONDS - started))s")
	return "$status"
}

run_jest_project() {
	local project="$1"
	local started=$SECONDS
	echo "=== jest project: $project"
	local code=0
	npx jest --selectProjects "$project" --json --outputFile="$RESULTS_DIR/$project.json" --ci || code=$?
	echo "$code" > "$RESULTS_DIR/$project.exit"
	# A missing results file, a non-zero exit or zero tests run is judged (as a failure) by the summariser.
	if [ "$code" != 0 ]; then echo "!!! jest project $project exited $code"; fi
	projects+=("$project")
	stage_times+=("$project $((SECONDS - started))s")
}

projects=()
run_check typecheck npx tsc -p tsconfig.json --noEmit
run_check lint npx eslint .
run_check mutation-table node scripts/check-mutation-table.js
# The server suite packs dist/ as users would install it; when it was just built, skip its second build.
if run_check build npm run build --silent; then export HITL_SKIP_BUILD=1; fi

run_jest_project unit
run_jest_project workflow
run_jest_project server

echo "=== stage timings: ${stage_times[*]}"
project_list="$(IFS=,; echo "${projects[*]}")"
node scripts/summarize-results.js "$RESULTS_DIR" --projects "$project_list" "${check_args[@]}"
