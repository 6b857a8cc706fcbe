#!/usr/bin/env bash
# Stryker once per safety-critical file (docs/mutation-testing.md): each run leaves its own complete
# result in reports/mutation/<name>.json (Stryker's incremental file, a mutation-testing-report JSON),
# so a long session that is cut short still has exact scores for every file finished, and a second run
# re-tests only what changed. `node scripts/mutation-summary.js` prints the per-file scores.
# Usage: scripts/mutation-by-file.sh [file.ts ...]   (default: the mutate list of stryker.config.json)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports/mutation
if [ "$#" -gt 0 ]; then FILES=("$@"); else
  mapfile -t FILES < <(node -p 'require("./stryker.config.json").mutate.join("\n")')
fi
for file in "${FILES[@]}"; do
  name="$(echo "$file" | tr '/.' '__')"
  started=$SECONDS
  echo "[mutation] $file" >&2
  npx stryker run --mutate "$file" --incremental --incrementalFile "reports/mutation/$name.json" \
    --reporters clear-text,progress-append-only >"reports/mutation/$name.log" 2>&1 \
    || { echo "[mutation] $file: stryker failed, see reports/mutation/$name.log" >&2; continue; }
  echo "[mutation] $file done in $((SECONDS - started))s" >&2
done
node scripts/mutation-summary.js
