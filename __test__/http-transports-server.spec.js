'use strict'
// TestServer's HTTP fallback transports, checked against the reference client: pusher-js 8.6.0
// itself, with enabledTransports ['xhr_streaming'] and ['xhr_polling'], connects, subscribes to
// a public and a private channel, receives in order, sends a client event, reopens its stream
// past 256 KiB without losing anything, and disconnects. Over TLS pusher-js runs in a child
// process (its XHR trusts certificates only through NODE_EXTRA_CA_CERTS, read at start).

const test = require('ava')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { fork } = require('node:child_process')
const PusherJs = require('pusher-js')
const { once, collect, startServer, withTimeout } = require('./helpers/events')

const TRANSPORTS = ['xhr_streaming', 'xhr_polling']

/** pusher-js on `server` over `transport` only, signing private channels with the server's secret. */
function pusherJs(t, server, transport, extra = {}) {
  const pusher = new PusherJs(server.key, {
    ...server.clientOptions(),
    enabledTransports: [transport],
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => callback(null, server.authorizeChannel(socketId, channelName)),
    },
    ...extra,
  })
  t.teardown(() => pusher.disconnect())
  return pusher
}

async function connected(pusher, ms = 5000) {
  if (pusher.connection.state !== 'connected') await once(pusher.connection, 'connected', ms)
}

async function subscribed(pusher, name) {
  const channel = pusher.subscribe(name)
  const failed = once(channel, 'pusher:subscription_error').then(
    ([error]) => Promise.reject(new Error(`subscription_error on ${name}: ${JSON.stringify(error)}`)),
    () => new Promise(() => {}),
  )
  await Promise.race([once(channel, 'pusher:subscription_succeeded'), failed])
  return channel
}

for (const transport of TRANSPORTS) {
  test(`pusher-js over ${transport}: connects, subscribes, receives in order, sends, disconnects`, async (t) => {
    const server = await startServer(t, { httpDisconnectDelayMs: 300 })
    const pusher = pusherJs(t, server, transport)
    await connected(pusher)
    const [conn] = server.connections()
    t.is(conn.transport, transport)
    t.is(conn.socketId, pusher.connection.socket_id)
    t.regex(conn.path, new RegExp(`^/pusher/app/${server.key}/\\d{1,3}/[0-9a-v]{8}/${transport === 'xhr_streaming' ? 'xhr_streaming' : 'xhr'}\\?protocol=7&client=js&version=8\\.6\\.0&`))
    t.is(pusher.connection.connection.transport.name, transport)

    const news = await subscribed(pusher, 'news')
    const orders = await subscribed(pusher, 'private-orders')
    t.deepEqual(server.connections()[0].subscriptions, ['news', 'private-orders'])

    const got = []
    news.bind_global((event, data) => event.startsWith('e') && got.push(['news', event, data]))
    orders.bind_global((event, data) => event.startsWith('e') && got.push(['private-orders', event, data]))
    const expected = []
    for (let i = 0; i < 20; i++) {
      const channel = i % 2 ? 'private-orders' : 'news'
      t.is(server.trigger(channel, `e${i}`, { i }), 1)
      expected.push([channel, `e${i}`, { i }])
    }
    await withTimeout(
      (async () => {
        while (got.length < expected.length) await once(pusher.connection, 'message')
      })(),
      5000,
      '20 events',
    )
    t.deepEqual(got, expected)

    t.true(orders.trigger('client-typing', { who: 'js' }))
    await server.waitForEvent('client-typing')
    const frame = server.received().find((f) => f.event === 'client-typing')
    t.is(frame.socketId, conn.socketId)
    t.deepEqual(JSON.parse(frame.text), { event: 'client-typing', channel: 'private-orders', data: { who: 'js' } })

    pusher.disconnect()
    await server.waitForConnections(0)
    t.true(server.httpRequests().every((r) => r.method === 'POST'))
  })
}

test('pusher-js over xhr_streaming: the stream reopens past 256 KiB and no event is lost', async (t) => {
  const server = await startServer(t)
  const pusher = pusherJs(t, server, 'xhr_streaming')
  await connected(pusher)
  const socketId = pusher.connection.socket_id
  const states = collect(pusher.connection, 'state_change')
  const bulk = await subscribed(pusher, 'bulk')
  const events = collect(bulk, 'item')
  // About 1.3 MB, non-ASCII included (the server escapes it, so bytes and characters agree).
  const text = 'é€x'.repeat(350)
  const count = 1200
  for (let i = 0; i < count; i++) server.trigger('bulk', 'item', { i, text })
  await events.until(count, 20000)
  t.deepEqual(
    events.map(([data]) => data.i),
    Array.from({ length: count }, (_, i) => i),
  )
  t.true(events.every(([data]) => data.text === text))
  const streams = server.httpRequests().filter((r) => r.path.includes('/xhr_streaming?'))
  t.true(streams.length >= 4, `${streams.length} streaming requests`)
  t.is(new Set(streams.map((r) => r.path.split('/xhr_streaming')[0])).size, 1, 'one session')
  t.is(pusher.connection.state, 'connected')
  t.is(pusher.connection.socket_id, socketId)
  t.is(states.length, 0, 'no state change')
  t.is(server.connections().length, 1)
})

