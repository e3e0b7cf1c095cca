'use strict'
// The event source, in its own process: a minimal Pusher-protocol server on `ws`.
// Handshake, subscribe and ping are answered per message; bulk events are pre-built WebSocket
// frames written straight to each socket as fast as it drains, so sending costs the server
// next to nothing. The same port serves pusher-js's HTTP streaming transport (xhr-source.js),
// whose bulk events are lines built ahead and written the same way.
// Commands come over IPC ({id, cmd, ...}); each is answered with {id, ...}.
// argv[2], optional JSON: {host} to listen on another loopback address than 127.0.0.1,
// {keyFile, certFile} to serve wss:// (the same frames, written to the TLS socket).

const fs = require('fs')
const http = require('http')
const https = require('https')
const { WebSocketServer } = require('ws')
const { frameChunk } = require('./wsframe')
const { eventFrame, sequenced } = require('./payload')
const { serveXhr, blastLines } = require('./xhr-source')

const options = JSON.parse(process.argv[2] || '{}')
const host = options.host || '127.0.0.1'
const server = options.keyFile
  ? https.createServer({ key: fs.readFileSync(options.keyFile), cert: fs.readFileSync(options.certFile) })
  : http.createServer()
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true })
server.listen({ host, port: 0, backlog: 4096 })
let nextSocket = 1
// The body of the next xhr blast ({buf, ends}), built by xhrPrepare.
let prepared = null

const ESTABLISHED = (socketId) =>
  JSON.stringify({
    event: 'pusher:connection_established',
    data: JSON.stringify({ socket_id: socketId, activity_timeout: 120 }),
  })

const xhr = serveXhr(server, { established: () => ESTABLISHED(`${process.pid}.${nextSocket++}`) })

wss.on('connection', (ws) => {
  ws.send(ESTABLISHED(`${process.pid}.${nextSocket++}`))
  ws.on('error', () => {})
  ws.on('message', (buf) => {
    let msg
    try {
      msg = JSON.parse(buf.toString())
    } catch {
      return
    }
    if (msg.event === 'pusher:subscribe' && msg.data && typeof msg.data.channel === 'string') {
      ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel: msg.data.channel, data: '{}' }))
    } else if (msg.event === 'pusher:ping') {
      ws.send('{"event":"pusher:pong","data":"{}"}')
    }
  })
})

function cpuUs() {
  const c = process.cpuUsage()
  return c.user + c.system
}

