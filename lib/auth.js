'use strict'
// Channel authorization and user authentication options, as pusher-js reads them, turned
// into the engine's settings plus the one JS function it calls when user code must run:
// `customHandler` (callback or promise style), `paramsProvider`/`headersProvider`, and the
// legacy `authorizer`. The HTTP request itself is made by the engine.

const DEFAULT_TIMEOUT = 10000

/** Resolved auth options for one kind ('channel' or 'user'), merged as pusher-js merges them. */
function resolve(options, kind) {
  if (kind === 'user') {
    return checkTransport({ endpoint: '/pusher/user-auth', transport: 'ajax', ...options.userAuthentication })
  }
  if ('channelAuthorization' in options) {
    return checkTransport({ endpoint: '/pusher/auth', transport: 'ajax', ...options.channelAuthorization })
  }
  // The legacy options, mapped as pusher-js maps them.
  const legacy = options.auth || {}
  const conf = {
    endpoint: options.authEndpoint || '/pusher/auth',
    transport: options.authTransport || 'ajax',
    params: legacy.params,
    headers: legacy.headers,
  }
  // Present means used (a value that is not a function fails when a channel is authorized).
  if ('authorizer' in options) conf.legacyAuthorizer = options.authorizer
  return conf.legacyAuthorizer === undefined ? checkTransport(conf) : conf
}

/**
 * Without a handler the request goes through the transport, and pusher-js on Node has only
 * 'ajax': any other throws from the constructor, with pusher-js's message.
 */
function checkTransport(conf) {
  if (conf.customHandler == null && conf.transport !== 'ajax') {
    throw new TypeError(`'${conf.transport}' is not a recognized auth transport`)
  }
  return conf
}

/** `[name, value]` pairs of an object's keys, as pusher-js iterates them (`for … in`). */
function entries(obj) {
  if (!obj || typeof obj !== 'object') return []
  const out = []
  for (const k in obj) out.push([k, String(obj[k])])
  return out
}

/**
 * Whether an authorization must ask JS. Handlers and providers run there (present means used,
 * as in pusher-js: a non-function fails when called). So are `params` and `headers` objects
 * read there, at each request: pusher-js keeps the app's own objects and reads them then, and
 * apps refresh a token by changing them (`pusher.options.auth.headers.Authorization = …`).
 */
function needsJs(conf) {
  return (
    conf.customHandler != null ||
    conf.paramsProvider != null ||
    conf.headersProvider != null ||
    conf.legacyAuthorizer !== undefined ||
    isObject(conf.params) ||
    isObject(conf.headers)
  )
}

function isObject(value) {
  return typeof value === 'object' && value !== null
}

/** Calls a pusher-js style handler `(params, callback)` that may also return a promise. */
function callHandler(invoke, what) {
  return new Promise((resolve, reject) => {
    let settled = false
    const callback = (error, data) => {
      if (settled) return
      settled = true
      if (error) reject(error instanceof Error ? error : new Error(describeError(error)))
      else if (!data || typeof data !== 'object') reject(new Error(`${what} called back without auth data`))
      else resolve(data)
    }
    try {
      const result = invoke(callback)
      if (result && typeof result.then === 'function') {
        result.then(
          (data) => callback(null, data),
          (error) => callback(error || new Error(`${what} rejected`)),
        )
      }
    } catch (error) {
      callback(error || new Error(`${what} threw`))
    }
  })
}

function describeError(error) {
  if (typeof error === 'string') return error
  if (error && typeof error.message === 'string') return error.message
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}

/** Auth data fields and their names in the engine's answer object (`JsAuthAnswer`). */
const ANSWER_FIELDS = { channel_data: 'channelData', shared_secret: 'sharedSecret', user_data: 'userData' }

/** The answer the engine expects: strings only. */
function answer(data) {
  if (typeof data.auth !== 'string') throw new Error('auth data must have a string "auth"')
  const out = { auth: data.auth }
  for (const [field, name] of Object.entries(ANSWER_FIELDS)) {
    const v = data[field]
    if (v !== undefined && v !== null) out[name] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  return out
}

/**
 * Builds `{ native, authorize }`: `native` for the engine, `authorize(kind, socketId, channel)`
 * for what only JS can do (undefined when nothing needs JS).
 */
function buildAuth(options, pusher, timeoutMs) {
  const conf = { channel: resolve(options, 'channel'), user: resolve(options, 'user') }
  const timeout = timeoutMs || DEFAULT_TIMEOUT
  const endpoint = (c, js) => ({
    url: String(c.endpoint),
    // When JS is asked, the static fields travel with its answer, in pusher-js's order.
    params: js ? [] : entries(c.params),
    headers: js ? [] : entries(c.headers),
  })
  const channelJs = needsJs(conf.channel)
  const userJs = needsJs(conf.user)
  const native = {
    channelEndpoint: endpoint(conf.channel, channelJs),
    userEndpoint: endpoint(conf.user, userJs),
    channelJs,
    userJs,
    timeoutMs: timeout,
  }
  if (!channelJs && !userJs) return { native, authorize: undefined }

  const authorize = async (kind, socketId, channelName) => {
    const c = conf[kind]
    if (c.customHandler != null) {
      const params = kind === 'channel' ? { socketId, channelName } : { socketId }
      return answer(await callHandler((cb) => c.customHandler(params, cb), 'customHandler'))
    }
    if (c.legacyAuthorizer !== undefined) {
      const channel = pusher.channel(channelName) || { name: channelName }
      const authOptions = { authTransport: c.transport, authEndpoint: c.endpoint, auth: { params: c.params, headers: c.headers } }
      return answer(await callHandler((cb) => c.legacyAuthorizer(channel, authOptions).authorize(socketId, cb), 'authorizer'))
    }
    const params = entries(c.params).concat(entries(c.paramsProvider != null ? await c.paramsProvider() : undefined))
    const headers = entries(c.headers).concat(entries(c.headersProvider != null ? await c.headersProvider() : undefined))
    return { params, headers }
  }
  return { native, authorize }
}

module.exports = { buildAuth }
