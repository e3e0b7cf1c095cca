// `npm run demo`: starts a local Pusher-protocol server, connects, subscribes, prints events
// as they arrive, and exits by itself.
import Pusher from 'pusher-native'
import { TestServer } from 'pusher-native/testing'

const server = await TestServer.start()
console.log(`test server listening on ${server.host}:${server.port}`)

const pusher = new Pusher(server.key, server.clientOptions())
pusher.connection.bind('state_change', ({ previous, current }) => console.log(`state: ${previous} -> ${current}`))

const channel = pusher.subscribe('orders')
let received = 0
channel.bind('pusher:subscription_succeeded', () => {
  console.log(`subscribed to ${channel.name} (socket id ${pusher.connection.socket_id})`)
  for (let i = 1; i <= 5; i++) server.trigger('orders', 'order-placed', { id: i, item: `widget #${i}`, at: new Date().toISOString() })
})
channel.bind('order-placed', (order) => {
  console.log('order-placed', order)
  if (++received === 5) {
    pusher.disconnect()
    server.stop()
  }
})
