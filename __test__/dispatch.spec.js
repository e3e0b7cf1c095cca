'use strict'
// Event dispatch as a pusher-js 8.6.0 user sees it (reference §5), driven by real server events.

const test = require('ava')
const { collect, connected, subscribed, roundTrip, onceWhere } = require('./helpers/events')

/** A connected client subscribed to `c`, plus a function that triggers events on `c`. */
async function setup(t) {
  const { server, pusher } = await connected(t)
  const channel = await subscribed(pusher, 'c')
  const trigger = (event, data = {}) => t.is(server.trigger('c', event, data), 1, `trigger ${event}`)
  const settle = () => roundTrip(server, pusher, 'c')
  return { server, pusher, channel, trigger, settle }
}

test('channel: global callbacks run before per-event callbacks and receive (eventName, data)', async (t) => {
  const { channel, trigger, settle } = await setup(t)
  const log = []
  channel.bind('e', (data, meta) => log.push(['bind', data, meta]))
  channel.bind_global((name, data) => log.push(['global', name, data]))
  trigger('e', { x: 1 })
  await settle()
  t.deepEqual(log.filter((l) => l[0] === 'bind' || l[1] === 'e'), [
    ['global', 'e', { x: 1 }],
    ['bind', { x: 1 }, {}],
  ])
})

