'use strict'
// Proxies: the WebSocket through CONNECT, auth requests through the same proxy, NO_PROXY.
const test = require('ava')
const Pusher = require('..')
const { nextEvent, setup } = require('./helpers/wait')
const { startProxy } = require('./helpers/proxy')
const { startAuthEndpoint } = require('./helpers/auth')

test.serial('the WebSocket and the auth request go through the proxy option', async (t) => {
  const { server, connect } = await setup(t)
  const proxy = await startProxy(t)
  const endpoint = await startAuthEndpoint(t, server)
  const pusher = connect({ proxy: proxy.url, channelAuthorization: { endpoint: endpoint.url } })
  const channel = pusher.subscribe('private-via-proxy')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  server.trigger('private-via-proxy', 'ev', 'through')
  t.is(await nextEvent(channel, 'ev'), 'through')
  t.deepEqual(proxy.seen[0], { method: 'CONNECT', target: `127.0.0.1:${server.port}` })
  t.true(proxy.seen.some((s) => s.method === 'POST' && s.target === endpoint.url), JSON.stringify(proxy.seen))
})

test.serial('HTTPS_PROXY from the environment is honoured, and NO_PROXY bypasses it', async (t) => {
  const { server, connect } = await setup(t)
  const proxy = await startProxy(t)
  const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY }
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
  process.env.HTTPS_PROXY = proxy.url
  const viaProxy = connect()
  await nextEvent(viaProxy.connection, 'connected')
  t.is(proxy.seen.length, 1)
  process.env.NO_PROXY = 'localhost,127.0.0.1'
  const direct = connect()
  await nextEvent(direct.connection, 'connected')
  t.is(proxy.seen.length, 1, 'NO_PROXY host went direct')
  const ignoring = connect({ proxy: false })
  delete process.env.NO_PROXY
  await nextEvent(ignoring.connection, 'connected')
  t.is(proxy.seen.length, 1, 'proxy: false ignores the environment')
  t.is(server.connections().length, 3)
})

test.serial('a malformed proxy URL throws an Error naming it', (t) => {
  const opts = { cluster: 'eu', forceTLS: false, wsHost: '127.0.0.1', wsPort: 1 }
  t.throws(() => new Pusher('k', { ...opts, proxy: 'socks5://h:1' }), { message: /Invalid Pusher option "proxy".*only http:\/\/ proxies/ })
  t.throws(() => new Pusher('k', { ...opts, proxy: 'http://h:port' }), { message: /"proxy".*port/ })
  t.throws(() => new Pusher('k', { ...opts, proxy: 42 }), { message: /"proxy"/ })
})

test.serial('a malformed HTTPS_PROXY does not throw: each attempt reports it, and nothing goes around it', async (t) => {
  const { server, connect } = await setup(t)
  process.env.HTTPS_PROXY = 'ftp://user:secret@h'
  t.teardown(() => delete process.env.HTTPS_PROXY)
  const pusher = connect()
  const errors = []
  pusher.connection.bind('error', (e) => errors.push(e))
  const first = await nextEvent(pusher.connection, 'error')
  t.is(first.type, 'WebSocketError')
  t.regex(first.error.message, /HTTPS_PROXY/)
  t.regex(first.error.message, /only http:\/\/ proxies/)
  t.false(first.error.message.includes('secret'))
  // The HTTP fallbacks (5 s and 9 s in) fail the same way; then the attempt is retried after a
  // back-off, reported again, and nothing ever connected directly.
  await nextEvent(pusher.connection, 'connecting_in', 12000)
  await nextEvent(pusher.connection, 'error', 4000)
  t.is(pusher.connection.state, 'unavailable', 'still trying, 10 s on')
  t.true(errors.length >= 4, `${errors.length} errors`)
  t.true(errors.every((e) => /HTTPS_PROXY/.test(e.error.message)))
  t.is(server.connections().length, 0)
  t.deepEqual(server.httpRequests(), [])
})
