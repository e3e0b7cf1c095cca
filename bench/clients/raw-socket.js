'use strict'
// The machine's floor for the latency scenario, not a usable client: a bare TCP socket with a
// hand-written WebSocket upgrade, frames cut out of the buffer, and each bound event's data
// handed over as {t} found with indexOf. Whatever latency it shows is the kernel's and the
// scheduler's, which no client can go below. Only the latency scenario runs it (over Node's
// TLS socket against the TLS event source).

const net = require('net')
const tls = require('tls')
const crypto = require('crypto')

/** Cuts complete unmasked server frames out of `buf`; returns [texts, rest]. */
function frames(buf) {
  const texts = []
  let at = 0
  while (buf.length - at >= 2) {
    let len = buf[at + 1] & 0x7f
    let head = 2
    if (len === 126) {
      if (buf.length - at < 4) break
      len = buf.readUInt16BE(at + 2)
      head = 4
    } else if (len === 127) {
      if (buf.length - at < 10) break
      len = Number(buf.readBigUInt64BE(at + 2))
      head = 10
    }
    if (buf.length - at < head + len) break
    if ((buf[at] & 0x0f) === 1) texts.push(buf.latin1Slice(at + head, at + head + len))
    at += head + len
  }
  return [texts, buf.subarray(at)]
}

/** One masked client text frame (payloads under 126 bytes: control messages only). */
function clientFrame(text) {
  const payload = Buffer.from(text)
  const mask = crypto.randomBytes(4)
  for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3]
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload])
}

const adapter = {
  /** Over TLS when `secure` (the address's `tls`), trusting `ca` (a PEM text). */
  connect({ key, host, port, tls: secure, ca }, onError) {
    const socket = secure ? tls.connect({ host, port, ca }) : net.connect(port, host)
    socket.setNoDelay(true)
    const bound = new Map() // '{"event":"<name>"' prefix -> callbacks
    const subscribed = new Map()
    let pending = Buffer.alloc(0)
    let upgraded = false
    const queued = []
    socket.on(secure ? 'secureConnect' : 'connect', () => {
      socket.write(
        `GET /app/${key}?protocol=7&client=bench-raw&version=1.0 HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      )
    })
    socket.on('error', (e) => onError && onError(e.message))
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        upgraded = true
        pending = pending.subarray(end + 4)
        for (const frame of queued.splice(0)) socket.write(frame)
      }
      const [texts, rest] = frames(pending)
      pending = rest
      for (const text of texts) {
        const at = text.indexOf('\\"t\\":')
        const fns = at > 0 && bound.get(text.slice(0, text.indexOf('"', 10) + 1))
        if (fns) {
          const data = { t: parseInt(text.slice(at + 6), 10) }
          for (let i = 0; i < fns.length; i++) fns[i](data)
          continue
        }
        const msg = JSON.parse(text)
        if (msg.event === 'pusher_internal:subscription_succeeded') {
          const done = subscribed.get(msg.channel)
          if (done) done()
        } else if (msg.event === 'pusher:error' && onError) onError(JSON.stringify(msg.data))
      }
    })
    return {
      subscribe(name, onSubscribed) {
        subscribed.set(name, onSubscribed)
        const frame = clientFrame(JSON.stringify({ event: 'pusher:subscribe', data: { channel: name } }))
        if (upgraded) socket.write(frame)
        else queued.push(frame)
        return {
          bind(event, fn) {
            const prefix = `{"event":"${event}"`
            if (bound.has(prefix)) bound.get(prefix).push(fn)
            else bound.set(prefix, [fn])
          },
        }
      },
      close() {
        socket.destroy()
      },
    }
  },
}

require('./harness')('raw-socket', adapter)
