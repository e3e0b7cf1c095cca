'use strict'
// User sign-in as a pusher-js 8.6.0 user sees it (reference §1.6, §2.3, §2.4, §4.2):
// userAuthentication.customHandler, pusher.user.user_data, server-to-user events,
// pusher:signin_error, sign-in again after a reconnect, and the watchlist.

const test = require('ava')
const { once, collect, withTimeout, startServer, client } = require('./helpers/events')
const { signedIn } = require('./helpers/auth')

const U1 = { id: 'u1', watchlist: ['u2'] }

/** A client whose userAuthentication.customHandler signs `userData`; calls are recorded. */
function signingAs(t, server, userData, extra = {}) {
  const calls = []
  const pusher = client(t, server, {
    userAuthentication: {
      customHandler: (params, callback) => {
        calls.push(params)
        callback(null, server.authenticateUser(params.socketId, JSON.stringify(userData)))
      },
    },
    ...extra,
  })
  pusher.authCalls = calls
  return pusher
}


test('signin() before connecting: the server sees user u1 and pusher.user.user_data is set', async (t) => {
  const server = await startServer(t)
  const pusher = signingAs(t, server, U1)
  t.not(pusher.connection.state, 'connected')
  const done = signedIn(pusher)
  pusher.signin()
  await done
  t.deepEqual(pusher.user.user_data, U1)
  t.deepEqual(pusher.authCalls, [{ socketId: pusher.connection.socket_id }])
  const [conn] = server.connections()
  t.is(conn.socketId, pusher.connection.socket_id)
  t.is(conn.userId, 'u1')
  await withTimeout(pusher.user.signinDonePromise, 5000, 'signinDonePromise')
  const signin = server.received().filter((f) => f.event === 'pusher:signin')
  t.is(signin.length, 1)
  t.deepEqual(JSON.parse(signin[0].text).data, server.authenticateUser(pusher.connection.socket_id, JSON.stringify(U1)))
})

test('server.sendToUser reaches pusher.user.bind with the data only', async (t) => {
  const server = await startServer(t)
  const pusher = signingAs(t, server, U1)
  pusher.signin()
  await signedIn(pusher)
  await server.waitForSubscribers('#server-to-user-u1', 1)
  const notes = collect(pusher.user, 'note')
  t.is(server.sendToUser('u1', 'note', { a: 1 }), 1)
  const [args] = await notes.until(1)
  t.is(args.length, 1, 'user events get no metadata argument')
  t.deepEqual(args[0], { a: 1 })
})

test('a failing userAuthentication handler: pusher.user gets pusher:signin_error {type: "AuthError", error}', async (t) => {
  const server = await startServer(t)
  const pusher = client(t, server, {
    userAuthentication: {
      customHandler: (params, callback) => setImmediate(() => callback(new Error('no sign-in for you'), null)),
    },
  })
  const error = once(pusher.user, 'pusher:signin_error')
  pusher.signin()
  const [data] = await error
  t.deepEqual(data, { type: 'AuthError', error: 'no sign-in for you' })
  t.is(pusher.user.user_data, null)
  t.is(pusher.connection.state, 'connected')
  t.is(server.connections()[0].userId, undefined)
  t.is(server.received().filter((f) => f.event === 'pusher:signin').length, 0)
})

test('after server.dropConnections() the sign-in is redone with the new socket id', async (t) => {
  const server = await startServer(t)
  const pusher = signingAs(t, server, U1)
  pusher.signin()
  await signedIn(pusher)
  const first = pusher.connection.socket_id
  await server.waitForSubscribers('#server-to-user-u1', 1)

  const again = signedIn(pusher, 8000)
  server.dropConnections()
  await again
  const second = pusher.connection.socket_id
  t.not(second, first)
  t.deepEqual(pusher.authCalls, [{ socketId: first }, { socketId: second }])
  t.deepEqual(pusher.user.user_data, U1)
  const [conn] = server.connections()
  t.is(conn.socketId, second)
  t.is(conn.userId, 'u1')
  // The server-to-user channel works on the new connection.
  await server.waitForSubscribers('#server-to-user-u1', 1)
  const notes = collect(pusher.user, 'note')
  server.sendToUser('u1', 'note', 'again')
  await notes.until(1)
  t.deepEqual(notes[0], ['again'])
})

test('watchlist: A (u1 watching u2) gets online when B signs in as u2, and offline when B disconnects', async (t) => {
  const server = await startServer(t)
  const a = signingAs(t, server, U1)
  a.signin()
  await signedIn(a)
  const online = collect(a.user.watchlist, 'online')
  const offline = collect(a.user.watchlist, 'offline')

  const b = signingAs(t, server, { id: 'u2' })
  b.signin()
  await signedIn(b)
  const [[event]] = await online.until(1)
  t.deepEqual(event, { name: 'online', user_ids: ['u2'] })

  b.disconnect()
  const [[gone]] = await offline.until(1)
  t.deepEqual(gone, { name: 'offline', user_ids: ['u2'] })
  t.is(online.length, 1)
})
