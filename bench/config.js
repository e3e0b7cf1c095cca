'use strict'
// Run settings from the environment: QUICK=1 for a ~1-minute smoke run, REPS, SCENARIOS, CLIENTS.

const QUICK = process.env.QUICK === '1'

function list(name, all) {
  const v = process.env[name]
  if (!v) return all
  const wanted = v.split(',').map((s) => s.trim()).filter(Boolean)
  for (const w of wanted) if (!all.includes(w)) throw new Error(`${name}: unknown "${w}" (known: ${all.join(', ')})`)
  return all.filter((x) => wanted.includes(x))
}

const CLIENTS = ['pusher-native', 'pusher-js', 'ws']
const SCENARIOS = ['throughput', 'latency', 'memory', 'mixed']

module.exports = {
  quick: QUICK,
  reps: Number(process.env.REPS || (QUICK ? 2 : 5)),
  clients: list('CLIENTS', CLIENTS),
  scenarios: list('SCENARIOS', SCENARIOS),
  // Core for the event source (and this orchestrator) and core for the client under test.
  serverCore: 0,
  clientCore: 1,
  // Asked of `ulimit -n`; the hard limit caps it (the effective value is printed).
  nofile: 65536,
  params: {
    throughput: QUICK
      ? [{ label: '100 B', size: 100, count: 20000 }, { label: '1 KB', size: 1024, count: 5000 }]
      : [{ label: '100 B', size: 100, count: 200000 }, { label: '1 KB', size: 1024, count: 50000 }],
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
    mixed: { channels: 50, bindings: 4, count: QUICK ? 20000 : 100000, size: 100 },
  },
}
