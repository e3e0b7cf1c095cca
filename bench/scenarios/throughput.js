'use strict'
// Scenario 1, throughput: one connection, one channel, `count` events of `size` bytes of data
// blasted as fast as the client takes them. Run by scenarios/tls.js too, against a wss://
// event source (keys tls-throughput-*; config.params.tlsThroughput, which adds runs where the
// event source cuts its chunks into small TLS records, keys tls-throughput-*-r512).

const { client } = require('./stream-client')

async function run({ config, server, log }) {
  const { runClient } = require('../runner')
  const { repeat, transport, clientMetrics, clientMetricRows } = require('./common')
  const { data } = require('../payload')
  const { over, prefix } = transport(server)
  const sections = []
  for (const v of prefix ? config.params.tlsThroughput : config.params.throughput) {
    const record = v.maxRecord ? `-r${v.maxRecord}` : ''
    const label = `${prefix}throughput ${v.label}${v.maxRecord ? `, ≤${v.maxRecord} B records` : ''}`
    const params = { server: server.address, channels: ['bench'], events: ['blast'], count: v.count }
    const event = { channel: 'bench', event: 'blast', data: data(v.size) }
    const out = await repeat({
      config,
      log,
      label,
      runOne: async (c) => {
        const r = await runClient({
          client: c,
          scenario: 'throughput',
          params,
          server,
          config,
          timeoutMs: 30000 + (v.count / 10000) * 1000,
          onReady: (s) => s.call('blast', { events: [event], count: v.count, maxRecord: v.maxRecord }),
        })
        if (!r.ok) return r
        return {
          ok: true,
          brief: `${Math.round(r.result.eventsPerSec)} events/s`,
          metrics: {
            ...clientMetrics(r),
            serverBusyPct: r.server.busy * 100,
            serverCpuUsPerEvent: r.source && r.source.cpuUs / v.count,
          },
          raw: r,
        }
      },
    })
    sections.push({
      key: `${prefix}throughput-${v.size}${record}`,
      title:
        `Throughput${over}${v.maxRecord ? ` in TLS records of at most ${v.maxRecord} B` : ''}, ${v.label} event data, ` +
        `${v.count.toLocaleString('en-US')} events on one connection (${config.reps} reps; median [min–max])`,
      params: { ...v },
      note:
        'events/s: first to last event; CPU: process.cpuUsage() of the client process (every thread), from subscribed to last event; ' +
        'JS-thread busy: performance.eventLoopUtilization() active time (wall time, so it can exceed CPU when the core is shared); ' +
        'JS-thread CPU: the main thread\'s own CPU time (/proc, 10 ms ticks). Event source CPU %: its process.cpuUsage() over the client\'s window.',
      metrics: clientMetricRows([
        { label: 'event source CPU % (client window)', key: 'serverBusyPct' },
        { label: 'event source CPU µs/event', key: 'serverCpuUsPerEvent', digits: 3 },
      ]),
      ...out,
    })
  }
  return sections
}

module.exports = { client, run }
