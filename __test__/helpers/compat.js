'use strict'
// Side-by-side harness: one scripted user program runs under pusher-js 8.6.0 and under
// pusher-native, each against its own TestServer (same server code, port 0), and what the
// program observed is returned in a form that can be compared with deepEqual.
//
// A program is `async (ctx) => {...}`. Through `ctx` it constructs clients, binds recording
// callbacks, calls methods, and waits for observations; everything it sees goes into one
// ordered log of entries `[label, ...values]`. After it ends, the harness adds what the server
// received (frames, per connection, in order) and the URLs the clients connected to.
//
// Normalized, because it legitimately differs between two runs or two libraries:
// - socket ids -> `<sid1>`, `<sid2>` ... in order of first appearance (so "the same id as
//   before" is still visible); signatures that the server would accept for that socket id ->
//   `<auth ok>` (others are kept as they are);
// - each side's own ports (its TestServer, its auth endpoint) -> `<port:name>`;
// - the `client=` and `version=` URL parameters;
// - thrown values: pusher-js throws strings, we throw Error objects, so only "threw" is kept;
// - the text of a transport-level error message (faye-websocket's words vs ours); the error's
//   type and code are kept.
// Nothing else is normalized: argument counts, values, states, order, frames are compared as
// they are.

const PusherJs = require('pusher-js')
const PusherNative = require('../..')
const { TestServer } = require('../../testing')
const http = require('node:http')
const { fork } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const IMPLS = { 'pusher-js': PusherJs, 'pusher-native': PusherNative }
const WAIT_MS = 4000

class Timeout extends Error {}

// ---------------------------------------------------------------------------------------------
// Normalization

function isPlain(v) {
  const p = Object.getPrototypeOf(v)
  return p === Object.prototype || p === null
}

function isMembers(v) {
  return v && typeof v === 'object' && typeof v.each === 'function' && 'count' in v && 'members' in v
}

function isChannel(v) {
  return v && typeof v === 'object' && typeof v.name === 'string' && 'pusher' in v && typeof v.bind === 'function'
}

/** What a user's code can see of a value, with the per-run substitutions applied. */
function normalizer(subst) {
  const str = (s) => {
    for (const [from, to] of subst) if (from && s.includes(from)) s = s.split(from).join(to)
    return s
  }
  const norm = (v, depth = 0, seen = new Set()) => {
    if (v === undefined) return v
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v
    if (typeof v === 'string') return str(v)
    if (typeof v === 'function') return '<function>'
    if (typeof v !== 'object') return String(v)
    if (seen.has(v) || depth > 8) return '<cycle>'
    seen.add(v)
    try {
      if (isMembers(v)) {
        const members = {}
        v.each((m) => (members[str(String(m.id))] = norm(m.info, depth + 1, seen)))
        return { Members: { count: v.count, members, myID: norm(v.myID, depth + 1, seen), me: norm(v.me, depth + 1, seen) } }
      }
      if (isChannel(v)) return { Channel: v.name }
      if (v instanceof Error) return { Error: norm(v.message, depth + 1, seen) }
      if (v instanceof Uint8Array) return { bytes: v.length }
      if (Array.isArray(v)) return v.map((x) => norm(x, depth + 1, seen))
      if (!isPlain(v)) return '<object>'
      const out = {}
      // A property whose value is undefined is left out, as JSON would (`{code, message:
      // undefined}` and `{code}` read the same to user code).
      for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = norm(v[k], depth + 1, seen)
      return out
    } finally {
      seen.delete(v)
    }
  }
  return norm
}

/**
 * The shape of a connection `error` event: its keys and type, `data` as is (a server's
 * `{code, message}`), and of a nested `error` its type, code and data (a transport error's
 * message text is library-specific: only whether it has one is kept).
 */
