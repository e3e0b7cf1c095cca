'use strict'
// pusher-native: `require('pusher-native')` is the Pusher class itself, as with pusher-js.
const { Pusher } = require('./lib/pusher')
const { Channel, PrivateChannel } = require('./lib/channel')
const { BadEventName, BadChannelName } = require('./lib/errors')

module.exports = Pusher
// `import Pusher from 'pusher-native'` compiled by TypeScript without esModuleInterop reads
// `.default`; pusher-js leaves it undefined (pusher-js issue #439).
module.exports.default = Pusher
// Written out one by one so Node's ESM loader also finds them as named exports.
module.exports.Channel = Channel
module.exports.PrivateChannel = PrivateChannel
module.exports.BadEventName = BadEventName
module.exports.BadChannelName = BadChannelName
