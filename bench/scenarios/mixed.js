'use strict'
// Scenario 4, mixed: one connection, `channels` channels with `bindings` events bound on each
// (one callback per binding); events go round-robin over all channel/event pairs.

const { client } = require('./stream-client')

async function run({ config, server, log }) {
  const { runClient } = require('../runner')
  const { repeat } = require('./common')
  const { data } = require('../payload')
  const p = config.params.mixed
  const channels = Array.from({ length: p.channels }, (_, i) => `mix-${i}`)
  const events = Array.from({ length: p.bindings }, (_, i) => `ev-${i}`)
  // Round-robin: every channel's first event, then every channel's second, and so on.
  const pairs = events.flatMap((event) => channels.map((channel) => ({ channel, event, data: data(p.size) })))
  const params = { server: server.address, channels, events, count: p.count }
  const out = await repeat({
    config,
    log,
    label: 'mixed',
    runOne: async (c) => {
      const r = await runClient({
        client: c,
        scenario: 'mixed',
        params,
        server,
        config,
        timeoutMs: 30000 + (p.count / 10000) * 1000,
        onReady: (s) => s.call('blast', { events: pairs, count: p.count }),
      })
      if (!r.ok) return r
      return {
        ok: true,
        brief: `${Math.round(r.result.eventsPerSec)} events/s`,
        metrics: {
          eventsPerSec: r.result.eventsPerSec,
          cpuUsPerEvent: r.result.cpuUsPerEvent,
          jsBusyUsPerEvent: r.result.jsBusyUsPerEvent,
            jsCpuUsPerEvent: r.result.jsCpuUsPerEvent,
          serverBusyPct: r.server.busy * 100,
        },
        raw: r,
      }
    },
  })
  return [
    {
      key: 'mixed',
      title:
        `Mixed: ${p.channels} channels × ${p.bindings} bound events, ${p.count.toLocaleString('en-US')} events of ${p.size} B ` +
        `round-robin over the ${p.channels * p.bindings} pairs, one connection (${config.reps} reps; median [min–max])`,
      params: p,
      metrics: [
        { label: 'events/s', key: 'eventsPerSec' },
        { label: 'process CPU µs/event (all threads)', key: 'cpuUsPerEvent' },
        { label: 'JS-thread busy µs/event', key: 'jsBusyUsPerEvent' },
        { label: 'JS-thread CPU µs/event', key: 'jsCpuUsPerEvent' },
        { label: 'event source CPU % (client window)', key: 'serverBusyPct' },
      ],
      ...out,
    },
  ]
}

module.exports = { client, run }
