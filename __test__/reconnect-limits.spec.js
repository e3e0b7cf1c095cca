'use strict'
// Beyond pusher-js: maxReconnectionAttempts and maxReconnectGapInSeconds, against TestServer.
const test = require('ava')
const { setup, stateReached, recordStates } = require('./helpers/wait')
const { collect } = require('./helpers/events')

test('maxReconnectionAttempts: 2 makes 3 attempts in a row, then an error says why and the state is disconnected', async (t) => {
  const { server, connect } = await setup(t)
  // Every attempt is answered with a close (1011) in place of the handshake.
  server.setHandshake({ mode: 'close', code: 1011, message: 'not today' })
  const pusher = connect({ maxReconnectionAttempts: 2, maxReconnectGapInSeconds: 1, enabledTransports: ['ws'] })
  const errors = collect(pusher.connection, 'error')
  const delays = collect(pusher.connection, 'connecting_in')
  await stateReached(pusher, 'disconnected', 10000)
  // 1011 is not a Pusher close code: a WebSocketError carrying it.
  const closes = errors.filter(([e]) => e.type === 'WebSocketError' && e.error.code === 1011)
  t.is(closes.length, 3, 'three attempts, each closed by the server')
  t.is(delays.length, 2, 'two waits between them')
  t.true(delays.every(([s]) => s <= 2), JSON.stringify(delays))
  const [last] = errors[errors.length - 1]
  t.is(last.type, 'WebSocketError')
  t.regex(last.error.message, /gave up reconnecting: 3 attempts.*maxReconnectionAttempts: 2/)
  // connect() starts afresh.
  server.setHandshake({ mode: 'normal' })
  const states = recordStates(pusher)
  pusher.connect()
  await stateReached(pusher, 'connected')
  t.deepEqual(states, ['connecting', 'connected'])
})

test('maxReconnectionAttempts: 0 stops after the first failed attempt; the limit counts from the last connection', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ maxReconnectionAttempts: 0, enabledTransports: ['ws'] })
  await stateReached(pusher, 'connected')
  server.setHandshake({ mode: 'close', code: 1011, message: 'not today' })
  server.dropConnections()
  await stateReached(pusher, 'disconnected', 5000)
  t.is(pusher.connection.state, 'disconnected')
})

test('bad values throw an Error naming the option', (t) => {
  const Pusher = require('..')
  t.throws(() => new Pusher('k', { cluster: 'eu', maxReconnectionAttempts: -1 }), { message: /"maxReconnectionAttempts"/ })
  t.throws(() => new Pusher('k', { cluster: 'eu', maxReconnectGapInSeconds: 0.1 }), { message: /"maxReconnectGapInSeconds"/ })
})
