'use strict'
// Cache channels and subscription counts.
const test = require('ava')
const { nextEvent, setup } = require('./helpers/wait')

test('a cache channel replays the last event to a new subscriber', async (t) => {
  const { server, connect } = await setup(t)
  const first = connect()
  const a = first.subscribe('cache-prices')
  await nextEvent(a, 'pusher:subscription_succeeded')
  server.trigger('cache-prices', 'price', { eur: 1 })
  server.trigger('cache-prices', 'price', { eur: 2 })
  await nextEvent(a, 'price')
  const late = connect()
  const b = late.subscribe('cache-prices')
  const replayed = nextEvent(b, 'price')
  await nextEvent(b, 'pusher:subscription_succeeded')
  t.deepEqual(await replayed, { eur: 2 })
})

test('an empty cache channel sends pusher:cache_miss to channel callbacks', async (t) => {
  const { connect } = await setup(t)
  const pusher = connect()
  const channel = pusher.subscribe('cache-empty')
  const seen = []
  channel.bind_global((event) => seen.push(event))
  await nextEvent(channel, 'pusher:cache_miss')
  t.deepEqual(seen, ['pusher:subscription_succeeded', 'pusher:cache_miss'])
})

test('subscription counts reach the channel and channel.subscriptionCount, 0 included', async (t) => {
  const { connect } = await setup(t, { subscriptionCount: true })
  const a = connect()
  const ca = a.subscribe('counted')
  t.is(ca.subscriptionCount, null)
  t.deepEqual(await nextEvent(ca, 'pusher:subscription_count'), { subscription_count: 1 })
  t.is(ca.subscriptionCount, 1)
  const b = connect()
  const cb = b.subscribe('counted')
  // Two clients: either one may hear of the second subscription first.
  const bCount = nextEvent(cb, 'pusher:subscription_count')
  t.deepEqual(await nextEvent(ca, 'pusher:subscription_count'), { subscription_count: 2 })
  t.is(ca.subscriptionCount, 2)
  t.deepEqual(await bCount, { subscription_count: 2 })
  b.disconnect()
  t.deepEqual(await nextEvent(ca, 'pusher:subscription_count'), { subscription_count: 1 })
})
