#!/usr/bin/env bash
# Installs Debian's Chromium for the headless-browser server tests (the HITL Gate reviewer), only
# if it is missing. playwright-core drives it; Playwright's own browser download is never used
# (it is not reachable on the CI machines). Fails loudly when Chromium cannot be installed.
set -euo pipefail

CHROMIUM="${HITL_CHROMIUM:-/usr/bin/chromium}"
log() { printf '[install-chromium] %s\n' "$*" >&2; }

if [ -x "$CHROMIUM" ]; then
  log "found $CHROMIUM"
else
  log "$CHROMIUM is missing: installing Debian's chromium package"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      log "ERROR: not root and no sudo; install Chromium yourself: apt-get install -y chromium"; exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: apt-get not found; install Chromium with your package manager and set HITL_CHROMIUM to its path"; exit 1
  fi
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium >&2
  if [ ! -x "$CHROMIUM" ]; then log "ERROR: apt-get finished but $CHROMIUM is still missing"; exit 1; fi
fi
# Prove it runs rather than trusting the file's presence.
"$CHROMIUM" --headless --no-sandbox --disable-gpu --version >&2
printf 'CHROMIUM=%s\n' "$CHROMIUM"
