'use strict'
// Channel authorization as a pusher-js 8.6.0 user sees it (reference §1.4, §2.4, §3.4, §4.1,
// §4.2): customHandler in both styles, the HTTP endpoint, the legacy options, failures,
// concurrency, reconnects and client events. The TestServer checks every signature.

const test = require('ava')
const { once, onceWhere, collect, withTimeout, startServer, client, subscribed, roundTrip } = require('./helpers/events')
const { startAuthEndpoint, closedPort, gate } = require('./helpers/auth')

const DOCS = 'Clients must be authorized to join private or presence channels. See: https://pusher.com/docs/channels/server_api/authorizing-users/'

/** Options whose customHandler signs every channel with the server's secret (callback style). */
function signing(server, extra = {}) {
  return {
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => callback(null, server.authorizeChannel(socketId, channelName)),
    },
    ...extra,
  }
}

/** Resolves with the data of the channel's first `pusher:subscription_error`. */
async function subscriptionError(channel, ms = 5000) {
  const [data] = await once(channel, 'pusher:subscription_error', ms)
  return data
}

// ---------------------------------------------------------------------------------------------
// customHandler

test('customHandler, callback style: called with {socketId, channelName}; the server accepts the signature', async (t) => {
  const server = await startServer(t)
  const calls = []
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: (params, callback) => {
        calls.push(params)
        // Answers later, from another tick, as a real handler would.
        setImmediate(() => callback(null, server.authorizeChannel(params.socketId, params.channelName)))
      },
    },
  })
  const channel = pusher.subscribe('private-cb')
  const [data] = await once(channel, 'pusher:subscription_succeeded')
  t.deepEqual(data, {})
  t.true(channel.subscribed)
  t.deepEqual(calls, [{ socketId: pusher.connection.socket_id, channelName: 'private-cb' }])
  const [conn] = server.connections()
  t.deepEqual(conn.subscriptions, ['private-cb'])
  const subscribe = server.received().find((f) => f.event === 'pusher:subscribe')
  t.deepEqual(JSON.parse(subscribe.text).data, {
    auth: server.authorizeChannel(pusher.connection.socket_id, 'private-cb').auth,
    channel: 'private-cb',
  })
  server.trigger('private-cb', 'ev', { n: 1 })
  const [ev] = await once(channel, 'ev')
  t.deepEqual(ev, { n: 1 })
})

test('customHandler returning a promise (no callback call) authorizes the channel', async (t) => {
  const server = await startServer(t)
  let calls = 0
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: async ({ socketId, channelName }) => {
        calls++
        await new Promise((resolve) => setImmediate(resolve))
        return server.authorizeChannel(socketId, channelName)
      },
    },
  })
  const channel = await subscribed(pusher, 'private-promise')
  t.true(channel.subscribed)
  t.is(calls, 1)
  await server.waitForSubscribers('private-promise', 1)
})

const failures = [
  [
    'throws',
    {},
    () => {
      throw new Error('nope')
    },
    'nope',
  ],
  ['returns a rejected promise', {}, () => Promise.reject(new Error('nope')), 'nope'],
  ['calls back an Error', {}, (params, callback) => setImmediate(() => callback(new Error('nope'), null)), 'nope'],
  ['never answers (authTimeout: 300)', { authTimeout: 300 }, () => new Promise(() => {}), null],
]

for (const [how, extra, failing, message] of failures) {
  test(`a customHandler that ${how}: pusher:subscription_error {type: 'AuthError', error} on that channel; another channel keeps receiving`, async (t) => {
    const server = await startServer(t)
    const called = gate()
    const pusher = client(t, server, {
      ...extra,
      channelAuthorization: {
        customHandler: (params, callback) => {
          if (params.channelName === 'private-ok') return callback(null, server.authorizeChannel(params.socketId, params.channelName))
          called.open()
          return failing(params, callback)
        },
      },
    })
    const pub = await subscribed(pusher, 'pub')
    const ok = await subscribed(pusher, 'private-ok')
    const pubEvents = collect(pub, 'ev')
    const okEvents = collect(ok, 'ev')

    const bad = pusher.subscribe('private-bad')
    const error = subscriptionError(bad)
    await withTimeout(called, 5000, 'the handler to be called')
    // While (or after) the bad channel's authorization fails, the others still deliver.
    server.trigger('pub', 'ev', { n: 1 })
    server.trigger('private-ok', 'ev', { n: 1 })
    const data = await error
    if (message === null) {
      t.deepEqual(Object.keys(data).sort(), ['error', 'type'])
      t.is(data.type, 'AuthError')
      t.is(typeof data.error, 'string')
      t.true(data.error.length > 0)
    } else {
      t.deepEqual(data, { type: 'AuthError', error: message })
    }
    t.false(bad.subscribed)
    t.false(bad.subscriptionPending)
    t.is(pusher.connection.state, 'connected')

    server.trigger('pub', 'ev', { n: 2 })
    server.trigger('private-ok', 'ev', { n: 2 })
    await pubEvents.until(2)
    await okEvents.until(2)
    t.deepEqual(
      pubEvents.map((a) => a[0]),
      [{ n: 1 }, { n: 2 }],
    )
    t.deepEqual(
      okEvents.map((a) => a[0]),
      [{ n: 1 }, { n: 2 }],
    )
    const [conn] = server.connections()
    t.deepEqual(conn.subscriptions.sort(), ['private-ok', 'pub'])
  })
}

