'use strict'
// sockudo (https://crates.io/crates/sockudo), an independent Pusher-protocol server in Rust, as
// a child process for interop tests. Install it first with `bash scripts/install-sockudo.sh`
// (it lands in ~/.cache/pusher-native/sockudo-<version>/bin; SOCKUDO_BIN overrides the path).
//
//   const { startSockudo } = require('./helpers/sockudo')
//   const server = await startSockudo({ appId: 'app-1', key: 'key-1', secret: 'secret-1' })
//   new Pusher(server.key, server.clientOptions())          // ws://127.0.0.1:<port>/app/key-1
//   new PusherServer(server.serverOptions())                 // the `pusher` npm HTTP library
//   await server.stop()
//
// One app; memory app manager, local adapter, memory cache and queue: no Redis or database.
// The WebSocket endpoint and the HTTP API (/apps/<id>/events, /apps/<id>/channels, ...) share
// one port. Rate limiting and the metrics listener are off so tests may open many connections.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const WebSocket = require('ws')

const SOCKUDO_VERSION = '5.2.0' // keep in step with scripts/install-sockudo.sh
const CACHE = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache')
const SOCKUDO_BIN =
  process.env.SOCKUDO_BIN ||
  path.join(process.env.SOCKUDO_ROOT || path.join(CACHE, 'pusher-native', `sockudo-${SOCKUDO_VERSION}`), 'bin', 'sockudo')

const READY_ATTEMPTS = 40 // readiness probes before giving up (~8 s with the backoff below)
const READY_PROBE_MS = 1000 // how long one probe waits for pusher:connection_established
const STOP_GRACE_MS = 3000 // after SIGTERM, before SIGKILL
const LOG_LINES = 400 // server output kept for error messages and `logs()`

