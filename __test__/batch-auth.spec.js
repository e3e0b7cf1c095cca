'use strict'
// Beyond pusher-js: channel authorizations batched into one request, in the format of the
// pusher-js-auth plugin (channel_name[i] fields; an answer per socket id and channel).
const test = require('ava')
const { startServer, client, once, collect } = require('./helpers/events')
const { startAuthEndpoint } = require('./helpers/auth')
const { stateReached } = require('./helpers/wait')

/** A batch endpoint: signs every channel but `private-refused` (403), as a server would. */
function batchAnswer(server) {
  return (req) => {
    const socketId = req.form.get('socket_id')
    const channels = [...req.form.keys()].filter((k) => /^channel_name\[\d+\]$/.test(k)).map((k) => req.form.get(k))
    const answer = { [socketId]: {} }
    for (const channel of channels) {
      const channelData = channel.startsWith('presence-') ? JSON.stringify({ user_id: 'u1' }) : undefined
      answer[socketId][channel] =
        channel === 'private-refused'
          ? { status: 403, data: {} }
          : { status: 200, data: server.authorizeChannel(socketId, channel, channelData) }
    }
    return { status: 200, body: answer }
  }
}

async function subscribeAll(pusher, names) {
  const outcomes = names.map((name) => {
    const channel = pusher.subscribe(name)
    return Promise.race([
      once(channel, 'pusher:subscription_succeeded').then(() => [name, 'ok']),
      once(channel, 'pusher:subscription_error').then(([e]) => [name, e.status]),
    ])
  })
  return Object.fromEntries(await Promise.all(outcomes))
}

test('subscriptions made together share one request; a refused channel fails alone', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server, batchAnswer(server))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url, batch: { delay: 20 }, params: { team: 'x' } } })
  await stateReached(pusher, 'connected')
  const results = await subscribeAll(pusher, ['private-a', 'presence-b', 'private-refused', 'public'])
  t.deepEqual(results, { 'private-a': 'ok', 'presence-b': 'ok', 'private-refused': 403, public: 'ok' })
  t.is(endpoint.requests.length, 1, 'one request for the three channels that need authorization')
  const form = endpoint.requests[0].form
  t.deepEqual([form.get('channel_name[0]'), form.get('channel_name[1]'), form.get('channel_name[2]')], ['private-a', 'presence-b', 'private-refused'])
  t.is(form.get('socket_id'), pusher.connection.socket_id)
  t.is(form.get('team'), 'x')
})

test('re-authorization after a reconnect is batched too', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server, batchAnswer(server))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url, batch: true } })
  await subscribeAll(pusher, ['private-a', 'private-b'])
  const before = endpoint.requests.length
  const again = ['private-a', 'private-b'].map((name) => collect(pusher.channel(name), 'pusher:subscription_succeeded'))
  server.dropConnections()
  await Promise.all(again.map((c) => c.until(1, 8000)))
  t.is(endpoint.requests.length, before + 1, 'both channels in one request')
  t.is(endpoint.requests[before].form.get('socket_id'), pusher.connection.socket_id)
})

test('a failing batch endpoint fails every channel in the batch, and the connection carries on', async (t) => {
  const server = await startServer(t)
  const endpoint = await startAuthEndpoint(t, server, () => ({ status: 500, body: 'down' }))
  const pusher = client(t, server, { channelAuthorization: { endpoint: endpoint.url, batch: true } })
  const results = await subscribeAll(pusher, ['private-a', 'private-b', 'public'])
  t.deepEqual(results, { 'private-a': 500, 'private-b': 500, public: 'ok' })
  t.is(endpoint.requests.length, 1)
  t.is(pusher.connection.state, 'connected')
})
