'use strict'
// `npm run bench`: pusher-native vs pusher-js vs a raw `ws` client, each in its own process
// pinned to core 1, against an event source process pinned to core 0. Prints one table per
// scenario and a summary, and writes bench/results/latest.json.
// Env: QUICK=1 (smoke run, a few minutes), REPS=n, SCENARIOS=throughput,latency,memory,mixed,xhr,tls
// (xhr: throughput over HTTP streaming, pusher-native and pusher-js only, XHR_PER_LINE events
// per line; tls: throughput, latency and idle memory over wss://; TLS_PARTS picks among them),
// CLIENTS=pusher-native,pusher-js,ws.

const fs = require('fs')
const os = require('os')
const path = require('path')
const config = require('./config')
const { TASKSET, pinSelf, killAll } = require('./proc')
const { startServer } = require('./server-control')
const { addonBuilds } = require('./runner')
const { render } = require('./table')
const { ratio } = require('./stats')
const { hasDebugInfo } = require('./elf')

const ROOT = path.join(__dirname, '..')
const log = (line) => process.stderr.write(line + '\n')

/** The addon's file, and the Rust sources newer than it (a stale build). */
function binaryInfo() {
  const file = fs.readdirSync(ROOT).find((f) => /^pusher-native\..*\.node$/.test(f))
  if (!file) return { file: null }
  const built = fs.statSync(path.join(ROOT, file)).mtimeMs
  const newer = []
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'target' && e.name !== 'tests') walk(p)
      } else if (/\.rs$|Cargo\.toml$/.test(e.name) && fs.statSync(p).mtimeMs > built) newer.push(path.relative(ROOT, p))
    }
  }
  for (const d of ['src', 'crates']) if (fs.existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d))
  // Release builds are stripped (Cargo.toml); a debug build carries .debug_info.
  const debug = hasDebugInfo(path.join(ROOT, file))
  return { file, builtAt: new Date(built).toISOString(), debugBuild: debug, newerSources: newer }
}

function versions() {
  const v = (p) => {
    try {
      return require(p).version
    } catch {
      return undefined
    }
  }
  return { node: process.version, 'pusher-native': v('../package.json'), 'pusher-js': v('pusher-js/package.json'), ws: v('ws/package.json') }
}

const SUMMARY_KEYS = {
  'throughput-100': [['events/s', 'eventsPerSec'], ['CPU µs/event', 'cpuUsPerEvent'], ['JS µs/event', 'jsBusyUsPerEvent'], ['JS CPU µs/event', 'jsCpuUsPerEvent']],
  'throughput-1024': [['events/s', 'eventsPerSec'], ['CPU µs/event', 'cpuUsPerEvent'], ['JS µs/event', 'jsBusyUsPerEvent'], ['JS CPU µs/event', 'jsCpuUsPerEvent']],
  latency: [['p50', 'pooledP50'], ['p99', 'pooledP99']],
  memory: [['RSS/conn', 'rssKBPerConn'], ['heap/conn', 'heapKBPerConn'], ['connect time', 'connectMs']],
  mixed: [['events/s', 'eventsPerSec'], ['CPU µs/event', 'cpuUsPerEvent']],
}
for (const k of ['throughput-100', 'throughput-1024', 'latency', 'memory']) SUMMARY_KEYS[`tls-${k}`] = SUMMARY_KEYS[k]
SUMMARY_KEYS['tls-throughput-100-r512'] = SUMMARY_KEYS['throughput-100']
SUMMARY_KEYS['tls-throughput-1024-r512'] = SUMMARY_KEYS['throughput-1024']
SUMMARY_KEYS['xhr-throughput-100'] = SUMMARY_KEYS['throughput-100']
SUMMARY_KEYS['xhr-throughput-1024'] = SUMMARY_KEYS['throughput-1024']

function summary(sections) {
  const lines = ['\nSummary (ratio of medians, pusher-native ÷ other; events/s higher is better, the rest lower is better)']
  for (const s of sections) {
    const keys = s.summaryKeys || SUMMARY_KEYS[s.key] || []
    const n = s.summaries['pusher-native']
    if (!n) continue
    const parts = []
    for (const [label, key] of keys) {
      const vsJs = ratio(n[key], s.summaries['pusher-js'] && s.summaries['pusher-js'][key])
      const vsWs = ratio(n[key], s.summaries.ws && s.summaries.ws[key])
      const bits = []
      if (vsJs !== undefined) bits.push(`${vsJs.toFixed(2)}x pusher-js`)
      if (vsWs !== undefined) bits.push(`${vsWs.toFixed(2)}x ws`)
      if (bits.length) parts.push(`${label} ${bits.join(', ')}`)
    }
    const failed = Object.keys(s.failures)
    lines.push(`  ${s.key.padEnd(24)} ${parts.join('; ') || '–'}${failed.length ? `  [failures: ${failed.join(', ')}]` : ''}`)
  }
  const busy = sections.flatMap((s) =>
    Object.entries(s.summaries).map(([c, x]) => ({ where: `${s.key}/${c}`, max: x.serverBusyPct ? x.serverBusyPct.max : 0 })),
  )
  const busiest = Math.max(0, ...busy.map((b) => b.max))
  const hot = busy.filter((b) => b.max > 80).map((b) => `${b.where} ${b.max.toFixed(0)}%`)
  lines.push(
    `  event source CPU: at most ${busiest.toFixed(0)}% of its core during any client's measured window` +
      (hot.length ? ` — over 80% in ${hot.join(', ')}: it may have limited those runs` : ' — it did not limit the clients'),
  )
  return lines.join('\n')
}

