'use strict'
// Channels as a pusher-js 8.6.0 user sees them (reference §1.3, §1.4, §2.2, §2.3).

const test = require('ava')
const {
  Pusher,
  once,
  withTimeout,
  collect,
  startServer,
  client,
  connected,
  subscribed,
  roundTrip,
} = require('./helpers/events')
const { stateReached } = require('./helpers/wait')

test('subscribe returns the same object on repeat calls, and it is pusher.channel(name)', async (t) => {
  const { pusher } = await connected(t)
  const a = pusher.subscribe('same')
  const b = pusher.subscribe('same')
  t.is(a, b)
  t.is(pusher.channel('same'), a)
  t.is(a.name, 'same')
  t.true(a instanceof Pusher.Channel)
  await once(a, 'pusher:subscription_succeeded')
  t.is(pusher.subscribe('same'), a, 'still the same object once subscribed')
  t.is(pusher.channel('nope'), undefined)
})

test('allChannels() and pusher.channels.channels list the subscribed channels', async (t) => {
  const { pusher } = await connected(t)
  t.deepEqual(pusher.allChannels(), [])
  const one = pusher.subscribe('one')
  const two = pusher.subscribe('two')
  const all = pusher.allChannels()
  t.is(all.length, 2)
  t.true(all.includes(one))
  t.true(all.includes(two))
  t.is(pusher.channels.channels.one, one)
  t.is(pusher.channels.channels.two, two)
  t.deepEqual(Object.keys(pusher.channels.channels).sort(), ['one', 'two'])
})

test('subscribing before connected: the server sees it after connect, and the channel is subscribed inside subscription_succeeded', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server)
  t.not(pusher.connection.state, 'connected')
  const channel = pusher.subscribe('early')
  t.false(channel.subscribed)
  t.false(channel.subscriptionPending, 'not pending until there is a connection')

  const succeeded = new Promise((resolve) => {
    channel.bind('pusher:subscription_succeeded', function (data) {
      resolve({ data, subscribed: channel.subscribed, pending: channel.subscriptionPending })
    })
  })
  await server.waitForSubscribers('early', 1)
  const inside = await withTimeout(succeeded, 5000, 'pusher:subscription_succeeded')
  t.true(inside.subscribed)
  t.false(inside.pending)
  t.deepEqual(inside.data, {})
  t.is(pusher.connection.state, 'connected')
  t.true(channel.subscribed)
  t.false(channel.subscriptionPending)
  const subs = server.received().filter((f) => f.event === 'pusher:subscribe')
  t.is(subs.length, 1)
  t.deepEqual(JSON.parse(subs[0].text), { event: 'pusher:subscribe', data: { auth: '', channel: 'early' } })
})

test('right after subscribe() while connected the channel is pending, not subscribed', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = pusher.subscribe('pend')
  t.true(channel.subscriptionPending)
  t.false(channel.subscribed)
  await once(channel, 'pusher:subscription_succeeded')
  t.false(channel.subscriptionPending)
  t.true(channel.subscribed)
  await server.waitForSubscribers('pend', 1)
})

test('server events reach channel.bind callbacks with data decoded as pusher-js does, and metadata {}', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'data')
  const got = collect(channel, 'ev')
  const sent = [{ a: 1, b: [true, null] }, '0', 'not json', '', '"quoted"', '[1,2]']
  for (const data of sent) t.is(server.trigger('data', 'ev', data), 1)
  await got.until(sent.length)
  t.is(got.length, sent.length)
  t.deepEqual(
    got.map((args) => args[0]),
    [{ a: 1, b: [true, null] }, 0, 'not json', '', 'quoted', [1, 2]],
  )
  for (const args of got) {
    t.is(args.length, 2, 'callbacks get (data, metadata) even for falsy data')
    t.deepEqual(args[1], {})
  }
  t.is(got[1][0], 0)
  t.is(got[3][0], '')
})