test('pusher-js over xhr_streaming answers each heartbeat line with an empty xhr_send', async (t) => {
  const server = await startServer(t, { httpHeartbeatMs: 100 })
  const pusher = pusherJs(t, server, 'xhr_streaming')
  await connected(pusher)
  const before = server.httpRequests().length
  await server.waitForHttpRequests(before + 3)
  const after = server.httpRequests().slice(before, before + 3)
  t.true(
    after.every((r) => /\/xhr_send\?t=\d+&n=\d+$/.test(r.path)),
    JSON.stringify(after),
  )
  t.is(pusher.connection.state, 'connected')
  t.is(server.received().length, 0, 'a heartbeat carries no frame')
})

test('pusher-js falls back to xhr_streaming when the WebSocket upgrade is refused', async (t) => {
  const server = await startServer(t)
  server.setUpgradeAnswer({ status: 503 })
  // Its own plan: ws at once, wss after 2 s, the HTTP transports after 5 s.
  const pusher = new PusherJs(server.key, server.clientOptions())
  t.teardown(() => pusher.disconnect())
  await connected(pusher, 15000)
  t.is(pusher.connection.connection.transport.name, 'xhr_streaming')
  t.deepEqual(
    server.connections().map((c) => c.transport),
    ['xhr_streaming'],
  )
})

test('with httpTransports off pusher-js gets no session, and the requests are recorded', async (t) => {
  const server = await startServer(t, { httpTransports: false })
  const pusher = pusherJs(t, server, 'xhr_polling')
  await server.waitForHttpRequests(1)
  t.regex(server.httpRequests()[0].path, /^\/pusher\/app\/test-key\/\d+\/\w{8}\/xhr\?/)
  t.is(server.connections().length, 0)
  t.not(pusher.connection.state, 'connected')
})

// ---------------------------------------------------------------------------------------------
// TLS: pusher-js in a child process that trusts the server's certificate.

/**
 * Runs helpers/http-transports-child.js under NODE_EXTRA_CA_CERTS = the server's certificate.
 * Resolves with the child's report once it exits.
 */
function runChild(t, server, transport) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-tls-'))
  const ca = path.join(dir, 'ca.pem')
  fs.writeFileSync(ca, server.certificatePem)
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const child = fork(path.join(__dirname, 'helpers', 'http-transports-child.js'), [], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  t.teardown(() => child.kill())
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const steps = []
  const waiters = []
  child.on('message', (m) => {
    if (m.rpc === 'authorize') child.send({ rpcResult: m.id, value: server.authorizeChannel(...m.args) })
    else if (m.step) {
      steps.push(m)
      for (const w of waiters.splice(0)) w()
    }
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const step = (name, ms = 10000) =>
    withTimeout(
      (async () => {
        for (;;) {
          const found = steps.find((s) => s.step === name)
          if (found) return found
          const failed = steps.find((s) => s.step === 'failed')
          if (failed) throw new Error(`child failed: ${failed.error}\n${stderr}`)
          await Promise.race([new Promise((r) => waiters.push(r)), exited])
        }
      })(),
      ms,
      `child step ${name} (${stderr})`,
    )
  child.send({ port: server.port, host: server.host, key: server.key, transport })
  return { child, step, exited }
}

for (const transport of TRANSPORTS) {
  test(`pusher-js over ${transport} with TLS (NODE_EXTRA_CA_CERTS)`, async (t) => {
    const server = await startServer(t, { tls: true, httpDisconnectDelayMs: 300 })
    const { child, step, exited } = runChild(t, server, transport)
    const { socketId } = await step('subscribed')
    const [conn] = server.connections()
    t.is(conn.socketId, socketId)
    t.is(conn.transport, transport)
    t.deepEqual(conn.subscriptions, ['news', 'private-orders'])
    for (let i = 0; i < 5; i++) server.trigger(i % 2 ? 'private-orders' : 'news', 'e', { i })
    const { events } = await step('received')
    t.deepEqual(events, [0, 1, 2, 3, 4])
    await server.waitForEvent('client-hello')
    child.send({ disconnect: true })
    await step('disconnected')
    await server.waitForConnections(0)
    await withTimeout(exited, 5000, 'the child to exit')
  })
}
