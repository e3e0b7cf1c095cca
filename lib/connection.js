'use strict'
// `pusher.connection`: the state, the socket id, and the connection's events.

const { Dispatcher } = require('./dispatcher')
const Logger = require('./logger')
const { DEFAULTS } = require('./options')
const { wait, failure } = require('./waiting')

class ConnectionManager extends Dispatcher {
  constructor(pusher) {
    super()
    this.state = 'initialized'
    this.socket_id = undefined
    this.options = pusher.options
    this.key = pusher.key
    this.usingTLS = pusher.options.forceTLS !== false
    this.activityTimeout = pusher.options.activityTimeout || DEFAULTS.activityTimeout
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

  /**
   * Resolves with the socket id once connected (at once when connected). It keeps waiting
   * through `connecting` and `unavailable`; it rejects with an Error carrying `code` when the
   * server refuses the connection (4001–4099), and when the state becomes `failed` or
   * `disconnected` (or already is), on abort (the signal's reason, an `AbortError`) and after
   * `timeout` ms (a `TimeoutError`).
   * @param {{timeout?: number, signal?: AbortSignal}} [options]
   * @returns {Promise<string>}
   */
  ready(options) {
    return wait(options, 'the connection', (settle) => {
      const check = () => {
        if (this.state === 'connected') settle.resolve(this.socket_id)
        else if (this.state === 'failed') settle.reject(failure('The connection failed: no transport can connect', { code: 'failed' }))
        else if (this.state === 'disconnected') settle.reject(failure('The client is disconnected', { code: 'disconnected' }))
      }
      const onError = (error) => {
        // A refusal in place of the handshake comes wrapped, as pusher-js wraps it.
        const data = error && (error.data || (error.error && error.error.data))
        const code = data && data.code
        if (typeof code === 'number' && code >= 4001 && code <= 4099) {
          settle.reject(failure(`The server refused the connection: ${data.message} (${code})`, { code }))
        }
      }
      check()
      this.bind('state_change', check)
      this.bind('error', onError)
      return () => {
        this.unbind('state_change', check)
        this.unbind('error', onError)
      }
    })
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
