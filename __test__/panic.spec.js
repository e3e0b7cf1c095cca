'use strict'
// No Rust panic reaches Node: at every boundary a provoked panic becomes a thrown Error (or,
// where there is no caller, an `error` event) and the process and the client carry on.
// The hooks (`__armPanic`, `NativeClient.__provokePanic`) are for tests only.
const test = require('ava')
const { spawnSync } = require('child_process')
const native = require('../lib/native')
const { TestServer } = require('../testing')
const { nextEvent, stateReached, setup } = require('./helpers/wait')
const { onceWhere } = require('./helpers/events')

/** Arms a panic at `site` for the test; disarmed afterwards whatever happens. */
function arm(t, site) {
  native.__armPanic(site)
  t.teardown(() => native.__armPanic(null))
}

/** Resolves with the next connection error whose message matches `pattern`. */
function errorMatching(pusher, pattern, ms = 5000) {
  return onceWhere(pusher.connection, 'error', (e) => pattern.test(JSON.stringify(e)), ms).then((args) => args[0])
}

test.serial('a panic in a constructor, a getter or a method is a thrown Error, and the next call works', async (t) => {
  const { server, connect } = await setup(t)
  arm(t, 'NativeClient.constructor')
  t.throws(() => connect(), { instanceOf: Error, message: /panic provoked in NativeClient\.constructor/ })
  const pusher = connect()
  await stateReached(pusher, 'connected')

  arm(t, 'NativeClient.url')
  t.throws(() => pusher._native.url, { instanceOf: Error, message: /panic provoked in NativeClient\.url/ })
  t.regex(pusher._native.url, /^ws:\/\/127\.0\.0\.1:/)

  arm(t, 'NativeClient.subscribe')
  t.throws(() => pusher.subscribe('first'), { instanceOf: Error, message: /NativeClient\.subscribe/ })
  const channel = pusher.subscribe('second')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  server.trigger('second', 'ev', 'still here')
  t.is(await nextEvent(channel, 'ev'), 'still here')
})

test.serial('a panic in TestServer methods is a thrown Error or a rejected promise', async (t) => {
  arm(t, 'TestServer.start')
  t.throws(() => TestServer.start(), { instanceOf: Error, message: /TestServer\.start/ })
  const { server } = await setup(t)
  arm(t, 'TestServer.connections')
  t.throws(() => server.connections(), { instanceOf: Error, message: /TestServer\.connections/ })
  t.deepEqual(server.connections(), [])
})

test.serial('a panic in the socket loop ends the connection with an error, then it reconnects', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const first = pusher.connection.socket_id
  const error = errorMatching(pusher, /internal error/)
  pusher._native.__provokePanic()
  const e = await error
  t.is(e.type, 'WebSocketError')
  t.regex(e.error.message, /provoked by a test/)
  // A back-off of about a second, then a new connection with the channel resubscribed.
  await onceWhere(pusher.connection, 'state_change', ({ current }) => current === 'connected', 8000)
  t.not(pusher.connection.socket_id, first)
  await nextEvent(channel, 'pusher:subscription_succeeded', 8000)
  server.trigger('c', 'ev', 'after the panic')
  t.is(await nextEvent(channel, 'ev'), 'after the panic')
})

test.serial('a panic in an authorization future ends the connection with an error, then it recovers', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, cb) => cb(null, server.authorizeChannel(socketId, channelName)),
    },
  })
  await stateReached(pusher, 'connected')
  arm(t, 'auth')
  const error = errorMatching(pusher, /internal error/)
  const channel = pusher.subscribe('private-c')
  t.regex((await error).error.message, /panic provoked in auth/)
  await nextEvent(channel, 'pusher:subscription_succeeded', 8000)
  t.is(pusher.connection.state, 'connected')
})

test.serial('a panic while handing a batch to JS becomes an error event; later events arrive', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  arm(t, 'delivery')
  const error = errorMatching(pusher, /events were lost/)
  server.trigger('c', 'lost', 1)
  t.regex((await error).error.message, /panic provoked in delivery/)
  server.trigger('c', 'kept', 2)
  t.is(await nextEvent(channel, 'kept'), 2)
  t.is(pusher.connection.state, 'connected')
})

test('no Cargo profile aborts on panic: the catches above depend on unwinding', (t) => {
  const toml = require('fs').readFileSync(require('path').join(__dirname, '..', 'Cargo.toml'), 'utf8')
  t.notRegex(toml, /^\s*panic\s*=\s*["']abort["']/m)
})

test('the process of issue 11 no longer aborts: a proxy URL with "%€" in its user name', (t) => {
  const script = `
    const Pusher = require(${JSON.stringify(require.resolve('..'))})
    const p = new Pusher('k', { cluster: 'eu', wsHost: '127.0.0.1', wsPort: 1, forceTLS: false })
    p.disconnect()
    console.log('alive')
  `
  const run = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, HTTPS_PROXY: 'http://us%€r:pw@proxy:3128' },
    encoding: 'utf8',
    timeout: 20000,
  })
  t.is(run.signal, null, run.stderr)
  t.is(run.status, 0, run.stderr)
  t.is(run.stdout.trim(), 'alive')
})
