'use strict'
// Plain-text tables: one row per metric, one column per client ("median [min–max]"), then the
// ratios of pusher-native to pusher-js and to ws.

const { ratio } = require('./stats')

function fmt(x, digits) {
  if (x === undefined || x === null || Number.isNaN(x)) return '–'
  if (typeof x !== 'number') return String(x)
  const a = Math.abs(x)
  if (digits !== undefined) return x.toFixed(digits)
  if (a >= 1e6) return (x / 1e6).toFixed(a >= 1e7 ? 1 : 2) + 'M'
  if (a >= 1e4) return (x / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k'
  if (a >= 100) return x.toFixed(0)
  if (a >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

function cell(s, digits) {
  if (!s) return '–'
  if (s.n === 1 || s.min === s.max) return fmt(s.median, digits)
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`
}

function ratioCell(r) {
  return r === undefined ? '–' : `${r.toFixed(2)}x`
}

/** Lays out rows of strings with padded columns. */
function layout(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)))
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  ')]
  for (const r of rows.slice(1)) out.push(line(r))
  return out.join('\n')
}

/**
 * @param {string} title
 * @param {string[]} clients column order
 * @param {{label: string, key: string, digits?: number}[]} metrics
 * @param {Record<string, Record<string, {median,min,max,n}>>} summaries client -> key -> summary
 * @param {Record<string, string>} [failures] client -> failure text, shown instead of values
 */
function render(title, clients, metrics, summaries, failures = {}) {
  const hasRatio = clients.includes('pusher-native')
  const head = ['', ...clients]
  if (hasRatio && clients.includes('pusher-js')) head.push('native/pusher-js')
  if (hasRatio && clients.includes('ws')) head.push('native/ws')
  const rows = [head]
  for (const m of metrics) {
    const row = [m.label]
    for (const c of clients) row.push(failures[c] && !(summaries[c] && summaries[c][m.key]) ? 'FAILED' : cell(summaries[c] && summaries[c][m.key], m.digits))
    const native = summaries['pusher-native'] && summaries['pusher-native'][m.key]
    if (hasRatio && clients.includes('pusher-js')) row.push(ratioCell(ratio(native, summaries['pusher-js'] && summaries['pusher-js'][m.key])))
    if (hasRatio && clients.includes('ws')) row.push(ratioCell(ratio(native, summaries.ws && summaries.ws[m.key])))
    rows.push(row)
  }
  let text = `\n${title}\n${layout(rows)}`
  for (const [c, f] of Object.entries(failures)) text += `\n  ${c} FAILED: ${f}`
  return text
}

module.exports = { render, fmt }
