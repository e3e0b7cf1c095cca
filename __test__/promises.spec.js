'use strict'
// Beyond pusher-js: `await pusher.connection.ready()` and `await channel.ready()`, against
// TestServer: they resolve, reject on each cause, abort, time out, and never leave a promise
// to reject unhandled.
const test = require('ava')
const { startServer, client, subscribed, once } = require('./helpers/events')
const { startAuthEndpoint } = require('./helpers/auth')
const { stateReached } = require('./helpers/wait')

test('connection.ready() resolves with the socket id, and at once when connected', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server)
  const socketId = await pusher.connection.ready({ timeout: 5000 })
  t.is(pusher.connection.state, 'connected')
  t.is(socketId, pusher.connection.socket_id)
  t.is(await pusher.connection.ready(), socketId)
})

test('connection.ready() keeps waiting through connecting and unavailable', async (t) => {
  const server = await startServer(t)
  server.setHandshake({ mode: 'silent' })
  const pusher = client(t, server, { unavailableTimeout: 200 })
  const ready = pusher.connection.ready({ timeout: 10000 })
  await stateReached(pusher, 'unavailable')
  server.setHandshake({ mode: 'normal' })
  server.dropConnections()
  t.is(await ready, pusher.connection.socket_id)
})

test('connection.ready() rejects with the code when the server refuses (4001)', async (t) => {
  const server = await startServer(t)
  server.setHandshake({ mode: 'error', code: 4001, message: 'App key not found' })
  const pusher = client(t, server)
  const error = await t.throwsAsync(pusher.connection.ready({ timeout: 5000 }))
  t.is(error.code, 4001)
  t.regex(error.message, /App key not found/)
})

test('connection.ready() rejects on disconnect(), and at once when disconnected or failed', async (t) => {
  const server = await startServer(t)
  server.setHandshake({ mode: 'silent' })
  const pusher = client(t, server)
  const ready = pusher.connection.ready()
  pusher.disconnect()
  t.is((await t.throwsAsync(ready)).code, 'disconnected')
  t.is((await t.throwsAsync(pusher.connection.ready())).code, 'disconnected')
  // `sockjs` is no transport in Node: nothing can connect.
  const none = client(t, server, { enabledTransports: ['sockjs'] })
  t.is(none.connection.state, 'failed')
  t.is((await t.throwsAsync(none.connection.ready())).code, 'failed')
})

test('connection.ready() rejects with TimeoutError and AbortError', async (t) => {
  const server = await startServer(t)
  server.setHandshake({ mode: 'silent' })
  const pusher = client(t, server)
  t.is((await t.throwsAsync(pusher.connection.ready({ timeout: 50 }), { any: true })).name, 'TimeoutError')
  const controller = new AbortController()
  const aborted = pusher.connection.ready({ signal: controller.signal })
  controller.abort()
  t.is((await t.throwsAsync(aborted, { any: true })).name, 'AbortError')
  t.is((await t.throwsAsync(pusher.connection.ready({ signal: AbortSignal.abort() }), { any: true })).name, 'AbortError')
  // Settled waits leave nothing bound.
  t.false(pusher.connection._hasListeners('state_change'))
})

test('channel.ready() resolves with the channel; presence members are filled by then', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, cb) =>
        cb(null, server.authorizeChannel(socketId, channelName, JSON.stringify({ user_id: 'u1', user_info: { n: 1 } }))),
    },
  })
  const pub = pusher.subscribe('orders')
  t.is(await pub.ready({ timeout: 5000 }), pub)
  t.true(pub.subscribed)
  t.is(await pub.ready(), pub, 'at once when subscribed')
  const presence = await pusher.subscribe('presence-room').ready({ timeout: 5000 })
  t.is(presence.members.count, 1)
  t.deepEqual(presence.members.me, { id: 'u1', info: { n: 1 } })
})

test('channel.ready() rejects with status and type on pusher:subscription_error', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server, () => ({ status: 403, body: 'no' }))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url } })
  const error = await t.throwsAsync(pusher.subscribe('private-x').ready({ timeout: 5000 }))
  t.is(error.type, 'AuthError')
  t.is(error.status, 403)
})

test('channel.ready() rejects when the channel is unsubscribed, pending or not', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server)
  const channel = pusher.subscribe('c')
  const ready = channel.ready()
  pusher.unsubscribe('c')
  t.is((await t.throwsAsync(ready)).type, 'Unsubscribed')
  t.is((await t.throwsAsync(channel.ready())).type, 'Unsubscribed', 'at once when no longer subscribed')
  const again = await subscribed(pusher, 'd')
  again.unsubscribe()
  t.is((await t.throwsAsync(again.ready())).type, 'Unsubscribed')
})

test('channel.ready() rejects with TimeoutError and AbortError', async (t) => {
  const server = await startServer(t)
  server.setHandshake({ mode: 'silent' })
  const pusher = client(t, server)
  const channel = pusher.subscribe('slow')
  t.is((await t.throwsAsync(channel.ready({ timeout: 50 }), { any: true })).name, 'TimeoutError')
  const controller = new AbortController()
  const ready = channel.ready({ signal: controller.signal })
  controller.abort(new Error('changed my mind'))
  t.is((await t.throwsAsync(ready)).message, 'changed my mind')
  t.false(channel._hasListeners('pusher:subscription_succeeded'))
})

test('nothing rejects unhandled when the app never calls ready()', async (t) => {
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => process.off('unhandledRejection', onUnhandled))
  const server = await startServer(t)
  server.setHandshake({ mode: 'error', code: 4001, message: 'refused' })
  const endpoint = await startAuthEndpoint(t, server, () => ({ status: 403, body: 'no' }))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url } })
  pusher.subscribe('private-y')
  await once(pusher.connection, 'disconnected')
  // Give any stray rejection the turns it would need to surface.
  await new Promise((resolve) => setImmediate(resolve))
  t.deepEqual(unhandled, [])
})
