'use strict'
// A second test file: jest loads pusher-native again for it (its own module registry) while
// the native addon stays loaded once per process.
const { TestServer } = require('pusher-native/testing')
const { OrderFeed } = require('./orders')

test('follows the channel again after the server drops the connection', async () => {
  const server = await TestServer.start()
  const feed = new OrderFeed(server.key, server.clientOptions())
  try {
    await feed.until((f) => f.subscriptions === 1)
    server.close(4200, 'please reconnect') // 4200-4299: the client reconnects at once
    await feed.until((f) => f.subscriptions === 2)
    server.trigger('orders', 'order-placed', { id: 3, item: 'scones' })
    await feed.until((f) => f.received === 1)
    expect(feed.latest).toEqual({ id: 3, item: 'scones' })
  } finally {
    feed.close()
    await server.stop()
  }
})
