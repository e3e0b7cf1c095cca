'use strict'
// Beyond pusher-js: `for await (const { event, data, metadata } of channel.events())`, against
// TestServer: order, the event filter, break, abort, unsubscribe, and the bound.
const test = require('ava')
const { startServer, client, subscribed, withTimeout } = require('./helpers/events')

async function setup(t) {
  const server = await startServer(t)
  const pusher = client(t, server)
  const channel = await subscribed(pusher, 'feed')
  return { server, pusher, channel }
}

/** Takes `n` values from an async iterator (with a deadline). */
async function take(iterator, n) {
  const out = []
  await withTimeout(
    (async () => {
      for await (const item of iterator) {
        out.push(item)
        if (out.length === n) break
      }
    })(),
    5000,
    `${n} events`,
  )
  return out
}

test('events() yields {event, data, metadata} in order, skipping pusher: events', async (t) => {
  const { server, channel } = await setup(t)
  const stream = channel.events()
  for (let i = 0; i < 5; i++) server.trigger('feed', i % 2 ? 'odd' : 'even', { i })
  const got = await take(stream, 5)
  t.deepEqual(
    got.map((e) => [e.event, e.data.i]),
    [['even', 0], ['odd', 1], ['even', 2], ['odd', 3], ['even', 4]],
  )
  t.deepEqual(got[0].metadata, {})
})

test('events(name) yields only that event; pusher: events when named', async (t) => {
  const { server, pusher } = await setup(t)
  const channel = pusher.subscribe('named')
  const subscribedEvents = channel.events('pusher:subscription_succeeded')
  const odd = channel.events('odd')
  await channel.ready({ timeout: 5000 })
  const [first] = await take(subscribedEvents, 1)
  t.is(first.event, 'pusher:subscription_succeeded')
  for (let i = 0; i < 4; i++) server.trigger('named', i % 2 ? 'odd' : 'even', { i })
  t.deepEqual((await take(odd, 2)).map((e) => e.data.i), [1, 3])
})

test('break ends the iteration and unbinds it', async (t) => {
  const { server, channel } = await setup(t)
  const stream = channel.events()
  server.trigger('feed', 'e', { n: 1 })
  await take(stream, 1)
  t.is(channel._watchers, null, 'nothing left registered')
  const next = await stream.next()
  t.true(next.done)
})

test('unsubscribe ends the iteration after what was buffered', async (t) => {
  const { server, pusher, channel } = await setup(t)
  const stream = channel.events()
  server.trigger('feed', 'e', { n: 1 })
  server.trigger('feed', 'e', { n: 2 })
  await take(channel.events('e'), 2)
  pusher.unsubscribe('feed')
  const seen = []
  await withTimeout(
    (async () => {
      for await (const { data } of stream) seen.push(data.n)
    })(),
    5000,
    'the end of the stream',
  )
  t.deepEqual(seen, [1, 2])
})

test('abort rejects the waiting next() with the signal reason', async (t) => {
  const { channel } = await setup(t)
  const controller = new AbortController()
  const stream = channel.events({ signal: controller.signal })
  const pending = stream.next()
  controller.abort()
  const error = await t.throwsAsync(pending, { any: true })
  t.is(error.name, 'AbortError')
  t.true((await stream.next()).done)
  t.is((await t.throwsAsync(channel.events({ signal: AbortSignal.abort() }).next(), { any: true })).name, 'AbortError')
})

test('past the limit the stream throws PUSHER_EVENTS_OVERFLOW after the buffered events', async (t) => {
  const { server, channel } = await setup(t)
  const stream = channel.events('e', { limit: 3 })
  // A loop that has not started reading yet: five events arrive, three fit.
  const all = channel.events('e')
  for (let n = 1; n <= 5; n++) server.trigger('feed', 'e', { n })
  await take(all, 5)
  const seen = []
  const error = await t.throwsAsync(
    withTimeout(
      (async () => {
        for await (const { data } of stream) seen.push(data.n)
      })(),
      5000,
      'the overflow',
    ),
  )
  t.is(error.code, 'PUSHER_EVENTS_OVERFLOW')
  t.deepEqual(seen, [1, 2, 3])
})
