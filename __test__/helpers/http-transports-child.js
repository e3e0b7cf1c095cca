'use strict'
// Child process of http-transports-server.spec.js: pusher-js 8.6.0 over one HTTP transport
// with TLS, trusting the TestServer's certificate through NODE_EXTRA_CA_CERTS (set by the
// parent, read by Node at start). The server stays in the parent: channel auth is asked of it
// over IPC, and each step is reported to it.

const PusherJs = require('pusher-js')

let nextId = 0
const pending = new Map()

function authorize(socketId, channelName) {
  const id = ++nextId
  return new Promise((resolve) => {
    pending.set(id, resolve)
    process.send({ rpc: 'authorize', id, args: [socketId, channelName] })
  })
}

function report(step, extra = {}) {
  process.send({ step, ...extra })
}

function waitFor(emitter, event) {
  return new Promise((resolve) => {
    const handler = (data) => {
      emitter.unbind(event, handler)
      resolve(data)
    }
    emitter.bind(event, handler)
  })
}

async function run({ port, host, key, transport }) {
  const pusher = new PusherJs(key, {
    cluster: 'test',
    forceTLS: true,
    wsHost: host,
    wssPort: port,
    httpHost: host,
    httpsPort: port,
    enabledTransports: [transport],
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) =>
        authorize(socketId, channelName).then((auth) => callback(null, auth)),
    },
  })
  process.on('message', (m) => {
    if (m.disconnect) {
      waitFor(pusher.connection, 'disconnected').then(() => {
        report('disconnected')
        process.disconnect()
        // pusher-js can keep timers alive after disconnect(): the report is sent, so leave.
        setTimeout(() => process.exit(0), 50)
      })
      pusher.disconnect()
    }
  })
  await waitFor(pusher.connection, 'connected')
  const news = pusher.subscribe('news')
  await waitFor(news, 'pusher:subscription_succeeded')
  const orders = pusher.subscribe('private-orders')
  await waitFor(orders, 'pusher:subscription_succeeded')
  const events = []
  const all = new Promise((resolve) => {
    const record = (data) => {
      events.push(data.i)
      if (events.length === 5) resolve()
    }
    news.bind('e', record)
    orders.bind('e', record)
  })
  report('subscribed', { socketId: pusher.connection.socket_id })
  await all
  report('received', { events })
  orders.trigger('client-hello', { from: 'child' })
}

process.on('message', (m) => {
  if (m.rpcResult) {
    const resolve = pending.get(m.rpcResult)
    pending.delete(m.rpcResult)
    if (resolve) resolve(m.value)
    return
  }
  if (m.port) run(m).catch((error) => report('failed', { error: String((error && error.stack) || error) }))
})
