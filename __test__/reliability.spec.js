'use strict'
// Nothing lost, nothing leaked, a busy JS thread survived.
const test = require('ava')
const path = require('path')
const { fork } = require('child_process')
const { nextEvent, setup } = require('./helpers/wait')

function collect(channel, event, count, ms = 20000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => reject(new Error(`${got.length}/${count} ${event} events within ${ms} ms`)), ms)
    channel.bind(event, (data) => {
      got.push(data)
      if (got.length === count) {
        clearTimeout(timer)
        resolve(got)
      }
    })
  })
}

test('every event on a bound channel arrives once, in order, while other channels churn', async (t) => {
  const { server, connect } = await setup(t)
  const pusher = connect()
  const stream = pusher.subscribe('stream')
  await nextEvent(stream, 'pusher:subscription_succeeded')
  const N = 5000
  const all = collect(stream, 'n', N)
  let i = 0
  const pump = () => {
    for (let k = 0; k < 250 && i < N; k++, i++) server.trigger('stream', 'n', String(i))
    if (i < N) setImmediate(pump)
  }
  pump()
  // Meanwhile, from JS: subscribe, bind, unbind and unsubscribe other channels.
  const noop = () => {}
  for (let round = 0; round < 200; round++) {
    const other = pusher.subscribe('other-' + (round % 10))
    other.bind('x', noop)
    pusher.bind('n', noop)
    other.unbind('x', noop)
    pusher.unbind('n', noop)
    if (round % 2) pusher.unsubscribe('other-' + (round % 10))
    await new Promise((r) => setImmediate(r))
  }
  const got = await all
  t.deepEqual(got, Array.from({ length: N }, (_, k) => k))
})

test('a busy JS thread: events queue up to a bound, then the socket waits; nothing is lost', async (t) => {
  const { server, connect } = await setup(t)
  // Short liveness timers: a client that judged silence while it was not reading would
  // reconnect here, and lose events.
  const pusher = connect({ activityTimeout: 500, pongTimeout: 500 })
  const channel = pusher.subscribe('flood')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const states = []
  pusher.connection.bind('state_change', ({ current }) => states.push(current))
  // 150,000 events of ~200 bytes: far over the 16 MiB that may wait for the JS thread.
  const N = 150000
  const pad = 'x'.repeat(200)
  const all = collect(channel, 'n', N, 60000)
  let first = true
  channel.bind('n', () => {
    if (!first) return
    first = false
    // Keep the JS thread busy for a while: the engine must hold back, not grow without end.
    const until = Date.now() + 1500
    while (Date.now() < until) {}
  })
  for (let i = 0; i < N; i++) server.trigger('flood', 'n', `${i}:${pad}`)
  const got = await all
  t.is(got.length, N)
  t.true(got.every((v, k) => v === `${k}:${pad}`), 'in order, each once')
  t.deepEqual(states, [], 'no reconnect')
})

test('subscribe/unsubscribe/bind/unbind 100,000 times and 1,000 clients: memory stays flat', async (t) => {
  const { server } = await setup(t)
  const child = fork(path.join(__dirname, 'fixtures', 'churn.js'), [server.key, String(server.port), '100000', '1000'], {
    execArgv: ['--expose-gc'],
  })
  const report = await new Promise((resolve, reject) => {
    child.on('message', resolve)
    child.on('exit', (code) => code && reject(new Error('churn child exited with ' + code)))
  })
  const mb = (n) => Math.round(n / 1e5) / 10
  t.log(`heap ${mb(report.before.heap)} -> ${mb(report.afterChannels.heap)} -> ${mb(report.after.heap)} MB; rss ${mb(report.before.rss)} -> ${mb(report.afterChannels.rss)} -> ${mb(report.after.rss)} MB`)
  // Bounds: the heap may not grow by more than 5 MB, the RSS by more than 40 MB
  // (allocator caches and the server side of 1,000 sockets included).
  t.true(report.after.heap - report.before.heap < 5e6, 'heap growth under 5 MB')
  t.true(report.after.rss - report.before.rss < 40e6, 'rss growth under 40 MB')
  t.is(report.sessionsLeft, 0, 'every disconnected client was let go of')
  await server.waitForConnections(0)
})
