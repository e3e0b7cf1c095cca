'use strict'
// A small HTTP proxy on loopback: CONNECT tunnels and plain absolute-form requests, recorded.
const http = require('http')
const net = require('net')

async function startProxy(t) {
  const seen = []
  const sockets = new Set()
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, target: req.url })
    const url = new URL(req.url)
    const upstream = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connect', (req, client, head) => {
    seen.push({ method: 'CONNECT', target: req.url })
    const [host, port] = req.url.split(':')
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    return new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${server.address().port}`, seen }
}

module.exports = { startProxy }