function errorShape(norm, e) {
  if (!e || typeof e !== 'object') return norm(e)
  const out = { keys: Object.keys(e).sort(), type: norm(e.type) }
  if ('data' in e) out.data = norm(e.data)
  if ('error' in e) {
    const inner = e.error
    if (inner && typeof inner === 'object' && !(inner instanceof Error)) {
      out.error = { type: norm(inner.type) }
      if ('code' in inner) out.error.code = inner.code
      if ('data' in inner) out.error.data = norm(inner.data)
      if ('message' in inner) out.error.hasMessage = typeof inner.message === 'string' && inner.message.length > 0
    } else if (inner instanceof Error) {
      out.error = { Error: true }
    } else {
      out.error = norm(inner)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Auth endpoint (node:http), one per side when a program asks for it

async function startEndpoint(server, respond) {
  const requests = []
  const srv = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const form = new URLSearchParams(body)
      const record = { method: req.method, url: req.url, headers: req.headers, body, form }
      requests.push(record)
      let out
      try {
        out = respond
          ? respond(record)
          : req.url.startsWith('/user-auth')
            ? { status: 200, body: server.authenticateUser(form.get('socket_id'), JSON.stringify({ id: 'u1', user_info: { name: 'Ann' } })) }
            : {
                status: 200,
                body: server.authorizeChannel(
                  form.get('socket_id'),
                  form.get('channel_name'),
                  form.get('channel_name').startsWith('presence-') ? JSON.stringify({ user_id: 'u1', user_info: { name: 'Ann' } }) : undefined,
                ),
              }
      } catch (error) {
        out = { status: 500, body: String(error) }
      }
      res.writeHead(out.status, { 'Content-Type': 'application/json' })
      res.end(typeof out.body === 'string' ? out.body : JSON.stringify(out.body))
    })
  })
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = srv.address().port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        if (srv.closeAllConnections) srv.closeAllConnections()
        srv.close(() => resolve())
      }),
  }
}

// ---------------------------------------------------------------------------------------------
// The context a program runs in

function makeContext(impl, Pusher, server, hooks = {}) {
  const log = []
  const waiters = []
  const subst = [] // [from, to] string substitutions
  const sids = []
  const clients = []
  const cleanups = []
  const urls = []
  let norm = normalizer(subst)

  const addSid = (sid) => {
    if (typeof sid !== 'string' || !sid || sids.includes(sid)) return
    sids.push(sid)
    subst.push([sid, `<sid${sids.length}>`])
  }
  const addPort = (port, name) => {
    subst.push([`127.0.0.1:${port}`, `127.0.0.1:<port:${name}>`], [`localhost:${port}`, `localhost:<port:${name}>`])
  }
  if (server && server.port) addPort(server.port, 'server')

  const push = (entry) => {
    log.push(entry)
    for (const w of waiters.slice()) {
      if (w.match(entry)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(entry)
      }
    }
  }
  const record = (label, args) => {
    // Socket ids can arrive inside any event; learn them before normalizing.
    for (const c of clients) addSid(c.connection && c.connection.socket_id)
    push([label, ...args.map((a) => norm(a))])
  }

  /** Names the library objects a method can return (`this` of bind, unbind, ...). */
  const identify = (v) => {
    if (isChannel(v)) return { Channel: v.name }
    for (const [i, c] of clients.entries()) {
      if (v === c) return `<pusher ${i + 1}>`
      if (v === c.connection) return `<pusher ${i + 1}>.connection`
      if (v === c.user) return `<pusher ${i + 1}>.user`
      if (c.user && v === c.user.watchlist) return `<pusher ${i + 1}>.user.watchlist`
    }
    return null
  }

  const ctx = {
    impl,
    Pusher,
    server,
    log,
    /** Records a value the program saw. */
    note(label, ...values) {
      record(label, values)
    },
    /** `new Pusher(key, options)`, recording whether it threw; returns the client or null. */
    make(key, options, { watch = true } = {}) {
      let pusher
      try {
        pusher = arguments.length === 1 ? new Pusher(key) : new Pusher(key, options)
      } catch (e) {
        push(['new Pusher', 'threw'])
        return null
      }
      push(['new Pusher', 'ok', pusher.connection.state])
      clients.push(pusher)
      if (watch) ctx.watch(pusher)
      return pusher
    },
    /** Records the connection's events: state_change, each state, error, connecting_in. */
    watch(pusher, name = '') {
      const c = pusher.connection
      const tag = (s) => (name ? `${name} ${s}` : s)
      c.bind('state_change', function (...args) {
        record(tag('state_change'), args)
      })
      for (const s of ['connecting', 'connected', 'unavailable', 'failed', 'disconnected']) {
        c.bind(s, function (...args) {
          if (s === 'connected') {
            addSid(c.socket_id)
            // The URL the server saw for this connection (client=/version= dropped).
            const conn = server && server.connections && server.connections().find((x) => x.socketId === c.socket_id)
            if (conn) urls.push(stripUrl(conn.path))
          }
          record(tag(s), args)
        })
      }
      c.bind('error', function (...args) {
        for (const cl of clients) addSid(cl.connection && cl.connection.socket_id)
        push([tag('error'), args.length, ...args.map((e) => errorShape(norm, e))])
      })
      c.bind('connecting_in', function (...args) {
        record(tag('connecting_in'), args)
      })
    },
    /** Binds a callback that records its arguments under `label`; returns the callback. */
    on(emitter, event, label = event) {
      const cb = function (...args) {
        record(label, args)
      }
      emitter.bind(event, cb)
      return cb
    },
    /** bind_global with a recording callback. */
    onGlobal(emitter, label = 'global') {
      const cb = function (...args) {
        record(label, args)
      }
      emitter.bind_global(cb)
      return cb
    },
    /** Calls `fn`, recording its (normalized) return value, or that it threw. */
    call(label, fn) {
      let value
      try {
        value = fn()
      } catch (e) {
        push([label, 'threw'])
        return undefined
      }
      const known = value && typeof value === 'object' && identify(value)
      if (known) {
        push([label, 'returned', known])
      } else {
        record(label, ['returned', value])
      }
      return value
    },
    /**
     * Waits until an entry whose label is `label` (and, if given, for which `pred(entry)` is
     * true) is in the log, counting from the start; `n` for the n-th such entry. On timeout
     * it records the timeout and ends the program (the logs then show where they parted).
     */
    async until(label, { n = 1, pred = () => true, ms = WAIT_MS } = {}) {
      const matches = (e) => e[0] === label && pred(e)
      let count = log.filter(matches).length
      if (count >= n) return log.filter(matches)[n - 1]
      return new Promise((resolve, reject) => {
        const w = {
          match: (e) => matches(e) && ++count >= n,
          resolve: (e) => {
            clearTimeout(timer)
            resolve(e)
          },
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1)
          log.push(['TIMEOUT waiting for', label, n])
          reject(new Timeout(`timed out waiting for ${n} "${label}"`))
        }, ms)
        waiters.push(w)
      })
    },
    /** Waits for the state; records nothing extra. */
    async state(pusher, state, ms = WAIT_MS) {
      if (pusher.connection.state === state) return
      const deadline = Date.now() + ms
      while (pusher.connection.state !== state) {
        if (Date.now() > deadline) {
          log.push(['TIMEOUT waiting for state', state, pusher.connection.state])
          throw new Timeout(`timed out waiting for state ${state}`)
        }
        await new Promise((r) => setTimeout(r, 10))
      }
    },
    /** An auth endpoint for this side; its port is normalized in every string. */
    async endpoint(respond, name = 'auth') {
      const ep = await startEndpoint(server, respond)
      addPort(ep.port, name)
      cleanups.push(ep.close)
      return ep
    },
    /** A port on 127.0.0.1 where nothing listens; normalized. */
    async closedPort(name = 'closed') {
      const s = http.createServer()
      await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))
      const { port } = s.address()
      await new Promise((resolve) => s.close(resolve))
      addPort(port, name)
      return port
    },
    /** Options that reach this side's server over ws:// (the way pusher-js users write them). */
    opts(extra = {}) {
      return { cluster: '', wsHost: '127.0.0.1', wsPort: server.port, forceTLS: false, ...extra }
    },
    /**
     * Lets a short, fixed time pass. Only for observing that nothing (more) happens; each use
     * says why in a comment.
     */
    quiet(ms) {
      return new Promise((r) => setTimeout(r, ms))
    },
    sid(pusher) {
      addSid(pusher.connection.socket_id)
      return pusher.connection.socket_id
    },
    addSid,
    _clients: clients,
    _cleanups: cleanups,
    _urls: urls,
    _sids: sids,
    _norm: () => norm,
  }
  if (hooks.extend) hooks.extend(ctx)
  return ctx
}

