import test from 'ava'
import { TestServer } from 'pusher-native/testing'
import { OrderFeed } from './orders.js'

// Each test gets its own server and feed, so the tests can run concurrently.
test.beforeEach(async (t) => {
  const server = await TestServer.start()
  const feed = new OrderFeed(server.key, server.clientOptions())
  t.context = { server, feed }
  await feed.channel.ready({ timeout: 5000 }) // subscribed: events from here on reach the feed
})

test.afterEach.always(async (t) => {
  t.context.feed?.close()
  await t.context.server?.stop()
})

test('keeps the latest order', async (t) => {
  const { server, feed } = t.context
  t.is(feed.latest, null)
  server.trigger('orders', 'order-placed', { id: 1, item: 'tea' })
  server.trigger('orders', 'order-placed', { id: 2, item: 'cake' })
  await feed.until((f) => f.received === 2)
  t.deepEqual(feed.latest, { id: 2, item: 'cake' })
})

test('follows the channel again after the server drops the connection', async (t) => {
  const { server, feed } = t.context
  server.close(4200, 'please reconnect') // 4200-4299: the client reconnects at once
  await feed.until((f) => f.subscriptions === 2)
  server.trigger('orders', 'order-placed', { id: 3, item: 'scones' })
  await feed.until((f) => f.received === 1)
  t.deepEqual(feed.latest, { id: 3, item: 'scones' })
})