async function main() {
  const started = Date.now()
  const pinned = pinSelf(config.serverCore)
  const binary = binaryInfo()
  if (!binary.file) throw new Error('pusher-native addon not built: run `npm run build` first')
  const server = await startServer({ core: config.serverCore, nofile: config.nofile })
  server.address = { key: 'bench-key', host: '127.0.0.1', port: server.port }

  const meta = {
    date: new Date().toISOString(),
    quick: config.quick,
    reps: config.reps,
    clients: config.clients,
    versions: versions(),
    cpus: `${os.cpus().length} × ${os.cpus()[0] && os.cpus()[0].model}`,
    loadavgAtStart: os.loadavg().map((x) => +x.toFixed(2)),
    pinning: TASKSET
      ? `taskset: event source + orchestrator on core ${config.serverCore}, each client process on core ${config.clientCore}`
      : 'none (taskset not found or a single CPU)',
    fdLimit: `every process started via bash -c 'ulimit -n ${config.nofile} || ulimit -n <hard limit>; exec …' (effective ${server.nofile})`,
    eventSource: 'bench/server.js: ws server (handshake/subscribe/ping answered per message); bulk events as pre-built WebSocket frames written straight to the socket, paced events via ws.send; xhr_streaming sessions on the same port (bench/xhr-source.js), bulk events as pre-built lines',
    binary,
  }
  log(`pusher-native bench: ${config.quick ? 'QUICK, ' : ''}${config.reps} reps, clients ${config.clients.join(', ')}`)
  log(`  ${meta.versions.node}; ${meta.cpus}; load average ${meta.loadavgAtStart.join(' ')}`)
  log(`  ${meta.pinning}${pinned ? '' : ' (orchestrator not pinned)'}`)
  log(`  ${meta.fdLimit}`)
  log(`  addon ${binary.file} built ${binary.builtAt}`)
  if (binary.debugBuild) log(`  WARNING: ${binary.file} is a DEBUG build: pusher-native numbers are not representative (npm run build)`)
  if (binary.newerSources.length) log(`  WARNING: Rust sources newer than the addon (stale build?): ${binary.newerSources.join(', ')}`)
  if (os.loadavg()[0] > 0.5) log(`  NOTE: the machine is not idle (load ${os.loadavg()[0].toFixed(2)}); numbers will be noisier`)

  const sections = []
  try {
    for (const name of config.scenarios) {
      log(`\n[${name}]`)
      const scenario = require(`./scenarios/${name}`)
      const out = await scenario.run({ config, server, log })
      for (const s of out) {
        sections.push(s)
        console.log(render(s.title, s.clients || config.clients, s.metrics, s.summaries, s.failures))
        if (s.note) console.log(`  ${s.note}`)
      }
    }
  } finally {
    await server.stop()
  }

  meta.loadavgAtEnd = os.loadavg().map((x) => +x.toFixed(2))
  const after = binaryInfo()
  const loaded = [...addonBuilds]
  meta.addonBuildsLoaded = loaded
  if (after.builtAt !== binary.builtAt || loaded.length > 1) {
    meta.binaryReplacedDuringRun = after.builtAt
    console.log(
      `\nWARNING: ${binary.file} was rebuilt during the run (now ${after.builtAt}; ` +
        `pusher-native processes loaded builds of ${loaded.join(', ')}): the numbers may mix builds`,
    )
    for (const s of sections) console.log(`  ${s.key}: ${(s.addonBuilds || []).join(', ')}`)
  }
  meta.seconds = Math.round((Date.now() - started) / 1000)
  console.log(summary(sections))
  console.log(`\n${meta.seconds} s; load average at end ${meta.loadavgAtEnd.join(' ')}; results in bench/results/latest.json`)

  const json = {
    meta,
    scenarios: Object.fromEntries(
      sections.map((s) => [
        s.key,
        {
          title: s.title,
          params: s.params,
          note: s.note,
          summaries: s.summaries,
          ratios: Object.fromEntries(
            s.metrics.map((m) => [
              m.key,
              {
                'pusher-native/pusher-js': ratio(s.summaries['pusher-native'] && s.summaries['pusher-native'][m.key], s.summaries['pusher-js'] && s.summaries['pusher-js'][m.key]),
                'pusher-native/ws': ratio(s.summaries['pusher-native'] && s.summaries['pusher-native'][m.key], s.summaries.ws && s.summaries.ws[m.key]),
              },
            ]),
          ),
          failures: s.failures,
          addonBuilds: s.addonBuilds,
          runs: Object.fromEntries(
            Object.entries(s.runs).map(([c, rs]) => [c, rs.map((r) => (r.ok ? { metrics: r.metrics, source: r.raw && r.raw.source, addon: r.raw && r.raw.addon } : { error: r.error }))]),
          ),
        },
      ]),
    ),
  }
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true })
  fs.writeFileSync(path.join(__dirname, 'results', 'latest.json'), JSON.stringify(json, null, 2) + '\n')
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll()
    process.exit(130)
  })
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    killAll()
    process.exit(1)
  },
)
