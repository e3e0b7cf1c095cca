'use strict'
// pusher.connection against a real server: states, socket id, liveness, reconnects, bad frames.
const test = require('ava')
const { nextEvent, stateReached, recordStates, setup } = require('./helpers/wait')

test('connects at once: connecting, then connected with the server-assigned socket id', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  t.is(pusher.connection.state, 'connecting')
  const states = recordStates(pusher)
  const connected = await nextEvent(pusher.connection, 'connected')
  t.deepEqual(states, ['connected'])
  const [conn] = server.connections()
  t.is(connected.socket_id, conn.socketId)
  t.is(pusher.connection.socket_id, conn.socketId)
  t.regex(conn.path, /^\/app\/test-key\?protocol=7&client=pusher-native&version=\d+\.\d+\.\d+&flash=false$/)
})

test('state_change carries previous and current; each state has its own event', async (t) => {
  const { connect } = await setup(t)
  const pusher = connect()
  const change = await nextEvent(pusher.connection, 'state_change')
  t.deepEqual(change, { previous: 'connecting', current: 'connected' })
  const seen = []
  pusher.connection.bind('disconnected', (...args) => seen.push(['disconnected', args.length]))
  pusher.connection.bind('state_change', (s) => seen.push([s.previous, s.current]))
  pusher.disconnect()
  t.deepEqual(seen, [['connected', 'disconnected'], ['disconnected', 0]], 'synchronous, as in pusher-js')
})

test('wsPath is put before /app/<key>', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ wsPath: '/ws' })
  await stateReached(pusher, 'connected')
  t.true(server.connections()[0].path.startsWith('/ws/app/test-key?'))
})

test('disconnect closes the socket; connect resubscribes; both are idempotent', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  pusher.subscribe('news')
  await server.waitForSubscribers('news')
  pusher.disconnect()
  pusher.disconnect()
  t.is(pusher.connection.state, 'disconnected')
  await server.waitForConnections(0)
  pusher.connect()
  pusher.connect()
  t.is(pusher.connection.state, 'connecting')
  await stateReached(pusher, 'connected')
  await server.waitForSubscribers('news')
  t.is(server.connections().length, 1)
  pusher.connect()
  t.is(pusher.connection.state, 'connected')
})

test('a ping is sent after activityTimeout of silence, and the connection stays', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ activityTimeout: 200 })
  await stateReached(pusher, 'connected')
  await server.waitForEvent('pusher:ping', 2)
  t.is(pusher.connection.state, 'connected')
  const ping = server.received().find((f) => f.event === 'pusher:ping')
  t.is(ping.text, '{"event":"pusher:ping","data":{}}')
})

test("the server's smaller activity_timeout wins", async (t) => {
  const { server, connect } = await setup(t, { activityTimeout: 1 })
  const pusher = connect({ activityTimeout: 60000 })
  await stateReached(pusher, 'connected')
  await server.waitForEvent('pusher:ping', 1, 3000)
  t.pass()
})

test('pusher:ping from the server gets pusher:pong; a WebSocket ping gets a pong frame', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  await stateReached(pusher, 'connected')
  // The pong is sent from the I/O thread, so it can reach the server before JS dispatches the ping.
  const emitted = nextEvent(pusher, 'pusher:ping')
  server.sendRaw('{"event":"pusher:ping","data":"{}"}')
  await server.waitForEvent('pusher:pong')
  t.deepEqual(await emitted, {}, 'pusher:ping is also emitted globally, as in pusher-js')
  server.sendPing()
  await server.waitForFrame('pong')
  t.pass()
})

test('no answer to a ping: reconnects after pongTimeout and resubscribes', async (t) => {
  const { server, connect } = await setup(t)
  // The WebSocket's own reconnection: the HTTP fallback would take over 5 s in.
  const pusher = connect({ activityTimeout: 200, pongTimeout: 200, enabledTransports: ['ws'] })
  const channel = pusher.subscribe('news')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const first = pusher.connection.socket_id
  const states = recordStates(pusher)
  // New connections get no handshake while the server is silent, so the client cannot
  // subscribe to a server that ignores it.
  server.setHandshake({ mode: 'silent' })
  server.setSilent(true)
  await stateReached(pusher, 'connecting', 3000)
  server.setHandshake({ mode: 'normal' })
  server.setSilent(false)
  // The attempt made while silent waits for a handshake that never comes: cut it short.
  server.dropConnections()
  await nextEvent(channel, 'pusher:subscription_succeeded', 5000)
  t.deepEqual(states.slice(0, 2), ['connecting', 'connected'])
  t.not(pusher.connection.socket_id, first)
  t.true(channel.subscribed)
})

