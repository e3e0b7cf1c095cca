'use strict'
// Encrypted channels as a pusher-js 8.6.0 user sees them (reference §1.4 EncryptedChannel,
// §4.2, §4.3): the key comes from the authorization's shared_secret, events arrive decrypted
// with no metadata, a failed decryption re-authorizes once for a new key, and one that still
// fails is reported as pusher:decryption_error while other channels keep delivering.

const crypto = require('node:crypto')
const test = require('ava')
const { once, collect, startServer, client, subscribed, roundTrip } = require('./helpers/events')
const { joined } = require('./helpers/auth')

const CH = 'private-encrypted-x'

/** A client whose customHandler answers with `answer(params, callNumber)`; calls are recorded. */
function withHandler(t, server, answer, extra = {}) {
  const calls = []
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: (params, callback) => {
        calls.push(params)
        callback(null, answer(params, calls.length))
      },
    },
    ...extra,
  })
  pusher.authCalls = calls
  return pusher
}

const randomKey = () => crypto.randomBytes(32).toString('base64')

test('an encrypted channel authorized by a customHandler (with shared_secret) delivers decrypted data and no metadata', async (t) => {
  const server = await startServer(t)
  const pusher = withHandler(t, server, ({ socketId, channelName }) => server.authorizeChannel(socketId, channelName))
  const [channel] = await joined(pusher, CH)
  t.true(channel.subscribed)
  await server.waitForSubscribers(CH, 1)
  // shared_secret is never sent to the server.
  const sub = JSON.parse(server.received().find((f) => f.event === 'pusher:subscribe').text)
  t.deepEqual(sub.data, { auth: server.authorizeChannel(pusher.connection.socket_id, CH).auth, channel: CH })

  const got = collect(channel, 'ev')
  t.is(server.triggerEncrypted(CH, 'ev', { secret: 1 }), 1)
  const [args] = await got.until(1)
  t.is(args.length, 1, 'the callback gets the data only, no metadata argument')
  t.deepEqual(args[0], { secret: 1 })
  t.is(pusher.authCalls.length, 1, 'the right key needs no re-authorization')

  server.triggerEncrypted(CH, 'ev', 'plain text')
  const all = await got.until(2)
  t.deepEqual(all[1], ['plain text'])
})

test('an authorization without shared_secret: subscription_error naming the missing shared_secret', async (t) => {
  const server = await startServer(t)
  const pusher = withHandler(t, server, ({ socketId, channelName }) => ({ auth: server.authorizeChannel(socketId, channelName).auth }))
  const channel = pusher.subscribe(CH)
  const [data] = await once(channel, 'pusher:subscription_error')
  t.is(data.type, 'AuthError')
  t.true(data.error.includes('No shared_secret'), data.error)
  t.is(data.error, `No shared_secret key in auth payload for encrypted channel: ${CH}`)
  t.false(channel.subscribed)
  t.deepEqual(server.connections()[0].subscriptions, [])
})

test('key rotation: a wrong key first, the right one on the next authorization: the first event still arrives', async (t) => {
  const server = await startServer(t)
  const wrong = randomKey()
  const pusher = withHandler(t, server, ({ socketId, channelName }, n) => {
    const right = server.authorizeChannel(socketId, channelName)
    return n === 1 ? { auth: right.auth, shared_secret: wrong } : right
  })
  const [channel] = await joined(pusher, CH)
  t.is(pusher.authCalls.length, 1)
  const errors = collect(channel, 'pusher:decryption_error')
  const got = collect(channel, 'ev')
  server.triggerEncrypted(CH, 'ev', { secret: 1 })
  const [args] = await got.until(1)
  t.deepEqual(args, [{ secret: 1 }])
  const sid = pusher.connection.socket_id
  t.deepEqual(pusher.authCalls, [
    { socketId: sid, channelName: CH },
    { socketId: sid, channelName: CH },
  ])
  // Re-keying sends no new pusher:subscribe.
  t.is(server.received().filter((f) => f.event === 'pusher:subscribe').length, 1)
  // The new key keeps working without another authorization.
  server.triggerEncrypted(CH, 'ev', { secret: 2 })
  await got.until(2)
  t.deepEqual(got[1], [{ secret: 2 }])
  t.is(pusher.authCalls.length, 2)
  t.is(errors.length, 0)
})

test('a key that never works: pusher:decryption_error {event, error} on the channel, while a public channel keeps delivering', async (t) => {
  const server = await startServer(t)
  const pusher = withHandler(t, server, ({ socketId, channelName }) => ({
    auth: server.authorizeChannel(socketId, channelName).auth,
    shared_secret: randomKey(),
  }))
  const pub = await subscribed(pusher, 'pub')
  const [channel] = await joined(pusher, CH)
  const pubEvents = collect(pub, 'ev')
  const got = collect(channel, 'ev')
  const errors = collect(channel, 'pusher:decryption_error')

  server.triggerEncrypted(CH, 'ev', { secret: 1 })
  server.trigger('pub', 'ev', { n: 1 })
  const [[error]] = await errors.until(1)
  t.is(error.event, 'ev')
  t.is(typeof error.error, 'string')
  t.true(error.error.length > 0)
  t.deepEqual(Object.keys(error).sort(), ['error', 'event'])
  t.is(pusher.authCalls.length, 2, 'it re-authorized once before giving up')

  server.trigger('pub', 'ev', { n: 2 })
  await pubEvents.until(2)
  t.deepEqual(
    pubEvents.map((a) => a[0]),
    [{ n: 1 }, { n: 2 }],
  )
  // The undecryptable event never reached the channel's callbacks (checked after a marker).
  await roundTrip(server, pusher, 'pub')
  t.is(got.length, 0)
  t.is(errors.length, 1)
  t.true(channel.subscribed, 'the channel stays subscribed')
  t.is(pusher.connection.state, 'connected')
})

test('channel.trigger on an encrypted channel throws', async (t) => {
  const server = await startServer(t)
  const pusher = withHandler(t, server, ({ socketId, channelName }) => server.authorizeChannel(socketId, channelName))
  const [channel] = await joined(pusher, CH)
  t.throws(() => channel.trigger('client-x', { a: 1 }), { instanceOf: Error })
  // Nothing went out: a later client event on a private channel is the first the server sees.
  const priv = await subscribed(pusher, 'private-after')
  t.true(priv.trigger('client-y', {}))
  await server.waitForEvent('client-y', 1)
  t.deepEqual(
    server
      .received()
      .filter((f) => f.event && f.event.startsWith('client-'))
      .map((f) => f.event),
    ['client-y'],
  )
})