// Servers a test forgot to stop must not outlive the test process.
const live = new Set()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** True when the sockudo binary is installed (tests can `test.skip` on false if they wish). */
function sockudoAvailable() {
  try {
    fs.accessSync(SOCKUDO_BIN, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** A port on 127.0.0.1 that was free a moment ago. */
function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Deep merge of plain objects; arrays and scalars in `b` replace those in `a`. */
function merge(a, b) {
  if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b
  const out = { ...a }
  for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v)
  return out
}

/** The sockudo JSON config (top-level keys are those of sockudo_core::options::ServerOptions). */
function buildConfig(o, port) {
  const app = merge(
    {
      id: o.appId,
      key: o.key,
      secret: o.secret,
      enabled: true,
      // Flat (legacy) app fields; sockudo maps them onto its app `policy`. 0 = unlimited.
      enable_client_messages: o.clientEvents,
      enable_user_authentication: o.userAuthentication,
      max_connections: 0,
      max_client_events_per_second: 0,
      max_presence_members_per_channel: o.maxPresenceMembers,
      max_presence_member_size_in_kb: o.maxPresenceMemberSizeKb,
    },
    o.app,
  )
  const config = {
    host: o.host,
    port,
    debug: o.debug,
    mode: 'development',
    activity_timeout: o.activityTimeout,
    user_authentication_timeout: o.userAuthenticationTimeout,
    shutdown_grace_period: 0,
    app_manager: { driver: 'memory', cache: { enabled: false }, array: { apps: [app] } },
    adapter: { driver: 'local' },
    cache: { driver: 'memory' },
    // shutdown_timeout_ms bounds sockudo's shutdown drain, which otherwise can wait up to 30 s
    // after presence members or signed-in users were connected.
    queue: { driver: 'memory', reliability: { shutdown_timeout_ms: 200 } },
    rate_limiter: { enabled: false },
    metrics: { enabled: false },
    presence: {
      max_members_per_channel: o.maxPresenceMembers,
      max_member_size_in_kb: o.maxPresenceMemberSizeKb,
    },
    logging: { colors_enabled: false, include_target: true },
  }
  return merge(config, o.config)
}

/** Resolves once ws://host:port/app/key answers with pusher:connection_established. */
function probe(host, port, key) {
  return new Promise((resolve) => {
    const url = `ws://${host}:${port}/app/${key}?protocol=7&client=js&version=8.6.0&flash=false`
    let done = false
    const ws = new WebSocket(url, { handshakeTimeout: READY_PROBE_MS })
    const finish = (ok, why) => {
      if (done) return
      done = true
      clearTimeout(timer)
      ws.removeAllListeners()
      ws.on('error', () => {})
      ws.terminate()
      resolve({ ok, why })
    }
    const timer = setTimeout(() => finish(false, 'no pusher:connection_established'), READY_PROBE_MS)
    ws.on('message', (raw) => {
      let msg
      try {
        msg = JSON.parse(String(raw))
      } catch {
        return finish(false, `unparsable frame ${String(raw).slice(0, 200)}`)
      }
      if (msg.event === 'pusher:connection_established') finish(true)
      else finish(false, `first frame was ${String(raw).slice(0, 200)}`)
    })
    ws.on('error', (e) => finish(false, e.message))
    ws.on('close', (code, reason) => finish(false, `closed ${code} ${reason}`))
  })
}

/**
 * Starts sockudo with one app on 127.0.0.1 and a free port; resolves once it accepts Pusher
 * WebSocket connections.
 *
 * Options (all optional):
 *   appId, key, secret          the app's credentials
 *   clientEvents (true)         enable_client_messages
 *   userAuthentication (true)   enable_user_authentication (pusher:signin)
 *   activityTimeout (120)       seconds, sent in pusher:connection_established
 *   userAuthenticationTimeout   seconds before an unsigned connection is closed when user
 *                               authentication is enabled (sockudo's default: 3600)
 *   maxPresenceMembers (100), maxPresenceMemberSizeKb (10)
 *   app                         extra fields merged into the app entry (sockudo's names)
 *   config                      deep-merged over the whole sockudo config (sockudo's names)
 *   env                         extra environment for the server (e.g. { RUST_LOG: 'debug' });
 *                               the server otherwise gets a minimal environment, because
 *                               sockudo lets HOST, PORT, REDIS_URL, RUST_LOG, ... override config
 *   readyAttempts (40)          bounded readiness probes
 *   echo (SOCKUDO_ECHO=1)       copy the server's output to this process's stderr
 *
 * Returns { host, port, httpPort, appId, key, secret, url, clientOptions(extra),
 *           serverOptions(extra), logs(), process, stop() }.
 */
async function startSockudo(options = {}) {
  if (!sockudoAvailable()) {
    throw new Error(
      `sockudo binary not found at ${SOCKUDO_BIN}: run \`bash scripts/install-sockudo.sh\` ` +
        `(builds sockudo ${SOCKUDO_VERSION} into .cache/sockudo with cargo), or set SOCKUDO_BIN`,
    )
  }
  const o = {
    appId: 'sockudo-app',
    key: 'sockudo-key',
    secret: 'sockudo-secret',
    host: '127.0.0.1',
    clientEvents: true,
    userAuthentication: true,
    activityTimeout: 120,
    userAuthenticationTimeout: 3600,
    maxPresenceMembers: 100,
    maxPresenceMemberSizeKb: 10,
    debug: false,
    readyAttempts: READY_ATTEMPTS,
    echo: process.env.SOCKUDO_ECHO === '1',
    ...options,
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-'))
  const cleanupDir = () => fs.rmSync(dir, { recursive: true, force: true })

  // A port found free may be taken before sockudo binds it; then try another.
  let lastError
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(o.host)
    try {
      return await launch(o, dir, port, cleanupDir)
    } catch (e) {
      lastError = e
      if (!e.addrInUse) break
    }
  }
  cleanupDir()
  throw lastError
}

async function launch(o, dir, port, cleanupDir) {
  const configPath = path.join(dir, `config-${port}.json`)
  fs.writeFileSync(configPath, JSON.stringify(buildConfig(o, port), null, 2))

  const env = { PATH: process.env.PATH, HOME: process.env.HOME || dir, ...o.env }
  // cwd = the temp dir, so no stray ./config/config.{toml,json} is picked up first.
  const child = spawn(SOCKUDO_BIN, ['--config', configPath], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(child)

  const lines = []
  let partial = ''
  const onData = (chunk) => {
    const text = partial + chunk.toString()
    const parts = text.split('\n')
    partial = parts.pop()
    for (const line of parts) {
      lines.push(line)
      if (lines.length > LOG_LINES) lines.shift()
      if (o.echo) process.stderr.write(`[sockudo:${port}] ${line}\n`)
    }
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const logs = () => (partial ? [...lines, partial] : [...lines]).join('\n')

  let exited = null
  let spawnError = null
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      exited = exited || { code, signal }
      resolve(exited)
    })
    // A failed spawn may emit 'error' without 'exit'.
    child.once('error', (e) => {
      spawnError = e
      if (child.pid === undefined) {
        live.delete(child)
        exited = exited || { code: null, signal: null }
        resolve(exited)
      }
    })
  })

  const fail = async (message) => {
    if (!exited) {
      child.kill('SIGKILL')
      await exitPromise
    }
    const out = logs()
    const err = new Error(`${message}\n--- sockudo output (last lines) ---\n${out.split('\n').slice(-60).join('\n')}`)
    err.addrInUse = /address already in use|AddrInUse|os error 98/i.test(out)
    return err
  }

  // The one readiness poll: bounded attempts with a short backoff.
  let lastWhy = ''
  for (let i = 0; i < o.readyAttempts; i++) {
    if (spawnError) throw await fail(`could not spawn ${SOCKUDO_BIN}: ${spawnError.message}`)
    if (exited) throw await fail(`sockudo exited before it was ready (code ${exited.code}, signal ${exited.signal})`)
    // A config sockudo cannot parse (wrong type, bad JSON) is silently ignored -- the error is
    // logged before logging is set up -- and it runs on defaults (0.0.0.0:6001, no apps).
    // Unknown keys are ignored too. Catch the fallback at once instead of timing out.
    // oxlint-disable-next-line no-control-regex -- strips the ANSI colours of the log
    const listening = /http server listening listen_addr=(\S+)/.exec(logs().replace(/\x1b\[[0-9;]*m/g, ''))
    if (listening && listening[1] !== `${o.host}:${port}`) {
      throw await fail(`sockudo ignored its config ${configPath} (unparsable?) and listens on ${listening[1]}`)
    }
    const r = await probe(o.host, port, o.key)
    if (r.ok) break
    lastWhy = r.why
    if (i === o.readyAttempts - 1) {
      throw await fail(`sockudo on ${o.host}:${port} not ready after ${o.readyAttempts} attempts: ${lastWhy}`)
    }
    await new Promise((r) => setTimeout(r, Math.min(50 * (i + 1), 250)))
  }

  let stopping = null
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        if (!exited) {
          // SIGTERM: sockudo closes every socket with 4200 "Server shutting down", then exits.
          child.kill('SIGTERM')
          const timer = setTimeout(() => {
            if (!exited) child.kill('SIGKILL')
          }, STOP_GRACE_MS)
          await exitPromise
          clearTimeout(timer)
        }
        cleanupDir()
      })()
    }
    return stopping
  }

  const host = o.host
  return {
    host,
    port,
    httpPort: port,
    appId: o.appId,
    key: o.key,
    secret: o.secret,
    url: `ws://${host}:${port}/app/${o.key}`,
    configPath,
    process: child,
    logs,
    /** Options for pusher-js / pusher-native: `new Pusher(server.key, server.clientOptions())`. */
    clientOptions: (extra = {}) => ({
      cluster: 'mt1',
      wsHost: host,
      wsPort: port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      ...extra,
    }),
    /** Options for the `pusher` npm server library: `new PusherServer(server.serverOptions())`. */
    serverOptions: (extra = {}) => ({
      appId: o.appId,
      key: o.key,
      secret: o.secret,
      host,
      port: String(port),
      useTLS: false,
      ...extra,
    }),
    stop,
  }
}

module.exports = { startSockudo, sockudoAvailable, SOCKUDO_BIN, SOCKUDO_VERSION }
