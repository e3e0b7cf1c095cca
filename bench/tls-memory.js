'use strict'
// Idle memory per connection over TLS against plain WebSocket: opens BASE then TOTAL
// pusher-native clients (one channel each) to a TestServer in another process and prints the
// RSS growth per added connection for each mode. Not part of `npm run bench`, whose event
// source speaks plain WebSocket only.
//
//   BASE=500 TOTAL=3000 node bench/tls-memory.js

const { fork } = require('child_process')
const Pusher = require('..')

const BASE = Number(process.env.BASE || 500)
const TOTAL = Number(process.env.TOTAL || 3000)
const WINDOW = 100

/** A TestServer in a child process; resolves with the options its clients need. */
function startServer(tls) {
  const child = fork(__filename, ['server', String(tls)])
  return new Promise((resolve) => child.once('message', (options) => resolve({ child, options })))
}

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    global.gc()
    await new Promise((r) => setTimeout(r, 100))
  }
  return process.memoryUsage().rss
}

async function perConnection(tls) {
  const { child, options } = await startServer(tls)
  const clients = []
  let subscribed = 0
  const openUpTo = (target) =>
    new Promise((resolve) => {
      const more = () => {
        while (clients.length < target && clients.length - subscribed < WINDOW) {
          const pusher = new Pusher(options.key, options.client)
          clients.push(pusher)
          pusher.subscribe(`idle-${clients.length}`).bind('pusher:subscription_succeeded', () => (++subscribed === target ? resolve() : more()))
        }
      }
      more()
    })
  await openUpTo(BASE)
  const a = await settledRss()
  await openUpTo(TOTAL)
  const b = await settledRss()
  for (const c of clients) c.disconnect()
  child.kill()
  return (b - a) / 1024 / (TOTAL - BASE)
}

/** Each mode in a fresh process, so neither reuses memory the other freed. */
function measureIn(tls) {
  const child = fork(__filename, ['measure', String(tls)], { execArgv: ['--expose-gc'] })
  return new Promise((resolve) => child.once('message', resolve))
}

async function main() {
  const plain = await measureIn(false)
  const tls = await measureIn(true)
  console.log(`extra RSS per idle subscribed connection, ${BASE} -> ${TOTAL}: plain ${plain.toFixed(2)} KiB, TLS ${tls.toFixed(2)} KiB`)
}

async function measure(tls) {
  process.send(await perConnection(tls), () => process.exit(0))
}

async function serve(tls) {
  const { TestServer } = require('../testing')
  const server = await TestServer.start({ tls })
  process.send({ key: server.key, client: server.clientOptions() })
  // The server's sockets live on the native runtime, which does not hold the event loop open.
  setInterval(() => {}, 1 << 30)
}

const [role, flag] = process.argv.slice(2)
if (role === 'server') serve(flag === 'true')
else if (role === 'measure') measure(flag === 'true')
else main()
