'use strict'
// Channel objects as pusher-js exposes them. Their flags mirror the engine's view, updated
// as its events are delivered, so `channel.subscribed` is true inside the
// `pusher:subscription_succeeded` callback and not before.

const { Dispatcher } = require('./dispatcher')
const { BadEventName, UnsupportedFeature } = require('./errors')
const Logger = require('./logger')
const { Members } = require('./members')
const { wait, failure } = require('./waiting')
const { EventStream } = require('./event-stream')

const EMPTY_METADATA = Object.freeze({})

class Channel extends Dispatcher {
  constructor(name, pusher) {
    super()
    this.name = name
    this.pusher = pusher
    this.subscribed = false
    this.subscriptionPending = false
    this.subscriptionCancelled = false
    /** Subscribers, from `pusher:subscription_count` (0 included); null until one arrives. */
    this.subscriptionCount = null
    /**
     * Open `events()` iterators and `ready()` waits, each told of every event (`_push`) and of
     * the channel's end (`_removed`); null while there are none.
     * @type {Set<{_push: Function, _removed: Function}> | null}
     */
    this._watchers = null
  }

  /**
   * Resolves with the channel once subscribed (at once when it is; presence channels have
   * `members` filled by then). Rejects with an Error carrying `status` and `type` on
   * `pusher:subscription_error`, when the channel is unsubscribed (or already was), on abort
   * (the signal's reason, an `AbortError`) and after `timeout` ms (a `TimeoutError`).
   * @param {{timeout?: number, signal?: AbortSignal}} [options]
   * @returns {Promise<this>}
   */
  ready(options) {
    return wait(options, `the subscription to ${this.name}`, (settle) => {
      if (this.pusher.channel(this.name) !== this || this.subscriptionCancelled) {
        settle.reject(failure(`Not subscribed to ${this.name}`, { type: 'Unsubscribed' }))
        return null
      }
      if (this.subscribed) {
        settle.resolve(this)
        return null
      }
      const onSucceeded = () => settle.resolve(this)
      const onError = (error) => {
        const message = (error && (error.error || error.message)) || 'the subscription was refused'
        const type = (error && error.type) || 'SubscriptionError'
        settle.reject(failure(`Subscription to ${this.name} failed: ${message}`, { type, status: error && error.status }))
      }
      const watcher = { _push: () => {}, _removed: () => settle.reject(failure(`Unsubscribed from ${this.name}`, { type: 'Unsubscribed' })) }
      this.bind('pusher:subscription_succeeded', onSucceeded)
      this.bind('pusher:subscription_error', onError)
      this._addWatcher(watcher)
      return () => {
        this.unbind('pusher:subscription_succeeded', onSucceeded)
        this.unbind('pusher:subscription_error', onError)
        this._removeWatcher(watcher)
      }
    })
  }

  /**
   * The channel's events as an async iterator of `{event, data, metadata}`: every event not
   * named `pusher:…`, or only `name`. Ends on `break`, abort or unsubscribe; at most `limit`
   * events (default 10,000) wait for a slow loop, past which it throws an Error with
   * `code: 'PUSHER_EVENTS_OVERFLOW'` once the waiting ones are consumed.
   * @param {string} [name]
   * @param {{signal?: AbortSignal, limit?: number}} [options]
   */
  events(name, options) {
    if (typeof name === 'object' && name !== null && options === undefined) return new EventStream(this, undefined, name)
    return new EventStream(this, name === null ? undefined : name, options)
  }

  _addWatcher(watcher) {
    if (this._watchers === null) this._watchers = new Set()
    this._watchers.add(watcher)
  }

  _removeWatcher(watcher) {
    if (this._watchers === null) return
    this._watchers.delete(watcher)
    if (this._watchers.size === 0) this._watchers = null
  }

  /** The channel was unsubscribed: open iterators and waits end. */
  _removed() {
    if (this._watchers === null) return
    for (const watcher of Array.from(this._watchers)) watcher._removed()
  }

  emit(eventName, data, metadata) {
    if (this._watchers !== null) for (const watcher of this._watchers) watcher._push(eventName, data, metadata)
    return super.emit(eventName, data, metadata)
  }

  /** An event nobody is bound to. */
  failThrough(event) {
    if (Logger.enabled()) Logger.debug('No callbacks on ' + this.name + ' for ' + event)
  }

  /** A callback threw: reported as a connection `error` naming the channel. */
  onCallbackError(error, event) {
    this.pusher._callbackFailed(error, event, this.name)
  }

  /** Public channels need no authorization: calls back `{auth: ''}` at once. */
  authorize(socketId, callback) {
    return callback(null, { auth: '' })
  }

