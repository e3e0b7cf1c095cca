'use strict'
// The channel table (`pusher.channels.channels` is the name → Channel map pusher-js has).

const { Channel, PrivateChannel, PresenceChannel, EncryptedChannel } = require('./channel')
const { BadChannelName } = require('./errors')
const { describe } = require('./dispatcher')

/** Longest channel name accepted (the server libraries' limit). */
const MAX_NAME_LENGTH = 200
const VALID_NAME = /^[A-Za-z0-9_\-=@,.;]+$/

function checkName(name) {
  if (typeof name !== 'string' || name.length === 0) {
    throw new BadChannelName(`Channel name must be a non-empty string, got ${describe(name)}`)
  }
  if (name[0] === '#') {
    throw new BadChannelName('Cannot create a channel with name "' + name + '".')
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new BadChannelName(`Channel name "${name.slice(0, 40)}…" is longer than ${MAX_NAME_LENGTH} characters`)
  }
  if (!VALID_NAME.test(name)) {
    throw new BadChannelName(`Channel name ${JSON.stringify(name)} may only contain A-Z, a-z, 0-9 and _ - = @ , . ;`)
  }
}

function createChannel(name, pusher) {
  if (name.indexOf('private-encrypted-') === 0) return new EncryptedChannel(name, pusher)
  if (name.indexOf('private-') === 0) return new PrivateChannel(name, pusher)
  if (name.indexOf('presence-') === 0) return new PresenceChannel(name, pusher)
  return new Channel(name, pusher)
}

class Channels {
  constructor() {
    this.channels = Object.create(null)
  }

  /** The channel called `name`, created if needed. */
  add(name, pusher) {
    return this.channels[name] || (this.channels[name] = createChannel(name, pusher))
  }

  all() {
    return Object.values(this.channels)
  }

  find(name) {
    return this.channels[name]
  }

  remove(name) {
    const channel = this.channels[name]
    delete this.channels[name]
    return channel
  }

  /** The connection went away: every channel is unsubscribed, none is forgotten. */
  disconnect() {
    for (const name in this.channels) this.channels[name].disconnect()
  }
}

module.exports = { Channels, checkName }
