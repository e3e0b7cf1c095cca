'use strict'
// Event data strings of an exact length, and Pusher event frames that carry them.

/** A JSON object string of exactly `size` characters: {"id":<id>,"pad":"xxx…"}. */
function data(size, id = 12345) {
  const head = `{"id":${id},"pad":"`
  const tail = '"}'
  const n = size - head.length - tail.length
  if (n < 0) throw new Error(`data size ${size} is too small`)
  return head + 'x'.repeat(n) + tail
}

/**
 * Like `data`, with the event's place in its stream as `seq`, so a client can check that every
 * event came, in order: {"id":12345,"seq":<seq>,"pad":"xxx…"}, still exactly `size` characters.
 */
function sequenced(size, seq, id = 12345) {
  const head = `{"id":${id},"seq":${seq},"pad":"`
  const n = size - head.length - 2
  if (n < 0) throw new Error(`data size ${size} is too small`)
  return head + 'x'.repeat(n) + '"}'
}

/** The text of a Pusher event frame: `data` is the string put in the frame's `data` field. */
function eventFrame(channel, event, data) {
  return JSON.stringify({ event, channel, data })
}

module.exports = { data, sequenced, eventFrame }