test('a signature the server rejects (customHandler returns {auth: "test-key:deadbeef"}): the server\'s pusher:subscription_error reaches the channel', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server, {
    channelAuthorization: { customHandler: (params, callback) => callback(null, { auth: 'test-key:deadbeef' }) },
  })
  const channel = pusher.subscribe('private-badsig')
  const data = await subscriptionError(channel)
  t.is(data.type, 'AuthError')
  t.is(typeof data.error, 'string')
  t.true(data.error.startsWith('Invalid signature'), data.error)
  t.false(channel.subscribed)
  t.false(channel.subscriptionPending)
  const sub = server.received().find((f) => f.event === 'pusher:subscribe')
  t.is(JSON.parse(sub.text).data.auth, 'test-key:deadbeef', 'the handler\'s auth was sent as given')
  t.deepEqual(server.connections()[0].subscriptions, [])
})

test('20 private channels are authorized concurrently (the handler answers only once 5 calls are in flight)', async (t) => {
  const server = await startServer(t)
  const enough = gate()
  let inFlight = 0
  let maxInFlight = 0
  let calls = 0
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: async ({ socketId, channelName }) => {
        calls++
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        if (inFlight >= 5) enough.open()
        await enough
        inFlight--
        return server.authorizeChannel(socketId, channelName)
      },
    },
  })
  if (pusher.connection.state !== 'connected') await once(pusher.connection, 'connected')
  const names = Array.from({ length: 20 }, (_, i) => `private-c${i}`)
  const channels = names.map((n) => pusher.subscribe(n))
  await Promise.all(channels.map((c) => once(c, 'pusher:subscription_succeeded', 8000)))
  t.true(channels.every((c) => c.subscribed))
  t.is(calls, 20)
  t.true(maxInFlight >= 5, `at most ${maxInFlight} authorizations were in flight at once`)
  t.deepEqual(server.connections()[0].subscriptions.slice().sort(), names.slice().sort())
})

test('after a reconnect the channel is authorized afresh with the new socket id and resubscribed', async (t) => {
  const server = await startServer(t)
  const calls = []
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: (params, callback) => {
        calls.push(params)
        callback(null, server.authorizeChannel(params.socketId, params.channelName))
      },
    },
  })
  const channel = await subscribed(pusher, 'private-re')
  const first = pusher.connection.socket_id
  t.deepEqual(calls, [{ socketId: first, channelName: 'private-re' }])

  const again = once(channel, 'pusher:subscription_succeeded', 8000)
  server.dropConnections()
  await again
  const second = pusher.connection.socket_id
  t.not(second, first)
  t.deepEqual(calls, [
    { socketId: first, channelName: 'private-re' },
    { socketId: second, channelName: 'private-re' },
  ])
  const [conn] = server.connections()
  t.is(conn.socketId, second)
  t.deepEqual(conn.subscriptions, ['private-re'])
  server.trigger('private-re', 'ev', 'after')
  const [data] = await once(channel, 'ev')
  t.is(data, 'after')
})

// ---------------------------------------------------------------------------------------------
// The HTTP endpoint

