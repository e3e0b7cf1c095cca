'use strict'
// Medians, min–max and ratios over repetitions.

function median(xs) {
  if (xs.length === 0) return undefined
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** {median, min, max, n} of the finite numbers in `xs` (undefined when there are none). */
function summarize(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x))
  if (v.length === 0) return undefined
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length }
}

/** Percentile (0–100) of a sorted array, nearest rank. */
function percentile(sorted, p) {
  if (sorted.length === 0) return undefined
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

/** a / b of two summaries' medians. */
function ratio(a, b) {
  if (!a || !b || !b.median) return undefined
  return a.median / b.median
}

module.exports = { median, summarize, percentile, ratio }
