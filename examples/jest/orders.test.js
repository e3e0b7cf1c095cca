'use strict'
const { TestServer } = require('pusher-native/testing')
const { OrderFeed } = require('./orders')

let server
let feed

beforeEach(async () => {
  server = await TestServer.start()
  feed = new OrderFeed(server.key, server.clientOptions())
  await feed.until((f) => f.subscriptions === 1)
})

afterEach(async () => {
  feed.close()
  await server.stop()
})

test('starts with no order', () => {
  expect(feed.latest).toBeNull()
  expect(feed.received).toBe(0)
})

test('keeps the latest order', async () => {
  server.trigger('orders', 'order-placed', { id: 1, item: 'tea' })
  server.trigger('orders', 'order-placed', { id: 2, item: 'cake' })
  await feed.until((f) => f.received === 2)
  expect(feed.latest).toEqual({ id: 2, item: 'cake' })
})
