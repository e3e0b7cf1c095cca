'use strict'
// Scenario `connections` (opt-in: SCENARIOS=connections, or `npm run bench:connections`): how
// far one client process goes in idle, subscribed connections. It opens connections in steps
// (CONNS, default 10,000, 25,000, 50,000), each to its own channel, and at every step reports
// the connect-and-subscribe time, the RSS per connection and the idle CPU per second.
//
// Ports: a client has one ephemeral port range (net.ipv4.ip_local_port_range, ~28k ports) per
// destination address and port, so the connections are spread over several event sources,
// one process per loopback address (127.0.0.2, 127.0.0.3, …), at most PER_ADDRESS (12,500)
// each; every event source then also stays well under a 20k fd limit.
//
// File descriptors: every process is started under `ulimit -n <needed>`, falling back to the
// hard limit (proc.js). Nothing can go above the hard limit without the privilege to raise it
// (CAP_SYS_RESOURCE; `ulimit -Hn` shows it): steps that do not fit are left out, and a step at
// the most the limit allows is run instead, with the reason in the table's note.

const SETTLE_MS = 1000
const FD_RESERVE = 200 // the process's own descriptors (node, libuv, the runtime): ~25 measured

const { median } = require('../stats')

const { idleConnections, settledMemory: settled, sleep } = require('./idle-connections')

/** Client part: p = {servers: [{key, host, port}], steps, window, idleSeconds}. */
async function client(adapter, p, ctx) {
  // Round-robin over the event sources: each gets an equal share of every step.
  const { state, openUpTo } = idleConnections(adapter, (i) => p.servers[i % p.servers.length], p.window, ctx)

  const zero = await settled()
  const steps = []
  let connectNs = 0n
  let prev = { n: 0, ...zero }
  for (const n of p.steps) {
    const cpu0 = process.cpuUsage()
    ctx.mark('start')
    const t0 = process.hrtime.bigint()
    try {
      await openUpTo(n)
    } catch (e) {
      ctx.mark('stop')
      return { steps, failed: `between ${prev.n} and ${n} connections: ${e.message}` }
    }
    connectNs += process.hrtime.bigint() - t0
    ctx.mark('stop')
    const cpu = process.cpuUsage(cpu0)
    await sleep(SETTLE_MS)
    const m = await settled()
    // Idle: nothing is sent; with the event source's activity_timeout of 120 s no connection
    // is due a ping within the window, so this is the cost of holding connections (timers,
    // the runtime's and the event loop's own wake-ups), not of keepalives. Sampled each
    // second too: a one-off collection of V8's memory reducer (tens of ms, a few seconds after
    // the connecting stopped) can land in the window, and the median second leaves it out.
    const idle0 = process.cpuUsage()
    const w0 = process.hrtime.bigint()
    const perSecond = []
    for (let k = 0, c0 = idle0; k < p.idleSeconds; k++) {
      await sleep(1000)
      const c = process.cpuUsage(c0)
      perSecond.push(Math.round((c.user + c.system) / 100) / 10)
      c0 = process.cpuUsage()
    }
    const idle = process.cpuUsage(idle0)
    const idleSec = Number(process.hrtime.bigint() - w0) / 1e9
    steps.push({
      n,
      connectS: Number(connectNs) / 1e9,
      connectCpuUsPerConn: (cpu.user + cpu.system) / (n - prev.n),
      rssMB: m.rss / 2 ** 20,
      rssKBPerConn: (m.rss - zero.rss) / 1024 / n,
      marginalRssKBPerConn: (m.rss - prev.rss) / 1024 / (n - prev.n),
      heapKBPerConn: (m.heapUsed - zero.heapUsed) / 1024 / n,
      idleCpuMsPerSec: (idle.user + idle.system) / 1000 / idleSec,
      idleCpuMsMedianSecond: median(perSecond),
      idleCpuMsEachSecond: perSecond,
      errors: state.errors,
    })
    prev = { n, ...m }
  }
  // Exit without closing: tens of thousands of orderly disconnects would only slow the run.
  return { steps, errors: state.errors, lastError: state.lastError }
}

/** The steps to run under an fd limit of `nofile`, and a note on the steps left out. */
function plan(wanted, nofile) {
  const cap = Math.floor((nofile - FD_RESERVE) / 100) * 100
  const steps = wanted.filter((n) => n <= cap)
  const dropped = wanted.filter((n) => n > cap)
  if (dropped.length && !steps.includes(cap)) steps.push(cap)
  const note = dropped.length
    ? `${dropped.map((n) => n.toLocaleString('en-US')).join(' and ')} connections not run: the fd limit is ${nofile} ` +
      `(ulimit -Hn; raising it takes root with CAP_SYS_RESOURCE, or a higher hard limit), so ${cap.toLocaleString('en-US')} is run instead`
    : ''
  return { steps, note }
}

/** One handle over several event sources, as runner.js expects of one (cpu, idle). */
function fanOut(servers) {
  return {
    async call(cmd, args) {
      const all = await Promise.all(servers.map((s) => s.call(cmd, args)))
      if (cmd === 'cpu') return { cpuUs: all.reduce((sum, x) => sum + x.cpuUs, 0) }
      if (cmd === 'idle') return { connections: all.reduce((sum, x) => sum + x.connections, 0), timedOut: all.some((x) => x.timedOut) }
      return all
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()))
    },
  }
}

