'use strict'
// Event callbacks with pusher-js's dispatch rules: global callbacks first, then the event's
// callbacks in bind order, `this` bound to the context given at bind time.
//
// One deliberate difference: a callback that throws is caught and reported through
// `onCallbackError`, so it never stops delivery to the other callbacks.
//
// Every channel, connection and user is a Dispatcher, and most are never bound to, or to one
// event: the registry and the global list are made on first use.

const { CallbackRegistry } = require('./callback-registry')

const DEFAULT_CONTEXT = globalThis

class Dispatcher {
  /**
   * @param {(name: string, data: any) => void} [failThrough] called when an event has no
   *   callback (subclasses define it as a method instead)
   */
  constructor(failThrough) {
    /** @type {CallbackRegistry | null} */
    this._bindings = null
    /** @type {Function[] | null} */
    this._globals = null
    if (failThrough) this.failThrough = failThrough
  }

  /** The bindings by event name (pusher-js's `callbacks`). */
  get callbacks() {
    return this._bindings || (this._bindings = new CallbackRegistry())
  }

  /** The global callbacks, in bind order (pusher-js's `global_callbacks`). */
  get global_callbacks() {
    return this._globals || (this._globals = [])
  }

  /**
   * Binds `callback` to `eventName`. As in pusher-js, any value is accepted; one that is not a
   * function is reported as a `CallbackError` when the event comes.
   */
  bind(eventName, callback, context) {
    this.callbacks.add(eventName, callback, context)
    return this
  }

  bind_global(callback) {
    this.global_callbacks.push(callback)
    return this
  }

  unbind(eventName, callback, context) {
    if (this._bindings !== null) this._bindings.remove(eventName, callback, context)
    return this
  }

  unbind_global(callback) {
    if (this._globals !== null) this._globals = callback ? this._globals.filter((c) => c !== callback) : null
    return this
  }

  unbind_all() {
    this.unbind()
    this.unbind_global()
    return this
  }

  /** Whether emitting `eventName` would call anything (so its data is worth building). */
  _hasListeners(eventName) {
    const globals = this._globals
    if (globals !== null && globals.length > 0) return true
    return this._bindings !== null && this._bindings.get(eventName) !== undefined
  }

  emit(eventName, data, metadata) {
    // The array as it is now: unbind_global replaces it, so removing a callback mid-emit
    // cannot make the loop skip the next one (a pusher-js bug).
    const globals = this._globals
    if (globals !== null) {
      for (let i = 0; i < globals.length; i++) {
        invoke(this, globals[i], DEFAULT_CONTEXT, 2, eventName, data, eventName)
      }
    }
    const callbacks = this._bindings !== null ? this._bindings.get(eventName) : undefined
    if (callbacks !== undefined && callbacks.length > 0) {
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

module.exports = { Dispatcher, CallbackRegistry }
