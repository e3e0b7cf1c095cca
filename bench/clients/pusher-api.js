'use strict'
// The client interface the scenarios use, over a pusher-js-compatible `Pusher` class.
// `takesCa`: the class has pusher-native's `ca` option (pusher-js has none; over TLS its
// process trusts the certificate through NODE_EXTRA_CA_CERTS, set by the runner).

module.exports = function pusherAdapter(Pusher, { takesCa = false } = {}) {
  return {
    /**
     * One connection to {key, host, port}, over wss:// when `tls` (trusting `ca`, a PEM text),
     * or over pusher-js's HTTP streaming transport to the same host and port when `transport`
     * is 'xhr_streaming' (plain HTTP). `onError(message)` is told about connection errors.
     */
    connect({ key, host, port, tls, ca, transport = 'ws' }, onError) {
      const pusher = new Pusher(key, {
        cluster: 'bench',
        wsHost: host,
        ...(tls ? { wssPort: port, forceTLS: true } : { wsPort: port, forceTLS: false }),
        ...(tls && takesCa ? { ca } : {}),
        ...(transport === 'xhr_streaming' ? { httpHost: host, httpPort: port } : {}),
        enabledTransports: [transport],
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
  // pusher-js's close errors: {type: 'PusherError', data: {code, message}}.
  if (e.data) return `${e.type}: ${JSON.stringify(e.data)}`
  return e.type || JSON.stringify(e)
}
