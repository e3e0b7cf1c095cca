'use strict'
// Orchestrator helpers shared by the scenarios: repetitions in interleaved client order, and
// per-client summaries of the metrics of the successful runs.

const { summarize } = require('../stats')

/** The clients in the order for repetition `r`: rotated, so every client takes every slot. */
function order(clients, r) {
  const k = r % clients.length
  return [...clients.slice(k), ...clients.slice(0, k)]
}

/**
 * Calls `runOne(client, rep)` for every repetition and client; it returns
 * {ok, metrics} or {ok: false, error}. Returns {runs, summaries, failures}.
 */
async function repeat({ config, log, label, runOne }) {
  const runs = {}
  for (const c of config.clients) runs[c] = []
  for (let r = 0; r < config.reps; r++) {
    for (const c of order(config.clients, r)) {
      const t0 = Date.now()
      const out = await runOne(c, r)
      runs[c].push(out)
      const secs = ((Date.now() - t0) / 1000).toFixed(1)
      log(`  ${label} rep ${r + 1}/${config.reps} ${c}: ${out.ok ? out.brief || 'ok' : 'FAILED: ' + firstLine(out.error)} (${secs} s)`)
    }
  }
  const summaries = {}
  const failures = {}
  for (const c of config.clients) {
    const ok = runs[c].filter((x) => x.ok)
    const keys = new Set(ok.flatMap((x) => Object.keys(x.metrics)))
    summaries[c] = {}
    for (const k of keys) summaries[c][k] = summarize(ok.map((x) => x.metrics[k]))
    const bad = runs[c].filter((x) => !x.ok)
    if (bad.length) failures[c] = `${bad.length}/${runs[c].length} runs: ${[...new Set(bad.map((x) => x.error))].join(' | ')}`
  }
  // Which pusher-native builds the runs loaded (others keep rebuilding it in a shared tree).
  const addonBuilds = [...new Set(Object.values(runs).flat().map((x) => x.raw && x.raw.addon).filter(Boolean))]
  return { runs, summaries, failures, addonBuilds }
}

/** How a scenario names its section for this event source: plain, or over TLS (wss://). */
function transport(server) {
  return server.address.tls ? { over: ' over TLS (wss://)', prefix: 'tls-' } : { over: '', prefix: '' }
}

function firstLine(s) {
  return String(s).split('\n')[0].slice(0, 300)
}

/** A throughput run's client figures, as every throughput table reports them. */
function clientMetrics(r) {
  return {
    eventsPerSec: r.result.eventsPerSec,
    cpuUsPerEvent: r.result.cpuUsPerEvent,
    jsBusyUsPerEvent: r.result.jsBusyUsPerEvent,
    jsCpuUsPerEvent: r.result.jsCpuUsPerEvent,
    rssMB: r.result.rssMB,
  }
}

/** The rows of a throughput table for `clientMetrics`, then `extra` rows. */
function clientMetricRows(extra) {
  return [
    { label: 'events/s', key: 'eventsPerSec' },
    { label: 'process CPU µs/event (all threads)', key: 'cpuUsPerEvent' },
    { label: 'JS-thread busy µs/event', key: 'jsBusyUsPerEvent' },
    { label: 'JS-thread CPU µs/event', key: 'jsCpuUsPerEvent' },
    { label: 'client RSS after, MB', key: 'rssMB' },
    ...extra,
  ]
}

module.exports = { order, repeat, transport, clientMetrics, clientMetricRows }