test('unsubscribe: the server drops it, pusher.channel(name) is undefined, and later events do not arrive', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'gone')
  await subscribed(pusher, 'stay')
  await server.waitForSubscribers('gone', 1)
  const got = collect(channel, 'ev')
  const globals = []
  channel.bind_global((name) => globals.push(name))

  pusher.unsubscribe('gone')
  t.is(pusher.channel('gone'), undefined)
  t.false(pusher.allChannels().includes(channel))
  t.false(channel.subscribed)
  await server.waitForSubscribers('gone', 0)
  const unsubs = server.received().filter((f) => f.event === 'pusher:unsubscribe')
  t.deepEqual(unsubs.map((f) => JSON.parse(f.text)), [{ event: 'pusher:unsubscribe', data: { channel: 'gone' } }])

  t.is(server.trigger('gone', 'ev', { late: true }), 0, 'the server has no subscriber left')
  // Even an event pushed straight at the socket does not reach the old channel object.
  server.sendRaw(JSON.stringify({ event: 'ev', channel: 'gone', data: '{"raw":true}' }))
  await roundTrip(server, pusher, 'stay')
  t.is(got.length, 0)
  t.deepEqual(globals, [])
})

// Unsubscribing while pending races the server's answer; either order must end with the
// channel gone on both sides and no subscription_succeeded delivered. Repeated on 30 channels
// so both orders occur.
test('unsubscribe while pending: once the server answers, the channel is removed and the server ends unsubscribed', async (t) => {
  const { server, pusher } = await connected(t)
  await subscribed(pusher, 'stay')
  const names = Array.from({ length: 30 }, (_, i) => 'flaky-' + i)
  const channels = []
  let succeeded = 0
  for (const [i, name] of names.entries()) {
    const channel = pusher.subscribe(name)
    channels.push(channel)
    t.true(channel.subscriptionPending)
    channel.bind('pusher:subscription_succeeded', () => succeeded++)
    pusher.unsubscribe(name)
    t.is(pusher.channel(name), channel, 'kept until the server answers, as pusher-js does')
    await server.waitForEvent('pusher:unsubscribe', i + 1)
    await server.waitForSubscribers(name, 0)
  }
  // Everything the client received before this marker has been dispatched.
  await roundTrip(server, pusher, 'stay')
  t.deepEqual(
    names.filter((name) => pusher.channel(name) !== undefined),
    [],
    'every cancelled channel is gone from pusher.channel()',
  )
  t.deepEqual(pusher.allChannels().map((c) => c.name), ['stay'])
  t.is(succeeded, 0, 'a cancelled subscription emits no subscription_succeeded')
  for (const channel of channels) {
    t.false(channel.subscribed, channel.name + ' subscribed')
    t.false(channel.subscriptionPending, channel.name + ' pending')
  }
  t.deepEqual(server.connections()[0].subscriptions, ['stay'])
  for (const name of names) t.is(server.trigger(name, 'ev', {}), 0)
})

test('channel.trigger: BadEventName without client-', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'pub')

  for (const name of ['x', 'pusher:x', 'Client-x', '']) {
    const err = t.throws(() => channel.trigger(name, {}), { name: 'BadEventName' })
    t.true(err instanceof Error)
    t.true(err instanceof Pusher.BadEventName)
    t.regex(err.message, /client-/)
  }
  t.is(server.received().filter((f) => f.event !== 'pusher:subscribe').length, 0, 'nothing was sent for bad names')
})

test('send_event returns false after disconnect()', async (t) => {
  const { server, pusher } = await connected(t)
  await subscribed(pusher, 'pub')
  pusher.disconnect()
  t.is(pusher.connection.state, 'disconnected')
  t.false(pusher.send_event('client-x', { a: 1 }, 'pub'))
  t.false(pusher.send_event('anything', {}))
  await server.waitForConnections(0)
  t.is(server.received().filter((f) => f.event === 'client-x' || f.event === 'anything').length, 0)
})

