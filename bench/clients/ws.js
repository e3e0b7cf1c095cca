'use strict'
// The JS floor: a raw `ws` socket speaking just enough Pusher protocol. Per event it does
// JSON.parse of the frame, JSON.parse of the data string, and calls the callback.

const WebSocket = require('ws')

const adapter = {
  /** Over wss:// when `tls`, trusting `ca` (a PEM text). */
  connect({ key, host, port, tls, ca }, onError) {
    const ws = new WebSocket(`${tls ? 'wss' : 'ws'}://${host}:${port}/app/${key}?protocol=7&client=bench-ws&version=1.0`, {
      perMessageDeflate: false,
      ...(tls ? { ca } : {}),
    })
    const channels = new Map()
    let open = false
    const queued = []
    const send = (obj) => {
      if (open) ws.send(JSON.stringify(obj))
      else queued.push(obj)
    }
    ws.on('error', (e) => onError && onError(e.message))
    ws.on('message', (buf) => {
      const msg = JSON.parse(buf.toString())
      const channel = msg.channel === undefined ? undefined : channels.get(msg.channel)
      if (channel) {
        const fns = channel.events.get(msg.event)
        if (fns) {
          const data = JSON.parse(msg.data)
          for (let i = 0; i < fns.length; i++) fns[i](data)
        } else if (msg.event === 'pusher_internal:subscription_succeeded') {
          if (channel.onSubscribed) channel.onSubscribed()
        }
      } else if (msg.event === 'pusher:connection_established') {
        open = true
        for (const obj of queued.splice(0)) ws.send(JSON.stringify(obj))
      } else if (msg.event === 'pusher:ping') {
        ws.send('{"event":"pusher:pong","data":{}}')
      } else if (msg.event === 'pusher:error' && onError) {
        onError(JSON.stringify(msg.data))
      }
    })
    return {
      subscribe(name, onSubscribed) {
        const channel = { events: new Map(), onSubscribed }
        channels.set(name, channel)
        send({ event: 'pusher:subscribe', data: { channel: name } })
        return {
          bind(event, fn) {
            const fns = channel.events.get(event)
            if (fns) fns.push(fn)
            else channel.events.set(event, [fn])
          },
        }
      },
      close() {
        ws.close()
      },
    }
  },
}

require('./harness')('ws', adapter)
