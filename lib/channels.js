'use strict'
// The channel table (`pusher.channels.channels` is the name → Channel map pusher-js has).

const { Channel, PrivateChannel, PresenceChannel, EncryptedChannel } = require('./channel')
const { BadChannelName } = require('./errors')
const { describe } = require('./describe')
const { channelKind } = require('./native')

/**
 * Throws where pusher-js throws: a name that is not a string (pusher-js fails on it with a
 * TypeError) or one starting with `#` (reserved for server-to-user channels). Any other name is
 * subscribed to, and a server that refuses it answers with an error, as with pusher-js.
 */
function checkName(name) {
  if (typeof name !== 'string') {
    throw new BadChannelName(`Channel name must be a string, got ${describe(name)}`)
  }
  if (name[0] === '#') {
    throw new BadChannelName('Cannot create a channel with name "' + name + '".')
  }
}

/** The class for each kind of channel; the engine decides the kind (`channelKind`). */
const CLASSES = { public: Channel, private: PrivateChannel, presence: PresenceChannel, encrypted: EncryptedChannel }

function createChannel(name, pusher) {
  return new CLASSES[channelKind(name)](name, pusher)
}

/**
 * The channels by name. Most clients subscribe to one channel, and a table object for one
 * entry is ~180 bytes, so the first channel is kept inline; the table (`channels`, a
 * null-prototype object as in pusher-js) is made for a second one or on first access.
 */
class Channels {
  constructor() {
    /** @type {Channel | null} the only channel, while there is no table */
    this._only = null
    /** @type {Record<string, Channel> | null} */
    this._table = null
  }

  /** Channels by name (pusher-js's `channels.channels`). */
  get channels() {
    if (this._table === null) {
      this._table = Object.create(null)
      if (this._only !== null) this._table[this._only.name] = this._only
      this._only = null
    }
    return this._table
  }

  /** The channel called `name`, created if needed. */
  add(name, pusher) {
    const found = this.find(name)
    if (found) return found
    const channel = createChannel(name, pusher)
    if (this._table === null && this._only === null) this._only = channel
    else this.channels[name] = channel
    return channel
  }

  all() {
    if (this._table !== null) return Object.values(this._table)
    return this._only !== null ? [this._only] : []
  }

  find(name) {
    if (this._table !== null) return this._table[name]
    const only = this._only
    if (only === null) return undefined
    // Matched as the table would match a property key.
    if (typeof name !== 'string' && typeof name !== 'symbol') name = String(name)
    return only.name === name ? only : undefined
  }

  remove(name) {
    const channel = this.find(name)
    if (this._table !== null) delete this._table[name]
    else if (channel) this._only = null
    if (channel) channel._removed()
    return channel
  }

  /** The connection went away: every channel is unsubscribed, none is forgotten. */
  disconnect() {
    if (this._table !== null) for (const name in this._table) this._table[name].disconnect()
    else if (this._only !== null) this._only.disconnect()
  }
}

module.exports = { Channels, checkName }
