'use strict'
// Scenario 2, latency: the event source sends `rate` events/s for `seconds` (plus a warm-up),
// each carrying its send time from the monotonic clock (process.hrtime, shared by every
// process on the machine). The client takes its own reading in the callback. Run by
// scenarios/tls.js too, against a wss:// event source (key tls-latency).

const { percentile } = require('../stats')

function nowUs() {
  return Number(process.hrtime.bigint() / 1000n)
}

async function client(adapter, p, ctx) {
  let lastError
  const conn = adapter.connect(p.server, (e) => {
    lastError = e
  })
  const lat = new Float64Array(p.count)
  let n = 0
  let cpu0
  let t0
  ctx.progress(() => ({ events: n, lastError }))
  await new Promise((resolve) => {
    const channel = conn.subscribe('lat', () => {
      cpu0 = process.cpuUsage()
      t0 = process.hrtime.bigint()
      ctx.ready()
    })
    channel.bind('tick', (data) => {
      lat[n++] = nowUs() - data.t
      if (n === p.count) resolve()
    })
  })
  const cpu = process.cpuUsage(cpu0)
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000
  conn.close()
  const measured = Array.from(lat.subarray(p.warmup)).sort((a, b) => a - b)
  const bad = measured.filter((x) => !Number.isFinite(x) || x < 0).length
  if (bad) throw new Error(`data check failed: ${bad} events without a usable send time`)
  return {
    events: n,
    measured: measured.length,
    samples: measured.map(Math.round),
    p50: percentile(measured, 50),
    p90: percentile(measured, 90),
    p99: percentile(measured, 99),
    max: measured[measured.length - 1],
    mean: measured.reduce((s, x) => s + x, 0) / measured.length,
    cpuPct: ((cpu.user + cpu.system) / wallUs) * 100,
    cpuUsPerEvent: (cpu.user + cpu.system) / n,
  }
}

async function run({ config, server, log }) {
  const { runClient } = require('../runner')
  const { repeat, transport } = require('./common')
  const { over, prefix } = transport(server)
  const p = config.params.latency
  const warmup = Math.round(p.rate * p.warmupSeconds)
  const count = warmup + Math.round(p.rate * p.seconds)
  const pad = 'x'.repeat(Math.max(0, p.size - '{"t":1234567890123,"i":12345,"pad":""}'.length))
  const params = { server: server.address, count, warmup }
  const runs = config.reps * p.runsPerRep
  const clients = p.floor ? [...config.clients, 'raw-socket'] : config.clients
  const out = await repeat({
    config: { ...config, reps: runs, clients },
    log,
    label: `${prefix}latency`,
    runOne: async (c) => {
      const r = await runClient({
        client: c,
        scenario: 'latency',
        params,
        server,
        config,
        timeoutMs: 30000 + (count / p.rate) * 1000,
        onReady: (s) => s.call('paced', { channel: 'lat', event: 'tick', rate: p.rate, count, pad }),
      })
      if (!r.ok) return r
      return {
        ok: true,
        brief: `p50 ${r.result.p50} µs, p99 ${r.result.p99} µs`,
        metrics: {
          p50: r.result.p50,
          p90: r.result.p90,
          p99: r.result.p99,
          max: r.result.max,
          cpuPct: r.result.cpuPct,
          cpuUsPerEvent: r.result.cpuUsPerEvent,
          serverBusyPct: r.server.busy * 100,
        },
        raw: r,
      }
    },
  })
  addPooled(out)
  return [
    {
      key: `${prefix}latency`,
      title:
        `Latency${over} at ${p.rate.toLocaleString('en-US')} events/s for ${p.seconds} s (after ${p.warmupSeconds} s warm-up), ` +
        `~${p.size} B data, send → callback in µs (${runs} runs per client, interleaved; ` +
        'pooled: percentiles of every event of every run; per run: median [min–max] of the runs)',
      params: { ...p, count, warmup },
      clients,
      note:
        'Send time: the event source\'s process.hrtime (CLOCK_MONOTONIC, one clock for every process) just before ws.send, in the data; ' +
        'read again in the client\'s callback. Paced by a 1 ms timer, so events leave in bursts of ~2.' +
        (p.floor
          ? ' raw-socket: the machine\'s floor, a bare socket that cuts frames out of the buffer and finds the send time with indexOf (no client can go below it).'
          : ''),
      metrics: [
        { label: 'pooled p50 µs', key: 'pooledP50' },
        { label: 'pooled p90 µs', key: 'pooledP90' },
        { label: 'pooled p99 µs', key: 'pooledP99' },
        { label: 'pooled p99.9 µs', key: 'pooledP999' },
        { label: 'per run p50 µs', key: 'p50' },
        { label: 'per run p99 µs', key: 'p99' },
        { label: 'per run max µs', key: 'max' },
        { label: 'client CPU % of a core', key: 'cpuPct' },
        { label: 'process CPU µs/event (all threads)', key: 'cpuUsPerEvent' },
        { label: 'event source CPU % (client window)', key: 'serverBusyPct' },
      ],
      ...out,
    },
  ]
}

/** Adds percentiles over the pooled events of each client's successful runs to its summary. */
function addPooled(out) {
  for (const [c, runs] of Object.entries(out.runs)) {
    const all = runs.filter((x) => x.ok).flatMap((x) => x.raw.result.samples)
    if (all.length === 0) continue
    all.sort((a, b) => a - b)
    const one = (v) => ({ median: v, min: v, max: v, n: 1 })
    Object.assign(out.summaries[c], {
      pooledP50: one(percentile(all, 50)),
      pooledP90: one(percentile(all, 90)),
      pooledP99: one(percentile(all, 99)),
      pooledP999: one(percentile(all, 99.9)),
    })
  }
}

module.exports = { client, run }
