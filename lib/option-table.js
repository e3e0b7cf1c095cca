'use strict'
// Every constructor option, read as pusher-js 8.6.0 reads it: the one place that says what each
// option accepts, how it is coerced, its default and where it goes. `lib/options.js` applies
// it, the engine receives what it yields, and the README's option table is rendered from it
// (`node scripts/options-table.js`; a test keeps the two equal).
//
// pusher-js checks almost nothing (src/core/options.ts, config.ts): a port or timeout reaches
// a URL or setTimeout as given, so numeric strings work; falsy values fall back to the default
// (`opts.wsPort || 80`); only `=== false` turns TLS off. The readers below give every value
// pusher-js accepts the meaning pusher-js gives it, and throw only where pusher-js throws or
// where the value could never connect under pusher-js either.

const Logger = require('./logger')
const { describe } = require('./describe')

/** An option that is set, as pusher-js tests it: falsy values mean "use the default". */
const isSet = (v) => Boolean(v)

/** A TypeError that names the option. */
function invalid(name, expected, value) {
  return new TypeError(`Invalid Pusher option "${name}": expected ${expected}, got ${describe(value)}`)
}

/** A number, or a string holding one (`'6001'` from an environment variable); NaN otherwise. */
function numeric(v) {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && v.trim() !== '') return Number(v)
  return NaN
}

// Readers: (value, name) => the engine's value, or undefined for "the default".

/** A TCP port. A value that is no port in any form could never connect: it throws. */
function port(v, name) {
  if (!isSet(v)) return undefined
  const n = numeric(v)
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return n
  throw invalid(name, 'a port from 1 to 65535 (a number or a numeric string)', v)
}

/**
 * Milliseconds. pusher-js hands any value to setTimeout, which turns what is not a positive
 * number into 1 ms (a ping every millisecond); here such a value keeps the default, with a
 * warning.
 */
function duration(v, name) {
  if (!isSet(v)) return undefined
  const n = numeric(v)
  if (Number.isFinite(n) && n > 0) return n
  Logger.warn(`Pusher option "${name}" is not a positive number of milliseconds (${describe(v)}); using the default`)
  return undefined
}

/** Text put into the URL as pusher-js concatenates it. */
function text(v) {
  return isSet(v) ? String(v) : undefined
}

/**
 * A transport list as pusher-js searches it (`Collections.arrayIndexOf`): an array, or any
 * array-like (a string is searched character by character, so `'ws'` names no transport);
 * falsy means "not set".
 */
function transports(v) {
  if (!isSet(v)) return undefined
  if (Array.isArray(v)) return v
  return typeof v === 'object' || typeof v === 'string' ? Array.prototype.slice.call(v) : []
}

/** Our own byte-size option: an integer of at least 1024 (or a string holding one). */
function byteSize(v, name) {
  if (v === undefined || v === null) return undefined
  const n = numeric(v)
  if (Number.isInteger(n) && n >= 1024) return n
  throw invalid(name, 'an integer number of bytes, at least 1024', v)
}

/** A count: a non-negative integer (or a string holding one); null/undefined: no limit. */
function count(v, name) {
  if (v === undefined || v === null) return undefined
  const n = numeric(v)
  if (Number.isInteger(n) && n >= 0) return n
  throw invalid(name, 'a whole number of attempts, 0 or more', v)
}

/** Seconds, at least 1 (or a string holding them). */
function seconds(v, name) {
  if (v === undefined || v === null) return undefined
  const n = numeric(v)
  if (Number.isFinite(n) && n >= 1) return n
  throw invalid(name, 'a number of seconds, at least 1', v)
}

/** Our own `wsHeaders`: an object of headers, or a function giving one (or a promise of one). */
function headers(v, name) {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'function' || (typeof v === 'object' && !Array.isArray(v))) return v
  throw invalid(name, 'an object of headers, or a function returning one (or a promise of one)', v)
}