test('endpoint: POST with the exact form body, Content-Type and custom headers; the answer authorizes', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server)
  const pusher = client(t, server, {
    channelAuthorization: {
      endpoint: endpoint.url,
      params: { k: 'v w', other: 'a&b=c/d' },
      headers: { 'X-Custom': 'abc', 'X-Other': 'def' },
    },
  })
  const channel = await subscribed(pusher, 'private-http')
  t.true(channel.subscribed)
  t.is(endpoint.requests.length, 1)
  const [req] = endpoint.requests
  const sid = pusher.connection.socket_id
  t.is(req.method, 'POST')
  t.is(req.url, '/auth')
  t.is(req.body, `socket_id=${encodeURIComponent(sid)}&channel_name=private-http&k=v%20w&other=a%26b%3Dc%2Fd`)
  t.is(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.is(req.headers['x-custom'], 'abc')
  t.is(req.headers['x-other'], 'def')
  t.deepEqual(server.connections()[0].subscriptions, ['private-http'])
})

test('endpoint: paramsProvider and headersProvider values are added to every request, again after a reconnect', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server)
  let p = 0
  let h = 0
  const pusher = client(t, server, {
    channelAuthorization: {
      endpoint: endpoint.url,
      params: { fixed: 'f' },
      headers: { 'X-Fixed': 'F' },
      paramsProvider: () => ({ dyn: `p${++p}` }),
      headersProvider: () => ({ 'X-Dyn': `h${++h}` }),
    },
  })
  const channel = await subscribed(pusher, 'private-prov')
  const first = pusher.connection.socket_id
  const again = once(channel, 'pusher:subscription_succeeded', 8000)
  server.dropConnections()
  await again
  const second = pusher.connection.socket_id
  t.not(first, second)
  t.is(endpoint.requests.length, 2)
  const [r1, r2] = endpoint.requests
  t.is(r1.body, `socket_id=${encodeURIComponent(first)}&channel_name=private-prov&fixed=f&dyn=p1`)
  t.is(r2.body, `socket_id=${encodeURIComponent(second)}&channel_name=private-prov&fixed=f&dyn=p2`)
  for (const [r, n] of [
    [r1, 1],
    [r2, 2],
  ]) {
    t.is(r.headers['content-type'], 'application/x-www-form-urlencoded')
    t.is(r.headers['x-fixed'], 'F')
    t.is(r.headers['x-dyn'], `h${n}`)
  }
  t.is(p, 2)
  t.is(h, 2)
  t.deepEqual(server.connections()[0].subscriptions, ['private-prov'])
})

test('endpoint answering 403: subscription_error with status 403 and pusher-js\'s message', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server, () => ({ status: 403, body: 'forbidden' }))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url } })
  const channel = pusher.subscribe('private-403')
  const data = await subscriptionError(channel)
  t.is(data.type, 'AuthError')
  t.is(data.status, 403)
  t.true(data.error.startsWith('Unable to retrieve auth string from channel-authorization endpoint - received status: 403'), data.error)
  t.is(data.error, `Unable to retrieve auth string from channel-authorization endpoint - received status: 403 from ${endpoint.url}. ${DOCS}`)
  t.deepEqual(Object.keys(data).sort(), ['error', 'status', 'type'])
  t.false(channel.subscribed)
  t.is(endpoint.requests.length, 1)
})

test('endpoint answering 200 with invalid JSON: subscription_error saying the JSON was invalid', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server, () => ({ status: 200, body: 'not json' }))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url } })
  const channel = pusher.subscribe('private-json')
  const data = await subscriptionError(channel)
  t.is(data.type, 'AuthError')
  t.true(data.error.includes('JSON returned from channel-authorization endpoint was invalid'), data.error)
  t.is(data.error, 'JSON returned from channel-authorization endpoint was invalid, yet status code was 200. Data was: not json')
  t.is(data.status, 200)
  t.false(channel.subscribed)
})

test('endpoint down (nothing listens on the port): subscription_error, and the connection stays up', async (t) => {
  const server = await startServer(t)
  const port = await closedPort()
  const url = `http://127.0.0.1:${port}/auth`
  const pusher = client(t, server, { channelAuthorization: { endpoint: url } })
  const pub = await subscribed(pusher, 'pub')
  const channel = pusher.subscribe('private-down')
  const data = await subscriptionError(channel, 8000)
  t.is(data.type, 'AuthError')
  t.is(typeof data.error, 'string')
  // pusher-js reports a network failure as status 0.
  t.is(data.status, 0)
  t.true(data.error.startsWith('Unable to retrieve auth string from channel-authorization endpoint - received status: 0'), data.error)
  t.false(channel.subscribed)
  t.is(pusher.connection.state, 'connected')
  server.trigger('pub', 'ev', 1)
  const [n] = await once(pub, 'ev')
  t.is(n, 1)
})

// ---------------------------------------------------------------------------------------------
// Legacy options

