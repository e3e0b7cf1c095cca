'use strict'
// NODE_EXTRA_CA_CERTS, honoured as Node honours it for its own TLS: the file is read once (here,
// when the package loads) and its certificates are trusted on top of the platform's roots, by
// the WebSocket and by auth requests alike. An unreadable file is skipped with a warning, as
// Node does.

const fs = require('fs')
const Logger = require('./logger')

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** @type {string | undefined} the file's certificates as PEM text; undefined when none */
let loaded

function load() {
  const file = process.env.NODE_EXTRA_CA_CERTS
  if (!file) return undefined
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    Logger.warn(`Ignoring extra certs from \`${file}\`, load failed: ${error.message}`)
    return undefined
  }
  const blocks = text.match(CERTIFICATE)
  if (!blocks) {
    Logger.warn(`Ignoring extra certs from \`${file}\`: no CERTIFICATE block in it`)
    return undefined
  }
  return blocks.join('\n')
}

/** The extra certificates from NODE_EXTRA_CA_CERTS (PEM text), or undefined. */
function extraCa() {
  if (loaded === undefined) loaded = { pem: load() }
  return loaded.pem
}

module.exports = { extraCa }
