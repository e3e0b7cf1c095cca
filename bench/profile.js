'use strict'
// One pusher-native client taking SIZE-byte events as fast as they come, in this process:
// the thing to profile. Prints events/s, process CPU and JS-thread CPU per event.
//
//   SIZE=1024 COUNT=300000 taskset -c 1 perf record -F 1999 -g -- node --perf-basic-prof bench/profile.js
//
// Only the events' window, without start-up (bench/PROFILE.md has the full commands):
//
//   mkfifo /tmp/ctl /tmp/ack
//   PERF_CTL=/tmp/ctl PERF_ACK=/tmp/ack taskset -c 1 perf record -D -1 --control fifo:/tmp/ctl,/tmp/ack … -- node …
//   perf report --no-children --sort pid        # which thread
//   perf report --no-children --tid <pid> --sort dso,sym -g none
//
// For Rust symbols, point NAPI_RS_NATIVE_LIBRARY_PATH at an unstripped build (e.g.
// CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_RELEASE_DEBUG=1 cargo build --release).

const { startServer } = require('./server-control')
const { data } = require('./payload')
const { mainThreadCpuUs } = require('./thread-cpu')
const Pusher = require('..')

const fs = require('fs')

const SIZE = Number(process.env.SIZE || 1024)
const COUNT = Number(process.env.COUNT || 300000)

;(async () => {
  // The event source on another core than this process (pinned with taskset to the client's).
  const server = await startServer({ nofile: 4096, core: Number(process.env.SERVER_CORE || 0) })
  const pusher = new Pusher('bench', { cluster: 'bench', wsHost: '127.0.0.1', wsPort: server.port, forceTLS: false })
  const channel = pusher.subscribe('profile')
  await new Promise((resolve) => channel.bind('pusher:subscription_succeeded', resolve))
  let n = 0
  const done = new Promise((resolve) => channel.bind('ev', () => ++n === COUNT && resolve()))
  perfControl('enable')
  const t0 = process.hrtime.bigint()
  const cpu0 = process.cpuUsage()
  const js0 = mainThreadCpuUs()
  server.call('blast', { events: [{ channel: 'profile', event: 'ev', data: data(SIZE) }], count: COUNT })
  await done
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  perfControl('disable')
  const cpu = process.cpuUsage(cpu0)
  const js = mainThreadCpuUs()
  console.log(
    `${SIZE} B: ${Math.round(COUNT / seconds)} events/s, ${((cpu.user + cpu.system) / COUNT).toFixed(2)} µs CPU/event, ` +
      (js0 === null ? '' : `${((js - js0) / COUNT).toFixed(2)} µs JS-thread CPU/event, `) +
      `JS thread = pid ${process.pid}`,
  )
  pusher.disconnect()
  await server.stop()
})()

let perfFds = null

/** Tells a `perf record --control fifo:$PERF_CTL,$PERF_ACK` to start or stop sampling. */
function perfControl(command) {
  if (!process.env.PERF_CTL) return
  if (perfFds === null) perfFds = [fs.openSync(process.env.PERF_CTL, 'w'), fs.openSync(process.env.PERF_ACK, 'r')]
  fs.writeSync(perfFds[0], `${command}\n`)
  // perf answers "ack\n" once it has done it.
  fs.readSync(perfFds[1], Buffer.alloc(16))
}
