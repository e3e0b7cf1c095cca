'use strict'
// A server that stops reading: the client notices within activityTimeout + pongTimeout,
// sends past the outgoing bound (1 MiB) are refused with an error event, memory stays
// bounded, and disconnect() is prompt.
const test = require('ava')
const { stateReached, setup } = require('./helpers/wait')
const { onceWhere } = require('./helpers/events')

/** Sends `size`-byte events until one is refused; the number accepted. */
function flood(pusher, size) {
  const data = 'x'.repeat(size)
  let accepted = 0
  while (pusher.send_event('client-flood', data)) {
    accepted++
    if (accepted * size > 64 * 1024 * 1024) throw new Error('64 MiB accepted: the outgoing data is not bounded')
  }
  return accepted
}

test.serial('a stalled server: sends are refused past the bound, and the dead peer is noticed in time', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect({ activityTimeout: 1000, pongTimeout: 1000 })
  await stateReached(pusher, 'connected')
  const refusal = onceWhere(pusher.connection, 'error', (e) => /KiB of events wait/.test(e.error?.message))
  const lost = onceWhere(pusher.connection, 'state_change', ({ current }) => current === 'connecting', 5000)
  const stalledAt = Date.now()
  server.setStalled(true)
  const rssBefore = process.memoryUsage().rss
  let accepted = flood(pusher, 1024)
  // Keep pushing for a while: refused sends cost nothing and queue nothing.
  let refused = 0
  const until = Date.now() + 300
  while (Date.now() < until) {
    if (pusher.send_event('client-flood', 'y'.repeat(1024))) accepted++
    else refused++
  }
  const grewMiB = (process.memoryUsage().rss - rssBefore) / 1048576
  const [e] = await refusal
  t.is(e.type, 'WebSocketError')
  await lost
  const noticedMs = Date.now() - stalledAt
  t.log(`accepted ${accepted} × 1 KiB, refused ${refused}; RSS +${grewMiB.toFixed(1)} MiB; reconnecting after ${noticedMs} ms`)
  t.true(refused > 0)
  t.true(grewMiB < 32, `RSS grew by ${grewMiB} MiB`)
  t.true(noticedMs < 2500, `noticed after ${noticedMs} ms (activity 1000 + pong 1000)`)
  server.setStalled(false)
  await stateReached(pusher, 'connected')
  t.true(pusher.send_event('client-after', 1))
})

test.serial('disconnect() and connect() are prompt while the server does not read', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  await stateReached(pusher, 'connected')
  const first = pusher.connection.socket_id
  server.setStalled(true)
  flood(pusher, 4096)
  // The engine must take both commands while its socket cannot be written to; the server
  // greets new connections even while stalled.
  const asked = Date.now()
  pusher.disconnect()
  pusher.connect()
  await stateReached(pusher, 'connected', 1000)
  t.not(pusher.connection.socket_id, first)
  t.true(Date.now() - asked < 1000)
  server.setStalled(false)
})
