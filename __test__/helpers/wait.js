'use strict'
// Waiting for events with a deadline: the tests never sleep and hope.

const Pusher = require('../..')
const { TestServer } = require('../../testing')

/** Resolves with the first `event` emitted by a pusher-js style emitter, or rejects after `ms`. */
function nextEvent(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.unbind(event, handler)
      reject(new Error(`no "${event}" within ${ms} ms`))
    }, ms)
    function handler(data) {
      clearTimeout(timer)
      emitter.unbind(event, handler)
      resolve(data)
    }
    emitter.bind(event, handler)
  })
}

/** Resolves once the connection reaches `state` (at once if it is there already). */
function stateReached(pusher, state, ms = 5000) {
  if (pusher.connection.state === state) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pusher.connection.unbind('state_change', handler)
      reject(new Error(`state stayed ${pusher.connection.state}, never ${state}, within ${ms} ms`))
    }, ms)
    function handler({ current }) {
      if (current !== state) return
      clearTimeout(timer)
      pusher.connection.unbind('state_change', handler)
      resolve()
    }
    pusher.connection.bind('state_change', handler)
  })
}

/** Records every state change of `pusher` into an array. */
function recordStates(pusher) {
  const states = []
  pusher.connection.bind('state_change', ({ current }) => states.push(current))
  return states
}

/** A started TestServer and a factory of clients, all cleaned up after the test. */
async function setup(t, serverOptions) {
  const server = await TestServer.start(serverOptions)
  const clients = []
  t.teardown(async () => {
    for (const c of clients) c.disconnect()
    await server.stop()
  })
  const connect = (extra) => {
    const pusher = new Pusher(server.key, server.clientOptions(extra))
    clients.push(pusher)
    return pusher
  }
  return { server, connect }
}

module.exports = { nextEvent, stateReached, recordStates, setup }
