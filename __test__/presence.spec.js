'use strict'
// Presence channels as a pusher-js 8.6.0 user sees them (reference §1.4 Members, §2.3, §2.4,
// §3.4): the Members object, member_added / member_removed, client-event metadata, and members
// rebuilt after a reconnect.

const test = require('ava')
const { once, collect, withTimeout, startServer, client, roundTrip } = require('./helpers/events')
const { gate, joined } = require('./helpers/auth')

const ROOM = 'presence-room'
const ANN = { name: 'Ann' }
const BOB = { name: 'Bob', tags: ['x'] }

/** A client that joins presence channels as `userId` (signed by the server's secret). */
function member(t, server, userId, userInfo, extra = {}) {
  const calls = []
  const pusher = client(t, server, {
    channelAuthorization: {
      customHandler: (params, callback) => {
        calls.push(params)
        callback(null, server.authorizeChannel(params.socketId, params.channelName, JSON.stringify({ user_id: userId, user_info: userInfo })))
      },
    },
    ...extra,
  })
  pusher.authCalls = calls
  return pusher
}

/** Subscribes and resolves with `[channel, membersArgument]` once subscription_succeeded fires. */
function join(pusher, name = ROOM) {
  return joined(pusher, name)
}

test('subscription_succeeded gets the Members object; count, get, each, me, myID and members', async (t) => {
  const server = await startServer(t)
  const a = member(t, server, '1', ANN)
  const [chA, membersA] = await join(a)
  t.is(membersA, chA.members, 'the callback gets channel.members itself')
  t.is(membersA.count, 1)
  t.is(membersA.myID, '1')
  t.deepEqual(membersA.me, { id: '1', info: ANN })
  t.deepEqual(membersA.get('1'), { id: '1', info: ANN })
  t.deepEqual({ ...membersA.members }, { 1: ANN })

  // B's user_id is the number 2 in channel_data: ids are strings on the client.
  const added = once(chA, 'pusher:member_added')
  const b = member(t, server, 2, BOB)
  const [chB, membersB] = await join(b)
  t.is(membersB, chB.members)
  t.is(membersB.count, 2)
  t.is(membersB.myID, '2')
  t.deepEqual(membersB.me, { id: '2', info: BOB })
  t.deepEqual(membersB.get('1'), { id: '1', info: ANN })
  t.deepEqual(membersB.get('2'), { id: '2', info: BOB })
  t.is(membersB.get('3'), null)
  t.deepEqual({ ...membersB.members }, { 1: ANN, 2: BOB })
  const each = []
  membersB.each((m) => each.push(m))
  t.deepEqual(each, [
    { id: '1', info: ANN },
    { id: '2', info: BOB },
  ])

  const [addedMember] = await added
  t.deepEqual(addedMember, { id: '2', info: BOB })
  t.is(chA.members.count, 2)
  t.deepEqual(chA.members.get('2'), { id: '2', info: BOB })
  t.deepEqual(chA.members.me, { id: '1', info: ANN }, 'me is unchanged by others joining')

  t.deepEqual(
    server.members(ROOM).map((m) => [m.id, m.info]),
    [
      ['1', ANN],
      ['2', BOB],
    ],
  )
})

test('members.members is a plain object, as in pusher-js: Object.prototype methods work on it', async (t) => {
  const server = await startServer(t)
  const a = member(t, server, '1', ANN)
  const [, members] = await join(a)
  t.deepEqual({ ...members.members }, { 1: ANN })
  t.is(Object.getPrototypeOf(members.members), Object.prototype)
  t.is(typeof members.members.hasOwnProperty, 'function')
  t.true(members.members.hasOwnProperty('1'))
})

test('pusher:member_removed {id, info} when the other client disconnects', async (t) => {
  const server = await startServer(t)
  const a = member(t, server, '1', ANN)
  const [chA] = await join(a)
  const b = member(t, server, 2, BOB)
  const added = once(chA, 'pusher:member_added')
  await join(b)
  await added
  t.is(chA.members.count, 2)

  const removed = once(chA, 'pusher:member_removed')
  b.disconnect()
  const [gone] = await removed
  t.deepEqual(gone, { id: '2', info: BOB })
  t.is(chA.members.count, 1)
  t.is(chA.members.get('2'), null)
  t.deepEqual({ ...chA.members.members }, { 1: ANN })
  t.deepEqual(chA.members.me, { id: '1', info: ANN })
})

