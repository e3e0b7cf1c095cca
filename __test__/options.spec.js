'use strict'
// The module's shape and the constructor's checks: bad input is a thrown Error naming it.
const test = require('ava')
const { execFileSync } = require('child_process')
const path = require('path')
const Pusher = require('..')

const root = path.join(__dirname, '..')
const opts = (extra) => ({ cluster: 'eu', wsHost: '127.0.0.1', wsPort: 1, forceTLS: false, ...extra })

test('require() returns the Pusher class itself, with .default for TS without esModuleInterop', (t) => {
  t.is(typeof Pusher, 'function')
  t.is(Pusher.name, 'Pusher')
  t.is(Pusher.default, Pusher)
})

test('ESM default import is the same class', (t) => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e',
    "import P from 'pusher-native'; import { createRequire } from 'module'; " +
    "const r = createRequire(import.meta.url); console.log(P === r('pusher-native') && typeof P)"], { cwd: root }).toString().trim()
  t.is(out, 'function')
})

test('only a missing key, missing options or a missing cluster throw, as in pusher-js 8', (t) => {
  for (const key of [undefined, null]) {
    const e = t.throws(() => new Pusher(key, opts()))
    t.true(e instanceof Error)
    t.regex(e.message, /app key/)
  }
  t.regex(t.throws(() => new Pusher('k')).message, /options object/)
  t.regex(t.throws(() => new Pusher('k', null)).message, /options object/)
  t.regex(t.throws(() => new Pusher('k', {})).message, /must provide a cluster/)
  t.regex(t.throws(() => new Pusher('k', { cluster: null })).message, /must provide a cluster/)
  t.regex(t.throws(() => new Pusher('k', 'eu')).message, /must provide a cluster/)
})

test('values pusher-js accepts are accepted, with its meaning', (t) => {
  const url = (key, extra) => {
    const p = new Pusher(key, extra)
    t.teardown(() => p.disconnect())
    return p._native.url.replace(/\?.*/, '')
  }
  // Laravel Echo's reverb and ably broadcasters send an empty cluster beside wsHost.
  t.is(url('k', { cluster: '', wsHost: '127.0.0.1', wsPort: '6001', forceTLS: false, enabledTransports: ['ws', 'wss'] }),
    'ws://127.0.0.1:6001/app/k')
  t.is(url('k', { cluster: '' }), 'wss://ws-.pusher.com:443/app/k')
  t.is(url(42, { cluster: 'eu' }), 'wss://ws-eu.pusher.com:443/app/42')
  t.is(url('', { cluster: 'eu' }), 'wss://ws-eu.pusher.com:443/app/')
  t.is(url('k', { cluster: 7, wssPort: ' 8443 ' }), 'wss://ws-7.pusher.com:8443/app/k')
  // Falsy values mean "the default", as pusher-js's `opts.wsPort || 80` does.
  t.is(url('k', { cluster: 'eu', wsHost: '', wsPort: 0, wssPort: '', wsPath: null, forceTLS: 0 }), 'wss://ws-eu.pusher.com:443/app/k')
  t.is(url('k', { cluster: 'eu', wsPath: '/ws', forceTLS: false }), 'ws://ws-eu.pusher.com:80/ws/app/k')
  // With TLS the transport named `ws` is the WebSocket over TLS.
  t.is(url('k', { cluster: 'eu', forceTLS: true, enabledTransports: ['ws'] }), 'wss://ws-eu.pusher.com:443/app/k')
  // Without `ws` pusher-js runs only its HTTP transports: with none allowed, or where they
  // cannot exist (a self-hosted wsHost without httpHost), nothing can connect.
  const noTransport = [
    { forceTLS: false, enabledTransports: ['wss'] }, { enabledTransports: ['wss'] },
    { wsHost: 'ws.example.com', disabledTransports: ['ws'] }, { wsHost: 'ws.example.com', enabledTransports: ['xhr_streaming'] },
  ]
  for (const extra of noTransport) {
    const p = new Pusher('k', { cluster: 'eu', ...extra })
    t.is(p.connection.state, 'failed', JSON.stringify(extra))
    p.disconnect()
  }
  // With Pusher's host, or an httpHost, they do.
  const httpOnly = [
    { forceTLS: false, disabledTransports: ['ws'] }, { enabledTransports: ['xhr_polling'] },
    { wsHost: 'ws.example.com', httpHost: 'http.example.com', enabledTransports: ['xhr_streaming'] },
  ]
  for (const extra of httpOnly) {
    const p = new Pusher('k', { cluster: 'eu', ...extra })
    t.is(p.connection.state, 'connecting', JSON.stringify(extra))
    p.disconnect()
  }
})

