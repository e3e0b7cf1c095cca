'use strict'
// Validates the pusher-js options object and derives the engine's settings. Every problem is
// a thrown Error that names the option.

const { describe } = require('./dispatcher')
const Logger = require('./logger')

const TRANSPORTS = ['ws', 'wss', 'xhr_streaming', 'xhr_polling', 'sockjs']

const DEFAULTS = {
  wsPort: 80,
  wssPort: 443,
  wsPath: '',
  activityTimeout: 120000,
  pongTimeout: 30000,
  unavailableTimeout: 10000,
  maxMessageSize: 4 * 1024 * 1024,
}

function fail(name, expected, value) {
  throw new TypeError(`Invalid Pusher option "${name}": expected ${expected}, got ${describe(value)}`)
}

function has(obj, name) {
  return obj[name] !== undefined && obj[name] !== null
}

function checkType(obj, name, type, prefix = '') {
  if (has(obj, name) && typeof obj[name] !== type) fail(prefix + name, `a ${type}`, obj[name])
}

function checkObject(obj, name, prefix = '') {
  const v = obj[name]
  if (has(obj, name) && (typeof v !== 'object' || Array.isArray(v))) fail(prefix + name, 'an object', v)
}

function checkPort(obj, name) {
  const v = obj[name]
  if (has(obj, name) && !(Number.isInteger(v) && v >= 1 && v <= 65535)) {
    fail(name, 'an integer port from 1 to 65535', v)
  }
}

function checkDuration(obj, name) {
  const v = obj[name]
  if (has(obj, name) && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    fail(name, 'a positive number of milliseconds', v)
  }
}

function checkTransports(obj, name) {
  const v = obj[name]
  if (!has(obj, name)) return
  if (!Array.isArray(v)) fail(name, `an array of ${TRANSPORTS.join(', ')}`, v)
  for (const t of v) {
    if (!TRANSPORTS.includes(t)) fail(name, `only ${TRANSPORTS.join(', ')}`, t)
  }
}

function checkCa(options) {
  if (!has(options, 'ca')) return
  const list = Array.isArray(options.ca) ? options.ca : [options.ca]
  for (const c of list) {
    if (typeof c !== 'string' && !Buffer.isBuffer(c)) fail('ca', 'PEM text (a string or Buffer, or an array of them)', c)
  }
}

/**
 * The proxy: the `proxy` option, else HTTPS_PROXY / HTTP_PROXY from the environment
 * (`proxy: false` ignores the environment), with NO_PROXY.
 */
function proxySetting(options) {
  const env = process.env
  if (options.proxy === false) return undefined
  const noProxy = env.NO_PROXY || env.no_proxy || ''
  if (typeof options.proxy === 'string') return { url: options.proxy, noProxy, source: 'Pusher option "proxy"' }
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    if (env[name]) return { url: env[name], noProxy, source: `proxy URL in ${name}` }
  }
  return undefined
}

/** The `ca` option as one PEM text. */
function caText(options) {
  if (!has(options, 'ca')) return undefined
  const list = Array.isArray(options.ca) ? options.ca : [options.ca]
  return list.map((c) => c.toString()).join('\n')
}

function checkAuthOptions(obj, name) {
  checkObject(obj, name)
  const auth = obj[name]
  if (!has(obj, name)) return
  const p = name + '.'
  checkType(auth, 'endpoint', 'string', p)
  checkType(auth, 'customHandler', 'function', p)
  checkType(auth, 'paramsProvider', 'function', p)
  checkType(auth, 'headersProvider', 'function', p)
  checkObject(auth, 'params', p)
  checkObject(auth, 'headers', p)
  checkAuthTransport(auth, 'transport', p)
}

function checkAuthTransport(obj, name, prefix = '') {
  if (!has(obj, name)) return
  if (obj[name] !== 'ajax') {
    // As pusher-js on Node: only the HTTP transport exists.
    throw new TypeError(`Invalid Pusher option "${prefix}${name}": '${obj[name]}' is not a recognized auth transport (use 'ajax')`)
  }
}