function stripUrl(p) {
  const [pathname, query = ''] = p.split('?')
  const q = new URLSearchParams(query)
  q.delete('client')
  q.delete('version')
  return `${pathname}?${q.toString()}`
}

/** The frames `server` received, per connection (in the order the connections appeared). */
function framesOf(server, ctx) {
  const norm = ctx._norm()
  const order = []
  const out = []
  for (const f of server.received()) {
    if (f.kind === 'ping' || f.kind === 'pong') continue
    if (!order.includes(f.socketId)) order.push(f.socketId)
    ctx.addSid(f.socketId)
    const conn = `conn${order.indexOf(f.socketId) + 1}`
    if (f.kind === 'close') {
      out.push([conn, 'close', f.code])
      continue
    }
    if (f.kind !== 'text') {
      out.push([conn, f.kind])
      continue
    }
    let msg
    try {
      msg = JSON.parse(f.text)
    } catch {
      out.push([conn, 'text', f.text])
      continue
    }
    // A signature the server accepts for this socket id is written `<auth ok>`.
    const d = msg && msg.data
    if (d && typeof d === 'object' && typeof d.auth === 'string' && d.auth) {
      let expected
      try {
        if (msg.event === 'pusher:signin') expected = server.authenticateUser(f.socketId, d.user_data).auth
        else if (d.channel) expected = server.authorizeChannel(f.socketId, d.channel, d.channel_data).auth
      } catch {}
      if (expected === d.auth) msg = { ...msg, data: { ...d, auth: '<auth ok>' } }
    }
    out.push([conn, msg])
  }
  // Stable by connection, so two clients' interleaving does not matter.
  out.sort((a, b) => a[0].localeCompare(b[0]))
  return out.map((e) => (e[1] && typeof e[1] === 'object' ? [e[0], norm(e[1])] : e))
}