test('timeouts as numeric strings are used; pusher.config shows the values as pusher-js derives them', (t) => {
  const p = new Pusher('k', opts({ activityTimeout: '30000', pongTimeout: '5000', httpPort: '80', unavailableTimeout: 0 }))
  t.teardown(() => p.disconnect())
  t.is(p.config.activityTimeout, '30000')
  t.is(p.config.pongTimeout, '5000')
  t.is(p.config.unavailableTimeout, 10000)
  t.is(p.config.httpPort, '80')
  t.is(p.config.httpHost, 'sockjs-eu.pusher.com')
  t.is(p.config.useTLS, false)
})

test('a port that is no number in any form throws an Error naming the option', (t) => {
  for (const [name, value] of [['wsPort', 'abc'], ['wssPort', 70000], ['wsPort', 6001.5], ['httpPort', 'x'], ['wssPort', true]]) {
    const e = t.throws(() => new Pusher('k', opts({ [name]: value })), undefined, name)
    t.true(e instanceof TypeError, name)
    t.true(e.message.includes(`"${name}"`), `${name}: ${e.message}`)
  }
})

test('options of other types do not throw, as in pusher-js', (t) => {
  const cases = {
    forceTLS: 'yes', wsHost: 7, wsPath: {}, activityTimeout: -1, pongTimeout: 'x', unavailableTimeout: Infinity,
    enabledTransports: ['ws', 'carrier-pigeon'], disabledTransports: ['carrier-pigeon'], enableStats: 1, timelineParams: [],
    authEndpoint: 3, authorizer: 'fn', channelAuthorization: { customHandler: 'nope' }, unknownOption: {},
  }
  for (const [name, value] of Object.entries(cases)) {
    let p
    t.notThrows(() => {
      p = new Pusher('k', opts({ [name]: value }))
    }, name)
    if (p) p.disconnect()
  }
})

test('an unknown auth transport throws as in pusher-js, unless a handler makes it unused', (t) => {
  t.regex(t.throws(() => new Pusher('k', opts({ authTransport: 'jsonp' }))).message, /'jsonp' is not a recognized auth transport/)
  t.regex(t.throws(() => new Pusher('k', opts({ userAuthentication: { transport: 'jsonp' } }))).message, /not a recognized auth transport/)
  t.regex(t.throws(() => new Pusher('k', opts({ channelAuthorization: { transport: 'x', endpoint: '/a' } }))).message, /'x' is not/)
  for (const extra of [{ authTransport: 'jsonp', authorizer: () => ({}) }, { channelAuthorization: { transport: 'x', customHandler: () => {} } },
    { authTransport: 'jsonp', channelAuthorization: {} }]) {
    new Pusher('k', opts(extra)).disconnect()
  }
  t.pass()
})

test('our own options keep their checks: ca, proxy and maxMessageSize', (t) => {
  t.regex(t.throws(() => new Pusher('k', opts({ maxMessageSize: 10 }))).message, /"maxMessageSize"/)
  t.regex(t.throws(() => new Pusher('k', opts({ proxy: 5 }))).message, /"proxy"/)
  t.regex(t.throws(() => new Pusher('k', opts({ ca: 42 }))).message, /"ca"/)
})

test('accepted options that do not apply in Node do not throw', (t) => {
  const p = new Pusher('k', opts({
    enableStats: false, timelineParams: { a: 1 }, ignoreNullOrigin: true, httpHost: 'x', httpPort: 80,
    nacl: {}, statsHost: 's', enabledTransports: ['ws', 'xhr_polling'],
  }))
  t.is(p.connection.state, 'connecting')
  p.disconnect()
})

test('only HTTP transports, to a self-hosted wsHost without httpHost: nothing can connect, the state is failed', (t) => {
  const p = new Pusher('k', opts({ enabledTransports: ['xhr_polling'] }))
  t.is(p.connection.state, 'failed')
  p.disconnect()
  t.is(p.connection.state, 'disconnected')
})

test('non-function callbacks and odd event names do not throw, as in pusher-js', (t) => {
  const p = new Pusher('k', opts())
  t.teardown(() => p.disconnect())
  t.is(p.bind('e', 'nope'), p)
  t.is(p.connection.bind('e', null), p.connection)
  t.is(p.bind_global(5), p)
  t.false(p.send_event('', {}), 'not connected: false, as in pusher-js')
  t.throws(() => p.subscribe('#server-to-user-1'), { message: /Cannot create a channel/ })
  t.notThrows(() => p.subscribe('a name with spaces'))
})

test("the README's option table is the one rendered from lib/option-table.js", (t) => {
  const fs = require('fs')
  const { render, current, README } = require('../scripts/options-table')
  t.is(current(fs.readFileSync(README, 'utf8')), render(), 'run `node scripts/options-table.js --write`')
})
