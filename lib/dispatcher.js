'use strict'
// Event callbacks with pusher-js's dispatch rules: global callbacks first, then the event's
// callbacks in bind order, `this` bound to the context given at bind time.
//
// One deliberate difference: a callback that throws is caught and reported through
// `onCallbackError`, so it never stops delivery to the other callbacks.

const DEFAULT_CONTEXT = globalThis

class CallbackRegistry {
  constructor() {
    // Keys are prefixed so names like `__proto__` are safe.
    this._callbacks = Object.create(null)
  }

  get(name) {
    return this._callbacks['_' + name]
  }

  add(name, fn, context) {
    const key = '_' + name
    const list = this._callbacks[key] || (this._callbacks[key] = [])
    list.push({ fn, context })
  }

  remove(name, fn, context) {
    if (!name && !fn && !context) {
      this._callbacks = Object.create(null)
      return
    }
    const keys = name ? ['_' + name] : Object.keys(this._callbacks)
    for (const key of keys) {
      if (fn || context) {
        // Replaced, not edited: an emit in progress keeps iterating its own array.
        const kept = (this._callbacks[key] || []).filter(
          (b) => (fn && fn !== b.fn) || (context && context !== b.context),
        )
        if (kept.length > 0) this._callbacks[key] = kept
        else delete this._callbacks[key]
      } else {
        delete this._callbacks[key]
      }
    }
  }
}

class Dispatcher {
  /**
   * @param {(name: string, data: any) => void} [failThrough] called when an event has no callback
   */
  constructor(failThrough) {
    this.callbacks = new CallbackRegistry()
    this.global_callbacks = []
    this.failThrough = failThrough
  }

  bind(eventName, callback, context) {
    checkCallback(callback, 'callback')
    this.callbacks.add(eventName, callback, context)
    return this
  }

  bind_global(callback) {
    checkCallback(callback, 'callback')
    this.global_callbacks.push(callback)
    return this
  }

  unbind(eventName, callback, context) {
    this.callbacks.remove(eventName, callback, context)
    return this
  }

  unbind_global(callback) {
    this.global_callbacks = callback ? this.global_callbacks.filter((c) => c !== callback) : []
    return this
  }

  unbind_all() {
    this.unbind()
    this.unbind_global()
    return this
  }

  emit(eventName, data, metadata) {
    // The array as it is now: unbind_global replaces it, so removing a callback mid-emit
    // cannot make the loop skip the next one (a pusher-js bug).
    const globals = this.global_callbacks
    for (let i = 0; i < globals.length; i++) {
      invoke(this, globals[i], DEFAULT_CONTEXT, [eventName, data], eventName)
    }
    const callbacks = this.callbacks.get(eventName)
    if (callbacks && callbacks.length > 0) {
      const args = metadata ? [data, metadata] : data ? [data] : []
      for (let i = 0; i < callbacks.length; i++) {
        const b = callbacks[i]
        invoke(this, b.fn, b.context || DEFAULT_CONTEXT, args, eventName)
      }
    } else if (this.failThrough) {
      this.failThrough(eventName, data)
    }
    return this
  }
}

function invoke(dispatcher, fn, context, args, eventName) {
  try {
    fn.apply(context, args)
  } catch (error) {
    if (dispatcher.onCallbackError) dispatcher.onCallbackError(error, eventName)
  }
}

function checkCallback(callback, what) {
  if (typeof callback !== 'function') {
    throw new TypeError(`${what} must be a function, got ${describe(callback)}`)
  }
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'object') return 'an object'
  return typeof value === 'undefined' ? 'undefined' : `${typeof value} ${String(value)}`
}

module.exports = { Dispatcher, CallbackRegistry, describe }
