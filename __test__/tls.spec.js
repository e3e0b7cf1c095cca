'use strict'
// TLS: verified by default; a private CA (here the test server's own certificate) via `ca`.
const test = require('ava')
const { nextEvent, setup } = require('./helpers/wait')

test('wss:// with the server certificate as ca connects, subscribes and receives', async (t) => {
  const { server, connect } = await setup(t, { tls: true })
  t.true(server.tls)
  t.regex(server.certificatePem, /BEGIN CERTIFICATE/)
  const pusher = connect()
  const channel = pusher.subscribe('secure')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  server.trigger('secure', 'ev', { ok: true })
  t.deepEqual(await nextEvent(channel, 'ev'), { ok: true })
})

test('without the ca the certificate is refused: an error, and no connection', async (t) => {
  const { server } = await setup(t, { tls: true })
  const Pusher = require('..')
  const opts = server.clientOptions()
  delete opts.ca
  const pusher = new Pusher(server.key, opts)
  t.teardown(() => pusher.disconnect())
  const error = await nextEvent(pusher.connection, 'error')
  t.is(error.type, 'WebSocketError')
  t.regex(error.error.message, /certificate|UnknownIssuer/i)
  t.is(pusher.connection.state, 'connecting', 'it keeps trying, as with any network error')
  t.is(server.connections().length, 0)
})

test('an invalid ca throws an Error naming the option', async (t) => {
  const { server } = await setup(t, { tls: true })
  const Pusher = require('..')
  t.throws(() => new Pusher(server.key, { ...server.clientOptions(), ca: 'not a certificate' }), {
    message: /Invalid Pusher option "ca"/,
  })
  t.throws(() => new Pusher(server.key, { ...server.clientOptions(), ca: 42 }), { message: /"ca"/ })
})

/** The pusher-js style program against `server`, with `env`. */
function runExtraCaClient(server, env) {
  const { runChild } = require('./helpers/child')
  return runChild('extra-ca-client.js', [server.host, String(server.port), server.key], { env })
}

test('NODE_EXTRA_CA_CERTS is trusted, as Node programs trust it: no ca option needed', async (t) => {
  const fs = require('fs')
  const os = require('os')
  const path = require('path')
  const { server } = await setup(t, { tls: true })
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'extra-ca-')), 'ca.pem')
  fs.writeFileSync(file, 'not a certificate, skipped as Node skips it\n' + server.certificatePem)
  const child = runExtraCaClient(server, { NODE_EXTRA_CA_CERTS: file })
  t.teardown(() => child.child.kill())
  t.is(await child.nth(0), 'connected')
  await server.waitForSubscribers('secure')
  server.trigger('secure', 'ev', { ok: true })
  t.is(await child.nth(1), 'event {"ok":true}')
  t.is((await child.exited).code, 0, 'the process exits by itself after disconnect()')
})

test('without NODE_EXTRA_CA_CERTS the same program is refused the certificate', async (t) => {
  const { server } = await setup(t, { tls: true })
  const child = runExtraCaClient(server, { NODE_EXTRA_CA_CERTS: '' })
  t.teardown(() => child.child.kill())
  t.regex(await child.nth(0), /^error .*(certificate|UnknownIssuer)/i)
  t.is((await child.exited).code, 0)
})