function nowUs() {
  return Number(process.hrtime.bigint() / 1000n)
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves when `socket` can take more (or is gone). */
function drained(socket) {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}

/** Writes `count` frames, round-robin over `texts`, to one socket. */
async function blastSocket(socket, built, count) {
  const { chunk, offsets, frames } = built
  let left = count
  while (left > 0 && !socket.destroyed) {
    const n = Math.min(left, frames)
    left -= n
    const buf = n === frames ? chunk : chunk.subarray(0, offsets[n])
    if (left === 0) {
      await new Promise((resolve) => socket.write(buf, resolve))
    } else if (!socket.write(buf)) {
      await drained(socket)
    }
  }
}

const commands = {
  cpu: () => ({ cpuUs: cpuUs() }),

  connections: () => ({ connections: wss.clients.size }),

  /** {events: [{channel, event, data}], count, maxRecord}: `count` frames to every connection. */
  async blast({ events, count, maxRecord }) {
    const built = frameChunk(events.map((e) => eventFrame(e.channel, e.event, e.data)))
    const cpu0 = cpuUs()
    const t0 = process.hrtime.bigint()
    const sockets = [...wss.clients].map((ws) => ws._socket)
    // Over TLS, `maxRecord` (512 to 16384) caps the size of the records the chunks are cut into:
    // small records stand for a server that writes events one at a time.
    const setRecord = (n) => sockets.forEach((s) => s.setMaxSendFragment && s.setMaxSendFragment(n))
    if (maxRecord) setRecord(maxRecord)
    await Promise.all(sockets.map((s) => blastSocket(s, built, count)))
    if (maxRecord) setRecord(16384)
    return { connections: sockets.length, cpuUs: cpuUs() - cpu0, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 }
  },

  /**
   * {channel, event, size, count, perLine}: builds the body of the next xhrBlasts, `count`
   * events of `size` B with their data numbered (`seq` 0, 1, …) in lines of `perLine`. Apart
   * from the blast, and its garbage collected here (when the process runs with --expose-gc),
   * so neither costs the blast (tens of ms for 50,000 events).
   */
  xhrPrepare({ channel, event, size, count, perLine }) {
    const texts = Array.from({ length: count }, (_, i) => eventFrame(channel, event, sequenced(size, i)))
    prepared = blastLines(texts, perLine)
    if (global.gc) global.gc()
    return { bytes: prepared.buf.length, lines: prepared.ends.length }
  },

  /**
   * The prepared body to every HTTP streaming session. Says how many sessions and WebSockets
   * were open, how many stream requests (reopenings past the size limit included) it took,
   * and how many sessions ended before it was all written.
   */
  async xhrBlast() {
    if (!prepared) throw new Error('xhrBlast before xhrPrepare')
    const before = xhr.counts()
    const cpu0 = cpuUs()
    const t0 = process.hrtime.bigint()
    const sessions = await xhr.blast(prepared.buf, prepared.ends)
    const after = xhr.counts()
    return {
      sessions,
      webSockets: wss.clients.size,
      streams: after.streams - before.streams,
      // Sessions that ended before the blast was all written (see xhr-source.js).
      closedEarly: after.closedEarly - before.closedEarly,
      notReopened: after.notReopened - before.notReopened,
      cpuUs: cpuUs() - cpu0,
      wallMs: Number(process.hrtime.bigint() - t0) / 1e6,
    }
  },

  /**
   * {channel, event, rate, count, pad}: `count` events at `rate`/s to every connection, each
   * stamped with this process's monotonic clock in µs just before it is sent.
   */
  async paced({ channel, event, rate, count, pad }) {
    const cpu0 = cpuUs()
    const start = nowUs()
    let sent = 0
    await new Promise((resolve) => {
      const tick = () => {
        const due = Math.min(count, Math.floor(((nowUs() - start) * rate) / 1e6) + 1)
        while (sent < due) {
          const data = `{"t":${nowUs()},"i":${sent},"pad":"${pad}"}`
          const text = eventFrame(channel, event, data)
          for (const ws of wss.clients) ws.send(text)
          sent++
        }
        if (sent < count) setTimeout(tick, 1)
        else resolve()
      }
      tick()
    })
    return { sent, cpuUs: cpuUs() - cpu0, wallMs: (nowUs() - start) / 1000 }
  },

  /**
   * Resolves once no client is connected, over any transport. Called once a client process has
   * exited, so an HTTP session without an open stream is over.
   */
  async idle({ timeoutMs = 30000 }) {
    const until = Date.now() + timeoutMs
    while (wss.clients.size > 0 || xhr.size > 0) {
      xhr.endStreamless()
      if (Date.now() > until) return { connections: wss.clients.size + xhr.size, timedOut: true }
      await sleep(20)
    }
    return { connections: 0 }
  },

  exit() {
    for (const ws of wss.clients) ws.terminate()
    wss.close()
    server.close()
    setImmediate(() => process.exit(0))
    return {}
  },
}

process.on('message', async (msg) => {
  const { id, cmd } = msg
  try {
    const result = await commands[cmd](msg)
    process.send({ id, ...result })
  } catch (error) {
    process.send({ id, error: String((error && error.stack) || error) })
  }
})

// The orchestrator going away takes the server with it.
process.on('disconnect', () => process.exit(0))

server.on('listening', () => {
  process.send({ listening: true, host, port: server.address().port, nofile: process.env.BENCH_NOFILE })
})
