'use strict'
// Runs one client process for one scenario repetition and collects what it reports, plus the
// event source's CPU time over the client's measured window(s).

const path = require('path')
const { spawnNode, kill, exited } = require('./proc')

/** Build times of the pusher-native addon that client processes loaded. */
const addonBuilds = new Set()

const ENTRY = { 'pusher-native': 'native.js', 'pusher-js': 'pusherjs.js', ws: 'ws.js', 'raw-socket': 'raw-socket.js' }

/**
 * @param {object} o
 * @param {string} o.client 'pusher-native' | 'pusher-js' | 'ws' | 'raw-socket'
 * @param {string} o.scenario file name in scenarios/
 * @param {object} o.params passed to the scenario's client part
 * @param {object} o.server from startServer()
 * @param {(server) => Promise<object>} [o.onReady] what the server does once the client is ready
 * @param {number} o.timeoutMs
 * @param {number} [o.nofile] the fd limit to ask for (default config.nofile)
 * @returns {Promise<{ok: boolean, result?, error?, server: {cpuUs, wallMs, busy}, source?}>}
 */
async function runClient({ client, scenario, params, server, onReady, timeoutMs, config, nofile }) {
  // pusher-js has no `ca` option: over TLS its process trusts the event source's certificate
  // through NODE_EXTRA_CA_CERTS (the others are given it as `ca`).
  const caFile = params.server && params.server.caFile
  const child = spawnNode(path.join(__dirname, 'clients', ENTRY[client]), [scenario, JSON.stringify(params)], {
    core: config.clientCore,
    nofile: nofile || config.nofile,
    // (pusher-js sets the TLS server name to the IP address, which Node answers with a
    // DEP0123 warning per process: --no-deprecation keeps it out of the output.)
    nodeArgs: client === 'pusher-js' && caFile ? ['--expose-gc', '--no-deprecation'] : ['--expose-gc'],
    env: client === 'pusher-js' && caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {},
  })
  let lastProgress
  let window = null // {cpuUs, t} at the open mark
  const charged = { cpuUs: 0, wallMs: 0 }
  const serverMarks = [] // keeps mark snapshots in order
  let sourcePromise = null

  const open = () => {
    const t = process.hrtime.bigint()
    window = server.call('cpu').then((s) => ({ cpuUs: s.cpuUs, t }))
    serverMarks.push(window)
  }
  const close = () => {
    if (!window) return
    const started = window
    window = null
    const t = process.hrtime.bigint()
    serverMarks.push(
      Promise.all([started, server.call('cpu')]).then(([a, b]) => {
        charged.cpuUs += b.cpuUs - a.cpuUs
        charged.wallMs += Number(t - a.t) / 1e6
      }),
    )
  }

  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      kill(child)
      resolve({ ok: false, error: `timed out after ${timeoutMs / 1000} s (last progress: ${JSON.stringify(lastProgress)})` })
    }, timeoutMs)
    child.on('message', (m) => {
      if (m.progress !== undefined) lastProgress = m.progress
      if (m.mark === 'start') open()
      if (m.mark === 'stop') close()
      if (m.ready) {
        open()
        if (onReady) {
          sourcePromise = onReady(server).catch((e) => ({ error: String(e) }))
        }
      }
      if (m.result) {
        close()
        clearTimeout(timer)
        if (m.addonBuiltAt) addonBuilds.add(m.addonBuiltAt)
        resolve({ ok: true, result: m.result, nofile: m.nofile, addon: m.addonBuiltAt })
      }
      if (m.error) {
        clearTimeout(timer)
        resolve({ ok: false, error: m.error, progress: m.progress })
      }
    })
    // 'exit' can overtake the last IPC message: give a result the chance to land first.
    child.once('exit', (code, signal) => setTimeout(() => {
      clearTimeout(timer)
      resolve({
        ok: false,
        error: `client process exited (code ${code}, signal ${signal}) before reporting; last progress: ${JSON.stringify(lastProgress)}`,
      })
    }, 200))
  })
  close()
  const kill5 = setTimeout(() => kill(child), 5000)
  await exited(child)
  clearTimeout(kill5)
  await Promise.all(serverMarks)
  const source = sourcePromise ? await sourcePromise : undefined
  // The next run starts with no connection left on the server.
  await server.call('idle', { timeoutMs: 30000 })
  const busy = charged.wallMs > 0 ? charged.cpuUs / 1000 / charged.wallMs : undefined
  return { ...outcome, server: { ...charged, busy }, source }
}

module.exports = { runClient, addonBuilds }
