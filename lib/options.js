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
 * The WebSocket the transports allow, as pusher-js's default strategy builds it: only when the
 * transport named `ws` is allowed (otherwise pusher-js goes to its HTTP transports, which
 * this client does not have, so `null`: nothing can connect). With TLS that transport runs
 * over TLS; without, `wss` (when allowed) is its fallback.
 */
function scheme(values) {
  const enabled = values.enabledTransports
  const disabled = values.disabledTransports
  const allowed = (t) => (!enabled || enabled.includes(t)) && (!disabled || !disabled.includes(t))
  if (!allowed('ws')) return null
  if (values.forceTLS) return { useTls: true, tlsFallback: false }
  return { useTls: false, tlsFallback: allowed('wss') }
}

/**
 * Reads the options once: `settings` for the engine (`null` when no WebSocket transport is
 * allowed), `authTimeout`, and `wsHeaders`
 * when the app gave it as a function (asked at every attempt: `() => Promise<pairs>`).
 */
function readOptions(options) {
  const values = read(options)
  const s = scheme(values)
  const settings = s === null ? null : { ...s, extraCa: extraCa(), proxy: proxySetting(values.proxy) }
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
