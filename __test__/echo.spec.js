'use strict'
// Laravel Echo (npm `laravel-echo` 2.x) on pusher-native, against sockudo (an independent
// Pusher-protocol server), with the official `pusher` server library triggering events and
// signing channel authorizations with the app secret.
//
// Every scenario runs four times: Echo's `pusher` and `reverb` broadcasters, each built the two
// ways Laravel documents:
//   Pusher:  new Echo({ broadcaster, key, wsHost, wsPort, wssPort, forceTLS, enabledTransports, Pusher })
//            Echo constructs the client itself with its whole options object (`reverb` adds
//            `cluster: ''`; Echo's own keys -- broadcaster, namespace, csrfToken, ... -- come along).
//   client:  new Echo({ ...options, client: new Pusher(options.key, options) })
//
// Echo needs no browser globals in Node when the client class or instance is passed: it only
// looks at `window`, `document`, `Vue`, `axios`, `jQuery` and `Turbo` behind `typeof` checks,
// so this file sets none. `require('laravel-echo')` does not work (its CommonJS build sits in a
// `"type": "module"` package and loads as an empty module), so it is imported.
//
// The authorization endpoint plays Laravel's `/broadcasting/auth`: the user is the bearer token
// (Echo's `bearerToken` option, or `auth.headers` on the client), and presence channels get
// `{user_id, user_info}` with the user's id and name, as Laravel's channel callbacks return.

const test = require('ava')
const Pusher = require('..')
const PusherServer = require('pusher')
const { startSockudo, sockudoAvailable, SOCKUDO_BIN } = require('./helpers/sockudo')
const { startAuthEndpoint } = require('./helpers/auth')
const { withTimeout } = require('./helpers/events')
const crypto = require('node:crypto')

const WAIT_MS = 5000
const NAMES = { alice: 'Alice', bob: 'Bob' }

let Echo
let sockudo
let api

test.before(async () => {
  if (!sockudoAvailable()) throw new Error(`sockudo is not installed at ${SOCKUDO_BIN}: run bash scripts/install-sockudo.sh`)
  ;({ default: Echo } = await import('laravel-echo'))
  sockudo = await startSockudo({ appId: 'echo', key: 'echo-key', secret: 'echo-secret' })
  api = new PusherServer(sockudo.serverOptions({ encryptionMasterKeyBase64: crypto.randomBytes(32).toString('base64') }))
})

test.after.always(async () => {
  if (sockudo) await sockudo.stop()
})

/** Laravel's `/broadcasting/auth`: signs for the bearer token's user; 403 without one. */
function laravelAuth(req) {
  const user = /^Bearer (\w+)$/.exec(req.headers.authorization || '')
  if (!user) return { status: 403, body: { message: 'Unauthenticated.' } }
  const id = user[1]
  const channel = req.form.get('channel_name')
  const presence = channel.startsWith('presence-') ? { user_id: id, user_info: { id, name: NAMES[id] } } : undefined
  return { status: 200, body: api.authorizeChannel(req.form.get('socket_id'), channel, presence) }
}

/**
 * An Echo client for `setup` ({broadcaster, way}) acting as `user`, disconnected after the test.
 * `authEndpoint` is where private and presence channels are authorized.
 */
function connectEcho(t, setup, user, authEndpoint) {
  const options = {
    broadcaster: setup.broadcaster,
    key: sockudo.key,
    wsHost: sockudo.host,
    wsPort: sockudo.port,
    wssPort: sockudo.port,
    forceTLS: false,
    enabledTransports: ['ws', 'wss'],
  }
  if (authEndpoint) options.authEndpoint = authEndpoint
  let echo
  if (setup.way === 'Pusher') {
    // Laravel's own configurations: `pusher` names a cluster, `reverb` does not (Echo sends '').
    if (setup.broadcaster === 'pusher') options.cluster = 'mt1'
    // A fresh `auth` per Echo: Echo shallow-merges its defaults, so without one every Echo in
    // the process writes its bearer token into the same default `auth.headers` object (which
    // the client reads at each request, as pusher-js does), and all authorize as the last user.
    echo = new Echo({ ...options, auth: { headers: {} }, bearerToken: user, csrfToken: `csrf-${user}`, Pusher })
  } else {
    // The options object is the client's too; Echo's `bearerToken` would not reach it, so the
    // header is set as a pusher-js option.
    options.cluster = setup.broadcaster === 'pusher' ? 'mt1' : ''
    options.auth = { headers: { Authorization: `Bearer ${user}` } }
    const client = new Pusher(options.key, options)
    echo = new Echo({ ...options, client })
    t.is(echo.connector.pusher, client)
  }
  t.teardown(() => echo.disconnect())
  t.true(echo.connector.pusher instanceof Pusher, 'Echo drives a pusher-native client')
  return echo
}

