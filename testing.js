'use strict'
// pusher-native/testing: a real Pusher-protocol server on loopback for your tests.
const { TestServer } = require('./lib/native.js')

// `configurable`: TestServer.prototype belongs to the native addon, which Node loads once per
// process, while jest evaluates this file again for every test file (its own module registry);
// a non-configurable property would make the second evaluation throw "Cannot redefine property".
Object.defineProperties(TestServer.prototype, {
  /** The first app's key. */
  key: {
    configurable: true,
    get() {
      return this.apps[0].key
    },
  },
  /** The first app's secret (for signing auth in tests). */
  secret: {
    configurable: true,
    get() {
      return this.apps[0].secret
    },
  },
})

/**
 * Pusher options that connect to this server (merged over `extra`), over WebSockets and over
 * the HTTP fallback transports (`httpHost`, `httpPort`); a TLS server adds `forceTLS`,
 * `wssPort`, `httpsPort` and its certificate as `ca`.
 */
TestServer.prototype.clientOptions = function clientOptions(extra) {
  const server = { wsHost: this.host, wsPort: this.port, httpHost: this.host, httpPort: this.port, forceTLS: false }
  if (this.tls) Object.assign(server, { wssPort: this.port, httpsPort: this.port, forceTLS: true, ca: this.certificatePem })
  return { cluster: 'test', ...extra, ...server }
}

module.exports = { TestServer }
