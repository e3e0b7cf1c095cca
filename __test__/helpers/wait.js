'use strict'
// Short forms over helpers/events.js: the first argument of an event, a state reached, a
// server with a client factory. Every wait has a deadline: the tests never sleep and hope.

const { once, onceWhere, startServer, client } = require('./events')

/** Resolves with the first argument of the next `event` on `emitter`, or rejects after `ms`. */
function nextEvent(emitter, event, ms = 5000) {
  return once(emitter, event, ms).then((args) => args[0])
}

/** Resolves once the connection reaches `state` (at once if it is there already). */
function stateReached(pusher, state, ms = 5000) {
  if (pusher.connection.state === state) return Promise.resolve()
  return onceWhere(pusher.connection, 'state_change', ({ current }) => current === state, ms).then(() => {})
}

/** Records every state change of `pusher` into an array. */
function recordStates(pusher) {
  const states = []
  pusher.connection.bind('state_change', ({ current }) => states.push(current))
  return states
}

/** A started TestServer and a factory of clients, all cleaned up after the test. */
async function setup(t, serverOptions) {
  const server = await startServer(t, serverOptions)
  return { server, connect: (extra) => client(t, server, extra) }
}

module.exports = { nextEvent, stateReached, recordStates, setup }
