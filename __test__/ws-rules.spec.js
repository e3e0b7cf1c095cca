'use strict'
// The WebSocket layer holds the server to RFC 6455, seen from JS against TestServer's raw
// faults: scripted 101 answers and bytes no WebSocket server would send.
const test = require('ava')
const { setup, stateReached, nextEvent } = require('./helpers/wait')
const { onceWhere } = require('./helpers/events')

/** An unmasked server frame: FIN + opcode, a short payload. */
const frame = (opcode, payload) => Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload])
const closeFrame = (code) => frame(0x8, Buffer.from([code >> 8, code & 0xff]))

/** The code of the close frame the client sent on connection `socketId` (waited for). */
async function closeCodeFrom(server, socketId) {
  for (let n = 1; n <= 5; n++) {
    await server.waitForFrame('close', n)
    const close = server.received().find((f) => f.kind === 'close' && f.socketId === socketId)
    if (close) return close.code
  }
  throw new Error('no close frame from that connection')
}

test('a 101 that selects an extension never offered fails the attempt; it is retried', async (t) => {
  const { server, connect } = await setup(t)
  server.setUpgradeAnswer({ headers: [['Sec-WebSocket-Extensions', 'permessage-deflate']] })
  const pusher = connect({ enabledTransports: ['ws'] })
  const error = await nextEvent(pusher.connection, 'error')
  t.is(error.type, 'WebSocketError')
  t.regex(error.error.message, /extension/i)
  server.setUpgradeAnswer({})
  await stateReached(pusher, 'connected', 5000)
})

test('an upgrade refused with 503 is an error carrying the status', async (t) => {
  const { server, connect } = await setup(t)
  server.setUpgradeAnswer({ status: 503 })
  const pusher = connect({ enabledTransports: ['ws'] })
  const error = await nextEvent(pusher.connection, 'error')
  t.is(error.type, 'WebSocketError')
  t.is(error.error.code, 503)
})

test('text that is not UTF-8 is answered with close 1007, and the client reconnects', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ enabledTransports: ['ws'] })
  await stateReached(pusher, 'connected')
  const [conn] = server.connections()
  const reconnected = onceWhere(pusher.connection, 'state_change', (s) => s.previous === 'connecting' && s.current === 'connected', 5000)
  server.sendBytes(frame(0x1, Buffer.from([0xc3, 0x28])), conn.socketId)
  t.is(await closeCodeFrom(server, conn.socketId), 1007)
  await reconnected
  t.not(pusher.connection.socket_id, conn.socketId)
})

test('a close code that may not be on the wire (1005) is answered with 1002, not reported as a Pusher error', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ enabledTransports: ['ws'] })
  await stateReached(pusher, 'connected')
  const [conn] = server.connections()
  const errors = []
  pusher.connection.bind('error', (e) => errors.push(e))
  const reconnected = onceWhere(pusher.connection, 'state_change', (s) => s.previous === 'connecting' && s.current === 'connected', 5000)
  server.sendBytes(closeFrame(1005), conn.socketId)
  t.is(await closeCodeFrom(server, conn.socketId), 1002)
  await reconnected
  t.true(errors.length > 0)
  t.false(errors.some((e) => e.type === 'PusherError'), JSON.stringify(errors))
})
