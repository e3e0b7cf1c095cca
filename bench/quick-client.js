'use strict'
// One client in its own process: subscribes, then counts `count` events from the server's
// blast and reports events/s and CPU. argv: kind (native|pusher-js) key port count
const [kind, key, port, count] = process.argv.slice(2)
const Pusher = kind === 'pusher-js' ? require('pusher-js') : require('..')
const pusher = new Pusher(key, { cluster: 'test', wsHost: '127.0.0.1', wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'] })
const channel = pusher.subscribe('bench')
const total = Number(count)
let n = 0
let start, cpu
channel.bind('pusher:subscription_succeeded', () => process.send({ ready: true }))
channel.bind('blast', () => {
  if (n === 0) {
    start = process.hrtime.bigint()
    cpu = process.cpuUsage()
  }
  if (++n === total) {
    const secs = Number(process.hrtime.bigint() - start) / 1e9
    const used = process.cpuUsage(cpu)
    process.send({ eventsPerSec: (total - 1) / secs, cpuUsPerEvent: (used.user + used.system) / total })
    pusher.disconnect()
  }
})
