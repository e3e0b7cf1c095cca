'use strict'
// Scenario 3, idle memory: one client process opens `base` connections, then up to `total`,
// each subscribed to its own channel, at most `window` connecting at a time. After each step,
// with everything settled and after gc(), RSS and V8 heap are read; per connection is the
// growth from `base` to `total` divided by (total - base). Run by scenarios/tls.js too, against
// a wss:// event source (key tls-memory, its own counts: config.params.tlsMemory).

const { idleConnections, settledMemory: measure, sleep } = require('./idle-connections')

const SETTLE_MS = 1000

async function client(adapter, p, ctx) {
  const { state, openUpTo } = idleConnections(adapter, () => p.server, p.window, ctx)

  const out = { base: p.base, total: p.total }
  const cpu0 = process.cpuUsage()
  ctx.mark('start')
  let t = process.hrtime.bigint()
  try {
    await openUpTo(p.base)
  } catch (e) {
    ctx.mark('stop')
    return { ...out, failed: `at ${p.base} connections: ${e.message}` }
  }
  let connectNs = process.hrtime.bigint() - t
  ctx.mark('stop')
  const cpu1 = process.cpuUsage(cpu0)
  await sleep(SETTLE_MS)
  const atBase = await measure()
  const cpu2 = process.cpuUsage()
  ctx.mark('start')
  t = process.hrtime.bigint()
  try {
    await openUpTo(p.total)
  } catch (e) {
    ctx.mark('stop')
    return { ...out, atBase, failed: `between ${p.base} and ${p.total} connections: ${e.message}` }
  }
  connectNs += process.hrtime.bigint() - t
  ctx.mark('stop')
  const cpu3 = process.cpuUsage(cpu2)
  await sleep(SETTLE_MS)
  const atTotal = await measure()
  const extra = p.total - p.base
  const cpuUs = cpu1.user + cpu1.system + cpu3.user + cpu3.system
  // Exit without closing: 10k orderly disconnects would only slow the run down.
  return {
    ...out,
    atBase,
    atTotal,
    connectMs: Number(connectNs) / 1e6,
    connectCpuUsPerConn: cpuUs / p.total,
    rssKBPerConn: (atTotal.rss - atBase.rss) / 1024 / extra,
    heapKBPerConn: (atTotal.heapUsed - atBase.heapUsed) / 1024 / extra,
    errors: state.errors,
    lastError: state.lastError,
  }
}

async function run({ config, server, log }) {
  const { runClient } = require('../runner')
  const { repeat, transport } = require('./common')
  const { over, prefix } = transport(server)
  const p = prefix ? config.params.tlsMemory : config.params.memory
  const params = { server: server.address, ...p }
  const out = await repeat({
    config,
    log,
    label: `${prefix}memory`,
    runOne: async (c) => {
      const r = await runClient({
        client: c,
        scenario: 'memory',
        params,
        server,
        config,
        timeoutMs: 60000 + 2 * 30000 + p.total * 10,
        nofile: config.nofile,
      })
      if (!r.ok) return r
      const x = r.result
      if (x.failed) return { ok: false, error: x.failed, raw: r }
      return {
        ok: true,
        brief: `${x.rssKBPerConn.toFixed(1)} KB RSS/conn, ${x.heapKBPerConn.toFixed(1)} KB heap/conn, ${Math.round(x.connectMs)} ms`,
        nofile: r.nofile,
        metrics: {
          rssKBPerConn: x.rssKBPerConn,
          heapKBPerConn: x.heapKBPerConn,
          rssMBAtTotal: x.atTotal.rss / 2 ** 20,
          heapMBAtTotal: x.atTotal.heapUsed / 2 ** 20,
          connectMs: x.connectMs,
          connectCpuUsPerConn: x.connectCpuUsPerConn,
          serverBusyPct: r.server.busy * 100,
        },
        raw: r,
      }
    },
  })
  const nofile = Object.values(out.runs).flat().map((x) => x.nofile).find(Boolean)
  return [
    {
      key: `${prefix}memory`,
      title:
        `Idle memory${over}: ${p.base.toLocaleString('en-US')} then ${p.total.toLocaleString('en-US')} connections in one process, ` +
        `one channel each, ≤${p.window} connecting at once (${config.reps} reps; median [min–max])`,
      note: `fd limit: client processes run under bash -c 'ulimit -n ${config.nofile} || ulimit -n <hard limit>; exec node …'` +
        (nofile ? ` (effective: ${nofile})` : ''),
      params: p,
      metrics: [
        { label: `extra RSS KB/connection (${p.base}→${p.total}, after gc)`, key: 'rssKBPerConn' },
        { label: `extra V8 heap KB/connection (${p.base}→${p.total}, after gc)`, key: 'heapKBPerConn' },
        { label: `RSS MB at ${p.total}`, key: 'rssMBAtTotal' },
        { label: `heap MB at ${p.total}`, key: 'heapMBAtTotal' },
        { label: `connect+subscribe all ${p.total}, ms`, key: 'connectMs' },
        { label: 'client CPU µs/connection while connecting', key: 'connectCpuUsPerConn' },
        { label: 'event source CPU % (while connecting)', key: 'serverBusyPct' },
      ],
      ...out,
    },
  ]
}

module.exports = { client, run }