test('a dropped connection reconnects after connecting_in and resubscribes every channel', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const a = pusher.subscribe('a')
  const b = pusher.subscribe('b')
  await Promise.all([nextEvent(a, 'pusher:subscription_succeeded'), nextEvent(b, 'pusher:subscription_succeeded')])
  const delays = []
  pusher.connection.bind('connecting_in', (s) => delays.push(s))
  const errors = []
  pusher.connection.bind('error', (e) => errors.push(e))
  server.dropConnections()
  await stateReached(pusher, 'connecting')
  t.false(a.subscribed, 'channels are unsubscribed while the connection is down')
  await Promise.all([nextEvent(a, 'pusher:subscription_succeeded'), nextEvent(b, 'pusher:subscription_succeeded')])
  t.deepEqual(delays, [1])
  // As pusher-js reports it: a PusherError with the abnormal-closure code 1006.
  t.deepEqual(errors.map((e) => [e.type, e.data.code]), [['PusherError', 1006]])
  const [conn] = server.connections()
  t.deepEqual(conn.subscriptions.sort(), ['a', 'b'])
  server.trigger('a', 'ev', 'after')
  t.is(await nextEvent(a, 'ev'), 'after')
})

test('close code 4001 ends in disconnected with the error surfaced, and no retry', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  await stateReached(pusher, 'connected')
  const error = nextEvent(pusher.connection, 'error')
  server.close(4001, 'App does not exist')
  t.deepEqual(await error, { type: 'PusherError', data: { code: 4001, message: 'App does not exist' } })
  await stateReached(pusher, 'disconnected')
  // An unknown key is refused the same way at the handshake; a new client proves the server
  // is still up while the first stays disconnected.
  const other = connect()
  await stateReached(other, 'connected')
  t.is(pusher.connection.state, 'disconnected')
  t.is(server.connections().length, 1)
})

test('close code 4200 reconnects at once, without connecting_in', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  await stateReached(pusher, 'connected')
  let delays = 0
  pusher.connection.bind('connecting_in', () => delays++)
  server.close(4200, 'reconnect')
  await stateReached(pusher, 'connecting')
  await stateReached(pusher, 'connected')
  t.is(delays, 0)
})

test('an unknown app key is refused: disconnected with error 4001', async (t) => {
  const { server } = await setup(t)
  const Pusher = require('..')
  const pusher = new Pusher('wrong-key', server.clientOptions())
  t.teardown(() => pusher.disconnect())
  const error = await nextEvent(pusher.connection, 'error')
  // A refusal in place of the handshake, wrapped as pusher-js wraps it.
  t.deepEqual(error, { type: 'WebSocketError', error: { type: 'PusherError', data: { code: 4001, message: error.error.data.message } } })
  await stateReached(pusher, 'disconnected')
})

test('malformed frames are reported as errors and the connection carries on', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const errors = []
  pusher.connection.bind('error', (e) => errors.push(e))
  server.sendRaw('{not json')
  server.sendRaw('[1,2,3]')
  server.sendBinary(Buffer.from([1, 2, 3]))
  server.trigger('c', 'after', 'still here')
  t.is(await nextEvent(channel, 'after'), 'still here')
  t.deepEqual(errors.map((e) => e.type), ['MessageParseError', 'MessageParseError', 'MessageParseError'])
  t.is(errors[0].data, '{not json')
  t.is(pusher.connection.state, 'connected')
})

test('an invalid handshake is reported and retried instead of hanging', async (t) => {
  const { server, connect } = await setup(t)
  server.setHandshake({ mode: 'invalidFirstFrame' })
  // The WebSocket's own retry: the HTTP fallback would take over 5 s in.
  const pusher = connect({ enabledTransports: ['ws'] })
  const error = await nextEvent(pusher.connection, 'error')
  t.deepEqual(error, { type: 'HandshakeError', error: 'Invalid handshake' })
  server.setHandshake({ mode: 'normal' })
  await stateReached(pusher, 'connected', 5000)
})

test('a pusher:error with code null during the handshake does not crash; it retries', async (t) => {
  const { server, connect } = await setup(t)
  server.setHandshake({ mode: 'error', message: 'odd server' })
  // The WebSocket's own retry: the HTTP fallback would take over 5 s in.
  const pusher = connect({ enabledTransports: ['ws'] })
  const error = await nextEvent(pusher.connection, 'error')
  t.deepEqual(error, { type: 'WebSocketError', error: { type: 'PusherError', data: { code: null, message: 'odd server' } } })
  server.setHandshake({ mode: 'normal' })
  await stateReached(pusher, 'connected', 5000)
})

test('unavailable after unavailableTimeout without a connection, then connected', async (t) => {
  const { server, connect } = await setup(t)
  const port = server.port
  await server.stop()
  const pusher = connect({ unavailableTimeout: 300, wsPort: port })
  await stateReached(pusher, 'unavailable', 3000)
  await server.restart()
  await stateReached(pusher, 'connected', 8000)
  t.pass()
})

test('a server restart on the same port is survived', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  await server.stop()
  await stateReached(pusher, 'connecting')
  const resubscribed = nextEvent(channel, 'pusher:subscription_succeeded', 8000)
  await server.restart()
  await resubscribed
  server.trigger('c', 'ev', '1')
  t.is(await nextEvent(channel, 'ev'), 1)
})
