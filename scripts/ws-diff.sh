#!/usr/bin/env bash
# The WebSocket differential test (our frame reader against tungstenite's) at a chosen size,
# in the test profile (200000 cases take about 15 s). Not run by CI: `cargo test` already
# runs 4000 cases.
#
# Usage: scripts/ws-diff.sh [CASES] [SEED]   (defaults: 200000 cases, a seed from the clock)
# A failure names the seed of the case; replay it with DIFF_SEED=<seed> DIFF_CASES=1.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cases="${1:-200000}"
seed="${2:-$(date +%s)}"
cd "$repo"
DIFF_CASES="$cases" DIFF_SEED="$seed" cargo test -p pusher-client --lib \
  ws_diff::tests::our_reader_agrees_with_tungstenite_on_random_streams -- --nocapture
