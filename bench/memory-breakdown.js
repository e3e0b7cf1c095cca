'use strict'
// Where the RSS of idle connections goes: opens BASE then TOTAL pusher-native clients (one
// channel each) and prints, per added connection, the growth of RSS, of V8's heap spaces and
// of each memory mapping (the glibc heap of the JS thread, the I/O threads' malloc arenas).
//
//   BASE=1000 TOTAL=10000 node --expose-gc bench/memory-breakdown.js
//
// For the allocations behind the malloc figures: heaptrack node --expose-gc bench/memory-breakdown.js

const fs = require('fs')
const v8 = require('v8')
const { startServer } = require('./server-control')
const { idleOpener } = require('./idle-opener')
const adapter = require('./clients/pusher-api')(require('..'))

const BASE = Number(process.env.BASE || 1000)
const TOTAL = Number(process.env.TOTAL || 10000)

const ARENA_ALIGN = 64n * 1024n * 1024n

/** What an anonymous mapping at `start` (hex) most likely is: glibc's thread arenas sit at
 * 64 MiB-aligned addresses; V8's pages and thread stacks elsewhere. */
function anonymous(start) {
  return BigInt('0x' + start) % ARENA_ALIGN === 0n ? 'malloc arenas of other threads' : 'other anonymous (V8 pages, stacks)'
}

/** Resident KiB by kind of mapping: file name, [heap] (the JS thread's malloc), or the above. */
function mappings() {
  const out = {}
  let current
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head) current = head[2] ? head[2].replace(/.*\//, '') : anonymous(head[1])
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) out[current] = (out[current] || 0) + Number(rss[1])
  }
  return out
}

async function measure() {
  for (let i = 0; i < 3; i++) {
    global.gc()
    await new Promise((r) => setTimeout(r, 100))
  }
  return { rss: process.memoryUsage().rss, spaces: v8.getHeapSpaceStatistics(), maps: mappings() }
}

;(async () => {
  const server = await startServer({ nofile: 65536 })
  const address = { key: 'bench', host: '127.0.0.1', port: server.port }
  const openUpTo = idleOpener((name, onSubscribed) => adapter.connect(address).subscribe(name, onSubscribed))
  await openUpTo(BASE)
  const a = await measure()
  await openUpTo(TOTAL)
  const b = await measure()
  const per = (x) => (x / 1024 / (TOTAL - BASE)).toFixed(2)
  console.log(`RSS: ${per(b.rss - a.rss)} KiB per connection (${BASE} -> ${TOTAL})`)
  for (const s of b.spaces) {
    const before = a.spaces.find((x) => x.space_name === s.space_name)
    const grew = s.space_size - before.space_size
    if (Math.abs(grew) > 1024) console.log(`  V8 ${s.space_name}: size ${per(grew)}, used ${per(s.space_used_size - before.space_used_size)} KiB per connection`)
  }
  for (const [name, kib] of Object.entries(b.maps)) {
    const grew = (kib - (a.maps[name] || 0)) / (TOTAL - BASE)
    if (grew > 0.05) console.log(`  mapping ${name}: ${grew.toFixed(2)} KiB per connection`)
  }
  process.exit(0)
})()
