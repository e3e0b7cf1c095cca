#!/usr/bin/env bash
# Bounded cargo-fuzz runs of the engine's five targets (crates/pusher-client/fuzz), one after
# the other. Not run by CI. Needs the nightly toolchain and cargo-fuzz:
#   cargo +nightly install cargo-fuzz --locked
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   (defaults: 600 s; frame_reader handshake_response pusher_frame http_lines scan_against_serde)
# Each run starts from the committed seeds (fuzz/seeds/<target>) and the corpus grown by
# earlier runs (fuzz/corpus/<target>, not committed). A crash leaves its input in
# fuzz/artifacts/<target>/ and stops the script.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame_reader handshake_response pusher_frame http_lines scan_against_serde)

cd "$repo/crates/pusher-client"
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  echo "fuzz.sh: $target for ${seconds}s"
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=8192 -print_final_stats=1
done
