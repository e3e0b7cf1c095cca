'use strict'
// Decodes the engine's event batches: one JSON text per batch, five slots per event. The
// layout and its kind codes are defined once, in src/batch.rs, and read from the addon here.

const {
  MESSAGE_TEXT,
  MESSAGE_NONE,
  MESSAGE_VALUE,
  STATE,
  CONNECTING_IN,
  ERROR,
  CHANNEL_REMOVED,
  LOG,
  BATCH_STRIDE: STRIDE,
} = require('./native')

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
 * per-instance closures are needed. It stops as soon as the handler's `_epoch` is no longer
 * `epoch`: a callback that called `disconnect()` or `connect()` has left the session the rest
 * of the batch describes.
 */
function forEachEvent(text, handler, epoch) {
  const batch = JSON.parse(text)
  // A message's event name or channel is 0 when it is the previous message's.
  let event
  let channel
  for (let i = 0; i < batch.length && handler._epoch === epoch; i += STRIDE) {
    const kind = batch[i]
    if (kind === MESSAGE_VALUE || kind === MESSAGE_TEXT || kind === MESSAGE_NONE) {
      if (batch[i + 1] !== 0) event = batch[i + 1]
      if (batch[i + 2] !== 0) channel = batch[i + 2]
    }
    switch (kind) {
      case MESSAGE_VALUE:
        handler._handleMessage(event, channel, batch[i + 3], batch[i + 4])
        break
      case MESSAGE_TEXT:
        handler._handleMessage(event, channel, decodeText(batch[i + 3]), batch[i + 4])
        break
      case MESSAGE_NONE:
        handler._handleMessage(event, channel, undefined, batch[i + 4])
        break
      case STATE:
        handler._handleState(batch[i + 1], batch[i + 2], batch[i + 3])
        break
      case CONNECTING_IN:
        handler._handleConnectingIn(batch[i + 3])
        break
      case ERROR:
        handler._handleError(batch[i + 3])
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
