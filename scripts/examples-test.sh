#!/usr/bin/env bash
# `npm run test:examples` (and .ci/run after `npm test`): installs and runs the example projects
# examples/jest and examples/ava, each a user project that depends on this checkout
# (`"pusher-native": "file:../.."`) and tests a small service against pusher-native/testing.
#
# jest runs with --detectOpenHandles: a client or server left running after the tests (an open
# handle that keeps Node alive) fails this script, whether jest names it ("Jest has detected …")
# or just does not exit ("did not exit", or our timeout).
#
# Needs the addon built (`npm run build`) and the npm registry or a warm npm cache.
# Env: EXAMPLES_TIMEOUT (seconds per test run, default 120).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
limit="${EXAMPLES_TIMEOUT:-120}"
started=$SECONDS
log() { printf 'examples-test: %s\n' "$*"; }
die() { printf 'examples-test: FAIL: %s\n' "$*" >&2; exit 1; }

shopt -s nullglob
nodes=("$repo"/pusher-native.*.node)
shopt -u nullglob
((${#nodes[@]})) || die "no pusher-native.*.node in $repo: run \`npm run build\` first"

# `timeout` is coreutils (Linux; gtimeout on macOS with coreutils); without it, run unbounded.
with_timeout() {
  if command -v timeout >/dev/null; then timeout "$limit" "$@"
  elif command -v gtimeout >/dev/null; then gtimeout "$limit" "$@"
  else "$@"; fi
}

install_example() { # dir
  log "installing $1"
  (cd "$repo/examples/$1" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) ||
    die "npm ci in examples/$1 failed (is its package-lock.json in step with its package.json?)"
  # file:../.. is a symlink to this checkout: the example sees the working tree, build included.
  [[ -f "$repo/examples/$1/node_modules/pusher-native/package.json" ]] || die "examples/$1: pusher-native not installed"
}

run() { # dir command...
  local dir="$1" out status
  shift
  log "running examples/$dir: $*"
  set +e
  out="$(cd "$repo/examples/$dir" && CI=true with_timeout "$@" 2>&1)"
  status=$?
  set -e
  printf '%s\n' "$out" | sed "s/^/  [$dir] /"
  ((status != 124)) || die "examples/$dir: still running after ${limit} s (an open handle keeps Node alive?)"
  ((status == 0)) || die "examples/$dir: exit status $status"
  if grep -q "Jest has detected\|Jest did not exit" <<<"$out"; then
    die "examples/$dir: jest reports open handles"
  fi
}

install_example jest
install_example ava
run jest npx --no-install jest --detectOpenHandles
run ava npx --no-install ava
log "both examples passed in $((SECONDS - started)) s"
