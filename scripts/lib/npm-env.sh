#!/usr/bin/env bash
# Why: `npm run <script>` exports the project's .npmrc (and its own run state) to every child process
# as npm_config_* / npm_package_* / npm_lifecycle_* variables. A nested npm call in a set-up script
# inherits them, e.g. ignore-scripts=true from this repo's .npmrc, and then a `npm rebuild` builds
# nothing while printing "rebuilt dependencies successfully". Every nested npm call in scripts/ and
# test/harness/ goes through `npm_clean`, which drops those variables so only the machine's own npm
# configuration (~/.npmrc, the global npmrc) and the flags the caller passes explicitly apply.
# Source this file; do not run it.

# Names of the inherited variables that npm reads as configuration or that describe the outer run.
npm_inherited_vars() {
  compgen -e | grep -E '^(npm_|NPM_CONFIG_|INIT_CWD$)' || true
}

# `npm_clean <npm args…>`: npm with none of the caller's npm_* variables.
npm_clean() {
  local unset_args=()
  local name
  for name in $(npm_inherited_vars); do unset_args+=(-u "$name"); done
  env "${unset_args[@]}" npm "$@"
}