test('channel names throw only where pusher-js throws: not a string, or starting with #', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server)
  for (const [name, message] of [[123, /must be a string.*123/], [undefined, /must be a string/], ['#x', /Cannot create a channel with name "#x"/]]) {
    const err = t.throws(() => pusher.subscribe(name), { instanceOf: Error, message })
    t.is(err.name, 'BadChannelName')
  }
  t.deepEqual(pusher.allChannels(), [])
  // Other names go to the server, which judges them, as with pusher-js.
  const long = 'a'.repeat(300)
  for (const name of ['a b', long]) t.is(pusher.subscribe(name).name, name)
  await stateReached(pusher, 'connected')
  await server.waitForEvent('pusher:subscribe', 2)
  const asked = server.received().filter((f) => f.event === 'pusher:subscribe').map((f) => JSON.parse(f.text).data.channel)
  t.true(asked.includes('a b') && asked.includes(long), JSON.stringify(asked).slice(0, 200))
})

test('pusher:subscription_count {subscription_count: 0} sets channel.subscriptionCount to 0', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'c')
  const counts = collect(channel, 'pusher:subscription_count')
  const inside = []
  channel.bind('pusher:subscription_count', () => inside.push(channel.subscriptionCount))

  server.sendRaw('{"event":"pusher_internal:subscription_count","channel":"c","data":"{\\"subscription_count\\":3}"}')
  await counts.until(1)
  t.is(channel.subscriptionCount, 3)

  server.sendRaw('{"event":"pusher_internal:subscription_count","channel":"c","data":"{\\"subscription_count\\":0}"}')
  await counts.until(2)
  t.deepEqual(counts[1][0], { subscription_count: 0 })
  t.is(channel.subscriptionCount, 0)
  t.deepEqual(inside, [3, 0], 'set before the callbacks run')
})

test('pusher:cache_miss sent on a channel reaches the channel callbacks', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'cache-c')
  const onChannel = collect(channel, 'pusher:cache_miss')
  const globals = []
  channel.bind_global((name, data) => globals.push([name, data]))
  const onPusher = collect(pusher, 'pusher:cache_miss')

  server.sendRaw('{"event":"pusher:cache_miss","channel":"cache-c"}')
  await onChannel.until(1)
  await onPusher.until(1)
  t.is(onChannel.length, 1)
  t.deepEqual(onChannel[0][1], {})
  t.is(onChannel[0][0], undefined)
  t.deepEqual(globals, [['pusher:cache_miss', undefined]])
})

test('unknown pusher_internal: events reach nobody', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'c')
  const seen = []
  channel.bind_global((name) => seen.push('channel global ' + name))
  channel.bind('pusher_internal:foo', () => seen.push('channel bind'))
  channel.bind('pusher:foo', () => seen.push('channel bind pusher:foo'))
  pusher.bind_global((name) => seen.push('pusher global ' + name))
  pusher.bind('pusher_internal:foo', () => seen.push('pusher bind'))
  pusher.connection.bind('message', (m) => seen.push('message ' + m.event))

  server.sendRaw('{"event":"pusher_internal:foo","channel":"c","data":"{}"}')
  server.sendRaw('{"event":"pusher_internal:foo","data":"{}"}')
  await roundTrip(server, pusher, 'c')
  t.deepEqual(seen, ['channel global marker', 'pusher global marker', 'message marker'])
})

test('2,000 numbered events triggered in a loop all arrive exactly once and in order', async (t) => {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'many')
  const got = collect(channel, 'n')
  const N = 2000
  for (let i = 0; i < N; i++) t.is(server.trigger('many', 'n', String(i)), 1)
  await got.until(N, 30000)
  await roundTrip(server, pusher, 'many')
  t.is(got.length, N)
  const numbers = got.map((args) => args[0])
  t.deepEqual(numbers, Array.from({ length: N }, (_, i) => i))
})
