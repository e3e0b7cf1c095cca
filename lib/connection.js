'use strict'
// `pusher.connection`: the state, the socket id, and the connection's events.

const { Dispatcher } = require('./dispatcher')
const Logger = require('./logger')

class ConnectionManager extends Dispatcher {
  constructor(pusher) {
    super()
    this.state = 'initialized'
    this.socket_id = undefined
    this.options = pusher.options
    this.key = pusher.key
    this.usingTLS = pusher.config.useTLS
    this.activityTimeout = pusher.config.activityTimeout
    this._pusher = pusher
  }

  /** A callback threw: reported as a connection `error`, unless it was an `error` callback. */
  onCallbackError(error, event) {
    // An `error` callback that throws is logged only, so errors cannot loop.
    if (event === 'error') Logger.error('A connection "error" callback threw:', String(error && error.stack || error))
    else this._pusher._callbackFailed(error, event, null)
  }

  /** Connects, as `pusher.connect()`. */
  connect() {
    this._pusher.connect()
  }

  /** Disconnects, as `pusher.disconnect()`. */
  disconnect() {
    this._pusher.disconnect()
  }

  /** Sends an event on the socket; false when not connected. */
  send_event(name, data, channel) {
    return this._pusher.send_event(name, data, channel)
  }

  isUsingTLS() {
    return this.usingTLS
  }

  /** Moves to `state`, emitting `state_change` then the state's own event. */
  updateState(state, socketId) {
    const previous = this.state
    if (state === previous) return false
    this.state = state
    if (state === 'connected') this.socket_id = socketId
    Logger.debug('State changed', previous + ' -> ' + state)
    this.emit('state_change', { previous, current: state })
    this.emit(state, state === 'connected' ? { socket_id: this.socket_id } : undefined)
    return true
  }
}

module.exports = { ConnectionManager }
