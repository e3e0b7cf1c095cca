'use strict'
// What every client process runs: argv is <scenario> <params JSON>. It runs the scenario's
// client part with this process's adapter, sends {result} (or {error}) and exits.
// Messages to the orchestrator: {ready} (start the events), {mark: 'start'|'stop'} (the
// window to charge the event source's CPU to), {progress}, {result}, {error}.

module.exports = function harness(clientName, adapter, info = {}) {
  const [scenarioName, paramsJson] = process.argv.slice(2)
  const scenario = require(`../scenarios/${scenarioName}`)
  const params = JSON.parse(paramsJson)
  let progress = () => undefined
  const ctx = {
    client: clientName,
    ready: () => process.send({ ready: true }),
    mark: (mark) => process.send({ mark }),
    /** `fn()` is sent as {progress} once a second, for reports of hangs. */
    progress: (fn) => {
      progress = fn
    },
  }
  const timer = setInterval(() => process.send({ progress: progress() }), 1000)
  timer.unref()
  const finish = (msg, code) => process.send(msg, () => process.exit(code))
  process.on('disconnect', () => process.exit(2))
  process.on('uncaughtException', (e) => finish({ error: `uncaught: ${(e && e.stack) || e}`, progress: progress() }, 1))
  scenario.client(adapter, params, ctx).then(
    (result) => finish({ result, nofile: process.env.BENCH_NOFILE, ...info }, 0),
    (e) => finish({ error: String((e && e.stack) || e), progress: progress() }, 1),
  )
}
