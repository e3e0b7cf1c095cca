'use strict'
// Faults over each HTTP transport, as over a WebSocket: the server's close codes, a dropped
// session, a malformed answer, a silent server, and a long stream reopened without loss.

const test = require('ava')
const { once, collect, startServer, client, subscribed } = require('./helpers/events')
const { stateReached } = require('./helpers/wait')

for (const transport of ['xhr_streaming', 'xhr_polling']) {
  const connect = async (t, extra) => {
    const server = await startServer(t, { httpDisconnectDelayMs: 1000 })
    const pusher = client(t, server, { enabledTransports: [transport], ...extra })
    await stateReached(pusher, 'connected', 5000)
    return { server, pusher }
  }

  test(`${transport}: a 4001 close from the server is a refusal: error with the code, then disconnected`, async (t) => {
    const { server, pusher } = await connect(t)
    const error = once(pusher.connection, 'error')
    t.is(server.close(4001, 'app disabled'), 1)
    const [e] = await error
    t.is(e.type, 'PusherError')
    t.is(e.data.code, 4001)
    await stateReached(pusher, 'disconnected', 5000)
  })

  test(`${transport}: a dropped session is a lost connection: reconnects and resubscribes`, async (t) => {
    const { server, pusher } = await connect(t)
    const channel = await subscribed(pusher, 'news')
    const first = pusher.connection.socket_id
    const errors = collect(pusher.connection, 'error')
    t.is(server.dropConnections(), 1)
    await once(channel, 'pusher:subscription_succeeded', 10000)
    t.not(pusher.connection.socket_id, first)
    t.is(errors.length >= 1, true)
    t.is(server.connections().find((c) => c.socketId === pusher.connection.socket_id).transport, transport)
    const got = once(channel, 'story')
    server.trigger('news', 'story', { n: 2 })
    t.deepEqual((await got)[0], { n: 2 })
  })

  test(`${transport}: a malformed answer is an error and the client reconnects`, async (t) => {
    const { server, pusher } = await connect(t)
    const first = pusher.connection.socket_id
    const error = once(pusher.connection, 'error')
    server.sendBytes(Buffer.from('a["not closed\n'))
    const [e] = await error
    t.regex(e.error.message, /malformed/)
    await stateReached(pusher, 'connected', 10000)
    t.not(pusher.connection.socket_id, first)
  })

  test(`${transport}: a silent server is noticed within activityTimeout + pongTimeout`, async (t) => {
    const { server, pusher } = await connect(t, { activityTimeout: 500, pongTimeout: 500 })
    const first = pusher.connection.socket_id
    server.setSilent(true)
    const start = Date.now()
    await stateReached(pusher, 'connecting', 5000)
    const ms = Date.now() - start
    t.true(ms >= 900 && ms < 3000, `noticed after ${ms} ms`)
    server.setSilent(false)
    await stateReached(pusher, 'connected', 10000)
    t.not(pusher.connection.socket_id, first)
  })

  test(`${transport}: 1,500 events of 1 KB (past the 256 KiB stream limit) arrive once each, in order`, async (t) => {
    const { server, pusher } = await connect(t)
    const channel = await subscribed(pusher, 'bulk')
    const states = collect(pusher.connection, 'state_change')
    const N = 1500
    const pad = 'é'.repeat(500)
    const got = []
    const all = new Promise((resolve) => {
      channel.bind('n', (data) => {
        got.push(data)
        if (got.length === N) resolve()
      })
    })
    for (let i = 0; i < N; i++) server.trigger('bulk', 'n', { i, pad })
    await all
    t.true(got.every((d, k) => d.i === k && d.pad === pad))
    t.is(states.length, 0, 'no reconnect')
  })
}
