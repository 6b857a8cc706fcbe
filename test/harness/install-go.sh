#!/usr/bin/env bash
# Installs Debian's Go toolchain and golang.org/x/mod (sumdb/note, sumdb/tlog), only if missing, for
# the transparency-log interop test: a small Go program (test/interop/go/hitlcheck) independently
# verifies our signed checkpoints, inclusion proofs and consistency proofs with the Go reference code.
# Nothing is fetched from the Go module proxy: the build runs in GOPATH mode against
# /usr/share/gocode, which is where Debian's golang-*-dev packages put their sources.
# Fails loudly when Go or x/mod cannot be installed.
set -euo pipefail

GOCODE=/usr/share/gocode
TLOG_SRC="$GOCODE/src/golang.org/x/mod/sumdb/tlog"
NOTE_SRC="$GOCODE/src/golang.org/x/mod/sumdb/note"
log() { printf '[install-go] %s\n' "$*" >&2; }

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
if [ ! -d "$TLOG_SRC" ] || [ ! -d "$NOTE_SRC" ]; then missing+=(golang-golang-x-mod-dev); fi

if [ "${#missing[@]}" -eq 0 ]; then
  log "found $(command -v go) and $GOCODE/src/golang.org/x/mod"
else
  log "missing: ${missing[*]}: installing Debian's packages"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      log "ERROR: not root and no sudo; install them yourself: apt-get install -y golang-go golang-golang-x-mod-dev"; exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: apt-get not found; install Go (1.19 or newer) and golang.org/x/mod into $GOCODE/src with your package manager"; exit 1
  fi
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2
  if ! command -v go >/dev/null 2>&1; then log "ERROR: apt-get finished but go is still not on PATH"; exit 1; fi
  if [ ! -d "$TLOG_SRC" ] || [ ! -d "$NOTE_SRC" ]; then
    log "ERROR: apt-get finished but $TLOG_SRC or $NOTE_SRC is still missing"; exit 1
  fi
fi
# Prove it works rather than trusting the files' presence: the toolchain runs and resolves both
# packages in GOPATH mode (no module proxy, no network).
go version >&2
# Same settings as test/harness/goTools.ts: only the project cache has to be writable.
CACHE_ROOT="${HITL_CACHE_DIR:-$HOME/.cache/n8n-nodes-hitl}"
env GO111MODULE=off GOPATH="$GOCODE" GOCACHE="$CACHE_ROOT/go/go-build" GOFLAGS='' GOPROXY=off GOENV=off \
  go list golang.org/x/mod/sumdb/note golang.org/x/mod/sumdb/tlog >&2
printf 'GO=%s\n' "$(command -v go)"
printf 'GOPATH=%s\n' "$GOCODE"
