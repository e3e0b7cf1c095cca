'use strict'
// Pusher.log and Pusher.logToConsole; signatures never appear in full.
const test = require('ava')
const Pusher = require('..')
const { nextEvent, stateReached, setup } = require('./helpers/wait')

test.serial('Pusher.log receives state changes and frames, and can be switched at any time', async (t) => {
  const { server, connect } = await setup(t)
  const lines = []
  const pusher = connect()
  Pusher.log = (line) => lines.push(line)
  t.teardown(() => {
    Pusher.log = undefined
  })
  const channel = pusher.subscribe('logged')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  server.trigger('logged', 'ev', { n: 1 })
  await nextEvent(channel, 'ev')
  t.true(lines.some((l) => l === 'Pusher : State changed : connecting -> connected'), JSON.stringify(lines))
  t.true(lines.some((l) => l.includes('Event sent') && l.includes('pusher:subscribe')), 'engine lines are included')
  t.true(lines.some((l) => l.includes('Event recd') && l.includes('"ev"')))
  Pusher.log = undefined
  const count = lines.length
  server.trigger('logged', 'ev', { n: 2 })
  await nextEvent(channel, 'ev')
  t.is(lines.length, count, 'no lines once switched off')
})

test.serial('auth signatures are cut short in logs', async (t) => {
  const { server, connect } = await setup(t)
  const lines = []
  let logged
  const probeLogged = new Promise((resolve) => (logged = resolve))
  Pusher.log = (line) => {
    lines.push(line)
    if (line.includes('Event sent') && line.includes('client-probe')) logged(line)
  }
  t.teardown(() => {
    Pusher.log = undefined
  })
  const pusher = connect()
  await stateReached(pusher, 'connected')
  const signature = '58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4'
  pusher.send_event('client-probe', { auth: 'test-key:' + signature }, 'private-x')
  await server.waitForEvent('client-probe')
  const line = await probeLogged
  t.true(line.includes('test-key:58df8b'), line)
  for (const l of lines) t.false(l.includes(signature), l)
})

test.serial('a throwing Pusher.log does not break the client', async (t) => {
  const { server, connect } = await setup(t)
  Pusher.log = () => {
    throw new Error('bad logger')
  }
  t.teardown(() => {
    Pusher.log = undefined
  })
  const pusher = connect()
  const channel = pusher.subscribe('c')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  server.trigger('c', 'ev', '1')
  t.is(await nextEvent(channel, 'ev'), 1)
})
