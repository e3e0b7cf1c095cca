'use strict'
// Errors thrown to callers; each names what was wrong.

class BadEventName extends Error {
  constructor(message) {
    super(message)
    this.name = 'BadEventName'
  }
}

class BadChannelName extends Error {
  constructor(message) {
    super(message)
    this.name = 'BadChannelName'
  }
}

/** A feature the channel does not have, e.g. client events on an encrypted channel (as pusher-js). */
class UnsupportedFeature extends Error {
  constructor(message) {
    super(message)
    this.name = 'UnsupportedFeature'
  }
}

module.exports = { BadEventName, BadChannelName, UnsupportedFeature }
