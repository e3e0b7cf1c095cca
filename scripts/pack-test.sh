#!/usr/bin/env bash
# `npm run test:pack`: the package as a user gets it. Runs `npm pack`, installs the tarball into a
# fresh project outside the repo, and there runs one small program per module flavour:
#
#   cjs            require('pusher-native')                      main.cjs
#   esm            import Pusher from 'pusher-native'            main.mjs
#   ts-nodenext    tsc --strict, module/moduleResolution nodenext: main.mts and main.cts
#   ts-commonjs    tsc --strict, module commonjs, esModuleInterop true
#   ts-commonjs-no-interop   the same with esModuleInterop false
#   ts-echo-*      tsc --strict --noEmit of a program using laravel-echo's typings with our class
#                  (Echo's `Pusher` option) and instances (`client`), under commonjs, commonjs +
#                  esModuleInterop, nodenext (.mts) and bundler resolution. laravel-echo's typings
#                  import pusher-js's; `pusher-js` is installed as an alias of the tarball (what
#                  `npm install pusher-js@npm:pusher-native` does), since no other class can be
#                  typed as pusher-js's own (it has a private static, so its class type is nominal).
#
# Each runnable program starts a TestServer from `pusher-native/testing`, connects, subscribes, receives an
# event, disconnects, stops the server and must then exit 0 by itself (a watchdog fails it after
# 20 s). Needs the addon built for this platform (`npm run build`) and the npm registry (or a warm
# npm cache) for typescript and @types/node, which are installed once per run into the temp project.
#
# Env: PACK_TEST_TS (typescript version, default 5.9.3: the last 5.x, where every flavour above is
#      valid; TypeScript 6 deprecates and 7 removes esModuleInterop=false); laravel-echo is the
#      version pinned in the repo's devDependencies,
#      PACK_TEST_KEEP=1 (keep the temp project and print its path).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
ts_version="${PACK_TEST_TS:-5.9.3}"
types_node_version="20"
echo_version="$(node -p "require('$repo/package.json').devDependencies['laravel-echo']")"
work="$(mktemp -d "${TMPDIR:-/tmp}/pusher-native-pack-test.XXXXXX")"
started=$SECONDS