/** Disconnects every client, and keeps pusher-js's leftover retry timers from reconnecting. */
function shutdown(clients) {
  for (const p of clients) {
    try {
      p.connection.bind('state_change', ({ current }) => {
        if (current === 'connecting') p.disconnect()
      })
      p.disconnect()
    } catch {}
  }
}

/**
 * Runs `program` under one implementation, against a fresh TestServer started with
 * `serverOptions`. Resolves with `{log, frames, urls, completed, error}`.
 */
async function runSide(impl, program, { serverOptions } = {}) {
  const server = await TestServer.start(serverOptions || undefined)
  const ctx = makeContext(impl, IMPLS[impl], server)
  let completed = false
  let error
  try {
    await program(ctx)
    completed = true
  } catch (e) {
    error = e instanceof Timeout ? e.message : e && e.stack ? e.stack : String(e)
    if (!(e instanceof Timeout)) ctx.log.push(['PROGRAM THREW', String(e && e.message)])
  }
  shutdown(ctx._clients)
  // The close handshake of a disconnect() can still be under way: give the server up to
  // 1.5 s to see every connection end, so the close frames are among what it received.
  for (const deadline = Date.now() + 1500; server.connections().length > 0 && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 20))
  }
  const frames = framesOf(server, ctx)
  for (const c of ctx._cleanups) await c()
  await server.stop()
  return { log: ctx.log, frames, urls: ctx._urls, completed, error }
}

/** Runs `program` under both implementations at once. */
async function runBoth(program, options) {
  const [js, native] = await Promise.all([runSide('pusher-js', program, options), runSide('pusher-native', program, options)])
  return { js, native }
}

/**
 * The common assertion: the program ran to its end under pusher-js (so each observation it
 * waited for exists) and produced something; pusher-native observed the same. `fix(js, native)`,
 * for a deliberate deviation, turns (a copy of) pusher-js's observations into the right ones
 * ours must match; `native` is passed only to read a value whose exact text is ours to choose.
 */
function assertSame(t, { js, native }, { fix } = {}) {
  if (process.env.COMPAT_DUMP) {
    fs.mkdirSync(process.env.COMPAT_DUMP, { recursive: true })
    const name = t.title.replace(/[^a-z0-9]+/gi, '_').slice(0, 80)
    fs.writeFileSync(path.join(process.env.COMPAT_DUMP, `${name}.json`), JSON.stringify({ title: t.title, js, native }, null, 1))
  }
  t.true(js.completed, `the program must run to its end under pusher-js: ${js.error}\n${JSON.stringify(js.log)}`)
  t.true(js.log.length > 0)
  const expected = fix ? fix(structuredClone({ log: js.log, frames: js.frames, urls: js.urls }), native) : js
  t.deepEqual(native.log, expected.log, 'what the program observed')
  t.deepEqual(native.frames, expected.frames, 'the frames the server received')
  t.deepEqual(native.urls, expected.urls, 'the URLs connected to')
  if (!native.completed && native.error) t.log(`pusher-native: ${native.error}`)
}

// ---------------------------------------------------------------------------------------------
// Child processes (for NODE_EXTRA_CA_CERTS, which Node reads at start)

/**
 * Runs the program named `name` from `__test__/helpers/compat-child.js` in a child process
 * under `impl`, with `env`, against `server` (which stays in this process: the child asks for
 * `trigger` through IPC). Resolves with the child's `{log, completed, error, urls}` plus the
 * frames this server received.
 */
function runInChild(impl, name, server, env, args = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'compat-child.js'), [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    let result
    child.on('message', (m) => {
      if (m.rpc === 'trigger') {
        child.send({ rpcResult: m.id, value: server.trigger(...m.args) })
      } else if (m.rpc === 'connections') {
        child.send({ rpcResult: m.id, value: server.connections() })
      } else if (m.result) {
        result = m.result
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (!result) return reject(new Error(`child ${impl}/${name} exited ${code} without a result: ${stderr}`))
      resolve(result)
    })
    child.send({ run: name, impl, port: server.port, key: server.key, args })
  })
}

function writeTemp(name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-'))
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  return file
}

module.exports = {
  IMPLS,
  WAIT_MS,
  Timeout,
  makeContext,
  runSide,
  runBoth,
  assertSame,
  framesOf,
  shutdown,
  stripUrl,
  runInChild,
  writeTemp,
  normalizer,
  errorShape,
}
