'use strict'
// Hostile input and pusher-js's bugs: each test here would fail on the bug it names.
const test = require('ava')
const { nextEvent, stateReached, recordStates, setup } = require('./helpers/wait')

test('a frame larger than maxMessageSize is refused with a clear error; the client reconnects', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ maxMessageSize: 1024 })
  const channel = pusher.subscribe('big')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const error = nextEvent(pusher.connection, 'error')
  server.trigger('big', 'huge', 'x'.repeat(4096))
  const e = await error
  t.is(e.type, 'WebSocketError')
  t.regex(e.error.message, /larger than the limit/)
  // Back on a fresh connection, with the channel resubscribed and small events flowing.
  await nextEvent(channel, 'pusher:subscription_succeeded', 8000)
  server.trigger('big', 'small', 'ok')
  t.is(await nextEvent(channel, 'small'), 'ok')
})

test('pusher:error after connecting, with any code or none, is reported and changes nothing', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const errors = []
  pusher.connection.bind('error', (e) => errors.push(e))
  const states = recordStates(pusher)
  server.sendRaw('{"event":"pusher:error","data":{"code":null,"message":"null code"}}')
  server.sendRaw('{"event":"pusher:error","data":"{\\"code\\":4301,\\"message\\":\\"rate\\"}"}')
  server.sendRaw('{"event":"pusher:error","data":{"code":1234,"message":"odd"}}')
  server.sendRaw('{"event":"pusher:error"}')
  server.trigger('c', 'after', 'fine')
  t.is(await nextEvent(channel, 'after'), 'fine')
  t.deepEqual(
    errors.map((e) => e.data.code),
    [null, 4301, 1234, null],
  )
  t.deepEqual(states, [])
})

test('a text frame that is not an object, and a frame without an event, are parse errors', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const errors = []
  pusher.connection.bind('error', (e) => errors.push(e.type))
  for (const bad of ['"a string"', '42', 'null', '{"data":"no event"}', '{"event":7}']) server.sendRaw(bad)
  server.trigger('c', 'after', '1')
  await nextEvent(channel, 'after')
  t.deepEqual(errors, Array(5).fill('MessageParseError'))
})

test('disconnect() called from an error handler during a close is not undone by a retry', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  await stateReached(pusher, 'connected')
  pusher.connection.bind('error', () => pusher.disconnect())
  server.close(4100, 'over capacity')
  await stateReached(pusher, 'disconnected')
  // A second client connects and gets an event; the first never came back meanwhile.
  const other = connect()
  const c = other.subscribe('marker')
  await nextEvent(c, 'pusher:subscription_succeeded')
  server.trigger('marker', 'm', '1')
  await nextEvent(c, 'm')
  t.is(pusher.connection.state, 'disconnected')
  t.is(server.connections().length, 1)
})

test('close codes 4100-4199 back off and reconnect; each close schedules one retry', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  await stateReached(pusher, 'connected')
  const delays = []
  pusher.connection.bind('connecting_in', (s) => delays.push(s))
  server.close(4100, 'over capacity')
  await stateReached(pusher, 'connecting')
  await stateReached(pusher, 'connected', 8000)
  t.is(delays.length, 1)
  t.true(delays[0] >= 1)
})

test('a callback that throws on one channel does not stop delivery on another', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const bad = pusher.subscribe('bad')
  const good = pusher.subscribe('good')
  await Promise.all([nextEvent(bad, 'pusher:subscription_succeeded'), nextEvent(good, 'pusher:subscription_succeeded')])
  bad.bind('ev', () => {
    throw new Error('boom')
  })
  const reported = nextEvent(pusher.connection, 'error')
  server.trigger('bad', 'ev', '1')
  server.trigger('good', 'ev', '2')
  t.is(await nextEvent(good, 'ev'), 2)
  const e = await reported
  t.is(e.type, 'CallbackError')
  t.is(e.error.message, 'boom')
  t.is(e.channel, 'bad')
})