cleanup() {
  if [[ "${PACK_TEST_KEEP:-}" == 1 ]]; then echo "pack-test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

log() { printf 'pack-test: %s\n' "$*"; }
die() { printf 'pack-test: FAIL: %s\n' "$*" >&2; exit 1; }

# --- 1. pack ---------------------------------------------------------------------------------
shopt -s nullglob
nodes=("$repo"/pusher-native.*.node)
shopt -u nullglob
((${#nodes[@]})) || die "no pusher-native.*.node in $repo: run \`npm run build\` first"

tarball_name="$(cd "$repo" && npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
tarball="$work/$tarball_name"
[[ -f "$tarball" ]] || die "npm pack did not write a tarball (got '$tarball_name')"
listing="$(tar -tzf "$tarball")"
for f in package/package.json package/index.js package/index.d.ts package/testing.js \
  package/testing.d.ts package/binding.js package/binding.d.ts package/lib/pusher.js; do
  grep -qx "$f" <<<"$listing" || die "$tarball_name lacks $f"
done
for node in "${nodes[@]}"; do
  grep -qx "package/$(basename "$node")" <<<"$listing" || die "$tarball_name lacks $(basename "$node") (check \"files\" in package.json)"
done
if grep -E '^package/(npm|src|crates|target|__test__|node_modules|scripts|examples|bench)/' <<<"$listing" >/dev/null; then
  die "$tarball_name carries files that should not ship: $(grep -E '^package/(npm|src|crates|target|__test__|node_modules|scripts|examples|bench)/' <<<"$listing" | head -5 | tr '\n' ' ')"
fi
size_kb=$(( $(wc -c <"$tarball") / 1024 ))
log "packed $tarball_name ($(wc -l <<<"$listing") files, ${size_kb} KiB)"

# --- 2. a fresh project ----------------------------------------------------------------------
app="$work/app"
mkdir -p "$app"
cat >"$app/package.json" <<JSON
{
  "name": "pusher-native-pack-test",
  "version": "1.0.0",
  "private": true,
  "dependencies": { "pusher-native": "file:../$tarball_name" },
  "devDependencies": {
    "typescript": "$ts_version",
    "@types/node": "$types_node_version",
    "laravel-echo": "$echo_version",
    "pusher-js": "file:../$tarball_name"
  }
}
JSON
log "installing the tarball (also as pusher-js), typescript@$ts_version, @types/node@$types_node_version and laravel-echo@$echo_version in $app"
(cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error) >"$work/npm-install.log" 2>&1 ||
  { cat "$work/npm-install.log" >&2; die "npm install failed"; }
[[ -f "$app/node_modules/pusher-native/package.json" ]] || die "pusher-native was not installed"
[[ "$(node -p "require('$app/node_modules/pusher-js/package.json').name")" == pusher-native ]] ||
  die "node_modules/pusher-js is not the tarball"
log "installed in $((SECONDS - started)) s since start"

# --- 3. the programs -------------------------------------------------------------------------
# The same scenario in JavaScript (CJS and ESM) and TypeScript; LABEL is replaced per copy.
cat >"$work/main.js.tmpl" <<'JS'
const label = 'LABEL'
const watchdog = setTimeout(() => {
  console.error(`${label}: timed out (no event, or the process did not exit after disconnect)`)
  process.exit(1)
}, 20000)
watchdog.unref()

async function main() {
  const server = await TestServer.start()
  const pusher = new Pusher(server.key, server.clientOptions())
  const channel = pusher.subscribe('orders')
  const order = await new Promise((resolve) => {
    channel.bind('pusher:subscription_succeeded', () => server.trigger('orders', 'order-placed', { id: 42 }))
    channel.bind('order-placed', resolve)
  })
  if (order.id !== 42) throw new Error(`${label}: unexpected data ${JSON.stringify(order)}`)
  if (pusher.connection.state !== 'connected') throw new Error(`${label}: state ${pusher.connection.state}`)
  pusher.disconnect()
  await server.stop()
  console.log(`${label}: received order ${order.id}, disconnected`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
JS

cat >"$work/main.ts.tmpl" <<'TS'
import Pusher from 'pusher-native'
import { TestServer } from 'pusher-native/testing'

interface Order {
  id: number
}

const label: string = 'LABEL'
const watchdog = setTimeout(() => {
  console.error(`${label}: timed out (no event, or the process did not exit after disconnect)`)
  process.exit(1)
}, 20000)
watchdog.unref()

async function main(): Promise<void> {
  const server: TestServer = await TestServer.start()
  const options: Pusher.Options = server.clientOptions({
    activityTimeout: '30000', // a numeric string, as pusher-js accepts it
    maxReconnectionAttempts: 5,
    maxReconnectGapInSeconds: 10,
    wsHeaders: async () => ({ 'X-Token': 'token' }),
    channelAuthorization: { endpoint: '/broadcasting/auth', batch: { delay: 10 } },
  })
  const pusher: Pusher = new Pusher(server.key, options)
  // Beyond pusher-js: the promise and async-iteration APIs, typed under --strict.
  const socketId: string = await pusher.connection.ready({ timeout: 10000 })
  const channel: Pusher.Channel = await pusher.subscribe('orders').ready({ timeout: 10000 })
  server.trigger('orders', 'order-placed', { id: 42 })
  let order: Order = { id: 0 }
  for await (const { event, data } of channel.events('order-placed', { limit: 10 })) {
    if (event === 'order-placed') order = data as Order
    break
  }
  if (order.id !== 42) throw new Error(`${label}: unexpected data ${JSON.stringify(order)}`)
  if (socketId !== pusher.connection.socket_id) throw new Error(`${label}: socket id ${socketId}`)
  const state: string = pusher.connection.state
  if (state !== 'connected') throw new Error(`${label}: state ${state}`)
  pusher.disconnect()
  await server.stop()
  console.log(`${label}: received order ${order.id}, disconnected`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
TS

from_template() { # template label destination [prelude]
  { [[ -n "${4:-}" ]] && printf '%s\n' "$4"; sed "s/LABEL/$2/" "$1"; } >"$3"
}

from_template "$work/main.js.tmpl" cjs "$app/main.cjs" \
  "const Pusher = require('pusher-native')
const { TestServer } = require('pusher-native/testing')"
from_template "$work/main.js.tmpl" esm "$app/main.mjs" \
  "import Pusher from 'pusher-native'
import { TestServer } from 'pusher-native/testing'"

tsconfig() { # dir module moduleResolution esModuleInterop [emit: out (default) | none]
  local output='"outDir": "out",
    "rootDir": "."'
  [[ "${5:-out}" == none ]] && output='"noEmit": true'
  mkdir -p "$app/$1"
  cat >"$app/$1/tsconfig.json" <<JSON
{
  "compilerOptions": {
    "strict": true,
    "module": "$2",
    "moduleResolution": "$3",
    "esModuleInterop": $4,
    "target": "es2020",
    "types": ["node"],
    $output
  },
  "include": ["*.ts", "*.mts", "*.cts"]
}
JSON
}
tsconfig ts-nodenext nodenext nodenext true
from_template "$work/main.ts.tmpl" ts-nodenext-mts "$app/ts-nodenext/main.mts"
from_template "$work/main.ts.tmpl" ts-nodenext-cts "$app/ts-nodenext/main.cts"
tsconfig ts-commonjs commonjs node true
from_template "$work/main.ts.tmpl" ts-commonjs "$app/ts-commonjs/main.ts"
tsconfig ts-commonjs-no-interop commonjs node false
from_template "$work/main.ts.tmpl" ts-commonjs-no-interop "$app/ts-commonjs-no-interop/main.ts"

# laravel-echo's typings: compiled only (Echo's CommonJS build does not load in Node, and the
# runtime is covered by __test__/echo.spec.js).
cat >"$work/echo.ts.tmpl" <<'TS'
// laravel-echo's typings with pusher-native's class (Echo's `Pusher` option) and instances (the
// `client` option). Echo types both with pusher-js's class, imported from 'pusher-js', which
// resolves here to pusher-native.
import Echo from 'laravel-echo'
import Pusher from 'pusher-native'
import type PusherJs from 'pusher-js'

interface Order {
  id: number
}
interface User {
  id: string
  name: string
}

// Echo constructs the client: Laravel Reverb's documented configuration (ports from the
// environment are strings), and Pusher's.
const reverb = new Echo({
  broadcaster: 'reverb',
  key: 'app-key',
  wsHost: 'localhost',
  wsPort: process.env.REVERB_PORT ?? 8080,
  wssPort: process.env.REVERB_PORT ?? 443,
  forceTLS: false,
  enabledTransports: ['ws', 'wss'],
  Pusher,
})
const pusherCloud = new Echo({ broadcaster: 'pusher', key: 'app-key', cluster: 'eu', forceTLS: true, Pusher })

// The application builds the client and hands it to Echo.
const options: Pusher.Options = { cluster: '', wsHost: 'localhost', wsPort: 8080, forceTLS: false, enabledTransports: ['ws', 'wss'] }
const client: Pusher = new Pusher('app-key', options)
const viaClient = new Echo({ broadcaster: 'reverb', client })
const pusherViaClient = new Echo({ broadcaster: 'pusher', client: new Pusher('app-key', { cluster: 'eu' }) })

// Echo's API as an application uses it.
reverb.channel('orders').listen('.order.shipped', (order: Order) => console.log(order.id))
reverb
  .private('orders.1')
  .listen('OrderShipped', (order: Order) => console.log(order.id))
  .listenForWhisper('typing', (who: User) => console.log(who.name))
viaClient.private('chat').whisper('typing', { name: 'Ada' })
viaClient
  .join('room.1')
  .here((users: User[]) => console.log(users.length))
  .joining((user: User) => console.log(user.name))
  .leaving((user: User) => console.log(user.name))
pusherCloud.leave('orders')
pusherViaClient.leaveChannel('private-orders.1')

// The client Echo drives is typed as pusher-js's class: here, this package's.
const driven: Pusher = reverb.connector.pusher
const state: string = driven.connection.state
const socketId: string | undefined = viaClient.socketId()

// Code typed against pusher-js's class takes this one, statics included.
const asPusherJs: typeof PusherJs = Pusher
const instance: PusherJs = client
const features: string[] = Pusher.getClientFeatures()
const protocol: string = Pusher.Runtime.getProtocol()
console.log(state, socketId, asPusherJs.isReady, instance.key, features, protocol)
reverb.disconnect()
TS

echo_project() { # dir module moduleResolution esModuleInterop file
  tsconfig "$1" "$2" "$3" "$4" none
  cp "$work/echo.ts.tmpl" "$app/$1/$5"
}
echo_project ts-echo-commonjs commonjs node false echo.ts
echo_project ts-echo-commonjs-interop commonjs node true echo.ts
echo_project ts-echo-nodenext nodenext nodenext true echo.mts
echo_project ts-echo-bundler esnext bundler true echo.ts

# --- 4. compile and run ----------------------------------------------------------------------
passed=0
failed=0
failures=()
check() { # name command...
  local name="$1"
  shift
  local out t0=$SECONDS
  if out="$("$@" 2>&1)"; then
    passed=$((passed + 1))
    log "ok   $name ($((SECONDS - t0)) s)${out:+: $(tail -n 1 <<<"$out")}"
  else
    failed=$((failed + 1))
    failures+=("$name")
    log "FAIL $name"
    sed 's/^/    /' <<<"$out" >&2
  fi
}

cd "$app"
# One `tsc -b` for the three projects: it parses lib and @types/node once (faster than three
# `tsc -p`); an error names the project's file (ts-commonjs-no-interop/main.ts, ...).
tsc="node_modules/typescript/bin/tsc"
check "tsc $(node "$tsc" --version | sed 's/Version //') --strict: ts-nodenext (.mts, .cts), ts-commonjs, ts-commonjs-no-interop" \
  node "$tsc" -b ts-nodenext ts-commonjs ts-commonjs-no-interop
check "tsc --strict, laravel-echo@$echo_version typings: ts-echo-commonjs, ts-echo-commonjs-interop, ts-echo-nodenext, ts-echo-bundler" \
  node "$tsc" -b ts-echo-commonjs ts-echo-commonjs-interop ts-echo-nodenext ts-echo-bundler
check "run cjs (require)" node main.cjs
check "run esm (import)" node main.mjs
for program in ts-nodenext/out/main.mjs ts-nodenext/out/main.cjs ts-commonjs/out/main.js ts-commonjs-no-interop/out/main.js; do
  if [[ -f "$program" ]]; then
    check "run $program" node "$program"
  else
    failed=$((failed + 1))
    failures+=("run $program")
    log "FAIL run $program: not compiled"
  fi
done

log "$passed of $((passed + failed)) checks passed in $((SECONDS - started)) s"
((failed == 0)) || die "failed: ${failures[*]}"
