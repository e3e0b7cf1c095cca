'use strict'
// A throwaway self-signed certificate for the TLS event source, made with the `openssl` command
// line: an ECDSA P-256 key (as the TestServer's rcgen certificate), valid for 127.0.0.1 and
// localhost, not a CA (rustls refuses a CA certificate as a server's own). Clients trust it as
// their CA: pusher-native and ws through their `ca` option, pusher-js (which has none) through
// NODE_EXTRA_CA_CERTS pointing at `caFile`.

const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

/** {keyFile, certFile, caFile, pem}; throws with a readable message when openssl is missing. */
function makeCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pusher-native-bench-tls-'))
  const keyFile = path.join(dir, 'key.pem')
  const certFile = path.join(dir, 'cert.pem')
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=pusher-native bench',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:FALSE',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw new Error(`could not make a certificate for the TLS event source with openssl (${e.code === 'ENOENT' ? 'openssl not found' : String(e.stderr || e.message).trim()}): the tls scenario is skipped`)
  }
  return { keyFile, certFile, caFile: certFile, pem: fs.readFileSync(certFile, 'utf8'), dir }
}

module.exports = { makeCertificate }
