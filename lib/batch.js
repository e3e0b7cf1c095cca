'use strict'
// Decodes the engine's event batches (see src/batch.rs for the layout): a flat array, or
// the same as one JSON text.

const MESSAGE_TEXT = 0
const MESSAGE_JSON = 1
const MESSAGE_NONE = 2
const STATE = 3
const CONNECTING_IN = 4
const ERROR = 5
const CHANNEL_REMOVED = 6
const LOG = 7
const MESSAGE_VALUE = 8
const STRIDE = 5

/** Event data as pusher-js decodes it: JSON when the string parses, the string otherwise. */
function decodeText(text) {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * Walks a batch, calling `handler._handleMessage(event, channel, data, userId)`,
 * `handler._handleState(previous, current, socketId)`, `handler._handleConnectingIn(ms)`,
 * `handler._handleError(obj)`, `handler._handleChannelRemoved(name)` and
 * `handler._handleLog(line)` in order. The handler is the Pusher instance itself, so no
 * per-instance closures are needed.
 */
function forEachEvent(batch, handler) {
  if (typeof batch === 'string') batch = JSON.parse(batch)
  for (let i = 0; i < batch.length; i += STRIDE) {
    switch (batch[i]) {
      case MESSAGE_VALUE:
        handler._handleMessage(batch[i + 1], batch[i + 2], batch[i + 3], batch[i + 4])
        break
      case MESSAGE_TEXT:
        handler._handleMessage(batch[i + 1], batch[i + 2], decodeText(batch[i + 3]), batch[i + 4])
        break
      case MESSAGE_JSON:
        handler._handleMessage(batch[i + 1], batch[i + 2], JSON.parse(batch[i + 3]), batch[i + 4])
        break
      case MESSAGE_NONE:
        handler._handleMessage(batch[i + 1], batch[i + 2], undefined, batch[i + 4])
        break
      case STATE:
        handler._handleState(batch[i + 1], batch[i + 2], batch[i + 3])
        break
      case CONNECTING_IN:
        handler._handleConnectingIn(batch[i + 3])
        break
      case ERROR:
        handler._handleError(typeof batch[i + 3] === 'string' ? JSON.parse(batch[i + 3]) : batch[i + 3])
        break
      case CHANNEL_REMOVED:
        handler._handleChannelRemoved(batch[i + 2])
        break
      case LOG:
        handler._handleLog(batch[i + 3])
        break
    }
  }
}

module.exports = { forEachEvent, decodeText }