/** Resolves once Echo reports the channel subscribed; rejects with Echo's subscription error. */
function subscribed(channel, ms = WAIT_MS) {
  return withTimeout(
    new Promise((resolve, reject) => {
      channel.subscribed(resolve)
      channel.error((error) => reject(new Error(`subscription error on ${channel.name}: ${JSON.stringify(error)}`)))
    }),
    ms,
    `${channel.name} to be subscribed`,
  )
}

/** A callback that records its first argument; `until(n)` waits for `n` of them. */
function inbox(what) {
  const got = []
  const waiters = []
  const push = (value) => {
    got.push(value)
    for (const w of waiters.slice()) {
      if (got.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(got)
      }
    }
  }
  push.got = got
  push.until = (n, ms = WAIT_MS) => {
    if (got.length >= n) return Promise.resolve(got)
    return withTimeout(new Promise((resolve) => waiters.push({ n, resolve })), ms, `${n} ${what} (got ${got.length})`)
  }
  return push
}

/** Polls `check()` (async, true when done) until it holds; rejects after `ms`. */
async function eventually(check, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms
  for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

/** Whether sockudo's HTTP API reports `channel` as occupied. */
async function occupied(channel) {
  const res = await api.get({ path: `/channels/${channel}` })
  return (await res.json()).occupied
}

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

// laravel-echo's typings name pusher-js's class with all its statics; code written for
// pusher-js may read them too. Those that mean something in Node behave as on pusher-js's Node
// build; the browser-only ones are `undefined` there and here.
test('pusher-js\'s statics exist at run time as on its Node build', (t) => {
  const PusherJs = require('pusher-js')
  const statics = ['instances', 'isReady', 'logToConsole', 'log', 'ready', 'Runtime', 'ScriptReceivers', 'DependenciesReceivers', 'auth_callbacks', 'getClientFeatures']
  for (const name of statics) {
    // (pusher-js declares `log` but leaves it unset; here it is an accessor.)
    if (name in PusherJs) t.true(name in Pusher, name)
    t.is(typeof Pusher[name], typeof PusherJs[name], name)
  }
  t.deepEqual(Pusher.getClientFeatures(), PusherJs.getClientFeatures())
  for (const name of Object.keys(Pusher.Runtime)) t.is(typeof PusherJs.Runtime[name], 'function', `Runtime.${name}`)
  t.is(Pusher.Runtime.getProtocol(), PusherJs.Runtime.getProtocol())
  t.is(Pusher.Runtime.getLocalStorage(), PusherJs.Runtime.getLocalStorage())
  const n = Pusher.Runtime.randomInt(10)
  t.true(Number.isInteger(n) && n >= 0 && n < 10)
  t.is(typeof Pusher.prototype.subscribeAll, 'function')
})

const SETUPS = []
for (const broadcaster of ['pusher', 'reverb']) {
  for (const way of ['Pusher', 'client']) SETUPS.push({ broadcaster, way, tag: `${broadcaster}-${way.toLowerCase()}` })
}

for (const setup of SETUPS) {
  const title = (what) => `${setup.broadcaster} broadcaster, ${setup.way}: option: ${what}`

  test(title('public channel: listen(".name") and namespaced event names'), async (t) => {
    t.is(typeof globalThis.window, 'undefined', 'no browser globals are set for Echo')
    const echo = connectEcho(t, setup, 'alice')
    const name = `orders-${setup.tag}`
    const channel = echo.channel(name)
    await subscribed(channel)
    t.is(echo.connectionStatus(), 'connected')
    t.is(echo.socketId(), echo.connector.pusher.connection.socket_id)
    t.regex(echo.socketId(), /^\d+\.\d+$/)

    const raw = inbox('".order.shipped" events')
    const namespaced = inbox('"OrderShipped" events')
    channel.listen('.order.shipped', raw).listen('OrderShipped', namespaced)
    // Laravel broadcasts App\Events\OrderShipped under its class name; Echo's default
    // namespace App.Events turns listen('OrderShipped') into that name.
    await api.trigger(name, 'order.shipped', { id: 1 })
    await api.trigger(name, 'App\\Events\\OrderShipped', { id: 2 })
    t.deepEqual(await raw.until(1), [{ id: 1 }])
    t.deepEqual(await namespaced.until(1), [{ id: 2 }])
  })

  test(title('private channel: authorized by the endpoint with Echo\'s headers, events received'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const echo = connectEcho(t, setup, 'alice', endpoint.url)
    const channel = echo.private(`orders.${setup.tag}`)
    t.is(channel.name, `private-orders.${setup.tag}`)
    await subscribed(channel)

    t.is(endpoint.requests.length, 1)
    const [req] = endpoint.requests
    t.is(req.method, 'POST')
    t.is(req.form.get('channel_name'), `private-orders.${setup.tag}`)
    t.is(req.form.get('socket_id'), echo.socketId())
    t.is(req.headers.authorization, 'Bearer alice')
    if (setup.way === 'Pusher') t.is(req.headers['x-csrf-token'], 'csrf-alice')

    const got = inbox('"OrderShipped" events')
    channel.listen('OrderShipped', got)
    await api.trigger(`private-orders.${setup.tag}`, 'App\\Events\\OrderShipped', { order: 7 })
    t.deepEqual(await got.until(1), [{ order: 7 }])
  })

  // Laravel apps refresh the token by changing the headers object Echo handed to the client
  // (`echo.connector.options.auth.headers.Authorization = ...`, the same object as
  // `echo.connector.pusher.options.auth.headers`); pusher-js reads it at each request, and so
  // do we.
  test(title('auth headers changed after construction are sent with the next authorization'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const echo = connectEcho(t, setup, 'alice', endpoint.url)
    await subscribed(echo.private(`first.${setup.tag}`))
    t.is(endpoint.requests[0].headers.authorization, 'Bearer alice')

    echo.connector.pusher.options.auth.headers.Authorization = 'Bearer bob'
    await subscribed(echo.private(`second.${setup.tag}`))
    t.is(endpoint.requests.length, 2)
    t.is(endpoint.requests[1].headers.authorization, 'Bearer bob')
  })

  test(title('private channel: a refusal by the endpoint reaches error()'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, () => ({ status: 403, body: { message: 'This action is unauthorized.' } }))
    const echo = connectEcho(t, setup, 'alice', endpoint.url)
    const channel = echo.private(`secret.${setup.tag}`)
    const error = await withTimeout(new Promise((resolve) => channel.error(resolve)), WAIT_MS, 'error()')
    t.is(error.type, 'AuthError')
    t.is(error.status, 403)
  })

  test(title('encrypted private channel: the server library encrypts, Echo\'s listener gets the data'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const echo = connectEcho(t, setup, 'alice', endpoint.url)
    const channel = echo.encryptedPrivate(`vault.${setup.tag}`)
    t.is(channel.name, `private-encrypted-vault.${setup.tag}`)
    await subscribed(channel)
    const got = inbox('"SecretShared" events')
    channel.listen('SecretShared', got)
    await api.trigger(`private-encrypted-vault.${setup.tag}`, 'App\\Events\\SecretShared', { code: 42 })
    t.deepEqual(await got.until(1), [{ code: 42 }])
  })

  test(title('listenToAll, stopListening and notification'), async (t) => {
    const echo = connectEcho(t, setup, 'alice')
    const name = `feed-${setup.tag}`
    const channel = echo.channel(name)
    await subscribed(channel)
    const all = []
    const allGot = inbox('listenToAll calls')
    channel.listenToAll((event, data) => {
      all.push([event, data])
      allGot(event)
    })
    const stopped = inbox('events after stopListening')
    const notifications = inbox('notifications')
    channel.listen('.tick', stopped).notification(notifications)
    channel.stopListening('.tick', stopped)

    await api.trigger(name, 'tick', { n: 1 })
    await api.trigger(name, 'App\\Events\\Tock', { n: 2 })
    await api.trigger(name, 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated', { type: 'invoice.paid' })
    await allGot.until(3)
    // Names in Echo's namespace lose it; others get a leading dot, as listen() takes them.
    t.deepEqual(all, [
      ['.tick', { n: 1 }],
      ['Tock', { n: 2 }],
      ['.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated', { type: 'invoice.paid' }],
    ])
    t.deepEqual(await notifications.until(1), [{ type: 'invoice.paid' }])
    t.deepEqual(stopped.got, [])
  })

  test(title('connectionStatus and the connector\'s onConnectionChange'), async (t) => {
    const echo = connectEcho(t, setup, 'alice')
    const statuses = inbox('connection statuses')
    const stop = echo.connector.onConnectionChange(statuses)
    t.deepEqual(await statuses.until(2), ['connected', 'connected'])
    t.is(echo.connectionStatus(), 'connected')
    echo.disconnect()
    t.deepEqual(await statuses.until(4), ['connected', 'connected', 'disconnected', 'disconnected'])
    t.is(echo.connectionStatus(), 'disconnected')
    stop()
    echo.connector.pusher.connect()
    await subscribed(echo.channel(`after-${setup.tag}`))
    t.is(statuses.got.length, 4, 'no status after the listener was removed')
  })

  test(title('presence channel: here, joining, leaving'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const alice = connectEcho(t, setup, 'alice', endpoint.url)
    const bob = connectEcho(t, setup, 'bob', endpoint.url)
    const room = `room.${setup.tag}`

    const aliceHere = inbox('here() calls')
    const joining = inbox('joining() calls')
    const leaving = inbox('leaving() calls')
    const aliceRoom = alice.join(room).here(aliceHere).joining(joining).leaving(leaving)
    t.is(aliceRoom.name, `presence-${room}`)
    t.deepEqual(await aliceHere.until(1), [[{ id: 'alice', name: 'Alice' }]])

    const bobHere = inbox('here() calls')
    bob.join(room).here(bobHere)
    const [users] = await bobHere.until(1)
    t.deepEqual(users.slice().sort(byId), [
      { id: 'alice', name: 'Alice' },
      { id: 'bob', name: 'Bob' },
    ])
    t.deepEqual(await joining.until(1), [{ id: 'bob', name: 'Bob' }])

    bob.leave(room)
    t.deepEqual(await leaving.until(1), [{ id: 'bob', name: 'Bob' }])
    t.is(aliceRoom.subscription.members.count, 1)
  })

  test(title('whisper between two clients on a private channel'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const alice = connectEcho(t, setup, 'alice', endpoint.url)
    const bob = connectEcho(t, setup, 'bob', endpoint.url)
    const name = `chat.${setup.tag}`
    const aliceChat = alice.private(name)
    const bobChat = bob.private(name)
    await Promise.all([subscribed(aliceChat), subscribed(bobChat)])

    const toAlice = inbox('whispers to alice')
    const toBob = inbox('whispers to bob')
    aliceChat.listenForWhisper('typing', toAlice)
    bobChat.listenForWhisper('typing', toBob)
    aliceChat.whisper('typing', { name: 'Alice' })
    t.deepEqual(await toBob.until(1), [{ name: 'Alice' }])
    // Bob answers only after he got Alice's whisper, so had the server echoed Alice's own
    // whisper back to her it would have reached her first.
    bobChat.whisper('typing', { name: 'Bob' })
    t.deepEqual(await toAlice.until(1), [{ name: 'Bob' }])
  })

  test(title('whisper on a presence channel: listeners get pusher-js\'s arguments (data, metadata)'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const alice = connectEcho(t, setup, 'alice', endpoint.url)
    const bob = connectEcho(t, setup, 'bob', endpoint.url)
    const room = `huddle.${setup.tag}`
    const aliceRoom = alice.join(room)
    const bobRoom = bob.join(room)
    await Promise.all([subscribed(aliceRoom), subscribed(bobRoom)])

    const toBob = inbox('whispers to bob')
    bobRoom.listenForWhisper('typing', (...args) => toBob(args))
    aliceRoom.whisper('typing', { name: 'Alice' })
    // Echo hands the listener what the client's bind gives: the data, then the metadata, which
    // would carry the sender's user_id had the server set it (sockudo 5.2 leaves it out of
    // client events).
    t.deepEqual(await toBob.until(1), [[{ name: 'Alice' }, {}]])
  })

  test(title('leaveChannel leaves one channel, leave leaves every kind of that name'), async (t) => {
    const endpoint = await startAuthEndpoint(t, null, laravelAuth)
    const echo = connectEcho(t, setup, 'alice', endpoint.url)
    const pusher = echo.connector.pusher
    const name = `news-${setup.tag}`
    const control = `control-${setup.tag}`
    const publicNews = echo.channel(name)
    const privateNews = echo.private(name)
    const controlChannel = echo.channel(control)
    await Promise.all([subscribed(publicNews), subscribed(privateNews), subscribed(controlChannel)])

    const publicGot = inbox('public news events')
    const privateGot = inbox('private news events')
    const controlGot = inbox('control events')
    publicNews.listen('.headline', publicGot)
    privateNews.listen('.headline', privateGot)
    controlChannel.listen('.marker', controlGot)

    echo.leaveChannel(`private-${name}`)
    t.is(pusher.channel(`private-${name}`), undefined)
    t.false(`private-${name}` in echo.connector.channels)
    t.truthy(pusher.channel(name), 'the public channel of the same name stays')
    await eventually(async () => !(await occupied(`private-${name}`)), `sockudo to see private-${name} vacated`)
    await api.trigger(name, 'headline', { n: 1 })
    t.deepEqual(await publicGot.until(1), [{ n: 1 }])

    echo.leave(name)
    t.is(pusher.channel(name), undefined)
    t.false(name in echo.connector.channels)
    await eventually(async () => !(await occupied(name)), `sockudo to see ${name} vacated`)
    // Events sent before the marker would reach the client before it.
    await api.trigger(name, 'headline', { n: 2 })
    await api.trigger(`private-${name}`, 'headline', { n: 2 })
    await api.trigger(control, 'marker', {})
    await controlGot.until(1)
    t.deepEqual(publicGot.got, [{ n: 1 }])
    t.deepEqual(privateGot.got, [])
    t.truthy(pusher.channel(control), 'other channels stay subscribed')
  })
}
