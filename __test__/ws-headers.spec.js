'use strict'
// Beyond pusher-js: wsHeaders, extra headers on the WebSocket upgrade request, as TestServer
// (and a gateway in front of a self-hosted server) receives them.
const test = require('ava')
const { setup, stateReached, nextEvent } = require('./helpers/wait')
const { collect } = require('./helpers/events')
const { startProxy } = require('./helpers/proxy')

test('fixed headers are sent on the upgrade request', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ wsHeaders: { Authorization: 'Bearer abc', 'X-Tenant': 7, 'X-Skipped': undefined } })
  await stateReached(pusher, 'connected')
  const [conn] = server.connections()
  t.is(conn.headers.authorization, 'Bearer abc')
  t.is(conn.headers['x-tenant'], '7')
  t.false('x-skipped' in conn.headers)
  t.is(conn.headers.upgrade, 'websocket', 'the handshake headers are still ours')
})

test('a function is asked at every connection attempt (sync or async)', async (t) => {
  const { server, connect } = await setup(t)
  let calls = 0
  const pusher = connect({
    enabledTransports: ['ws'],
    wsHeaders: async () => ({ Authorization: `Bearer token-${++calls}` }),
  })
  await stateReached(pusher, 'connected')
  t.is(server.connections()[0].headers.authorization, 'Bearer token-1')
  server.dropConnections()
  await stateReached(pusher, 'connecting')
  await stateReached(pusher, 'connected', 5000)
  t.is(server.connections()[0].headers.authorization, 'Bearer token-2')
  t.is(calls, 2)
  const sync = connect({ wsHeaders: () => ({ 'X-Sync': 'yes' }) })
  await stateReached(sync, 'connected')
  t.true(server.connections().some((c) => c.headers['x-sync'] === 'yes'))
})

test('a function that throws fails the attempt with an error naming wsHeaders; it is retried', async (t) => {
  const { server, connect } = await setup(t)
  let calls = 0
  const pusher = connect({
    enabledTransports: ['ws'],
    wsHeaders: () => {
      if (++calls === 1) throw new Error('token service down')
      return { Authorization: 'Bearer later' }
    },
  })
  const errors = collect(pusher.connection, 'error')
  await stateReached(pusher, 'connected', 5000)
  t.regex(errors[0][0].error.message, /wsHeaders failed: .*token service down/)
  t.is(server.connections()[0].headers.authorization, 'Bearer later')
})

test('headers the handshake sets itself, or with line breaks, are refused', async (t) => {
  const { server, connect } = await setup(t)
  const Pusher = require('..')
  t.throws(() => new Pusher(server.key, server.clientOptions({ wsHeaders: { Host: 'evil' } })), { message: /"wsHeaders".*Host/ })
  t.throws(() => new Pusher(server.key, server.clientOptions({ wsHeaders: { 'X-A': 'a\r\nX-B: b' } })), { message: /"wsHeaders"/ })
  t.throws(() => new Pusher(server.key, server.clientOptions({ wsHeaders: 'Bearer x' })), { message: /"wsHeaders"/ })
  const pusher = connect({ enabledTransports: ['ws'], wsHeaders: () => ({ 'Sec-WebSocket-Key': 'x' }) })
  const error = await nextEvent(pusher.connection, 'error')
  t.regex(error.error.message, /wsHeaders: Sec-WebSocket-Key is set by the WebSocket handshake/)
})

test.serial('through a proxy tunnel the headers travel with the upgrade', async (t) => {
  const { server, connect } = await setup(t)
  const proxy = await startProxy(t)
  const pusher = connect({ proxy: proxy.url, wsHeaders: { 'X-Gateway-Key': 'k1' } })
  await stateReached(pusher, 'connected')
  t.deepEqual(proxy.seen[0], { method: 'CONNECT', target: `127.0.0.1:${server.port}` })
  t.is(server.connections()[0].headers['x-gateway-key'], 'k1')
})
