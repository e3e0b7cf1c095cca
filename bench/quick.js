'use strict'
// A rough figure, not the benchmark: events/s delivered to a JS callback on one connection,
// 100-byte events, pusher-native vs pusher-js in the same run. `npm run bench:quick`.
const { fork } = require('child_process')
const path = require('path')
const { TestServer } = require('../testing')

const COUNT = Number(process.env.COUNT || 200000)
const ROUNDS = Number(process.env.ROUNDS || 3)
const PAYLOAD = JSON.stringify({ id: 12345, message: 'x'.repeat(70) })

async function runOnce(server, kind) {
  const child = fork(path.join(__dirname, 'quick-client.js'), [kind, server.key, String(server.port), String(COUNT)])
  const result = await new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.ready) server.blast('bench', 'blast', PAYLOAD, COUNT)
      else resolve(m)
    })
    child.on('exit', (code) => code && reject(new Error(`${kind} exited with ${code}`)))
  })
  await new Promise((resolve) => child.on('exit', resolve))
  await server.waitForConnections(0)
  return result
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

;(async () => {
  const server = await TestServer.start()
  const results = { 'pusher-native': [], 'pusher-js': [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ['pusher-native', 'pusher-js']) {
      results[kind].push(await runOnce(server, kind === 'pusher-native' ? 'native' : kind))
    }
  }
  console.log(`${COUNT} events of ${PAYLOAD.length} bytes, ${ROUNDS} rounds, medians:`)
  const rows = {}
  for (const [kind, rs] of Object.entries(results)) {
    rows[kind] = {
      'events/s': Math.round(median(rs.map((r) => r.eventsPerSec))),
      'client CPU µs/event': Number(median(rs.map((r) => r.cpuUsPerEvent)).toFixed(2)),
    }
  }
  console.table(rows)
  const ratio = rows['pusher-native']['events/s'] / rows['pusher-js']['events/s']
  console.log(`pusher-native / pusher-js events/s: ${ratio.toFixed(2)}x`)
  await server.stop()
})()
