'use strict'
// Child process side of helpers/compat.js `runInChild`: runs one named program under one
// implementation and sends back what it observed. Used where the process environment must be
// set before Node starts (NODE_EXTRA_CA_CERTS). The TestServer stays in the parent; `trigger`
// and `connections` are asked of it over IPC.

const { makeContext, shutdown, stripUrl, Timeout, IMPLS } = require('./compat')

let nextId = 0
const pending = new Map()
function rpc(name, args) {
  const id = ++nextId
  return new Promise((resolve) => {
    pending.set(id, resolve)
    process.send({ rpc: name, id, args })
  })
}

/** Connects with `options`, subscribes, receives one event over wss, disconnects. */
async function overTls(ctx, options) {
  const p = ctx.make(ctx.server.key, options)
  await ctx.until('connected')
  const [conn] = await ctx.server.connections()
  ctx.note('url', conn && stripUrl(conn.path))
  const ch = p.subscribe('secure')
  ctx.on(ch, 'pusher:subscription_succeeded', 'sub ok')
  ctx.on(ch, 'ev')
  await ctx.until('sub ok')
  await ctx.server.trigger('secure', 'ev', { over: 'wss' })
  await ctx.until('ev')
  p.disconnect()
  await ctx.until('disconnected')
}

const programs = {
  /** forceTLS: true with enabledTransports ['ws'] (the "WebSockets only" setting): wss. */
  tlsWsOnly: (ctx) =>
    overTls(ctx, { cluster: '', wsHost: '127.0.0.1', wssPort: ctx.server.port, forceTLS: true, enabledTransports: ['ws'] }),
  /** forceTLS: true with disabledTransports ['wss']: pusher-js's `ws` transport, over TLS. */
  tlsNoWss: (ctx) =>
    overTls(ctx, { cluster: '', wsHost: '127.0.0.1', wssPort: ctx.server.port, forceTLS: true, disabledTransports: ['wss'] }),
  /**
   * forceTLS false, nothing on wsPort, the server on wssPort: pusher-js falls back to wss
   * after 2 s (its non-TLS plan).
   */
  async wssFallback(ctx) {
    const wsPort = await ctx.closedPort('ws')
    const p = ctx.make(ctx.server.key, { cluster: '', wsHost: '127.0.0.1', wsPort, wssPort: ctx.server.port, forceTLS: false })
    await ctx.until('connected', { ms: 5000 })
    const [conn] = await ctx.server.connections()
    ctx.note('url', conn && stripUrl(conn.path))
    p.disconnect()
    await ctx.until('disconnected')
  },
  /** Laravel Reverb's documented Echo options, served over TLS. */
  reverbTls: (ctx) =>
    overTls(ctx, {
      cluster: '',
      wsHost: '127.0.0.1',
      wsPort: ctx.server.port,
      wssPort: ctx.server.port,
      forceTLS: true,
      enabledTransports: ['ws', 'wss'],
    }),
}

process.on('message', async (m) => {
  if (m.rpcResult) {
    const resolve = pending.get(m.rpcResult)
    pending.delete(m.rpcResult)
    if (resolve) resolve(m.value)
    return
  }
  if (!m.run) return
  const server = {
    port: m.port,
    key: m.key,
    trigger: (...args) => rpc('trigger', args),
    connections: () => rpc('connections', []),
  }
  const ctx = makeContext(m.impl, IMPLS[m.impl], null)
  ctx.server = server
  let completed = false
  let error
  try {
    await programs[m.run](ctx, m.args)
    completed = true
  } catch (e) {
    error = e instanceof Timeout ? e.message : String((e && e.stack) || e)
    if (!(e instanceof Timeout)) ctx.log.push(['PROGRAM THREW', String(e && e.message)])
  }
  shutdown(ctx._clients)
  process.send({ result: { log: ctx.log, completed, error, sids: ctx._sids } }, () => {
    process.disconnect()
    // pusher-js can keep timers alive after disconnect(); the result is sent, so leave now.
    setTimeout(() => process.exit(0), 50)
  })
})
