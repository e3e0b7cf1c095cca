'use strict'
// A first frame that is not a good `pusher:connection_established` is reported with
// pusher-js's error shape and retried with back-off until the server behaves.
const test = require('ava')
const { nextEvent, recordStates, setup } = require('./helpers/wait')
const { collect } = require('./helpers/events')

for (const [name, frame, type] of [
  ['not JSON', 'this is not json {', 'MessageParseError'],
  ['without a socket_id', '{"event":"pusher:connection_established","data":"{\\"activity_timeout\\":30}"}', 'HandshakeError'],
  ['with a malformed socket_id', '{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"x\\",\\"activity_timeout\\":30}"}', 'HandshakeError'],
]) {
  test(`a first frame ${name} is a ${type}, retried until the server behaves`, async (t) => {
    const { server, connect } = await setup(t)
    server.setHandshake({ mode: 'firstFrame', message: frame })
    // Only ws: a plain client's wss fallback would make every other attempt a TLS one.
    const pusher = connect({ enabledTransports: ['ws'] })
    const states = recordStates(pusher)
    // Recorded as they come: an error and its connecting_in arrive in the same batch.
    const errors = collect(pusher.connection, 'error')
    const delays = collect(pusher.connection, 'connecting_in')
    const channel = pusher.subscribe('c')
    await errors.until(2, 8000)
    server.setHandshake({ mode: 'normal' })
    await nextEvent(channel, 'pusher:subscription_succeeded', 8000)
    t.true(errors.length >= 2)
    for (const [e] of errors) t.is(e.type, type)
    // Every failure was followed by a back-off of a second or more, growing.
    t.is(delays.length, errors.length)
    t.true(delays[0][0] >= 1 && delays[1][0] > delays[0][0], JSON.stringify(delays))
    // connecting (set before the recorder was bound) straight to connected: no unavailable.
    t.deepEqual(states, ['connected'])
  })
}