async function run({ config, log }) {
  const { runClient } = require('../runner')
  const { repeat } = require('./common')
  const { startServer } = require('../server-control')
  const { effectiveNofile } = require('../proc')
  const p = config.params.connections
  const wantedMax = Math.max(...p.steps)
  const nofile = effectiveNofile(Math.max(config.nofile, wantedMax + 2 * FD_RESERVE))
  const { steps, note } = plan(p.steps, nofile)
  if (note) log(`  ${note}`)
  const top = Math.max(...steps)
  const count = Math.ceil(top / p.perAddress)
  const servers = []
  for (let k = 0; k < count; k++) {
    servers.push(await startServer({ core: config.serverCore, nofile: p.perAddress + 2 * FD_RESERVE, host: `127.0.0.${k + 2}` }))
  }
  const server = fanOut(servers)
  log(`  ${count} event source${count > 1 ? 's' : ''}: ${servers.map((s) => `${s.host}:${s.port}`).join(', ')}; client fd limit ${nofile}`)
  const clients = process.env.CLIENTS ? config.clients : config.clients.filter((c) => c !== 'pusher-js')
  const reps = process.env.REPS ? config.reps : p.reps
  const params = {
    servers: servers.map((s) => ({ key: 'bench-key', host: s.host, port: s.port })),
    steps,
    window: p.window,
    idleSeconds: p.idleSeconds,
  }
  let out
  try {
    out = await repeat({
      config: { ...config, clients, reps },
      log,
      label: 'connections',
      runOne: async (c) => {
        const r = await runClient({
          client: c,
          scenario: 'connections',
          params,
          server,
          config,
          nofile,
          timeoutMs: 60000 + top * 5 + steps.length * (p.idleSeconds + 15) * 1000,
        })
        if (!r.ok) return r
        const x = r.result
        if (x.failed) return { ok: false, error: x.failed, raw: r }
        const metrics = { serverBusyPct: r.server.busy * 100 }
        for (const s of x.steps) {
          for (const [k, v] of Object.entries(s)) if (typeof v === 'number' && k !== 'n') metrics[`${k}@${s.n}`] = v
        }
        const last = x.steps[x.steps.length - 1]
        for (const s of x.steps) log(`    ${c} at ${s.n}: idle CPU ms in each second ${s.idleCpuMsEachSecond.join(' ')}`)
        return {
          ok: true,
          brief: x.steps.map((s) => `${s.n}: ${s.connectS.toFixed(1)} s, ${s.rssKBPerConn.toFixed(1)} KB/conn, ${s.idleCpuMsPerSec.toFixed(1)} ms CPU/s`).join('; ') +
            (last.errors ? ` (${last.errors} errors)` : ''),
          metrics,
          raw: r,
        }
      },
    })
  } finally {
    await server.stop()
  }
  const at = (label, key, digits) => steps.map((n) => ({ label: `${label} at ${n.toLocaleString('en-US')}`, key: `${key}@${n}`, digits }))
  const topKey = (key) => `${key}@${top}`
  return [
    {
      key: 'connections',
      summaryKeys: [
        [`connect time at ${top}`, topKey('connectS')],
        [`RSS/conn at ${top}`, topKey('rssKBPerConn')],
        [`idle CPU/s at ${top} (median second)`, topKey('idleCpuMsMedianSecond')],
      ],
      title:
        `Connections held by one process: ${steps.map((n) => n.toLocaleString('en-US')).join(', ')} idle connections, one channel each, ` +
        `over ${count} event source${count > 1 ? 's' : ''} on 127.0.0.2… (≤${p.window} connecting at once; ${reps} reps; median [min–max])`,
      clients,
      params: { ...p, steps, nofile },
      note:
        'connect: cumulative connect-and-subscribe time from 0 (measuring pauses excluded); RSS/connection: growth from the process before its first connection, after gc; ' +
        `marginal: growth from the previous step; idle CPU: process.cpuUsage() over ${p.idleSeconds} s with nothing sent and no ping due (activity_timeout 120 s), ` +
        'as the mean over the window and as its median second (which leaves out a one-off garbage collection).' +
        (note ? ` ${note}.` : ''),
      metrics: [
        ...at('connect+subscribe, s', 'connectS'),
        ...at('RSS KB/connection', 'rssKBPerConn'),
        ...at('marginal RSS KB/connection', 'marginalRssKBPerConn'),
        ...at('V8 heap KB/connection', 'heapKBPerConn'),
        ...at('RSS MB', 'rssMB'),
        ...at('idle CPU ms per second (window mean)', 'idleCpuMsPerSec', 2),
        ...at('idle CPU ms per second (median second)', 'idleCpuMsMedianSecond', 2),
        ...at('client CPU µs/connection while connecting (step)', 'connectCpuUsPerConn'),
        { label: 'event source CPU % (all, while connecting)', key: 'serverBusyPct' },
      ],
      ...out,
    },
  ]
}

module.exports = { client, run, plan }