/** Our own `ca`: PEM text, a Buffer, or an array of them, joined into one PEM text. */
function pem(v, name) {
  if (v === undefined || v === null) return undefined
  const list = Array.isArray(v) ? v : [v]
  for (const c of list) {
    if (typeof c !== 'string' && !Buffer.isBuffer(c)) throw invalid(name, 'PEM text (a string or Buffer, or an array of them)', c)
  }
  return list.map((c) => c.toString()).join('\n')
}

/** Our own `proxy`: a URL, or `false` to ignore the environment's proxy variables. */
function proxyUrl(v, name) {
  if (v === undefined || v === null || v === false) return v === false ? false : undefined
  if (typeof v === 'string') return v
  throw invalid(name, 'an http:// proxy URL or false', v)
}

/** Read by `lib/auth.js` (an unknown auth transport throws there, as in pusher-js). */
const auth = (v) => v

/** Accepted and not used in Node. */
const ignored = () => undefined

/**
 * The table. `engine` names the engine's setting the value goes to (its default is the
 * engine's: `defaultFrom`), `ours` marks options pusher-js does not have, and `doc` is what
 * the README says.
 */
const OPTIONS = [
  { name: 'cluster', read: (v) => String(v), engine: 'cluster',
    accepts: 'required: any value but `null`/`undefined` (`\'\'` too, as laravel-echo sends it)', default: '',
    doc: 'gives the host `ws-<cluster>.pusher.com` when `wsHost` is not set' },
  { name: 'forceTLS', read: (v) => v !== false,
    accepts: 'anything; only `false` turns TLS off', default: '`true`',
    doc: '`false` connects with `ws://` (see `enabledTransports`)' },
  { name: 'wsHost', read: text, engine: 'wsHost', accepts: 'text; empty means unset', default: '`ws-<cluster>.pusher.com`', doc: '' },
  { name: 'wsPort', read: port, engine: 'wsPort', defaultFrom: 'wsPort', accepts: 'a port, or a numeric string', doc: 'for `ws://`' },
  { name: 'wssPort', read: port, engine: 'wssPort', defaultFrom: 'wssPort', accepts: 'a port, or a numeric string', doc: 'for `wss://`' },
  { name: 'wsPath', read: text, engine: 'wsPath', accepts: 'text', default: "`''`", doc: 'put before `/app/<key>`' },
  { name: 'activityTimeout', read: duration, engine: 'activityTimeout', defaultFrom: 'activityTimeout',
    accepts: 'ms, a number or a numeric string', doc: 'silence before a ping; the server\'s value wins when smaller' },
  { name: 'pongTimeout', read: duration, engine: 'pongTimeout', defaultFrom: 'pongTimeout',
    accepts: 'ms, a number or a numeric string', doc: 'wait for the answer to a ping before reconnecting' },
  { name: 'unavailableTimeout', read: duration, engine: 'unavailableTimeout', defaultFrom: 'unavailableTimeout',
    accepts: 'ms, a number or a numeric string', doc: 'time in `connecting` before `unavailable`' },
  { name: 'enabledTransports', read: transports, accepts: 'an array of transport names', default: 'all',
    doc: 'as in pusher-js: `ws` is the WebSocket (over TLS unless `forceTLS` is `false`), `wss` the fallback of a `forceTLS: false` client (tried every other attempt while `ws://` fails), `xhr_streaming` and `xhr_polling` the HTTP fallbacks; with none that can connect the state is `failed`' },
  { name: 'disabledTransports', read: transports, accepts: 'an array of transport names', default: 'none', doc: 'wins over `enabledTransports`' },
  { name: 'channelAuthorization', read: auth, accepts: 'an object', default: "`{endpoint: '/pusher/auth'}`",
    doc: '`endpoint`, `params`, `headers`, `paramsProvider`, `headersProvider`, `customHandler` (callback or promise); `transport` must be `\'ajax\'`; (ours) `batch: true` or `{delay}` (ms, default 10) batches endpoint requests as the pusher-js-auth plugin does' },
  { name: 'userAuthentication', read: auth, accepts: 'an object', default: "`{endpoint: '/pusher/user-auth'}`", doc: 'the same fields, for `signin()`' },
  { name: 'authEndpoint', read: auth, accepts: 'text', default: "`'/pusher/auth'`", doc: 'legacy; used when `channelAuthorization` is absent' },
  { name: 'auth', read: auth, accepts: '`{params, headers}`', default: '', doc: 'legacy, as `authEndpoint`' },
  { name: 'authTransport', read: auth, accepts: "`'ajax'`", default: "`'ajax'`", doc: 'legacy, as `authEndpoint`; another transport throws, as in pusher-js' },
  { name: 'authorizer', read: auth, accepts: 'a function', default: '', doc: 'legacy, as `authEndpoint`' },
  { name: 'authTimeout', read: duration, ours: true, accepts: 'ms, a number or a numeric string', default: '`10000` ms', doc: 'longest wait for one authorization, handler or endpoint' },
  { name: 'ca', read: pem, ours: true, engine: 'ca', accepts: 'PEM text, a Buffer, or an array of them', default: '',
    doc: 'extra trusted certificates, on top of the platform\'s, Mozilla\'s and `NODE_EXTRA_CA_CERTS`' },
  { name: 'proxy', read: proxyUrl, ours: true, accepts: '`http://[user:pass@]host:port`, or `false`', default: '`HTTPS_PROXY`/`HTTP_PROXY`',
    doc: '`false` ignores the environment; `NO_PROXY` is honoured' },
  { name: 'maxMessageSize', read: byteSize, ours: true, engine: 'maxMessageSize', defaultFrom: 'maxMessageSize',
    accepts: 'bytes, at least 1024', doc: 'a larger frame is refused with an `error` and the client reconnects' },
  { name: 'wsHeaders', read: headers, ours: true, accepts: 'an object, or a function returning one (sync or async)', default: '',
    doc: 'extra headers on the WebSocket upgrade request (through a proxy tunnel too); a function is called at every connection attempt, and when it throws or rejects the attempt fails with an `error` and is retried' },
  { name: 'maxReconnectionAttempts', read: count, ours: true, engine: 'maxReconnectionAttempts', accepts: 'a whole number, 0 or more',
    default: 'no limit', doc: '`n` further attempts after a failed attempt or a dropped connection (`2`: at most 3 in a row, as in Pusher\'s Java client); then an `error` says why and the state is `disconnected`; `connect()` starts afresh' },
  { name: 'maxReconnectGapInSeconds', read: seconds, ours: true, engine: 'maxReconnectGapInSeconds', defaultFrom: 'maxReconnectGapInSeconds',
    accepts: 'seconds, at least 1', doc: 'the back-off\'s cap (plus up to 25 % jitter)' },
  { name: 'httpHost', read: text, accepts: 'text; empty means unset', default: '`sockjs-<cluster>.pusher.com`, only when the WebSocket goes to Pusher',
    doc: 'host of the HTTP fallback transports; without it a self-hosted `wsHost` never falls back to HTTP (see [HTTP fallback](#http-fallback-transports))' },
  { name: 'httpPort', read: port, accepts: 'a port, or a numeric string', default: '`80`', doc: 'the HTTP transports\' port without TLS' },
  { name: 'httpsPort', read: port, accepts: 'a port, or a numeric string', default: '`443`', doc: 'the HTTP transports\' port with TLS' },
  { name: 'httpPath', read: text, accepts: 'text; empty means unset', default: "`'/pusher'`", doc: 'put before `/app/<key>` in the HTTP transports\' URLs' },
  { name: 'enableStats', read: ignored, accepts: 'anything', default: '`false`', doc: 'accepted; no stats are sent' },
  { name: 'disableStats', read: ignored, accepts: 'anything', default: '', doc: 'deprecated in pusher-js (a warning is logged, as there)' },
  { name: 'statsHost', read: ignored, accepts: 'anything', default: '', doc: 'accepted; no stats are sent' },
  { name: 'timelineParams', read: ignored, accepts: 'anything', default: '', doc: 'accepted; no stats are sent' },
  { name: 'ignoreNullOrigin', read: ignored, accepts: 'anything', default: '', doc: 'no effect in Node (as in pusher-js)' },
  { name: 'nacl', read: ignored, accepts: 'anything', default: '', doc: 'not needed: decryption is built in' },
]

module.exports = { OPTIONS }