test('channel: per-event callbacks run in bind order', async (t) => {
  const { channel, trigger, settle } = await setup(t)
  const log = []
  for (const name of ['a', 'b', 'c', 'd']) channel.bind('e', () => log.push(name))
  trigger('e')
  trigger('e')
  await settle()
  t.deepEqual(log, ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'])
})

test('this is the context passed to bind, and globalThis without one', async (t) => {
  const { pusher, channel, trigger, settle } = await setup(t)
  const ctx = { who: 'ctx' }
  const seen = {}
  channel.bind('e', function () { seen.channelCtx = this }, ctx)
  channel.bind('e', function () { seen.channelNone = this })
  pusher.bind('e', function () { seen.pusherCtx = this }, ctx)
  pusher.bind('e', function () { seen.pusherNone = this })
  const connCtx = { who: 'conn' }
  pusher.connection.bind('message', function (m) { if (m.event === 'e') seen.connectionCtx = this }, connCtx)
  trigger('e')
  await settle()
  t.is(seen.channelCtx, ctx)
  t.is(seen.channelNone, globalThis)
  t.is(seen.pusherCtx, ctx)
  t.is(seen.pusherNone, globalThis)
  t.is(seen.connectionCtx, connCtx)
})

// ---- unbind variants, on a channel and on the Pusher instance -------------------------------

const CTX = { ctx: 1 }
const OTHER = { ctx: 2 }

/**
 * Binds on `target`: a on e1 and e2; b on e1 with CTX; c on e2; d on e2 with CTX; e on e1 with
 * OTHER; globals g1, g2. Returns the callbacks and the log they write to.
 */
function bindAll(target) {
  const log = []
  const fns = {}
  for (const name of ['a', 'b', 'c', 'd', 'e']) {
    fns[name] = function (data) {
      log.push(`${name}:${data.n}`)
    }
  }
  for (const name of ['g1', 'g2']) {
    fns[name] = function (event, data) {
      if (event === 'e1' || event === 'e2') log.push(`${name}:${data.n}`)
    }
  }
  target.bind('e1', fns.a)
  target.bind('e1', fns.b, CTX)
  target.bind('e1', fns.e, OTHER)
  target.bind('e2', fns.c)
  target.bind('e2', fns.a)
  target.bind('e2', fns.d, CTX)
  target.bind_global(fns.g1)
  target.bind_global(fns.g2)
  return { log, fns }
}

const ALL = ['g1:1', 'g2:1', 'a:1', 'b:1', 'e:1', 'g1:2', 'g2:2', 'c:2', 'a:2', 'd:2']

const unbindCases = [
  ['nothing (baseline)', () => null, ALL],
  ['unbind(event)', (x) => x.unbind('e1'), ['g1:1', 'g2:1', 'g1:2', 'g2:2', 'c:2', 'a:2', 'd:2']],
  ['unbind(null, fn)', (x, f) => x.unbind(null, f.a), ['g1:1', 'g2:1', 'b:1', 'e:1', 'g1:2', 'g2:2', 'c:2', 'd:2']],
  ['unbind(null, null, ctx)', (x) => x.unbind(null, null, CTX), ['g1:1', 'g2:1', 'a:1', 'e:1', 'g1:2', 'g2:2', 'c:2', 'a:2']],
  ['unbind(event, fn)', (x, f) => x.unbind('e2', f.a), ['g1:1', 'g2:1', 'a:1', 'b:1', 'e:1', 'g1:2', 'g2:2', 'c:2', 'd:2']],
  ['unbind()', (x) => x.unbind(), ['g1:1', 'g2:1', 'g1:2', 'g2:2']],
  ['unbind_global(fn)', (x, f) => x.unbind_global(f.g1), ['g2:1', 'a:1', 'b:1', 'e:1', 'g2:2', 'c:2', 'a:2', 'd:2']],
  ['unbind_global()', (x) => x.unbind_global(), ['a:1', 'b:1', 'e:1', 'c:2', 'a:2', 'd:2']],
  ['unbind_all()', (x) => x.unbind_all(), []],
]

for (const where of ['channel', 'pusher']) {
  for (const [title, apply, expected] of unbindCases) {
    test(`${where}: ${title} removes what it names and returns this`, async (t) => {
      const { pusher, channel, trigger, settle } = await setup(t)
      const target = where === 'channel' ? channel : pusher
      const { log, fns } = bindAll(target)
      const returned = apply(target, fns)
      if (returned !== null) t.is(returned, target, 'returns this for chaining')
      trigger('e1', { n: 1 })
      trigger('e2', { n: 2 })
      await settle()
      t.deepEqual(log, expected)
    })
  }
}

test('bind, bind_global and the unbind family chain on channels and on Pusher', async (t) => {
  const { pusher, channel } = await setup(t)
  const fn = () => {}
  for (const x of [channel, pusher]) {
    t.is(x.bind('e', fn), x)
    t.is(x.bind_global(fn), x)
    t.is(x.unbind('e', fn).unbind(null, fn).unbind(null, null, CTX).unbind(), x)
    t.is(x.unbind_global(fn).unbind_global().unbind_all(), x)
  }
})

// ---- binding and unbinding during dispatch ---------------------------------------------------

test('mid-dispatch: a callback unbinding a later one still lets it run in that emit', async (t) => {
  const { channel, trigger, settle } = await setup(t)
  const log = []
  const b = () => log.push('b')
  channel.bind('e', () => {
    log.push('a')
    channel.unbind('e', b)
  })
  channel.bind('e', b)
  channel.bind('e', () => log.push('c'))
  trigger('e')
  trigger('e')
  await settle()
  t.deepEqual(log, ['a', 'b', 'c', 'a', 'c'])
})

test('mid-dispatch: a callback binding a new one makes it run in the same emit', async (t) => {
  const { channel, trigger, settle } = await setup(t)
  const log = []
  let bound = false
  channel.bind('e', () => {
    log.push('a')
    if (!bound) {
      bound = true
      channel.bind('e', () => log.push('d'))
    }
  })
  channel.bind('e', () => log.push('b'))
  trigger('e')
  trigger('e')
  await settle()
  t.deepEqual(log, ['a', 'b', 'd', 'a', 'b', 'd'])
})

test('mid-dispatch: after an unbind replaced the array, a newly bound callback waits for the next emit', async (t) => {
  const { channel, trigger, settle } = await setup(t)
  const log = []
  const b = () => log.push('b')
  let bound = false
  channel.bind('e', () => {
    log.push('a')
    channel.unbind('e', b)
  })
  channel.bind('e', b)
  channel.bind('e', () => {
    log.push('c')
    if (!bound) {
      bound = true
      channel.bind('e', () => log.push('d'))
    }
  })
  trigger('e')
  trigger('e')
  await settle()
  t.deepEqual(log, ['a', 'b', 'c', 'a', 'c', 'd'])
})

test('mid-dispatch: a global callback unbinding itself does not skip the next one (pusher-js bug, fixed)', async (t) => {
  const { pusher, channel, trigger, settle } = await setup(t)
  const log = []
  function g1(name) {
    if (name !== 'e') return
    log.push('g1')
    channel.unbind_global(g1)
  }
  channel.bind_global(g1)
  channel.bind_global((name) => name === 'e' && log.push('g2'))
  channel.bind_global((name) => name === 'e' && log.push('g3'))
  // The same on the Pusher instance.
  const plog = []
  function p1(name) {
    if (name !== 'e') return
    plog.push('p1')
    pusher.unbind_global(p1)
  }
  pusher.bind_global(p1)
  pusher.bind_global((name) => name === 'e' && plog.push('p2'))
  pusher.bind_global((name) => name === 'e' && plog.push('p3'))
  trigger('e')
  trigger('e')
  await settle()
  t.deepEqual(log, ['g1', 'g2', 'g3', 'g2', 'g3'])
  t.deepEqual(plog, ['p1', 'p2', 'p3', 'p2', 'p3'])
})

// ---- events reaching the Pusher instance -----------------------------------------------------

test('pusher.bind and pusher.bind_global receive channel events after the channel callbacks', async (t) => {
  const { pusher, channel, trigger, settle } = await setup(t)
  const log = []
  pusher.bind('e', function (...args) { log.push(['pusher.bind', ...args]) })
  pusher.bind_global((name, data) => name === 'e' && log.push(['pusher.bind_global', name, data]))
  channel.bind('e', (data) => log.push(['channel.bind', data]))
  trigger('e', { k: 'v' })
  await settle()
  t.deepEqual(log, [
    ['channel.bind', { k: 'v' }],
    ['pusher.bind_global', 'e', { k: 'v' }],
    ['pusher.bind', { k: 'v' }],
  ])
})

test('pusher.bind and pusher.bind_global receive events without a channel', async (t) => {
  const { server, pusher, channel, settle } = await setup(t)
  const log = []
  const all = collect(pusher, 'my-event')
  pusher.bind_global((name, data) => name === 'my-event' && log.push(['global', name, data]))
  channel.bind_global((name) => log.push(['channel global', name]))
  channel.bind('my-event', () => log.push(['channel bind']))
  server.sendRaw('{"event":"my-event","data":"1"}')
  await all.until(1)
  await settle()
  t.is(all.length, 1)
  t.deepEqual(all[0], [1], 'pusher.bind gets (data) with no metadata')
  t.deepEqual(log, [['global', 'my-event', 1], ['channel global', 'marker']])
})

test('order across emitters, as pusher-js runs them: channel globals, channel per-event, pusher.bind_global, pusher.bind, connection message', async (t) => {
  const { pusher, channel, trigger, settle } = await setup(t)
  const log = []
  // Bound in the reverse of the expected order, so the order comes from dispatch alone.
  pusher.bind('e', () => log.push('pusher.bind'))
  pusher.bind_global((name) => name === 'e' && log.push('pusher.bind_global'))
  channel.bind('e', () => log.push('channel.bind'))
  channel.bind_global((name) => name === 'e' && log.push('channel.bind_global'))
  let message
  pusher.connection.bind('message', (m) => {
    if (m.event !== 'e') return
    message = m
    log.push('connection message')
  })
  trigger('e', { z: 26 })
  await settle()
  t.deepEqual(log, ['channel.bind_global', 'channel.bind', 'pusher.bind_global', 'pusher.bind', 'connection message'])
  t.deepEqual(message, { event: 'e', channel: 'c', data: { z: 26 } })
})

// ---- errors in callbacks ---------------------------------------------------------------------

test('a callback that throws does not stop the others and is reported as a CallbackError', async (t) => {
  const { pusher, channel, trigger, settle } = await setup(t)
  const boom = new Error('boom')
  const boomGlobal = new Error('boom global')
  const log = []
  const errors = []
  pusher.connection.bind('error', (e) => {
    if (e && e.type === 'CallbackError') errors.push(e)
  })
  channel.bind_global((name) => {
    if (name !== 'e') return
    log.push('g1')
    throw boomGlobal
  })
  channel.bind_global((name) => name === 'e' && log.push('g2'))
  channel.bind('e', () => {
    log.push('a')
    throw boom
  })
  channel.bind('e', () => log.push('b'))
  pusher.bind('e', () => {
    log.push('pusher a')
    throw boom
  })
  pusher.bind('e', () => log.push('pusher b'))
  trigger('e')
  await settle()
  t.deepEqual(log, ['g1', 'g2', 'a', 'b', 'pusher a', 'pusher b'])
  t.is(errors.length, 3)
  t.is(errors[0].error, boomGlobal)
  t.is(errors[1].error, boom)
  t.is(errors[2].error, boom)
  for (const e of errors) t.is(e.type, 'CallbackError')
  t.is(pusher.connection.state, 'connected')
})

test('a throwing connection "message" callback is reported and the channel still gets the event', async (t) => {
  const { pusher, channel, trigger, settle } = await setup(t)
  const boom = new Error('message boom')
  const errors = []
  pusher.connection.bind('error', (e) => e && e.type === 'CallbackError' && errors.push(e))
  pusher.connection.bind('message', (m) => {
    if (m.event === 'e') throw boom
  })
  const got = collect(channel, 'e')
  trigger('e', { ok: true })
  await settle()
  t.is(got.length, 1)
  t.deepEqual(got[0][0], { ok: true })
  t.is(errors.length, 1)
  t.is(errors[0].error, boom)
})

test('non-function callbacks to bind are accepted, as in pusher-js, and reported when their event comes', async (t) => {
  const { pusher, channel, trigger } = await setup(t)
  for (const value of [undefined, null, 'fn', 42, {}, []]) {
    t.is(channel.bind('x', value), channel)
    t.is(pusher.bind('x', value), pusher)
    t.is(pusher.connection.bind('x', value), pusher.connection)
  }
  channel.bind('e', 'nope')
  const good = onceWhere(channel, 'e', () => true)
  const reported = onceWhere(pusher.connection, 'error', (e) => e.type === 'CallbackError')
  trigger('e')
  const [error] = await reported
  t.is(error.event, 'e')
  t.true(error.error instanceof TypeError)
  await good
})
