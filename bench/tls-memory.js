'use strict'
// Idle memory per connection over TLS against plain WebSocket, for pusher-native and
// pusher-js: opens BASE then TOTAL clients (one channel each) to a TestServer in another
// process and prints the RSS growth per added connection, plain and TLS side by side against
// the same (Rust) server. `npm run bench` measures idle TLS memory too (its tls scenario,
// against its own wss:// event source, with the ws client beside them).
//
//   BASE=500 TOTAL=3000 node bench/tls-memory.js
//
// pusher-js takes no `ca` option: it trusts the TestServer's certificate through
// NODE_EXTRA_CA_CERTS, set for its process.

const { fork } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { idleOpener } = require('./idle-opener')

const BASE = Number(process.env.BASE || 500)
const TOTAL = Number(process.env.TOTAL || 3000)

/** A TestServer in a child process; resolves with its key, client options and certificate. */
function startServer(tls) {
  const child = fork(__filename, ['server', String(tls)])
  return new Promise((resolve) => child.once('message', (info) => resolve({ child, ...info })))
}

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    global.gc()
    await new Promise((r) => setTimeout(r, 100))
  }
  return process.memoryUsage().rss
}

/** In a measuring process: KiB of RSS per connection added between BASE and TOTAL. */
async function perConnection(client, server) {
  const Pusher = client === 'pusher-js' ? require('pusher-js') : require('..')
  const options = client === 'pusher-js' ? { ...server.client, ca: undefined, disableStats: true } : server.client
  const openUpTo = idleOpener((name, onSubscribed) =>
    new Pusher(server.key, options).subscribe(name).bind('pusher:subscription_succeeded', onSubscribed),
  )
  await openUpTo(BASE)
  const a = await settledRss()
  await openUpTo(TOTAL)
  const b = await settledRss()
  return (b - a) / 1024 / (TOTAL - BASE)
}

/** Each measurement in a fresh process, so none reuses memory another freed. */
function measureIn(client, server, env) {
  const child = fork(__filename, ['measure'], { execArgv: ['--expose-gc'], env: { ...process.env, ...env } })
  child.send({ client, server: { key: server.key, client: server.client } })
  return new Promise((resolve) => child.once('message', resolve))
}

async function main() {
  const plain = await startServer(false)
  const tls = await startServer(true)
  const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tls-memory-')), 'ca.pem')
  fs.writeFileSync(caFile, tls.certificate)
  const rows = []
  for (const client of ['pusher-native', 'pusher-js']) {
    const env = client === 'pusher-js' ? { NODE_EXTRA_CA_CERTS: caFile } : {}
    rows.push([client, await measureIn(client, plain, env), await measureIn(client, tls, env)])
  }
  plain.child.kill()
  tls.child.kill()
  console.log(`extra RSS per idle subscribed connection, ${BASE} -> ${TOTAL} connections:`)
  for (const [client, p, t] of rows) console.log(`  ${client.padEnd(13)} plain ${p.toFixed(2)} KiB, TLS ${t.toFixed(2)} KiB`)
}

async function serve(tls) {
  const { TestServer } = require('../testing')
  const server = await TestServer.start({ tls })
  process.send({ key: server.key, client: server.clientOptions(), certificate: server.certificatePem })
  // The server's sockets live on the native runtime, which does not hold the event loop open.
  setInterval(() => {}, 1 << 30)
}

const [role, flag] = process.argv.slice(2)
if (role === 'server') serve(flag === 'true')
else if (role === 'measure') process.once('message', async ({ client, server }) => process.send(await perConnection(client, server), () => process.exit(0)))
else main()
