'use strict'
// The Pusher class: pusher-js's API over the Rust engine (`NativeClient`).

const crypto = require('crypto')
const native = require('./native')
const { GlobalEmitter } = require('./global-emitter')
const { ConnectionManager } = require('./connection')
const { Channels, checkName } = require('./channels')
const { validate, readOptions, config } = require('./options')
const { forEachEvent } = require('./batch')
const { route } = require('./delivery')
const { buildAuth } = require('./auth')
const { UserFacade, USER_CHANNEL_PREFIX } = require('./user')
const Logger = require('./logger')

/** Instances connected or trying to: they are what keeps the process alive. */
const live = new Set()

/** Public names of internal events: channel-only, never emitted globally (as in pusher-js). */
const CHANNEL_ONLY = new Set([
  'pusher:subscription_succeeded',
  'pusher:subscription_count',
  'pusher:subscription_error',
  'pusher:member_added',
  'pusher:member_removed',
  'pusher:decryption_error',
])

/**
 * pusher-js's inner object of a MessageParseError, `{type, error, data}`, with the SyntaxError
 * that JSON.parse gives for the frame (the engine's own message when the frame parses).
 */
function parseError({ error, data }) {
  let syntaxError
  try {
    JSON.parse(data)
    syntaxError = new SyntaxError(error)
  } catch (thrown) {
    syntaxError = thrown
  }
  return { type: 'MessageParseError', error: syntaxError, data }
}

class Pusher {
  /**
   * Creates a client and connects at once, as pusher-js does.
   * @param {string} app_key
   * @param {object} options pusher-js options; `cluster` is required
   */
  constructor(app_key, options) {
    validate(app_key, options)
    this.key = app_key
    this.options = options
    // `| 0`: randomInt returns a double, which V8 would box in a separate heap object.
    this.sessionID = crypto.randomInt(1000000000) | 0
    this.channels = new Channels()
    /** @type {GlobalEmitter | null} made on first use, see `global_emitter` */
    this._emitter = null
    /** @type {UserFacade | null} made on first use, see `user` */
    this._user = null
    this._configure()
    this.connection = new ConnectionManager(this)
    if (Pusher.isReady) this.connect()
  }

  /** The configuration as pusher-js derives it from the options (values as given). */
  get config() {
    return this._config || (this._config = config(this.options))
  }

  set config(value) {
    this._config = value
  }

  /** The emitter behind `bind` and `bind_global`. */
  get global_emitter() {
    return this._emitter || (this._emitter = new GlobalEmitter(this))
  }

  /** The signed-in user: sign-in, server-to-user events and the watchlist. */
  get user() {
    return this._user || (this._user = new UserFacade(this))
  }

  _configure() {
    const { settings, authTimeout, wsHeaders } = readOptions(this.options)
    const auth = buildAuth(this.options, this, authTimeout)
    /** What the engine calls when authorization needs JS; undefined when it does not. */
    this._authorize = auth.authorize
    if (settings) settings.auth = auth.native
    /** `pusher.config`, made on first read: few apps read it, and every client would pay. */
    this._config = null
    const engine = settings ? new native.NativeClient(String(this.key), settings, wsHeaders) : null
    this._native = engine
    /** The engine's number in deliveries; batches of a replaced engine are ignored. */
    this._engineId = engine ? engine.id : 0
    // Sessions are counted per engine.
    this._epoch = 0
  }

  /** Connects (a no-op when connected; while waiting to retry, it retries now). */
  connect() {
    const state = this.connection.state
    if (state === 'connected') return
    if (!this._native) {
      // No allowed transport can connect.
      this.connection.updateState('failed')
      return
    }
    if (state === 'connecting' || state === 'unavailable') this._native.retryNow()
    else this._start()
  }

  /** Starts a new session of the engine: its earlier batches are stale from here on. */
  _start() {
    this._epoch++
    live.add(this)
    this._native.connect(route(this._engineId, this), this._authorize)
    this._channelsDisconnected()
    this.connection.updateState('connecting')
  }

  /** Disconnects; channels and bindings stay for the next `connect()`. */
  disconnect() {
    if (this.connection.state === 'disconnected') return
    this._epoch++
    live.delete(this)
    if (this._native) this._native.disconnect()
    this._channelsDisconnected()
    if (this._user !== null) this._user._reset()
    this.connection.updateState('disconnected')
  }

  /** Subscribes to a channel and returns it (the same object on every call). */
  subscribe(channel_name) {
    checkName(channel_name)
    const channel = this.channels.add(channel_name, this)
    if (channel.subscriptionPending && channel.subscriptionCancelled) {
      // The engine never stopped: nothing to tell it.
      channel.reinstateSubscription()
      return channel
    }
    if (!channel.subscriptionPending && !channel.subscribed && this.connection.state === 'connected') {
      channel.subscriptionPending = true
    }
    if (this._native) this._native.subscribe(channel_name)
    return channel
  }

