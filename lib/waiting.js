'use strict'
// One wait for the promise APIs (`connection.ready()`, `channel.ready()`): settled by the
// caller's checks, by `signal` (rejects with its reason, an `AbortError` by default) or by
// `timeout` (a `TimeoutError`), whichever comes first, and cleaned up whichever it is. Nothing
// is made until an app asks, so no promise can be left to reject unhandled.

/** An Error with extra fields (`code`, `status`, `type`) for the app to branch on. */
function failure(message, fields) {
  return Object.assign(new Error(message), fields)
}

function timeoutError(ms, what) {
  return new DOMException(`${what} did not happen within ${ms} ms`, 'TimeoutError')
}

function abortReason(signal) {
  return signal.reason !== undefined ? signal.reason : new DOMException('This operation was aborted', 'AbortError')
}

/**
 * Waits. `start(settle)` binds whatever may settle the wait and returns the function that
 * unbinds it; `settle.resolve(v)` / `settle.reject(e)` end it (later calls do nothing).
 * @param {{timeout?: number, signal?: AbortSignal}} options
 * @param {string} what what is awaited, for the timeout's message
 */
function wait(options, what, start) {
  const { timeout, signal } = options || {}
  if (signal && signal.aborted) return Promise.reject(abortReason(signal))
  return new Promise((resolve, reject) => {
    let done = false
    let unbind = null
    let timer = null
    const onAbort = () => settle.reject(abortReason(signal))
    const finish = () => {
      done = true
      if (unbind) unbind()
      if (timer) clearTimeout(timer)
      if (signal) signal.removeEventListener('abort', onAbort)
    }
    const settle = {
      resolve(value) {
        if (done) return
        finish()
        resolve(value)
      },
      reject(error) {
        if (done) return
        finish()
        reject(error)
      },
    }
    unbind = start(settle)
    if (done) {
      // Settled while starting: unbind now that the function is known.
      if (unbind) unbind()
      return
    }
    if (signal) signal.addEventListener('abort', onAbort, { once: true })
    if (timeout !== undefined && timeout !== null) {
      timer = setTimeout(() => settle.reject(timeoutError(timeout, what)), timeout)
      // A timer alone must not keep the process running.
      if (typeof timer.unref === 'function') timer.unref()
    }
  })
}

module.exports = { wait, failure, abortReason }