test('client events on a presence channel carry metadata {user_id} of the sender', async (t) => {
  const server = await startServer(t)
  const a = member(t, server, '1', ANN)
  const b = member(t, server, 2, BOB)
  const [chA] = await join(a)
  const [chB] = await join(b)
  await server.waitForSubscribers(ROOM, 2)
  const atA = collect(chA, 'client-hi')
  const atB = collect(chB, 'client-hi')

  t.true(chA.trigger('client-hi', { from: 'a' }))
  const [[dataB, metaB]] = await atB.until(1)
  t.deepEqual(dataB, { from: 'a' })
  t.deepEqual(metaB, { user_id: '1' })

  t.true(chB.trigger('client-hi', { from: 'b' }))
  const [[dataA, metaA]] = await atA.until(1)
  t.deepEqual(dataA, { from: 'b' })
  t.deepEqual(metaA, { user_id: '2' })

  // Neither got its own event back: a marker sent to each alone arrives with nothing more before it.
  for (const [pusher, name] of [
    [a, 'only-a'],
    [b, 'only-b'],
  ]) {
    const ch = pusher.subscribe(name)
    await once(ch, 'pusher:subscription_succeeded')
    await roundTrip(server, pusher, name)
  }
  t.is(atA.length, 1)
  t.is(atB.length, 1)
})

test('after the server drops the connection, members are rebuilt: a member who left meanwhile is gone', async (t) => {
  const server = await startServer(t)
  // A's authorization after the reconnect waits until B has left, so B leaves while A is out.
  let hold = null
  const calls = []
  const secondAuth = gate()
  const a = client(t, server, {
    channelAuthorization: {
      customHandler: async ({ socketId, channelName }) => {
        calls.push(socketId)
        if (calls.length === 2) secondAuth.open()
        if (hold) await hold
        return server.authorizeChannel(socketId, channelName, JSON.stringify({ user_id: '1', user_info: ANN }))
      },
    },
  })
  const b = member(t, server, 2, BOB)
  const [chA] = await join(a)
  const added = once(chA, 'pusher:member_added')
  await join(b)
  await added
  t.is(chA.members.count, 2)

  const removedAtA = collect(chA, 'pusher:member_removed')
  const addedAtA = collect(chA, 'pusher:member_added')
  hold = gate()
  const firstSocket = a.connection.socket_id
  server.dropConnections(firstSocket)
  await withTimeout(secondAuth, 8000, "A's authorization after the reconnect")
  t.false(chA.subscribed)
  t.is(chA.members.count, 0, 'members are reset while disconnected')
  t.is(chA.members.get('2'), null)

  // B leaves while A is not in the channel.
  b.disconnect()
  await server.waitForConnections(1)
  t.deepEqual(server.members(ROOM), [])

  const resubscribed = once(chA, 'pusher:subscription_succeeded')
  hold.open()
  const [members] = await resubscribed
  t.not(a.connection.socket_id, firstSocket)
  t.is(calls[1], a.connection.socket_id)
  t.is(members, chA.members)
  t.is(members.count, 1)
  t.is(members.get('2'), null)
  t.deepEqual(members.get('1'), { id: '1', info: ANN })
  t.deepEqual(members.me, { id: '1', info: ANN })
  t.is(members.myID, '1')
  t.deepEqual({ ...members.members }, { 1: ANN })
  const each = []
  members.each((m) => each.push(m.id))
  t.deepEqual(each, ['1'])
  // No stale member_removed / member_added for B reached A (checked after a later marker).
  const onlyA = a.subscribe('only-a')
  await once(onlyA, 'pusher:subscription_succeeded')
  await roundTrip(server, a, 'only-a')
  t.is(removedAtA.length, 0)
  t.is(addedAtA.length, 0)
})