  /**
   * Unsubscribes from a channel and forgets it. A pending subscription is cancelled, as in
   * pusher-js: the channel goes once the server answers (`_forget`), so a subscribe() in
   * between reinstates it without a frame. JS decides this, not the engine: the server's
   * answer may already be on its way to the engine when the cancel would reach it.
   */
  unsubscribe(channel_name) {
    const channel = this.channels.find(channel_name)
    if (!channel) return
    if (channel.subscriptionPending) channel.cancelSubscription()
    else this._forget(channel)
  }

  /** Drops `channel` from the table and the engine (which sends pusher:unsubscribe if needed). */
  _forget(channel) {
    this.channels.remove(channel.name)
    channel.disconnect()
    if (this._native) this._native.unsubscribe(channel.name)
  }

  /** The connection went away: channels unsubscribed while pending are forgotten now. */
  _channelsDisconnected() {
    for (const channel of this.channels.all()) {
      if (channel.subscriptionCancelled) this._forget(channel)
    }
    this.channels.disconnect()
  }

  /** The channel called `name`, or undefined. */
  channel(name) {
    return this.channels.find(name)
  }

  /** Every channel subscribed to (or pending). */
  allChannels() {
    return this.channels.all()
  }

  bind(event_name, callback, context) {
    this.global_emitter.bind(event_name, callback, context)
    return this
  }

  unbind(event_name, callback, context) {
    if (this._emitter !== null) this._emitter.unbind(event_name, callback, context)
    return this
  }

  bind_global(callback) {
    this.global_emitter.bind_global(callback)
    return this
  }

  unbind_global(callback) {
    if (this._emitter !== null) this._emitter.unbind_global(callback)
    return this
  }

  unbind_all(callback) {
    if (this._emitter !== null) this._emitter.unbind_all()
    return this
  }

  /** Sends an event on the connection; false when not connected, or when it could not be
   * queued (more than 1 MiB of events wait for a server that does not read them; an `error`
   * event says so). */
  send_event(event_name, data, channel) {
    if (this.connection.state !== 'connected' || !this._native) return false
    const json = data === undefined ? undefined : JSON.stringify(data)
    return this._native.sendEvent(String(event_name), json, channel == null ? undefined : String(channel))
  }

  shouldUseTLS() {
    return this.options.forceTLS !== false
  }

  /** Moves to another app key and cluster, keeping channels and bindings (pusher-js 8.5). */
  switchCluster({ appKey, cluster } = {}) {
    // Not validated, as in pusher-js: the options were accepted once already.
    const options = { ...this.options, cluster }
    const wasActive = this.connection.state !== 'disconnected' && this.connection.state !== 'initialized'
    if (this._native) this._native.shutdown()
    this.key = appKey
    this.options = options
    this._configure()
    if (this._native) {
      for (const channel of this.channels.all()) this._native.subscribe(channel.name)
      if (this._user !== null && this._user.signin_requested) this._native.signin()
    }
    if (!wasActive) return
    if (this._native) this._start()
    else this.connection.updateState('failed')
  }

  _deliver(batch, epoch) {
    // Batches made before our last connect()/disconnect() describe a connection the user has
    // already moved on from.
    if (epoch !== this._epoch) return
    try {
      forEachEvent(batch, this, epoch)
    } catch (error) {
      Logger.error('Failed to deliver events:', String((error && error.stack) || error))
    }
  }

  // The engine's events, as `forEachEvent` calls them.

  _handleMessage(event, channelName, data, userId) {
    this._routeMessage(event, channelName, data, userId)
    // The app's `message` callbacks come last: pusher-js routes each message from a
    // `message` callback of its own, bound before any of the app's.
    const conn = this.connection
    if (conn._hasListeners('message')) {
      const message = { event, data }
      if (channelName != null) message.channel = channelName
      if (userId != null) message.user_id = userId
      conn.emit('message', message)
    }
  }

  /** A message to its channel, then to `pusher.bind`/`bind_global`, then to `pusher.user`. */
  _routeMessage(event, channelName, data, userId) {
    if (channelName != null) {
      const channel = this.channels.find(channelName)
      if (channel) channel._dispatch(event, data, userId)
      if (!CHANNEL_ONLY.has(event)) this._emitGlobally(event, data)
      if (!channel && channelName.indexOf(USER_CHANNEL_PREFIX) === 0) this.user._onUserEvent(event, data)
      return
    }
    if (event === 'pusher:signin_error') return this.user._onSigninError(data)
    if (event === 'pusher_internal:watchlist_events') return this.user.watchlist._handle(data)
    this._emitGlobally(event, data)
    if (event === 'pusher:signin_success') this.user._onSigninSuccess(data)
  }

