#!/usr/bin/env bash
# Installs sockudo (an independent Pusher-protocol server, https://crates.io/crates/sockudo)
# into ~/.cache/pusher-native/sockudo-<version>/bin for the interop tests (__test__/helpers/sockudo.js).
#
# Idempotent: when .cache/sockudo/bin/sockudo already reports the pinned version and was built
# with the pinned features, it does nothing (no network). Otherwise it installs the few Debian
# packages the build needs (only those missing) and runs `cargo install --locked` for the pinned
# version with the smallest feature set (no OpenTelemetry, no v2 extras, no Redis/DB backends).
#
# Env:
#   SOCKUDO_ROOT        install root (default: <repo>/.cache/sockudo)
#   SOCKUDO_KEEP_BUILD  1 = keep the build directory (<root>/build) after a successful install
#   CARGO_BUILD_JOBS    passed through to cargo as usual
set -euo pipefail

SOCKUDO_VERSION=5.2.0
SOCKUDO_FEATURES=local # `local` is an empty marker feature; with --no-default-features it is the minimum
MIN_RUST=1.95          # sockudo 5.2.0's rust-version

repo="$(cd "$(dirname "$0")/.." && pwd)"
# Outside the clone, so later clones on the same machine (CI included) reuse the build.
root="${SOCKUDO_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/pusher-native/sockudo-$SOCKUDO_VERSION}"
bin="$root/bin/sockudo"
stamp="$root/installed"
want="sockudo $SOCKUDO_VERSION --no-default-features --features $SOCKUDO_FEATURES"

log() { printf 'install-sockudo: %s\n' "$*" >&2; }

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
  && [[ "$("$bin" --version 2>/dev/null)" == "sockudo $SOCKUDO_VERSION" ]]; then
  log "sockudo $SOCKUDO_VERSION already installed at $bin"
  exit 0
fi

# --- Debian packages the build needs ---------------------------------------------------------
#   protobuf-compiler  protoc, for prost-build in metrics-exporter-tcp's build script
#   libprotobuf-dev    the well-known .proto files it imports (google/protobuf/timestamp.proto),
#                      which protobuf-compiler leaves to this package under --no-install-recommends
#   libssl-dev, pkg-config  openssl-sys (sockudo-webhook turns on reqwest's native-tls)
#   gcc, g++, make     cc builds of ring / aws-lc-sys / jemalloc (make + perl for jemalloc)
need_cmd=(protoc:protobuf-compiler pkg-config:pkg-config cc:gcc c++:g++ make:make perl:perl)
missing=()
for pair in "${need_cmd[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if ! dpkg-query -W -f='${Status}' libssl-dev 2>/dev/null | grep -q 'install ok installed' \
  && ! pkg-config --exists openssl 2>/dev/null; then
  missing+=(libssl-dev)
fi
if [[ ! -f /usr/include/google/protobuf/timestamp.proto ]]; then
  missing+=(libprotobuf-dev)
fi
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { log "need root or sudo to apt-get install ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust toolchain ----------------------------------------------------------------------------
rustc_version="$(rustc --version | awk '{print $2}')"
if [[ "$(printf '%s\n%s\n' "$MIN_RUST" "$rustc_version" | sort -V | head -n1)" != "$MIN_RUST" ]]; then
  log "sockudo $SOCKUDO_VERSION needs rustc >= $MIN_RUST, found $rustc_version"
  exit 1
fi

# --- Build -------------------------------------------------------------------------------------
# A fixed target dir (not cargo's temp dir) so an interrupted build resumes where it stopped.
mkdir -p "$root"
rm -f "$stamp"
log "building sockudo $SOCKUDO_VERSION (features: $SOCKUDO_FEATURES); this takes a while"
start=$SECONDS
# Stripped (37 MB -> 31 MB); the symbols are of no use to the tests.
CARGO_PROFILE_RELEASE_STRIP=symbols cargo install sockudo \
  --version "=$SOCKUDO_VERSION" \
  --locked \
  --force \
  --no-default-features --features "$SOCKUDO_FEATURES" \
  --root "$root" \
  --target-dir "$root/build"
printf '%s\n' "$want" >"$stamp"
[[ "${SOCKUDO_KEEP_BUILD:-0}" == 1 ]] || rm -rf "$root/build"
log "installed $bin ($("$bin" --version)) in $((SECONDS - start)) s"
