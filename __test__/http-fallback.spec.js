'use strict'
// The HTTP fallback as a user meets it: a WebSocket that cannot get through, and pusher-js's
// schedule (reference §3.3) to xhr_streaming and xhr_polling; pusher-js itself on the same
// schedule against the same server; and no HTTP anywhere for a self-hosted wsHost.

const test = require('ava')
const http = require('node:http')
const PusherJs = require('pusher-js')
const { Pusher, once, startServer, client, subscribed, roundTrip } = require('./helpers/events')
const { startProxy } = require('./helpers/proxy')

/** Resolves with the milliseconds from now until `pusher` is connected. */
function connectedAfter(pusher, ms = 20000) {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not connected within ${ms} ms`)), ms)
    pusher.connection.bind('connected', () => {
      clearTimeout(timer)
      resolve(Date.now() - start)
    })
  })
}

/** The transport the server saw `pusher` connect with. */
function transportOf(server, pusher) {
  const record = server.connections().find((c) => c.socketId === pusher.connection.socket_id)
  return record && record.transport
}

/**
 * A plain HTTP front on loopback for the server's HTTP transports: passes requests through,
 * except those `refuse(url)` picks, answered 404. Records each request's URL.
 */
async function startFront(t, server, refuse) {
  const urls = []
  const front = http.createServer((req, res) => {
    urls.push(req.url)
    if (refuse(req.url)) {
      res.writeHead(404)
      res.end()
      return
    }
    const upstream = http.request(
      { host: server.host, port: server.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    front.closeAllConnections()
    return new Promise((resolve) => front.close(resolve))
  })
  return { port: front.address().port, urls }
}

test('a TLS client whose WebSocket is refused reports it, then connects over xhr_streaming 2 s in', async (t) => {
  const server = await startServer(t, { tls: true })
  server.setUpgradeAnswer({ status: 503 })
  const pusher = client(t, server)
  const refused = once(pusher.connection, 'error')
  const after = connectedAfter(pusher)
  const [error] = await refused
  t.is(error.type, 'WebSocketError')
  t.is(error.error.code, 503)
  const ms = await after
  t.true(ms >= 1900 && ms < 4500, `connected after ${ms} ms`)
  t.is(transportOf(server, pusher), 'xhr_streaming')
  // Everything above the transport works as over a WebSocket.
  const channel = await subscribed(pusher, 'orders')
  const got = once(channel, 'created')
  server.trigger('orders', 'created', { id: 7 })
  t.deepEqual((await got)[0], { id: 7 })

  // Remembered for the process: the next client to this server starts with it.
  const second = client(t, server)
  const secondMs = await connectedAfter(second)
  t.true(secondMs < 1500, `second client connected after ${secondMs} ms`)
  t.is(transportOf(server, second), 'xhr_streaming')
})

test('plain: pusher-native and pusher-js both fall back to xhr_streaming 5 s in, then xhr_polling 4 s later', async (t) => {
  const server = await startServer(t)
  server.setUpgradeAnswer({ status: 503 })
  // Streaming refused at a front: polling is next, at 9 s.
  const front = await startFront(t, server, (url) => url.includes('/xhr_streaming'))
  const options = { ...server.clientOptions(), httpPort: front.port }
  const ours = new Pusher(server.key, options)
  t.teardown(() => ours.disconnect())
  const theirs = new PusherJs(server.key, options)
  t.teardown(() => theirs.disconnect())
  const [oursMs, theirsMs] = await Promise.all([connectedAfter(ours), connectedAfter(theirs)])
  for (const [who, ms] of [['pusher-native', oursMs], ['pusher-js', theirsMs]]) {
    t.true(ms >= 8800 && ms < 12000, `${who} connected after ${ms} ms`)
  }
  t.is(transportOf(server, ours), 'xhr_polling')
  t.is(transportOf(server, theirs), 'xhr_polling')
  // Both tried streaming first.
  t.true(front.urls.filter((u) => u.includes('/xhr_streaming')).length >= 2)
  // And both receive over polling.
  const channels = [await subscribed(ours, 'news'), await subscribed(theirs, 'news')]
  const got = channels.map((c) => once(c, 'story'))
  t.is(server.trigger('news', 'story', { n: 1 }), 2)
  t.deepEqual((await Promise.all(got)).map((args) => args[0]), [{ n: 1 }, { n: 1 }])
})

test('each HTTP transport alone connects, subscribes and sends client events', async (t) => {
  for (const transport of ['xhr_streaming', 'xhr_polling']) {
    const server = await startServer(t)
    const pusher = client(t, server, {
      enabledTransports: [transport],
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, callback) => callback(null, server.authorizeChannel(socketId, channelName)),
      },
    })
    await connectedAfter(pusher)
    t.is(transportOf(server, pusher), transport)
    const channel = await subscribed(pusher, 'private-room')
    t.true(channel.trigger('client-typing', { who: 'ann' }))
    await server.waitForEvent('client-typing', 1, 5000)
    const sent = server.received().find((f) => f.text && f.text.includes('client-typing'))
    t.deepEqual(JSON.parse(sent.text).data, { who: 'ann' }, transport)
    await roundTrip(server, pusher, 'private-room')
  }
})

test('a self-hosted wsHost without httpHost never sends an HTTP request, even with its WebSocket refused', async (t) => {
  const server = await startServer(t)
  server.setUpgradeAnswer({ status: 503 })
  const proxy = await startProxy(t)
  const pusher = new Pusher(server.key, {
    cluster: 'eu',
    wsHost: server.host,
    wsPort: server.port,
    forceTLS: false,
    // Every transport but the wss fallback (which would go to port 443 here).
    enabledTransports: ['ws', 'xhr_streaming', 'xhr_polling'],
    proxy: proxy.url,
    channelAuthorization: { customHandler: (p, cb) => cb(null, { auth: '' }) },
  })
  t.teardown(() => pusher.disconnect())
  let errors = 0
  pusher.connection.bind('error', () => errors++)
  // Absence is only shown by waiting past the schedule: pusher-js would have tried
  // xhr_streaming at 5 s and xhr_polling at 9 s.
  await new Promise((resolve) => setTimeout(resolve, 10000))
  t.is(pusher.connection.state === 'connected', false)
  t.true(errors >= 3, `${errors} refused attempts reported`)
  const targets = new Set(proxy.seen.map((s) => `${s.method} ${s.target}`))
  t.deepEqual([...targets], [`CONNECT ${server.host}:${server.port}`], 'only the WebSocket, through the proxy')
  t.deepEqual(server.httpRequests(), [])
})

test('the HTTP transports go through the proxy, as the WebSocket does', async (t) => {
  const server = await startServer(t)
  const proxy = await startProxy(t)
  const pusher = client(t, server, { enabledTransports: ['xhr_polling'], proxy: proxy.url })
  await connectedAfter(pusher)
  t.is(transportOf(server, pusher), 'xhr_polling')
  const channel = await subscribed(pusher, 'via-proxy')
  await roundTrip(server, pusher, 'via-proxy')
  t.true(channel.subscribed)
  const base = `http://${server.host}:${server.port}/pusher/app/${server.key}/`
  const kinds = new Set(proxy.seen.map((s) => `${s.method} ${s.target.startsWith(base) ? s.target.slice(base.length).split('/')[2].replace(/\?.*/, '') : s.target}`))
  t.deepEqual([...kinds].sort(), ['POST xhr', 'POST xhr_send'])
})
