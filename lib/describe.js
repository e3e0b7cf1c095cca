'use strict'

/** A value as error messages show it: its type, and short text for strings and numbers. */
function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'object') return 'an object'
  return typeof value === 'undefined' ? 'undefined' : `${typeof value} ${String(value)}`
}

module.exports = { describe }
