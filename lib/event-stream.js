'use strict'
// `channel.events(name?, {signal, limit})`: a channel's events as an async iterator of
// `{event, data, metadata}`, in the order the channel emits them (Node's `events.on` is the
// model). It ends on `break` (or `return()`), when the channel is unsubscribed (after what
// was already buffered), and on abort (the next `next()` rejects with the signal's reason).
//
// The buffer between the engine and a slow loop is bounded: past `limit` events waiting
// (default 10,000) the stream stops taking events and, once the loop has consumed the ones
// it holds, throws an Error with `code: 'PUSHER_EVENTS_OVERFLOW'`: events are never dropped
// silently, and memory stays bounded.

const { abortReason, failure } = require('./waiting')

const DEFAULT_LIMIT = 10000

class EventStream {
  /**
   * @param {import('./channel').Channel} channel
   * @param {string | undefined} name one event, or every event not named `pusher:…`
   * @param {{signal?: AbortSignal, limit?: number}} options
   */
  constructor(channel, name, options) {
    const { signal, limit = DEFAULT_LIMIT } = options || {}
    this._channel = channel
    this._name = name
    this._limit = limit
    this._signal = signal
    /** Events waiting for the loop. */
    this._buffer = []
    /** Pending `next()` calls, while the buffer is empty. */
    this._waiting = []
    /** Why the stream ended: null while open, `true` for a plain end, an Error to throw. */
    this._end = null
    this._onAbort = () => this._finish(abortReason(signal), true)
    if (signal && signal.aborted) this._end = abortReason(signal)
    else {
      if (signal) signal.addEventListener('abort', this._onAbort, { once: true })
      channel._addWatcher(this)
    }
  }

  [Symbol.asyncIterator]() {
    return this
  }

  /** Takes an emitted event, if it is one this stream follows. */
  _push(event, data, metadata) {
    if (this._end !== null) return
    if (this._name === undefined ? event.indexOf('pusher:') === 0 : event !== this._name) return
    const value = { event, data, metadata }
    if (this._waiting.length > 0) {
      this._waiting.shift().resolve({ value, done: false })
      return
    }
    if (this._buffer.length >= this._limit) {
      this._finish(
        failure(`More than ${this._limit} events waited for this loop on ${this._channel.name}; later ones were not kept`, {
          code: 'PUSHER_EVENTS_OVERFLOW',
        }),
        false,
      )
      return
    }
    this._buffer.push(value)
  }

  /** The channel was unsubscribed: the loop gets what is buffered, then the end. */
  _removed() {
    this._finish(true, false)
  }

  /** Ends the stream with `reason` (true: a plain end); `now`: drop what is buffered. */
  _finish(reason, now) {
    if (this._end !== null) return
    this._end = reason
    if (now) this._buffer.length = 0
    this._channel._removeWatcher(this)
    if (this._signal) this._signal.removeEventListener('abort', this._onAbort)
    const waiting = this._waiting.splice(0)
    for (const [i, { resolve, reject }] of waiting.entries()) {
      // The first pending call gets the error; any others are simply done.
      if (reason === true || i > 0) resolve({ value: undefined, done: true })
      else reject(reason)
    }
    if (waiting.length > 0 && reason !== true) this._end = true
  }

  next() {
    if (this._buffer.length > 0) return Promise.resolve({ value: this._buffer.shift(), done: false })
    if (this._end !== null) {
      const reason = this._end
      // An error is thrown once; after it the stream is simply done.
      this._end = true
      return reason === true ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(reason)
    }
    return new Promise((resolve, reject) => {
      this._waiting.push({ resolve, reject })
    })
  }

  /** `break` out of `for await`: the stream ends and forgets what it buffered. */
  return() {
    this._finish(true, true)
    this._end = true
    return Promise.resolve({ value: undefined, done: true })
  }
}

module.exports = { EventStream }
