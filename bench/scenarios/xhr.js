'use strict'
// Scenario: throughput over pusher-js's HTTP streaming transport (`xhr_streaming`), the
// fallback for networks that break WebSockets. One connection, one channel, `count` events of
// `size` bytes, numbered, so each client checks it got every one in order (across the stream
// reopenings every 256 KiB); the event source checks the connection was an HTTP session and
// not a WebSocket. pusher-native and pusher-js only: the raw `ws` client has no HTTP transport.

const { client } = require('./stream-client')

const HTTP_CLIENTS = ['pusher-native', 'pusher-js']

async function run({ config, server, log }) {
  const { runClient } = require('../runner')
  const { repeat, clientMetrics, clientMetricRows } = require('./common')
  const clients = config.clients.filter((c) => HTTP_CLIENTS.includes(c))
  if (clients.length === 0) {
    log('  skipped: neither pusher-native nor pusher-js is among CLIENTS')
    return []
  }
  const sections = []
  for (const v of config.params.xhr) {
    const params = {
      server: { ...server.address, transport: 'xhr_streaming' },
      channels: ['bench'],
      events: ['blast'],
      count: v.count,
      ordered: true,
    }
    // Built once, for every run of this variant.
    await server.call('xhrPrepare', { channel: 'bench', event: 'blast', size: v.size, count: v.count, perLine: v.perLine })
    const out = await repeat({
      config: { ...config, clients },
      log,
      label: `xhr_streaming ${v.label}`,
      runOne: async (c) => {
        const r = await runClient({
          client: c,
          scenario: 'xhr',
          params,
          server,
          config,
          timeoutMs: 30000 + (v.count / 1000) * 1000,
          onReady: (s) => s.call('xhrBlast'),
        })
        const src = r.source || {}
        if (!r.ok) return { ...r, error: `${r.error}; event source: ${JSON.stringify(src)}` }
        // The events must have come over HTTP: to one streaming session that lasted the whole
        // blast, with no WebSocket open.
        if (src.error || src.sessions !== 1 || src.webSockets !== 0 || src.closedEarly || src.notReopened) {
          return { ok: false, error: `the events did not all go to one xhr_streaming session: event source said ${JSON.stringify(src)}` }
        }
        return {
          ok: true,
          brief: `${Math.round(r.result.eventsPerSec)} events/s, ${src.streams} stream requests`,
          metrics: {
            ...clientMetrics(r),
            streams: src.streams,
            serverBusyPct: r.server.busy * 100,
            serverCpuUsPerEvent: src.cpuUs / v.count,
          },
          raw: r,
        }
      },
    })
    sections.push({
      key: `xhr-throughput-${v.size}`,
      clients,
      title:
        `Throughput over HTTP streaming (xhr_streaming), ${v.label} event data in lines of ${v.perLine}, ` +
        `${v.count.toLocaleString('en-US')} events on one connection (${config.reps} reps; median [min–max]; ` +
        'no ws column: the raw ws client has no HTTP transport)',
      params: { ...v },
      note:
        'Metrics as in the throughput table. Stream requests: the first one and each reopening after 256 KiB ' +
        '(the event source stops at the line that crosses 256 KiB and carries on in the next request).',
      metrics: clientMetricRows([
        { label: 'stream requests', key: 'streams', digits: 0 },
        { label: 'event source CPU % (client window)', key: 'serverBusyPct' },
        { label: 'event source CPU µs/event', key: 'serverCpuUsPerEvent', digits: 3 },
      ]),
      ...out,
    })
  }
  return sections
}

module.exports = { client, run }