/** The options object as pusher-js validates it, plus checks of every value's type. */
function validate(key, options) {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(`You must pass your app key when you instantiate Pusher: expected a non-empty string, got ${describe(key)}`)
  }
  if (options === undefined || options === null) {
    throw new TypeError('You must pass an options object (with at least a "cluster")')
  }
  if (typeof options !== 'object' || Array.isArray(options)) fail('options', 'an object', options)
  if (typeof options.cluster !== 'string' || options.cluster.length === 0) {
    if (options.cluster === undefined) throw new TypeError('Options object must provide a cluster')
    fail('cluster', 'a non-empty string', options.cluster)
  }
  for (const name of ['forceTLS', 'enableStats', 'disableStats', 'ignoreNullOrigin']) {
    checkType(options, name, 'boolean')
  }
  for (const name of ['wsHost', 'wsPath', 'httpHost', 'httpPath', 'statsHost', 'authEndpoint']) {
    checkType(options, name, 'string')
  }
  if (has(options, 'wsHost') && options.wsHost.length === 0) fail('wsHost', 'a non-empty string', '')
  for (const name of ['wsPort', 'wssPort', 'httpPort', 'httpsPort']) checkPort(options, name)
  for (const name of ['activityTimeout', 'pongTimeout', 'unavailableTimeout']) checkDuration(options, name)
  if (has(options, 'maxMessageSize') && !(Number.isInteger(options.maxMessageSize) && options.maxMessageSize >= 1024)) {
    fail('maxMessageSize', 'an integer number of bytes, at least 1024', options.maxMessageSize)
  }
  checkTransports(options, 'enabledTransports')
  checkTransports(options, 'disabledTransports')
  checkObject(options, 'timelineParams')
  checkObject(options, 'auth')
  if (has(options, 'auth')) {
    checkObject(options.auth, 'params', 'auth.')
    checkObject(options.auth, 'headers', 'auth.')
  }
  checkType(options, 'authorizer', 'function')
  checkAuthTransport(options, 'authTransport')
  checkDuration(options, 'authTimeout')
  checkCa(options)
  if (has(options, 'proxy') && options.proxy !== false && typeof options.proxy !== 'string') {
    fail('proxy', 'an http:// proxy URL or false', options.proxy)
  }
  checkAuthOptions(options, 'channelAuthorization')
  checkAuthOptions(options, 'userAuthentication')
  if ('disableStats' in options) {
    Logger.warn('The disableStats option is deprecated in favor of enableStats')
  }
}

/** Which WebSocket scheme the transports allow: 'wss', 'ws', or null for none. */
function scheme(options, useTLS) {
  const enabled = options.enabledTransports || TRANSPORTS
  const disabled = options.disabledTransports || []
  const allowed = (t) => enabled.includes(t) && !disabled.includes(t)
  if (useTLS) return allowed('wss') ? 'wss' : null
  if (allowed('ws')) return 'ws'
  return allowed('wss') ? 'wss' : null
}

/** The engine's settings; `null` when no usable transport is enabled. */
function nativeOptions(options) {
  const pick = (name) => (has(options, name) ? options[name] : DEFAULTS[name])
  const s = scheme(options, options.forceTLS !== false)
  if (s === null) return null
  return {
    cluster: options.cluster,
    useTls: s === 'wss',
    wsHost: has(options, 'wsHost') ? options.wsHost : undefined,
    wsPort: pick('wsPort'),
    wssPort: pick('wssPort'),
    wsPath: pick('wsPath'),
    activityTimeout: pick('activityTimeout'),
    pongTimeout: pick('pongTimeout'),
    unavailableTimeout: pick('unavailableTimeout'),
    maxMessageSize: pick('maxMessageSize'),
    ca: caText(options),
    proxy: proxySetting(options),
  }
}

module.exports = { validate, nativeOptions, DEFAULTS }
