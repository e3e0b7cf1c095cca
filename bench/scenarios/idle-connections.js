'use strict'
// For the scenarios that hold many idle connections (memory, tls memory, connections): opens
// connections each subscribed to its own channel, a window at a time, and measures memory once
// everything has settled.

const STALL_MS = 30000

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** RSS and V8 heap after three rounds of gc() (run with --expose-gc). */
async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    global.gc()
    await sleep(100)
  }
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
}

/**
 * The connections of one client process. `serverFor(i)` is the event source of connection
 * `i`; `openUpTo(target)` opens and subscribes connections until `target` are subscribed, at
 * most `window` waiting at once, and rejects when nothing moves for 30 s.
 */
function idleConnections(adapter, serverFor, window, ctx) {
  const state = { conns: [], subscribed: 0, errors: 0, lastError: undefined }
  ctx.progress(() => ({ opened: state.conns.length, subscribed: state.subscribed, errors: state.errors, lastError: state.lastError }))

  function openUpTo(target) {
    return new Promise((resolve, reject) => {
      let lastMove = Date.now()
      const stall = setInterval(() => {
        if (Date.now() - lastMove > STALL_MS) {
          clearInterval(stall)
          const s = state
          reject(new Error(`stalled: ${s.subscribed}/${target} subscribed, ${s.conns.length} opened, ${s.errors} errors, last error: ${s.lastError}`))
        }
      }, 500)
      const more = () => {
        while (state.conns.length < target && state.conns.length - state.subscribed < window) {
          const i = state.conns.length
          const conn = adapter.connect(serverFor(i), (e) => {
            state.errors++
            state.lastError = e
          })
          state.conns.push(conn)
          conn.subscribe(`idle-${i}`, () => {
            state.subscribed++
            lastMove = Date.now()
            if (state.subscribed === target) {
              clearInterval(stall)
              resolve()
            } else more()
          })
        }
      }
      more()
    })
  }

  return { state, openUpTo }
}

module.exports = { idleConnections, settledMemory, sleep }
