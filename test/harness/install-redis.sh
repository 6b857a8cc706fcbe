#!/usr/bin/env bash
# Installs Debian's Redis server for the queue-mode server test (n8n main, workers and a webhook
# processor share a Bull queue in Redis), only if it is missing. The test starts its own
# redis-server per run on a free loopback port with persistence off (test/harness/queueMode.ts);
# the system service the package may enable is neither needed nor used.
# Fails loudly when Redis cannot be installed or does not run.
set -euo pipefail

REDIS="${HITL_REDIS_SERVER:-/usr/bin/redis-server}"
log() { printf '[install-redis] %s\n' "$*" >&2; }

if [ -x "$REDIS" ]; then
  log "found $REDIS"
else
  log "$REDIS is missing: installing Debian's redis-server package"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      log "ERROR: not root and no sudo; install Redis yourself: apt-get install -y redis-server"; exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: apt-get not found; install Redis (6 or newer) with your package manager and set HITL_REDIS_SERVER to its redis-server"; exit 1
  fi
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends redis-server >&2
  if [ ! -x "$REDIS" ]; then log "ERROR: apt-get finished but $REDIS is still missing"; exit 1; fi
fi
# Prove it runs rather than trusting the file's presence: start one on a free loopback port with no
# persistence, PING it, and shut it down.
"$REDIS" --version >&2
PROBE_DIR="$(mktemp -d)"
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"$REDIS" --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$PROBE_DIR" --daemonize no \
  --logfile "$PROBE_DIR/redis.log" &
PROBE_PID=$!
cleanup() { kill "$PROBE_PID" 2>/dev/null || true; wait "$PROBE_PID" 2>/dev/null || true; rm -rf "$PROBE_DIR"; }
trap cleanup EXIT
pong=""
for _ in $(seq 1 50); do
  pong="$(node -e '
    const s = require("net").connect(Number(process.argv[1]), "127.0.0.1");
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d) => { process.stdout.write(String(d).trim()); s.end(); });
    s.on("error", () => process.exit(0));
  ' "$PORT" 2>/dev/null || true)"
  [ "$pong" = "+PONG" ] && break
  sleep 0.1
done
if [ "$pong" != "+PONG" ]; then
  log "ERROR: $REDIS started but did not answer PING on 127.0.0.1:$PORT; its log:"
  cat "$PROBE_DIR/redis.log" >&2 || true
  exit 1
fi
log "redis-server answered PING on 127.0.0.1:$PORT"
printf 'REDIS_SERVER=%s\n' "$REDIS"
