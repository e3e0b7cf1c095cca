'use strict'
// pusher-native/testing: a real Pusher-protocol server on loopback for your tests.
const { TestServer } = require('./binding.js')

Object.defineProperties(TestServer.prototype, {
  /** The first app's key. */
  key: {
    get() {
      return this.apps[0].key
    },
  },
  /** The first app's secret (for signing auth in tests). */
  secret: {
    get() {
      return this.apps[0].secret
    },
  },
})

/**
 * Pusher options that connect to this server (merged over `extra`); a TLS server adds
 * `forceTLS`, `wssPort` and its certificate as `ca`.
 */
TestServer.prototype.clientOptions = function clientOptions(extra) {
  const server = { wsHost: this.host, wsPort: this.port, forceTLS: false }
  if (this.tls) Object.assign(server, { wssPort: this.port, forceTLS: true, ca: this.certificatePem })
  return { cluster: 'test', ...extra, ...server }
}

module.exports = { TestServer }
