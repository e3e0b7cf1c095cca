'use strict'
// Bindings by event name: `get(name)` is the list of `{fn, context}` bound to it, in bind order.
//
// Most dispatchers only ever see one event name bound (a channel's
// `pusher:subscription_succeeded`, the connection's `error`), so the first name and its list
// are kept inline and a Map is made only for a second name: an empty Map alone is ~180 bytes.

class CallbackRegistry {
  constructor() {
    this._name = undefined
    /** The inline name's list; undefined when the inline slot is free. */
    this._list = undefined
    /** Every name's list once two names were bound at the same time; null before. */
    this._map = null
  }

  /** The bindings for `name`, or undefined when there are none. */
  get(name) {
    if (this._map !== null) return this._map.get(name)
    return name === this._name ? this._list : undefined
  }

  add(name, fn, context) {
    const binding = { fn, context }
    const list = this.get(name)
    if (list !== undefined) list.push(binding)
    else if (this._map === null && this._list === undefined) this._setInline(name, [binding])
    else this._toMap().set(name, [binding])
  }

  /** Removes bindings by name, callback and/or context; with none of them, every binding. */
  remove(name, fn, context) {
    if (!name && !fn && !context) {
      this._setInline(undefined, undefined)
      this._map = null
      return
    }
    const names = name ? [name] : this._names()
    for (const key of names) {
      if (fn || context) {
        // Replaced, not edited: an emit in progress keeps iterating its own array.
        const kept = (this.get(key) || []).filter((b) => (fn && fn !== b.fn) || (context && context !== b.context))
        if (kept.length > 0) this._replace(key, kept)
        else this._delete(key)
      } else {
        this._delete(key)
      }
    }
  }

  _names() {
    if (this._map !== null) return Array.from(this._map.keys())
    return this._list !== undefined ? [this._name] : []
  }

  _setInline(name, list) {
    this._name = name
    this._list = list
  }

  /** The Map, made on first need from the inline entry. */
  _toMap() {
    if (this._map === null) {
      this._map = new Map()
      if (this._list !== undefined) this._map.set(this._name, this._list)
      this._setInline(undefined, undefined)
    }
    return this._map
  }

  /** Sets the list of a name that has one. */
  _replace(name, list) {
    if (this._map !== null) this._map.set(name, list)
    else this._list = list
  }

  _delete(name) {
    if (this._map !== null) this._map.delete(name)
    else if (this._list !== undefined && name === this._name) this._setInline(undefined, undefined)
  }
}

module.exports = { CallbackRegistry }
