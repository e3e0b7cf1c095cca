'use strict'
// Interop with sockudo, an independent Pusher-protocol server, with the official `pusher`
// server library signing auth and triggering events over sockudo's HTTP API.
const test = require('ava')
const crypto = require('crypto')
const Pusher = require('..')
const PusherServer = require('pusher')
const { startSockudo, sockudoAvailable, SOCKUDO_BIN } = require('./helpers/sockudo')
const { nextEvent, stateReached } = require('./helpers/wait')

const MASTER_KEY = crypto.randomBytes(32).toString('base64')
let sockudo
let api

test.before(async (t) => {
  if (!sockudoAvailable()) throw new Error(`sockudo is not installed at ${SOCKUDO_BIN}: run bash scripts/install-sockudo.sh`)
  sockudo = await startSockudo({ appId: 'interop', key: 'interop-key', secret: 'interop-secret' })
  api = new PusherServer(sockudo.serverOptions({ encryptionMasterKeyBase64: MASTER_KEY }))
})

test.after.always(async () => {
  if (sockudo) await sockudo.stop()
})

function client(t, extra) {
  const pusher = new Pusher(sockudo.key, sockudo.clientOptions({
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, cb) => {
        const data = channelName.startsWith('presence-')
          ? { user_id: extra && extra.userId, user_info: { name: 'user ' + (extra && extra.userId) } }
          : undefined
        cb(null, api.authorizeChannel(socketId, channelName, data))
      },
    },
    userAuthentication: {
      customHandler: ({ socketId }, cb) => cb(null, api.authenticateUser(socketId, { id: (extra && extra.userId) || 'u-1' })),
    },
    ...(extra && extra.options),
  }))
  t.teardown(() => pusher.disconnect())
  return pusher
}

test.serial('public channel: the HTTP API triggers, the client receives', async (t) => {
  const pusher = client(t)
  const channel = pusher.subscribe('interop-public')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const got = nextEvent(channel, 'greeting')
  await api.trigger('interop-public', 'greeting', { hello: 'sockudo' })
  t.deepEqual(await got, { hello: 'sockudo' })
})

test.serial('private channel signed by the pusher library, and client events between two clients', async (t) => {
  const a = client(t)
  const b = client(t)
  const ca = a.subscribe('private-interop')
  const cb = b.subscribe('private-interop')
  await Promise.all([nextEvent(ca, 'pusher:subscription_succeeded'), nextEvent(cb, 'pusher:subscription_succeeded')])
  const got = nextEvent(cb, 'client-ping')
  t.true(ca.trigger('client-ping', { n: 1 }))
  t.deepEqual(await got, { n: 1 })
})

test.serial('a bad signature is refused by sockudo and reported on the channel', async (t) => {
  const pusher = client(t, {
    options: { channelAuthorization: { customHandler: (p, cb) => cb(null, { auth: 'interop-key:' + '0'.repeat(64) }) } },
  })
  const channel = pusher.subscribe('private-forged')
  const error = await Promise.race([
    nextEvent(channel, 'pusher:subscription_error'),
    nextEvent(pusher.connection, 'error').then((e) => ({ connectionError: e })),
  ])
  t.truthy(error)
  t.false(channel.subscribed)
})

test.serial('presence: both members seen, ids as strings, removal propagates', async (t) => {
  const a = client(t, { userId: 'alice' })
  const b = client(t, { userId: 'bob' })
  const pa = a.subscribe('presence-interop')
  await nextEvent(pa, 'pusher:subscription_succeeded')
  const added = nextEvent(pa, 'pusher:member_added')
  const pb = b.subscribe('presence-interop')
  const members = await nextEvent(pb, 'pusher:subscription_succeeded')
  t.is(members.count, 2)
  t.is(members.me.id, 'bob')
  t.is((await added).id, 'bob')
  const removed = nextEvent(pa, 'pusher:member_removed')
  b.disconnect()
  t.is((await removed).id, 'bob')
  t.is(pa.members.count, 1)
})

test.serial('encrypted channel: the pusher library encrypts, the client decrypts', async (t) => {
  const pusher = client(t)
  const channel = pusher.subscribe('private-encrypted-interop')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const got = new Promise((resolve) => channel.bind('secret', (...args) => resolve(args)))
  await api.trigger('private-encrypted-interop', 'secret', { code: 42 })
  t.deepEqual(await got, [{ code: 42 }])
})

test.serial('user sign-in and an event sent to the user', async (t) => {
  const pusher = client(t, { userId: 'u-interop' })
  pusher.signin()
  await stateReached(pusher, 'connected')
  await pusher.user.signinDonePromise
  t.is(pusher.user.user_data.id, 'u-interop')
  // signinDonePromise resolved once the user's own channel was subscribed.
  const got = nextEvent(pusher.user, 'notice')
  await api.sendToUser('u-interop', 'notice', { to: 'you' })
  t.deepEqual(await got, { to: 'you' })
})
