'use strict'
// Shared helpers for the JS tests: a TestServer and Pusher per test, and promise-based waits
// on pusher-js style emitters (anything with bind/unbind), each with a timeout.

const Pusher = require('../..')
const { TestServer } = require('../../testing')

const DEFAULT_MS = 5000

/** Rejects with a message naming `what` if `promise` has not settled after `ms`. */
function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Resolves with the arguments of the first `event` on `emitter` (and `this` as `.self`);
 * rejects after `ms`.
 */
function once(emitter, event, ms = DEFAULT_MS) {
  let handler
  const p = new Promise((resolve) => {
    handler = function (...args) {
      emitter.unbind(event, handler)
      args.self = this
      resolve(args)
    }
    emitter.bind(event, handler)
  })
  return withTimeout(p, ms, `"${event}"`).finally(() => emitter.unbind(event, handler))
}

/** Resolves once `predicate(...args)` is true for an `event` on `emitter`; rejects after `ms`. */
function onceWhere(emitter, event, predicate, ms = DEFAULT_MS) {
  let handler
  const p = new Promise((resolve) => {
    handler = function (...args) {
      if (!predicate(...args)) return
      emitter.unbind(event, handler)
      resolve(args)
    }
    emitter.bind(event, handler)
  })
  return withTimeout(p, ms, `"${event}" matching a condition`).finally(() => emitter.unbind(event, handler))
}

/**
 * Collects the argument lists of `event` on `emitter`; `.until(n, ms)` resolves with the
 * list once it holds at least `n` entries.
 */
function collect(emitter, event) {
  const seen = []
  const waiters = []
  emitter.bind(event, function (...args) {
    seen.push(args)
    for (const w of waiters.slice()) {
      if (seen.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(seen)
      }
    }
  })
  seen.until = (n, ms = DEFAULT_MS) => {
    if (seen.length >= n) return Promise.resolve(seen)
    const p = new Promise((resolve) => waiters.push({ n, resolve }))
    return withTimeout(p, ms, `${n} "${event}" event(s) (got ${seen.length})`)
  }
  return seen
}

/** Starts a TestServer that is stopped when the test ends. */
async function startServer(t, options) {
  // Over HTTP the server hears a client has gone only once no request of its session has
  // been open for the disconnect delay (5 s by default, as SockJS); the pinned suites shorten
  // it to 2 s, still longer than the 1.5 s the busy-thread test blocks a polling client.
  const pinned = process.env.PUSHER_TEST_TRANSPORT
  const server = await TestServer.start(pinned ? { httpDisconnectDelayMs: 2000, ...options } : options)
  t.teardown(() => server.stop())
  return server
}

/**
 * The transport the suites run over: `PUSHER_TEST_TRANSPORT` (set by the `over-http` suites to
 * `xhr_streaming` or `xhr_polling`) pins it; a test that names its own transports keeps them.
 */
function pinnedTransport(extra) {
  const pinned = process.env.PUSHER_TEST_TRANSPORT
  return pinned ? { enabledTransports: [pinned], ...extra } : extra
}

/** A Pusher client for `server` (connecting at once), disconnected when the test ends. */
function client(t, server, extra) {
  const pusher = new Pusher(server.key, server.clientOptions(pinnedTransport(extra)))
  t.teardown(() => pusher.disconnect())
  return pusher
}

/** A server and a connected client. */
async function connected(t, extra) {
  const server = await startServer(t)
  const pusher = client(t, server, extra)
  if (pusher.connection.state !== 'connected') await once(pusher.connection, 'connected')
  return { server, pusher }
}

/** Subscribes and resolves with the channel once `pusher:subscription_succeeded` has fired. */
async function subscribed(pusher, name) {
  const channel = pusher.subscribe(name)
  if (!channel.subscribed) await once(channel, 'pusher:subscription_succeeded')
  return channel
}

/**
 * Triggers `marker` on `channel` and resolves once it has reached the client's connection
 * (so every frame the server sent before it has been dispatched).
 */
async function roundTrip(server, pusher, channel, marker = 'marker') {
  const arrived = onceWhere(pusher.connection, 'message', (m) => m.event === marker && m.channel === channel)
  const sent = server.trigger(channel, marker, {})
  if (sent !== 1) throw new Error(`marker ${marker} on ${channel} reached ${sent} connections, expected 1`)
  await arrived
}

module.exports = {
  Pusher,
  TestServer,
  withTimeout,
  once,
  onceWhere,
  collect,
  startServer,
  client,
  connected,
  subscribed,
  roundTrip,
}
