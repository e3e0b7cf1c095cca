'use strict'
// A tiny channel-authorization endpoint on node:http for the auth tests. It records every
// request (method, url, headers, raw body) and answers with `respond(request)`, which by default
// signs the subscription with the TestServer's app secret (`server.authorizeChannel`).

const http = require('node:http')
const { once, onceWhere, withTimeout } = require('./events')

/**
 * Starts an endpoint on 127.0.0.1 (closed in t.teardown). `respond(req)` gets
 * `{method, url, headers, body, form}` and returns `{status, body}` (body: a string, or an
 * object sent as JSON); by default it answers 200 with `server.authorizeChannel(...)`.
 * Resolves with `{url, port, requests, next(n, ms)}`: `requests` is the list so far and
 * `next(n)` resolves once `n` requests have arrived.
 */
async function startAuthEndpoint(t, server, respond) {
  const requests = []
  const waiters = []
  const answer =
    respond ||
    ((req) => ({
      status: 200,
      body: server.authorizeChannel(req.form.get('socket_id'), req.form.get('channel_name'), req.form.get('channel_data') || undefined),
    }))
  const http_server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const record = { method: req.method, url: req.url, headers: req.headers, body, form: new URLSearchParams(body) }
      requests.push(record)
      let out
      try {
        out = answer(record)
      } catch (error) {
        out = { status: 500, body: String(error) }
      }
      const text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body)
      res.writeHead(out.status, { 'Content-Type': 'application/json' })
      res.end(text)
      for (const w of waiters.slice()) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(requests)
        }
      }
    })
  })
  await new Promise((resolve) => http_server.listen(0, '127.0.0.1', resolve))
  t.teardown(
    () =>
      new Promise((resolve) => {
        if (http_server.closeAllConnections) http_server.closeAllConnections()
        http_server.close(() => resolve())
      }),
  )
  const port = http_server.address().port
  const next = (n, ms = 5000) => {
    if (requests.length >= n) return Promise.resolve(requests)
    return new Promise((resolve, reject) => {
      const w = { n, resolve }
      waiters.push(w)
      setTimeout(() => {
        const i = waiters.indexOf(w)
        if (i >= 0) {
          waiters.splice(i, 1)
          reject(new Error(`timed out after ${ms} ms waiting for ${n} auth request(s) (got ${requests.length})`))
        }
      }, ms).unref()
    })
  }
  return { url: `http://127.0.0.1:${port}/auth`, port, requests, next }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort() {
  const s = http.createServer()
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise((resolve) => s.close(resolve))
  return port
}

/** A promise with its resolve function: `const g = gate(); ...; g.open(value)`. */
function gate() {
  let open
  const promise = new Promise((resolve) => {
    open = resolve
  })
  promise.open = open
  return promise
}

/**
 * Subscribes and resolves with `[channel, data]` of `pusher:subscription_succeeded`; rejects at
 * once, with its data, on `pusher:subscription_error` (so a failing test says why).
 */
async function joined(pusher, name, ms = 5000) {
  const channel = pusher.subscribe(name)
  const ok = once(channel, 'pusher:subscription_succeeded', ms)
  const failed = once(channel, 'pusher:subscription_error', ms).then(
    ([error]) => {
      throw new Error(`pusher:subscription_error on ${name}: ${JSON.stringify(error)}`)
    },
    () => new Promise(() => {}),
  )
  const [data] = await Promise.race([ok, failed])
  return [channel, data]
}

/**
 * Resolves once the client has handled `pusher:signin_success`; rejects at once, with its
 * data, on `pusher:signin_error`.
 */
function signedIn(pusher, ms = 5000) {
  let onError
  const failed = new Promise((_, reject) => {
    onError = (error) => reject(new Error(`pusher:signin_error: ${JSON.stringify(error)}`))
    pusher.user.bind('pusher:signin_error', onError)
  })
  const ok = onceWhere(pusher.connection, 'message', (m) => m.event === 'pusher:signin_success', ms)
  return withTimeout(Promise.race([ok, failed]), ms, 'pusher:signin_success').finally(() =>
    pusher.user.unbind('pusher:signin_error', onError),
  )
}

module.exports = { startAuthEndpoint, closedPort, gate, joined, signedIn }
