'use strict'
// Pusher.logToConsole and Pusher.log, as pusher-js has them, read at each line (pusher-js
// reads them only when an instance is created).

const native = require('./native')

const settings = { logToConsole: false, log: undefined }

function enabled() {
  return settings.logToConsole || typeof settings.log === 'function'
}

function sync() {
  native.setLogging(enabled())
}

function format(args) {
  return 'Pusher : ' + args.map((a) => (typeof a === 'string' ? a : safeStringify(a))).join(' : ')
}

function safeStringify(value) {
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

function write(level, args) {
  if (!enabled()) return
  const line = format(args)
  if (typeof settings.log === 'function') {
    try {
      settings.log(line)
    } catch {
      // A throwing log function must not break the client.
    }
  } else if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

module.exports = {
  settings,
  enabled,
  sync,
  debug: (...args) => write('debug', args),
  warn: (...args) => write('warn', args),
  error: (...args) => write('error', args),
}
