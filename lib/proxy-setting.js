'use strict'
// Which HTTP proxy the engine uses: the `proxy` option, else HTTPS_PROXY / HTTP_PROXY from the
// environment (`proxy: false` ignores the environment), with NO_PROXY.

const VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']

/**
 * @param {string | false | undefined} option the `proxy` option as the table read it
 * @returns {{url: string, noProxy: string, source: string} | undefined} `source` names where
 *   the URL came from, for error messages
 */
function proxySetting(option) {
  if (option === false) return undefined
  const env = process.env
  const noProxy = env.NO_PROXY || env.no_proxy || ''
  if (typeof option === 'string') return { url: option, noProxy, source: 'Pusher option "proxy"' }
  for (const name of VARIABLES) {
    if (env[name]) return { url: env[name], noProxy, source: `proxy URL in ${name}` }
  }
  return undefined
}

module.exports = { proxySetting }