test('legacy authEndpoint + auth: {params, headers} post like channelAuthorization does', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server)
  const pusher = client(t, server, {
    authEndpoint: endpoint.url,
    auth: { params: { legacy: 'yes please' }, headers: { 'X-Legacy': 'L' } },
  })
  const channel = await subscribed(pusher, 'private-legacy')
  t.true(channel.subscribed)
  t.is(endpoint.requests.length, 1)
  const [req] = endpoint.requests
  t.is(req.method, 'POST')
  t.is(req.body, `socket_id=${encodeURIComponent(pusher.connection.socket_id)}&channel_name=private-legacy&legacy=yes%20please`)
  t.is(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.is(req.headers['x-legacy'], 'L')
  t.deepEqual(server.connections()[0].subscriptions, ['private-legacy'])
})

test('legacy authorizer: (channel, options) => ({authorize(socketId, callback)}) authorizes the channel', async (t) => {
  const server = await startServer(t)
  const seen = []
  const pusher = client(t, server, {
    authorizer: (channel, options) => ({
      authorize(socketId, callback) {
        seen.push({ channel, options, socketId })
        callback(null, server.authorizeChannel(socketId, channel.name))
      },
    }),
  })
  const channel = await subscribed(pusher, 'private-authorizer')
  t.true(channel.subscribed)
  t.is(seen.length, 1)
  t.is(seen[0].channel.name, 'private-authorizer')
  t.is(seen[0].channel, channel, 'the channel object itself is passed, as pusher-js does')
  t.is(typeof seen[0].options, 'object')
  t.is(seen[0].socketId, pusher.connection.socket_id)
  t.deepEqual(server.connections()[0].subscriptions, ['private-authorizer'])
})

// ---------------------------------------------------------------------------------------------
// Client events

test('client events on a private channel reach the other client, not the sender; trigger returns true', async (t) => {
  const server = await startServer(t)
  const a = client(t, server, signing(server))
  const b = client(t, server, signing(server))
  const chA = await subscribed(a, 'private-chat')
  const chB = await subscribed(b, 'private-chat')
  await server.waitForSubscribers('private-chat', 2)
  const atA = collect(chA, 'client-x')
  const atB = collect(chB, 'client-x')

  t.true(chA.trigger('client-x', { hello: 1 }))
  const [[data, metadata]] = await atB.until(1)
  t.deepEqual(data, { hello: 1 })
  t.deepEqual(metadata, {})
  // The sender gets nothing: a later marker to A alone arrives with no client-x before it.
  await subscribed(a, 'only-a')
  await roundTrip(server, a, 'only-a')
  t.is(atA.length, 0)
  t.is(atB.length, 1)
  const frames = server.received().filter((f) => f.event === 'client-x')
  t.is(frames.length, 1)
  t.deepEqual(JSON.parse(frames[0].text), { event: 'client-x', data: { hello: 1 }, channel: 'private-chat' })
})

test('channel.trigger before the channel is subscribed sends anyway, as pusher-js does', async (t) => {
  const server = await startServer(t)
  const release = gate()
  const called = gate()
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: async ({ socketId, channelName }) => {
        called.open()
        await release
        return server.authorizeChannel(socketId, channelName)
      },
    },
  })
  const channel = pusher.subscribe('private-early')
  await withTimeout(called, 5000, 'the handler to be called')
  t.is(pusher.connection.state, 'connected')
  t.false(channel.subscribed)
  t.true(channel.trigger('client-early', { n: 1 }))
  release.open()
  await once(channel, 'pusher:subscription_succeeded')
  t.true(channel.trigger('client-late', { n: 2 }))
  await server.waitForEvent('client-late', 1)
  const clientFrames = server.received().filter((f) => f.event && f.event.startsWith('client-'))
  t.deepEqual(
    clientFrames.map((f) => f.event),
    ['client-early', 'client-late'],
  )
})

test('channel.trigger on a public channel is sent, and the server refusal arrives as a connection error', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server, signing(server))
  const pub = await subscribed(pusher, 'pub')
  const refused = onceWhere(pusher.connection, 'error', (e) => e.type === 'PusherError')
  t.true(pub.trigger('client-x', { n: 1 }))
  await server.waitForEvent('client-x', 1)
  const [error] = await refused
  t.regex(error.data.message, /client-x/)
  // The connection carries on: a client event on a private channel still goes out.
  const priv = await subscribed(pusher, 'private-after')
  t.true(priv.trigger('client-y', {}))
  await server.waitForEvent('client-y', 1)
})
