'use strict'
// `pusher.user` (sign-in, server-to-user events) and `pusher.user.watchlist`. Both are made on
// first access: most clients never sign in.

const { Dispatcher } = require('./dispatcher')
const Logger = require('./logger')

const USER_CHANNEL_PREFIX = '#server-to-user-'

class WatchlistFacade extends Dispatcher {
  constructor(pusher) {
    super()
    this._pusher = pusher
  }

  failThrough(event) {
    if (Logger.enabled()) Logger.debug('No callbacks on watchlist events for ' + event)
  }

  onCallbackError(error, event) {
    this._pusher._callbackFailed(error, event, null)
  }

  /** `{events: [{name, user_ids}]}` from the server: each entry is emitted by its name. */
  _handle(data) {
    const events = (data && Array.isArray(data.events) && data.events) || []
    for (const entry of events) this.emit(entry.name, entry)
  }
}

class UserFacade extends Dispatcher {
  constructor(pusher) {
    super()
    this.pusher = pusher
    this.signin_requested = false
    /** The signed-in user (parsed `user_data`), or null. */
    this.user_data = null
    this.serverToUserChannel = null
    this.signinDonePromise = null
    this._signinDone = null
    this._signinPending = false
    this._watchlist = null
  }

  /** Online and offline events of the users on this user's watchlist. */
  get watchlist() {
    return this._watchlist || (this._watchlist = new WatchlistFacade(this.pusher))
  }

  failThrough(event) {
    if (Logger.enabled()) Logger.debug('No callbacks on user for ' + event)
  }

  onCallbackError(error, event) {
    this.pusher._callbackFailed(error, event, null)
  }

  /** Signs in once connected, and again after every reconnect. Calling it again does nothing. */
  signin() {
    if (this.signin_requested) return
    this.signin_requested = true
    this._newSigninPromise()
    if (this.pusher._native) this.pusher._native.signin()
  }

  /** A promise settled when the current sign-in attempt ends (either way). */
  _newSigninPromise() {
    this._signinPending = true
    this.signinDonePromise = new Promise((resolve) => {
      this._signinDone = () => {
        this._signinPending = false
        resolve()
      }
    })
  }

  _onSigninSuccess(data) {
    try {
      this.user_data = JSON.parse(data.user_data)
    } catch {
      this.user_data = null
      return
    }
    this.serverToUserChannel = { name: USER_CHANNEL_PREFIX + this.user_data.id }
  }

  _onSigninError(error) {
    this._reset()
    this.emit('pusher:signin_error', error)
    if (this._signinDone) this._signinDone()
  }

  /**
   * An event on `#server-to-user-<id>`; the protocol's own events are not passed on. Its
   * subscription succeeding ends the sign-in: `signinDonePromise` resolves once events sent
   * to the user can arrive.
   */
  _onUserEvent(event, data) {
    if (event === 'pusher:subscription_succeeded' && this._signinDone) this._signinDone()
    if (event.indexOf('pusher:') === 0 || event.indexOf('pusher_internal:') === 0) return
    this.emit(event, data)
  }

  /** Not connected any more: signed out until the engine signs in again. */
  _reset() {
    this.user_data = null
    this.serverToUserChannel = null
    if (this.signin_requested && !this._signinPending) this._newSigninPromise()
  }
}

module.exports = { UserFacade, WatchlistFacade, USER_CHANNEL_PREFIX }
