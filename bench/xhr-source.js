'use strict'
// pusher-js's HTTP streaming transport (`xhr_streaming`), served by the event source on the
// same port as its WebSockets (pusher-js's src/core/http/*):
//   POST <httpPath>/app/<key>/<server>/<session>/xhr_streaming?…  200, a chunked body: `o\n`,
//     then lines `a[<JSON array of Pusher frame texts>]\n`;
//   POST …/xhr_send  a JSON array of Pusher frame texts from the client; 204.
// Both clients let go of a stream once more than 256 KiB of it has been read and no line is
// unfinished, and ask for the same session again (no new `o`). So the source stops writing to
// a response right after the line that takes it past 256 KiB: the client reads to exactly
// there, reopens, and the next response carries on from that line, with nothing lost.
// Polling (`xhr`) is not served (404).

const LIMIT = 256 * 1024
// Writes of a big body go out in pieces of at most this size (a WebSocket blast's chunk size).
const PIECE = 256 * 1024
// A stream that closed at the limit without its client asking again ends the session after
// this long; one that closed before the limit ends it at once (the client went away: clients
// only let go of a stream early when they disconnect). Long, so that neither a client nor this
// process held up on a busy machine loses a session between two requests; the orchestrator
// ends the sessions left over by a client process that exited (`endStreamless`).
const LINGER_MS = 10000

const ROUTE = /^\/.*\/app\/[^/]+\/(\d+\/[^/?]+)\/(xhr_streaming|xhr_send)(?:\?|$)/

/** One line carrying the Pusher frame texts `texts`. */
function line(texts) {
  return 'a' + JSON.stringify(texts) + '\n'
}

/**
 * A body to stream: `buf`, with the offsets where its lines end (just past each `\n`), so the
 * writer can stop at a line's end. `done` runs once all of it has been handed to the socket.
 */
function body(buf, ends, done) {
  return { buf, ends, pos: 0, done }
}

/** `body` of a single line of text. */
function oneLine(text) {
  const buf = Buffer.from(text)
  return body(buf, [buf.length])
}

/** The first line end in `ends` at or past `at` (the body's length when none is). */
function lineEndFrom(b, at) {
  let lo = 0
  let hi = b.ends.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (b.ends[mid] < at) lo = mid + 1
    else hi = mid
  }
  return lo < b.ends.length ? b.ends[lo] : b.buf.length
}

function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * The transport on `server` (an http or https server; WebSocket upgrades stay with `ws`).
 * `established()` gives the text of a new session's pusher:connection_established frame.
 */
function serveXhr(server, { established }) {
  const sessions = new Map()
  // Sessions ended by a stream closed before the limit (the client went away, or let go of
  // the stream where it should not have), and by a client that did not ask again in time.
  const counts = { sessions: 0, streams: 0, closedEarly: 0, notReopened: 0 }

  /** Writes what waits in `s.out` to its current stream, up to the line past the limit. */
  async function pump(s) {
    if (s.pumping) return
    s.pumping = true
    try {
      while (s.res && s.out.length > 0 && !s.full) {
        const res = s.res
        const b = s.out[0]
        const stop = lineEndFrom(b, b.pos + LIMIT + 1 - s.written)
        const end = Math.min(stop, b.pos + PIECE)
        const piece = b.buf.subarray(b.pos, end)
        s.written += piece.length
        b.pos = end
        // Past the limit at a line's end: the client will ask again; the rest goes there.
        s.full = s.written > LIMIT && end === stop
        const last = end === b.buf.length
        if (last) s.out.shift()
        const ok = res.write(piece, last && b.done ? () => b.done() : undefined)
        if (!ok) await drained(res)
      }
    } finally {
      s.pumping = false
    }
  }

  function send(s, b) {
    s.out.push(b)
    pump(s)
  }

  function end(s) {
    sessions.delete(s.id)
    clearTimeout(s.linger)
    for (const b of s.out.splice(0)) if (b.done) b.done()
  }

  function stream(id, res) {
    counts.streams++
    let s = sessions.get(id)
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=UTF-8', 'Cache-Control': 'no-store' })
    if (s) {
      // The client asked again past the limit: carry on where the last response stopped.
      clearTimeout(s.linger)
      if (s.res) s.res.destroy()
    } else {
      counts.sessions++
      s = { id, res: null, written: 0, full: false, out: [], pumping: false, linger: null }
      sessions.set(id, s)
      s.out.push(oneLine('o\n'), oneLine(line([established()])))
    }
    s.res = res
    s.written = 0
    s.full = false
    res.on('close', () => {
      if (s.res !== res) return
      s.res = null
      if (s.full) {
        s.linger = setTimeout(() => {
          counts.notReopened++
          end(s)
        }, LINGER_MS)
      } else {
        counts.closedEarly++
        end(s)
      }
    })
    pump(s)
  }

  function received(s, text) {
    let frames
    try {
      frames = JSON.parse(text)
    } catch {
      return
    }
    if (!Array.isArray(frames)) return
    for (const frame of frames) {
      let msg
      try {
        msg = JSON.parse(frame)
      } catch {
        continue
      }
      if (msg.event === 'pusher:subscribe' && msg.data && typeof msg.data.channel === 'string') {
        const ok = { event: 'pusher_internal:subscription_succeeded', channel: msg.data.channel, data: '{}' }
        send(s, oneLine(line([JSON.stringify(ok)])))
      } else if (msg.event === 'pusher:ping') {
        send(s, oneLine(line(['{"event":"pusher:pong","data":"{}"}'])))
      }
    }
  }

  server.on('request', (req, res) => {
    const m = req.method === 'POST' && ROUTE.exec(req.url)
    if (!m) {
      req.resume()
      res.writeHead(404).end()
      return
    }
    const [, id, kind] = m
    if (kind === 'xhr_streaming') {
      req.resume()
      stream(id, res)
      return
    }
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const s = sessions.get(id)
      if (!s) return res.writeHead(404).end()
      received(s, Buffer.concat(chunks).toString())
      res.writeHead(204).end()
    })
  })

  return {
    /** Open sessions. */
    get size() {
      return sessions.size
    },
    /** Ends the sessions that have no stream open (once their client process has exited). */
    endStreamless() {
      // (Deleting from a Map while iterating it is safe.)
      for (const s of sessions.values()) if (!s.res) end(s)
    },
    /** Sessions, stream requests (first ones and reopenings) and ended sessions so far. */
    counts: () => ({ ...counts }),
    /**
     * `buf` (whole lines, ending at `ends`) to every open session; resolves once each has been
     * handed all of it (or has ended). Returns how many sessions it went to.
     */
    async blast(buf, ends) {
      const all = [...sessions.values()]
      await Promise.all(all.map((s) => new Promise((resolve) => send(s, body(buf, ends, resolve)))))
      return all.length
    },
  }
}

/**
 * `count` events of `texts` (Pusher frame texts, taken in turn) as lines of `perLine` each:
 * one buffer and the offsets where its lines end.
 */
function blastLines(texts, perLine) {
  const parts = []
  const ends = []
  let at = 0
  for (let i = 0; i < texts.length; i += perLine) {
    const l = Buffer.from(line(texts.slice(i, i + perLine)))
    parts.push(l)
    at += l.length
    ends.push(at)
  }
  return { buf: Buffer.concat(parts), ends }
}

module.exports = { serveXhr, blastLines }
