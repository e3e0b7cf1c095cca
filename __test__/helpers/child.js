'use strict'
// A fixture script (__test__/fixtures/<script>) in a child Node process, its stdout read line by
// line: `line(text)` waits for a line equal to `text`, `nth(n)` for the n-th line (from 0),
// each with a deadline; `exited` resolves with `{code, signal}`.
const path = require('path')
const { spawn } = require('child_process')

function runChild(script, args, { env } = {}) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'fixtures', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: env ? { ...process.env, ...env } : process.env,
  })
  const lines = []
  const waiters = []
  let buffer = ''
  child.stdout.on('data', (chunk) => {
    buffer += chunk
    let nl
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, nl))
      buffer = buffer.slice(nl + 1)
      for (const w of waiters.splice(0)) w()
    }
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const waitFor = (found, what, ms) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never printed ${what}; got ${JSON.stringify(lines)}`)), ms)
      const check = () => {
        const value = found()
        if (value !== undefined) {
          clearTimeout(timer)
          resolve(value)
        } else waiters.push(check)
      }
      check()
    })
  const line = (text, ms = 5000) => waitFor(() => (lines.includes(text) ? text : undefined), text, ms)
  const nth = (n, ms = 10000) => waitFor(() => lines[n], `line ${n}`, ms)
  return { child, lines, line, nth, exited }
}

module.exports = { runChild }
