'use strict'
// The orchestrator's handle on the event source process (server.js): start, call, stop.

const path = require('path')
const { spawnNode, kill, exited } = require('./proc')

/**
 * `host` (default 127.0.0.1) is the loopback address to listen on; `tls` ({keyFile, certFile}
 * from tls-cert.js) makes it serve wss://.
 */
async function startServer({ core, nofile, host, tls }) {
  const options = { host, ...(tls ? { keyFile: tls.keyFile, certFile: tls.certFile } : {}) }
  // --expose-gc: the source collects the garbage of what it builds ahead (xhrPrepare) at once.
  const child = spawnNode(path.join(__dirname, 'server.js'), [JSON.stringify(options)], { core, nofile, nodeArgs: ['--expose-gc'] })
  const pending = new Map()
  let nextId = 1
  const info = await new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.listening) return resolve(m)
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (m.error) p.reject(new Error(`server: ${m.error}`))
      else p.resolve(m)
    })
    child.once('exit', (code, signal) => {
      const err = new Error(`event source exited (code ${code}, signal ${signal})`)
      reject(err)
      for (const p of pending.values()) p.reject(err)
      pending.clear()
    })
  })
  return {
    host: info.host,
    port: info.port,
    nofile: info.nofile,
    pid: child.pid,
    /** Sends a command; resolves with the server's answer. */
    call(cmd, args = {}) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        child.send({ ...args, id, cmd })
      })
    },
    async stop() {
      if (child.connected) child.send({ id: 0, cmd: 'exit' })
      const timer = setTimeout(() => kill(child), 3000)
      await exited(child)
      clearTimeout(timer)
    },
  }
}

module.exports = { startServer }
