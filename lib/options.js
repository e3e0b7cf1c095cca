'use strict'
// The constructor's options, read through the option table (`./option-table`): what pusher-js
// throws on, the engine's settings, and `pusher.config` as pusher-js derives it.

const Logger = require('./logger')
const native = require('./native')
const { OPTIONS } = require('./option-table')
const { proxySetting } = require('./proxy-setting')
const { extraCa } = require('./extra-ca')

/** The engine's defaults (ports, timeouts, sizes): defined once, in the Rust core. */
const DEFAULTS = native.engineDefaults()

/** Throws where pusher-js throws: no key, no options, no cluster. */
function validate(key, options) {
  if (key === null || key === undefined) {
    throw new TypeError('You must pass your app key when you instantiate Pusher.')
  }
  if (options === null || options === undefined) {
    throw new TypeError('You must pass an options object')
  }
  if (options.cluster === null || options.cluster === undefined) {
    throw new TypeError('Options object must provide a cluster')
  }
}

/** Each option's value as the table reads it (undefined: the default); throws naming the option. */
function read(options) {
  const values = {}
  for (const option of OPTIONS) values[option.name] = option.read(options[option.name], option.name)
  if ('disableStats' in Object(options)) {
    Logger.warn('The disableStats option is deprecated in favor of enableStats')
  }
  return values
}

/**
 * The transports the options allow, as pusher-js's default strategy builds them: `ws` is the
 * WebSocket (over TLS unless `forceTLS` is false, with `wss` as a plain client's fallback),
 * then the HTTP transports `xhr_streaming` and `xhr_polling`. `null` when nothing can connect.
 */
function transports(values) {
  const enabled = values.enabledTransports
  const disabled = values.disabledTransports
  const allowed = (t) => (!enabled || enabled.includes(t)) && (!disabled || !disabled.includes(t))
  const http = httpEndpoint(values)
  const allowedHttp = (t) => http !== null && allowed(t)
  const chosen = {
    useTls: values.forceTLS,
    tlsFallback: !values.forceTLS && allowed('wss'),
    transports: { ws: allowed('ws'), xhrStreaming: allowedHttp('xhr_streaming'), xhrPolling: allowedHttp('xhr_polling') },
  }
  const { ws, xhrStreaming, xhrPolling } = chosen.transports
  if (!ws && !xhrStreaming && !xhrPolling) {
    if (http === null && (allowed('xhr_streaming') || allowed('xhr_polling'))) {
      Logger.warn('No transport can connect: the HTTP transports need httpHost when wsHost is not Pusher\'s')
    }
    return null
  }
  if (xhrStreaming || xhrPolling) chosen.http = http
  return chosen
}

/**
 * Where the HTTP transports go, or `null` where they cannot exist: only Pusher's own service
 * serves them, so they go to `httpHost` when the app gives one, or to Pusher's
 * `sockjs-<cluster>.pusher.com` when the WebSocket goes to Pusher's host too; never to
 * pusher.com for a self-hosted `wsHost` (pusher-js's best-known trap for self-hosters).
 */
function httpEndpoint(values) {
  const wsHost = values.wsHost
  const pushers = wsHost === undefined || /(^|\.)pusher\.com$/i.test(wsHost)
  if (values.httpHost === undefined && !pushers) return null
  const cluster = values.cluster
  return {
    host: values.httpHost ?? (cluster ? `sockjs-${cluster}.pusher.com` : 'sockjs.pusher.com'),
    httpPort: values.httpPort ?? 80,
    httpsPort: values.httpsPort ?? 443,
    path: values.httpPath ?? '/pusher',
  }
}

/**
 * Reads the options once: `settings` for the engine (`null` when no transport can connect), `authTimeout`, and `wsHeaders`
 * when the app gave it as a function (asked at every attempt: `() => Promise<pairs>`).
 */
function readOptions(options) {
  const values = read(options)
  const chosen = transports(values)
  const settings = chosen === null ? null : { ...chosen, extraCa: extraCa(), proxy: proxySetting(values.proxy) }
  if (settings !== null) {
    for (const option of OPTIONS) {
      if (option.engine !== undefined && values[option.name] !== undefined) settings[option.engine] = values[option.name]
    }
  }
  let wsHeaders
  if (typeof values.wsHeaders === 'function') {
    const ask = values.wsHeaders
    wsHeaders = async () => headerPairs(await ask())
  } else if (settings !== null && values.wsHeaders !== undefined) {
    settings.wsHeaders = headerPairs(values.wsHeaders)
  }
  return { settings, authTimeout: values.authTimeout, wsHeaders }
}

/** An object of headers as `[name, value]` pairs (values as text; null/undefined ones left out). */
function headerPairs(obj) {
  if (typeof obj !== 'object' || obj === null) throw new TypeError(`wsHeaders must give an object of headers, got ${typeof obj}`)
  const pairs = []
  for (const name of Object.keys(obj)) {
    if (obj[name] !== undefined && obj[name] !== null) pairs.push([name, String(obj[name])])
  }
  return pairs
}

/** `pusher.config` as pusher-js's `getConfig` makes it (values as given, falsy ones defaulted). */
function config(options) {
  const cluster = options.cluster
  return {
    activityTimeout: options.activityTimeout || DEFAULTS.activityTimeout,
    cluster,
    httpPath: options.httpPath || '/pusher',
    httpPort: options.httpPort || 80,
    httpsPort: options.httpsPort || 443,
    pongTimeout: options.pongTimeout || DEFAULTS.pongTimeout,
    statsHost: options.statsHost || 'stats.pusher.com',
    unavailableTimeout: options.unavailableTimeout || DEFAULTS.unavailableTimeout,
    wsPath: options.wsPath || '',
    wsPort: options.wsPort || DEFAULTS.wsPort,
    wssPort: options.wssPort || DEFAULTS.wssPort,
    enableStats: 'enableStats' in options ? options.enableStats : 'disableStats' in options ? !options.disableStats : false,
    httpHost: options.httpHost || (cluster ? `sockjs-${cluster}.pusher.com` : 'sockjs.pusher.com'),
    useTLS: options.forceTLS !== false,
    wsHost: options.wsHost || `ws-${cluster}.pusher.com`,
  }
}

module.exports = { validate, readOptions, config, DEFAULTS }
