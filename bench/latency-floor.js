'use strict'
// The machine's own latency floor, for reading the latency scenario: a plain TCP socket
// carrying one timestamp per line, paced exactly as the event source paces events (2,000/s
// from a 1 ms timer), sender pinned to core 0 and receiver to core 1 as in `npm run bench`.
// No WebSocket, no JSON: whatever tail this shows is the scheduler's, not a client's.
//
//   node bench/latency-floor.js            # RUNS=6 SECONDS=2
//
// Prints the pooled p50 / p90 / p99 / p99.9 / max, and each run's p50 and p99.

const net = require('net')
const { spawnNode, pinSelf } = require('./proc')
const { percentile } = require('./stats')

const RATE = 2000
const SECONDS = Number(process.env.SECONDS || 2)
const WARMUP = RATE / 2
const RUNS = Number(process.env.RUNS || 6)

function nowUs() {
  return Number(process.hrtime.bigint() / 1000n)
}

/** Receiver, in its own process: reads lines until the sender ends, replies with the latencies. */
function receive(port) {
  const lat = []
  let pending = ''
  const socket = net.connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  socket.setEncoding('latin1')
  socket.on('data', (chunk) => {
    const t = nowUs()
    pending += chunk
    let nl
    while ((nl = pending.indexOf('\n')) >= 0) {
      lat.push(t - Number(pending.slice(0, nl)))
      pending = pending.slice(nl + 1)
    }
  })
  socket.on('end', () => process.send(lat.slice(WARMUP), () => process.exit(0)))
}

/** Sends `count` timestamps to the first connection, paced like the bench's event source. */
function paceOne(server, count) {
  return new Promise((resolve) => {
    server.once('connection', (socket) => {
      socket.setNoDelay(true)
      const start = nowUs()
      let sent = 0
      const tick = () => {
        const due = Math.min(count, Math.floor(((nowUs() - start) * RATE) / 1e6) + 1)
        while (sent < due) {
          socket.write(`${nowUs()}\n`)
          sent++
        }
        if (sent < count) setTimeout(tick, 1)
        else socket.end(resolve)
      }
      tick()
    })
  })
}

async function main() {
  pinSelf(0)
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const all = []
  for (let r = 0; r < RUNS; r++) {
    const child = spawnNode(__filename, ['receive', String(server.address().port)], { core: 1, nofile: 1024 })
    const result = new Promise((resolve) => child.once('message', resolve))
    await paceOne(server, WARMUP + RATE * SECONDS)
    const lat = (await result).sort((a, b) => a - b)
    all.push(...lat)
    console.log(`run ${r + 1}/${RUNS}: p50 ${percentile(lat, 50)} µs, p99 ${percentile(lat, 99)} µs`)
  }
  all.sort((a, b) => a - b)
  const p = (q) => percentile(all, q)
  console.log(
    `TCP floor, ${RUNS} runs × ${SECONDS} s at ${RATE}/s, pooled: p50 ${p(50)}, p90 ${p(90)}, p99 ${p(99)}, ` +
      `p99.9 ${p(99.9)}, max ${all[all.length - 1]} µs`,
  )
  server.close()
}

if (process.argv[2] === 'receive') receive(Number(process.argv[3]))
else main()
