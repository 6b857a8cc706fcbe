#!/usr/bin/env bash
# Runs one of the demo's TypeScript entry points (scripts/start/<entry>.ts) with plain Node.js:
#   bash scripts/start/run.sh main        # npm start
#   bash scripts/start/run.sh demoSend    # npm run demo:send
# Why compile: the demo reuses the server test harness (test/harness/*.ts), which is TypeScript; like
# test/harness/dev-server.sh, it is compiled with the repo's tsc into a git-ignored folder. The output
# is reused while the sources are unchanged, so a second start spends no time here.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ENTRY="${1:?usage: run.sh <entry> [args]}"; shift
DEMO_DIR="${HITL_DEMO_DIR:-$ROOT/.demo}"
OUT="$DEMO_DIR/js"
cd "$ROOT"
HASH="$(cat scripts/start/*.ts test/harness/*.ts | sha256sum | cut -c1-16)"
if [ "$(cat "$OUT/.sources" 2>/dev/null || true)" != "$HASH" ]; then
  echo "[start] compiling the start scripts (once per change, about 10 s)" >&2
  rm -rf "$OUT.tmp"
  node_modules/.bin/tsc scripts/start/main.ts scripts/start/demoSend.ts --outDir "$OUT.tmp" --rootDir "$ROOT" \
    --module commonjs --target es2022 --types node --esModuleInterop --skipLibCheck --strict
  echo "$HASH" > "$OUT.tmp/.sources"
  rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
fi
# HITL_REPO_ROOT: the compiled harness lives outside test/harness, so tell it where the repository is.
HITL_REPO_ROOT="$ROOT" NODE_PATH="$ROOT/node_modules" exec node "$OUT/scripts/start/$ENTRY.js" "$@"
