'use strict'
// pusher-native: `require('pusher-native')` is the Pusher class itself, as with pusher-js.
const { Pusher } = require('./lib/pusher')
const { Channel, PrivateChannel } = require('./lib/channel')
const { BadEventName, BadChannelName } = require('./lib/errors')

// `import Pusher from 'pusher-native'` compiled by TypeScript without esModuleInterop reads
// `.default`; pusher-js leaves it undefined (pusher-js issue #439).
Object.defineProperty(Pusher, 'default', { value: Pusher })
Object.assign(Pusher, { Channel, PrivateChannel, BadEventName, BadChannelName })

module.exports = Pusher
