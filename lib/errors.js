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

module.exports = { BadEventName, BadChannelName }