  _emitGlobally(event, data) {
    // With no emitter yet, nothing is bound globally.
    if (this._emitter !== null) this._emitter.emit(event, data)
  }

  /** Signs the user in (`userAuthentication`), now or once connected, and after reconnects. */
  signin() {
    this.user.signin()
  }

  _handleState(previous, current, socketId) {
    if (current === this.connection.state) return
    if (current === 'connecting' || current === 'disconnected') {
      this._channelsDisconnected()
      if (this._user !== null) this._user._reset()
    }
    if (current === 'connected') {
      for (const channel of this.channels.all()) {
        if (!channel.subscriptionCancelled) channel.subscriptionPending = true
      }
    }
    if (current === 'disconnected' || current === 'failed') live.delete(this)
    this.connection.updateState(current, socketId)
  }

  _handleConnectingIn(ms) {
    this.connection.emit('connecting_in', Math.round(ms / 1000))
  }

  _handleError(error) {
    if (error.type === 'MessageParseError') error.error = parseError(error)
    Logger.warn('Error', error)
    this.connection.emit('error', error)
  }

  /** The engine forgot a channel: forget it here too if it was unsubscribed while pending. */
  _handleChannelRemoved(name) {
    const channel = this.channels.find(name)
    if (channel && channel.subscriptionCancelled) {
      this.channels.remove(name)
      channel.disconnect()
    }
  }

  _handleLog(line) {
    Logger.debug(line)
  }

  _callbackFailed(error, event, channel) {
    Logger.error('A callback for', event, channel ? 'on ' + channel : '', 'threw:', String((error && error.stack) || error))
    this.connection.emit('error', { type: 'CallbackError', error, event, channel: channel || undefined })
  }

  /** Instances that are connected or trying to connect. */
  static get instances() {
    return Array.from(live)
  }

  /** Print log lines with console.log. */
  static get logToConsole() {
    return Logger.settings.logToConsole
  }

  static set logToConsole(on) {
    Logger.settings.logToConsole = !!on
    Logger.sync()
  }

  /** Receive log lines instead of the console. */
  static get log() {
    return Logger.settings.log
  }

  static set log(fn) {
    Logger.settings.log = fn
    Logger.sync()
  }

  static ready() {
    Pusher.isReady = true
  }
}

/** On Node the client connects from its constructor, as pusher-js does. */
Pusher.isReady = true

// --- pusher-js's remaining statics and members ------------------------------------------------
// Kept apart from the class body. pusher-js declares these on its class; code written for
// pusher-js (and typings such as laravel-echo's) name them. Only what means something in Node is
// given a value; the rest is `undefined`, as on pusher-js's own Node build.

/**
 * The parts of pusher-js's Node runtime (`Pusher.Runtime`) that mean something here. Its
 * transports, strategies and HTTP factories do not exist: the engine is native.
 */
Pusher.Runtime = {
  /** Makes `PusherClass` ready: its instances connect from their constructor. */
  setup(PusherClass) {
    PusherClass.ready()
  },
  /** The page protocol, which Node does not have: `'http:'`, as pusher-js answers in Node. */
  getProtocol() {
    return 'http:'
  },
  /** No localStorage in Node: `undefined`. */
  getLocalStorage() {
    return undefined
  },
  /** No page to unload in Node: does nothing. */
  addUnloadListener(listener) {},
  /** No page to unload in Node: does nothing. */
  removeUnloadListener(listener) {},
  /** A random integer from 0 to `max - 1` (`crypto.randomInt`). */
  randomInt(max) {
    return crypto.randomInt(max)
  },
}

// Browser-only (JSONP script loading) in pusher-js: `undefined` on its Node build too.
Pusher.ScriptReceivers = undefined
Pusher.DependenciesReceivers = undefined
Pusher.auth_callbacks = undefined

Object.defineProperty(Pusher, 'getClientFeatures', {
  /** The transports this client can use, as pusher-js reports them: `['ws']`. */
  value: function getClientFeatures() {
    return ['ws']
  },
  writable: true,
  configurable: true,
})

Object.defineProperty(Pusher.prototype, 'subscribeAll', {
  /**
   * Subscribes every channel in the table that is not subscribed (pusher-js calls it on each
   * connect; the engine here resubscribes by itself, so calling it is never needed).
   */
  value: function subscribeAll() {
    for (const channel of this.channels.all()) channel.subscribe()
  },
  writable: true,
  configurable: true,
})

module.exports = { Pusher }
