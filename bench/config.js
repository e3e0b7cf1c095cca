'use strict'
// Run settings from the environment: QUICK=1 for a short smoke run, REPS, SCENARIOS, CLIENTS,
// TLS_PARTS (which scenarios the tls scenario runs over wss://), XHR_PER_LINE (events per
// line over HTTP streaming), CONNS (the connection counts of the opt-in connections scenario).

const QUICK = process.env.QUICK === '1'

/** The names in env `name` (all of `all` when unset), in `all`'s order; `optIn` only when named. */
function list(name, all, optIn = []) {
  const v = process.env[name]
  if (!v) return all
  const known = [...all, ...optIn]
  const wanted = v.split(',').map((s) => s.trim()).filter(Boolean)
  for (const w of wanted) if (!known.includes(w)) throw new Error(`${name}: unknown "${w}" (known: ${known.join(', ')})`)
  return known.filter((x) => wanted.includes(x))
}

function numbers(name, fallback) {
  const v = process.env[name]
  if (!v) return fallback
  const xs = v.split(',').map(Number)
  if (xs.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`${name}: expected positive integers, got "${v}"`)
  return [...new Set(xs)].sort((a, b) => a - b)
}

const CLIENTS = ['pusher-native', 'pusher-js', 'ws']
const SCENARIOS = ['throughput', 'latency', 'memory', 'mixed', 'xhr', 'tls']
const TLS_PARTS = ['throughput', 'latency', 'memory']
// Not in the default run: minutes long, and it needs a high fd limit (`ulimit -Hn`).
const OPT_IN = ['connections']

module.exports = {
  quick: QUICK,
  reps: Number(process.env.REPS || (QUICK ? 2 : 5)),
  clients: list('CLIENTS', CLIENTS),
  scenarios: list('SCENARIOS', SCENARIOS, OPT_IN),
  tlsParts: list('TLS_PARTS', TLS_PARTS),
  // Core for the event source (and this orchestrator) and core for the client under test.
  serverCore: 0,
  clientCore: 1,
  // Asked of `ulimit -n`; the hard limit caps it (the effective value is printed).
  nofile: 65536,
  params: {
    throughput: QUICK
      ? [{ label: '100 B', size: 100, count: 20000 }, { label: '1 KB', size: 1024, count: 5000 }]
      : [{ label: '100 B', size: 100, count: 200000 }, { label: '1 KB', size: 1024, count: 50000 }],
    // Over TLS (the tls scenario): the same, then again with the event source's TLS records
    // capped at 512 B (the least Node allows), as a server that writes one event at a time
    // would send them; full 16 KiB records otherwise.
    tlsThroughput: (QUICK
      ? [{ label: '100 B', size: 100, count: 20000 }, { label: '1 KB', size: 1024, count: 5000 }]
      : [{ label: '100 B', size: 100, count: 200000 }, { label: '1 KB', size: 1024, count: 50000 }]
    ).flatMap((v) => [v, { ...v, maxRecord: 512 }]),
    // Short runs, three per repetition, pooled: this VM's scheduling noise comes in phases of
    // seconds, and many interleaved slots spread it evenly over the clients.
    // `floor` adds the raw-socket column (FLOOR=0 leaves it out).
    latency: {
      rate: 2000,
      seconds: QUICK ? 1 : 2,
      warmupSeconds: QUICK ? 0.25 : 0.5,
      size: 100,
      runsPerRep: 3,
      floor: process.env.FLOOR !== '0',
    },
    memory: QUICK ? { base: 100, total: 1000, window: 100 } : { base: 1000, total: 10000, window: 100 },
    // Idle memory over TLS (the tls scenario): fewer connections, every one a TLS handshake.
    tlsMemory: QUICK ? { base: 100, total: 1000, window: 100 } : { base: 1000, total: 5000, window: 100 },
    mixed: { channels: 50, bindings: 4, count: QUICK ? 20000 : 100000, size: 100 },
    // Over HTTP streaming (the xhr scenario): numbered events sent in lines of `perLine`
    // (XHR_PER_LINE, default 50), as a server with a queue of events writes them; 1 for one
    // event per line. Fewer 1 KB events than over WebSockets: the event source keeps the whole
    // body built (xhrPrepare).
    xhr: (QUICK
      ? [{ label: '100 B', size: 100, count: 20000 }, { label: '1 KB', size: 1024, count: 5000 }]
      : [{ label: '100 B', size: 100, count: 100000 }, { label: '1 KB', size: 1024, count: 25000 }]
    ).map((v) => ({ ...v, perLine: Number(process.env.XHR_PER_LINE || 50) })),
    // Opt-in (SCENARIOS=connections): idle connections held at each of `steps` (CONNS=…),
    // spread over event sources on 127.0.0.2, .3, … at most `perAddress` (PER_ADDRESS) each.
    // pusher-native and ws unless CLIENTS names pusher-js; `reps` unless REPS is set.
    connections: {
      steps: numbers('CONNS', QUICK ? [1000, 2500, 5000] : [10000, 25000, 50000]),
      perAddress: Number(process.env.PER_ADDRESS || 12500),
      window: 200,
      idleSeconds: Number(process.env.IDLE_SECONDS || (QUICK ? 2 : 10)),
      reps: QUICK ? 1 : 3,
    },
  },
}
