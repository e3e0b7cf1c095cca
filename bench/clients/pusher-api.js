'use strict'
// The client interface the scenarios use, over a pusher-js-compatible `Pusher` class.

module.exports = function pusherAdapter(Pusher) {
  return {
    /** One connection. `onError(message)` is told about connection errors. */
    connect({ key, host, port }, onError) {
      const pusher = new Pusher(key, {
        cluster: 'bench',
        wsHost: host,
        wsPort: port,
        forceTLS: false,
        enabledTransports: ['ws'],
        disableStats: true,
      })
      if (onError) {
        pusher.connection.bind('error', (e) => onError(describe(e)))
        pusher.connection.bind('failed', () => onError('connection failed'))
      }
      return {
        /** Subscribes; `onSubscribed` runs on pusher:subscription_succeeded. Returns a channel with bind(). */
        subscribe(name, onSubscribed) {
          const channel = pusher.subscribe(name)
          if (onSubscribed) channel.bind('pusher:subscription_succeeded', onSubscribed)
          return { bind: (event, fn) => channel.bind(event, fn) }
        },
        close() {
          pusher.disconnect()
        },
      }
    },
  }
}

function describe(e) {
  if (!e) return String(e)
  if (e.error && e.error.data) return JSON.stringify(e.error.data)
  if (e.error) return String(e.error.message || e.error)
  return e.type || JSON.stringify(e)
}
