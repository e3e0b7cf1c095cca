'use strict'
// The channel, auth, presence, encrypted and reliability suites again, every client pinned to
// xhr_streaming (see pinnedTransport in helpers/events.js).
process.env.PUSHER_TEST_TRANSPORT = 'xhr_streaming'
for (const suite of ['channels', 'auth', 'presence', 'encrypted', 'reliability']) require(`../${suite}.spec.js`)
