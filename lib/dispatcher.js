'use strict'
// Event callbacks with pusher-js's dispatch rules: global callbacks first, then the event's
// callbacks in bind order, `this` bound to the context given at bind time.
//
// One deliberate difference: a callback that throws is caught and reported through
// `onCallbackError`, so it never stops delivery to the other callbacks.

const DEFAULT_CONTEXT = globalThis

class CallbackRegistry {
  constructor() {
    // A Map: any event name is safe as a key (`__proto__` included) and lookups allocate nothing.
    this._callbacks = new Map()
  }

  get(name) {
    return this._callbacks.get(name)
  }

  add(name, fn, context) {
    let list = this._callbacks.get(name)
    if (!list) this._callbacks.set(name, (list = []))
    list.push({ fn, context })
  }

  remove(name, fn, context) {
    if (!name && !fn && !context) {
      this._callbacks = new Map()
      return
    }
    const names = name ? [name] : Array.from(this._callbacks.keys())
    for (const key of names) {
      if (fn || context) {
        // Replaced, not edited: an emit in progress keeps iterating its own array.
        const kept = (this._callbacks.get(key) || []).filter(
          (b) => (fn && fn !== b.fn) || (context && context !== b.context),
        )
        if (kept.length > 0) this._callbacks.set(key, kept)
        else this._callbacks.delete(key)
      } else {
        this._callbacks.delete(key)
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
      invoke(this, globals[i], DEFAULT_CONTEXT, 2, eventName, data, eventName)
    }
    const callbacks = this.callbacks.get(eventName)
    if (callbacks && callbacks.length > 0) {
      // pusher-js's arguments: (data, metadata), (data), or none for falsy data.
      const argc = metadata ? 2 : data ? 1 : 0
      for (let i = 0; i < callbacks.length; i++) {
        const b = callbacks[i]
        invoke(this, b.fn, b.context || DEFAULT_CONTEXT, argc, data, metadata, eventName)
      }
    } else if (this.failThrough) {
      this.failThrough(eventName, data)
    }
    return this
  }
}

/** Calls `fn` with `argc` of (a, b), reporting a throw instead of letting it stop the emit. */
function invoke(dispatcher, fn, context, argc, a, b, eventName) {
  try {
    if (argc === 2) fn.call(context, a, b)
    else if (argc === 1) fn.call(context, a)
    else fn.call(context)
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
