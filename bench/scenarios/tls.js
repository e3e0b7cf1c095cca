'use strict'
// Scenario 5, TLS: the throughput (100 B and 1 KB), latency and idle-memory scenarios again,
// against a second event source (bench/server.js, same frames) serving wss:// with a throwaway
// self-signed certificate (tls-cert.js). pusher-native and ws are given the certificate as
// `ca`; pusher-js, which has no such option, trusts it through NODE_EXTRA_CA_CERTS in its
// process's environment (runner.js). TLS_PARTS=throughput,latency,memory picks parts.

async function run({ config, log }) {
  const { startServer } = require('../server-control')
  const { makeCertificate } = require('../tls-cert')
  let cert
  try {
    cert = makeCertificate()
  } catch (e) {
    log(`  skipped: ${e.message}`)
    return []
  }
  const server = await startServer({ core: config.serverCore, nofile: config.nofile, tls: cert })
  server.address = { key: 'bench-key', host: '127.0.0.1', port: server.port, tls: true, ca: cert.pem, caFile: cert.caFile }
  log(`  TLS event source on wss://127.0.0.1:${server.port} (openssl self-signed ECDSA P-256 certificate, TLS 1.3)`)
  const sections = []
  try {
    for (const part of config.tlsParts) {
      const scenario = require(`./${part}`)
      sections.push(...(await scenario.run({ config, server, log })))
    }
  } finally {
    await server.stop()
    require('fs').rmSync(cert.dir, { recursive: true, force: true })
  }
  return sections
}

module.exports = { run }
