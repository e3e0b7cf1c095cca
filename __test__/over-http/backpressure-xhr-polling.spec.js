'use strict'
// The backpressure suite again, every client pinned to xhr_polling (see pinnedTransport in helpers/events.js).
process.env.PUSHER_TEST_TRANSPORT = 'xhr_polling'
require('../backpressure.spec.js')
