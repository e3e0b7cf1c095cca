'use strict'
// The backpressure suite again, every client pinned to xhr_streaming (see pinnedTransport in helpers/events.js).
process.env.PUSHER_TEST_TRANSPORT = 'xhr_streaming'
require('../backpressure.spec.js')
