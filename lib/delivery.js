'use strict'
// The engine's batches, routed to their Pusher instance. Every client of this copy of the
// package shares one native delivery (one threadsafe function while any has a session): Node
// spends over a kilobyte on each threadsafe function, which thousands of clients would pay.

const native = require('./native')

/** Instances with a session, by their engine's client number. */
const sessions = new Map()

/** The way batches reach this copy of the package (jest may load several in one process). */
const delivery = new native.BatchDelivery((client, batch, epoch) => {
  const pusher = sessions.get(client)
  if (pusher === undefined) return
  if (batch !== null) {
    // Batches of an engine replaced by switchCluster() are ignored.
    if (pusher._engineId === client) pusher._deliver(batch, epoch)
  } else if (pusher._engineId !== client || epoch === pusher._epoch) {
    // The session ended, and no newer one was started on this engine meanwhile.
    sessions.delete(client)
  }
})

/** Sends the batches of engine `client` to `pusher` until its session ends; the delivery to
 * connect it with. */
function route(client, pusher) {
  sessions.set(client, pusher)
  return delivery
}

/** How many clients have a session (for tests: ended sessions must not be retained). */
function sessionCount() {
  return sessions.size
}

module.exports = { route, sessionCount }