  /**
   * Sends a client event (`client-` prefix) to the channel's other subscribers; the server
   * does not echo it back. Only private and presence channels take client events: on a public
   * channel it is sent all the same, as pusher-js sends it, and the server's refusal arrives
   * as a connection `error`. Before the subscription succeeds it warns and sends. Returns
   * false, sending nothing, when not connected.
   */
  trigger(event, data) {
    if (typeof event !== 'string' || event.indexOf('client-') !== 0) {
      throw new BadEventName("Event '" + event + "' does not start with 'client-'")
    }
    this.checkClientEvents()
    if (!this.subscribed) {
      Logger.warn("Client event triggered before channel 'subscription_succeeded' event", this.name)
    }
    return this.pusher.send_event(event, data, this.name)
  }

  /** Throws when this kind of channel cannot carry client events at all (encrypted ones). */
  checkClientEvents() {}

  /** Subscribes (again) through the Pusher instance. */
  subscribe() {
    if (this.subscribed) return
    this.pusher.subscribe(this.name)
  }

  /**
   * Unsubscribes and forgets the channel. (pusher-js leaves it registered, so it comes back
   * after a reconnect; pusher-js issue #308.)
   */
  unsubscribe() {
    this.pusher.unsubscribe(this.name)
  }

  /** Marks the channel unsubscribed after the connection went away. */
  disconnect() {
    this.subscribed = false
    this.subscriptionPending = false
  }

  cancelSubscription() {
    this.subscriptionCancelled = true
    this._removed()
  }

  reinstateSubscription() {
    this.subscriptionCancelled = false
  }

  /** Metadata passed to event callbacks: `{}` (presence channels add `user_id`). */
  metadataFor(userId) {
    return EMPTY_METADATA
  }

  /** Delivers one event (`{event, data, user_id?}`) from the server to this channel's callbacks. */
  handleEvent(event) {
    this._dispatch(event.event, event.data, event.user_id)
  }

  _dispatch(name, data, userId) {
    if (name === 'pusher:subscription_succeeded') {
      this.subscriptionPending = false
      if (this.subscriptionCancelled) {
        // Unsubscribed while pending: unsubscribed now, as pusher-js does.
        this.pusher._forget(this)
        return
      }
      this.subscribed = true
      this.emit(name, this.subscriptionData(data))
    } else if (name === 'pusher:subscription_count') {
      if (data && typeof data.subscription_count === 'number') {
        this.subscriptionCount = data.subscription_count
      }
      this.emit(name, data)
    } else if (name === 'pusher:subscription_error') {
      // One argument, as pusher-js passes it.
      this.subscriptionPending = false
      this.emit(name, data)
      // Unsubscribed while pending: nothing to wait for any more.
      if (this.subscriptionCancelled) this.pusher._forget(this)
    } else {
      this.emit(name, data, this.metadataFor(userId))
    }
  }

  /** What `pusher:subscription_succeeded` callbacks receive. */
  subscriptionData(data) {
    return data
  }
}

/** A `private-` channel: subscriptions are authorized; client events are allowed. */
class PrivateChannel extends Channel {
  /** Authorizes through the configured `channelAuthorization` (its JS parts only). */
  authorize(socketId, callback) {
    const auth = this.pusher._authorize
    if (!auth) return callback(new Error('this client authorizes in its engine (endpoint without JS handlers)'), null)
    auth('channel', socketId, this.name).then((data) => callback(null, data), (error) => callback(error, null))
  }
}

/** A `presence-` channel: `members` lists who is subscribed; client events carry `user_id`. */
class PresenceChannel extends PrivateChannel {
  constructor(name, pusher) {
    super(name, pusher)
    this.members = new Members()
  }

  metadataFor(userId) {
    return userId != null ? { user_id: userId } : EMPTY_METADATA
  }

  _dispatch(name, data, userId) {
    if (name === 'pusher:subscription_succeeded') {
      // The engine passes our own member id along with the member list.
      this.members.setMyID(userId != null ? String(userId) : null)
      this.members.onSubscription(data)
      return super._dispatch(name, data, undefined)
    }
    if (name === 'pusher:member_added') {
      if (!data || data.user_id == null) return
      return this.emit(name, this.members.addMember(data))
    }
    if (name === 'pusher:member_removed') {
      if (!data || data.user_id == null) return
      const member = this.members.removeMember(data)
      if (member) this.emit(name, member)
      return
    }
    return super._dispatch(name, data, userId)
  }

  subscriptionData() {
    return this.members
  }

  disconnect() {
    super.disconnect()
    this.members.reset()
  }
}

/**
 * A `private-encrypted-` channel: events are decrypted by the engine (NaCl secretbox) and
 * reach callbacks with no metadata, as in pusher-js. Client events are not supported.
 * An event that cannot be decrypted, even with a fresh key, is reported as
 * `pusher:decryption_error` `{event, error}` on the channel.
 */
class EncryptedChannel extends PrivateChannel {
  checkClientEvents() {
    throw new UnsupportedFeature('Client events are not currently supported for encrypted channels')
  }

  metadataFor() {
    return undefined
  }
}

module.exports = { Channel, PrivateChannel, PresenceChannel, EncryptedChannel }
