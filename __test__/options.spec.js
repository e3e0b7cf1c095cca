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

test('a missing or empty key throws an Error naming the key', (t) => {
  for (const key of [undefined, null, '', 42]) {
    const e = t.throws(() => new Pusher(key, opts()))
    t.true(e instanceof Error)
    t.regex(e.message, /app key/)
  }
})

test('missing options or cluster throw as in pusher-js 8', (t) => {
  t.regex(t.throws(() => new Pusher('k')).message, /options object/)
  t.regex(t.throws(() => new Pusher('k', {})).message, /must provide a cluster/)
  t.regex(t.throws(() => new Pusher('k', { cluster: 5 })).message, /"cluster"/)
  t.regex(t.throws(() => new Pusher('k', 'eu')).message, /"options"/)
})

test('options of the wrong type throw an Error naming the option', (t) => {
  const cases = {
    forceTLS: 'yes',
    wsHost: 7,
    wsPort: 'abc',
    wssPort: 70000,
    wsPath: {},
    activityTimeout: -1,
    pongTimeout: 'x',
    unavailableTimeout: Infinity,
    enabledTransports: 'ws',
    disabledTransports: ['carrier-pigeon'],
    enableStats: 1,
    timelineParams: [],
    authEndpoint: 3,
    authorizer: 'fn',
    maxMessageSize: 10,
  }
  for (const [name, value] of Object.entries(cases)) {
    const e = t.throws(() => new Pusher('k', opts({ [name]: value })), undefined, name)
    t.true(e instanceof Error, name)
    t.true(e.message.includes(`"${name}"`), `${name}: ${e.message}`)
  }
  const e = t.throws(() => new Pusher('k', opts({ channelAuthorization: { customHandler: 'nope' } })))
  t.regex(e.message, /"channelAuthorization.customHandler"/)
  t.regex(t.throws(() => new Pusher('k', opts({ authTransport: 'jsonp' }))).message, /not a recognized auth transport/)
})

test('accepted options that do not apply in Node do not throw', (t) => {
  const p = new Pusher('k', opts({
    enableStats: false, timelineParams: { a: 1 }, ignoreNullOrigin: true, httpHost: 'x', httpPort: 80,
    nacl: {}, statsHost: 's', enabledTransports: ['ws', 'xhr_polling'],
  }))
  t.is(p.connection.state, 'connecting')
  p.disconnect()
})

test('with every WebSocket transport disabled the state is failed', (t) => {
  const p = new Pusher('k', opts({ enabledTransports: ['xhr_polling'] }))
  t.is(p.connection.state, 'failed')
  p.disconnect()
  t.is(p.connection.state, 'disconnected')
})

test('non-function callbacks and bad event names throw', (t) => {
  const p = new Pusher('k', opts())
  t.teardown(() => p.disconnect())
  t.regex(t.throws(() => p.bind('e', 'nope')).message, /callback must be a function/)
  t.regex(t.throws(() => p.connection.bind('e', null)).message, /callback/)
  t.regex(t.throws(() => p.bind_global(5)).message, /callback/)
  t.regex(t.throws(() => p.send_event('', {})).message, /event name/)
})
