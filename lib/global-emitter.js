'use strict'
// `pusher.global_emitter`: the Dispatcher behind `pusher.bind` and `pusher.bind_global`.

const { Dispatcher } = require('./dispatcher')

class GlobalEmitter extends Dispatcher {
  constructor(pusher) {
    super()
    this._pusher = pusher
  }

  /** A callback threw: reported as a connection `error`. */
  onCallbackError(error, event) {
    this._pusher._callbackFailed(error, event, null)
  }
}

module.exports = { GlobalEmitter }
