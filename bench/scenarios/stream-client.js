'use strict'
// Client part of the throughput and mixed scenarios: one connection, subscribe to
// `channels`, bind each of `events` on each (one callback per binding), count `count` events.
// CPU (whole process, every thread) and event-loop busy time are taken from the moment all
// subscriptions succeeded to the last event; events/s from the first event to the last.
// `p.ordered`: the events' data is numbered (payload.sequenced); each must be the next one.

const { performance } = require('perf_hooks')
const { mainThreadCpuUs } = require('../thread-cpu')

async function client(adapter, p, ctx) {
  let lastError
  const conn = adapter.connect(p.server, (e) => {
    lastError = e
  })
  let n = 0
  let sink = 0
  let misplaced = 0
  let firstMisplaced
  let tFirst
  let cpu0
  let elu0
  let jsCpu0
  ctx.progress(() => ({ events: n, lastError, misplaced, firstMisplaced }))
  await new Promise((resolve) => {
    let subscribed = 0
    const onSubscribed = () => {
      if (++subscribed !== p.channels.length) return
      cpu0 = process.cpuUsage()
      elu0 = performance.eventLoopUtilization()
      jsCpu0 = mainThreadCpuUs()
      ctx.ready()
    }
    const onEvent = (data) => {
      sink += data.id
      if (p.ordered && data.seq !== n && misplaced++ === 0) firstMisplaced = `event ${n} had seq ${data.seq}`
      if (n === 0) tFirst = process.hrtime.bigint()
      if (++n === p.count) resolve()
    }
    for (const name of p.channels) {
      const channel = conn.subscribe(name, onSubscribed)
      for (const event of p.events) channel.bind(event, onEvent)
    }
  })
  const tLast = process.hrtime.bigint()
  const cpu = process.cpuUsage(cpu0)
  const elu = performance.eventLoopUtilization(elu0)
  const jsCpu1 = mainThreadCpuUs()
  conn.close()
  // Every event carries {"id":12345,…}: anything else means the data was not decoded.
  if (sink !== n * 12345) throw new Error(`data check failed: sum of data.id over ${n} events is ${sink}`)
  if (misplaced) throw new Error(`order check failed: ${misplaced} of ${n} events out of place (lost, repeated or reordered; first: ${firstMisplaced})`)
  const cpuUs = cpu.user + cpu.system
  const seconds = Number(tLast - tFirst) / 1e9
  return {
    events: n,
    seconds,
    eventsPerSec: (n - 1) / seconds,
    cpuUsPerEvent: cpuUs / n,
    jsBusyUsPerEvent: (elu.active * 1000) / n,
    jsCpuUsPerEvent: jsCpu1 === null ? null : (jsCpu1 - jsCpu0) / n,
    rssMB: process.memoryUsage().rss / 2 ** 20,
    sink,
  }
}

module.exports = { client }
