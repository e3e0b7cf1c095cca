'use strict'
// The parts made on first use (to keep idle clients small) behave as if always there: the
// callback registry and channel table going from one inline entry to a table, and
// `pusher.user`, `pusher.user.watchlist` and `pusher.global_emitter`.
const test = require('ava')
const Pusher = require('..')
const { CallbackRegistry } = require('../lib/callback-registry')
const { Channels } = require('../lib/channels')

const opts = { cluster: 'eu', wsHost: '127.0.0.1', wsPort: 1, forceTLS: false }
const fns = (list) => (list || []).map((b) => b.fn)

test('CallbackRegistry: one name inline, then a Map, with removal by name, callback and context', (t) => {
  const r = new CallbackRegistry()
  const [f, g, h] = [() => {}, () => {}, () => {}]
  const ctx = {}
  t.is(r.get('a'), undefined)
  r.add('a', f)
  r.add('a', g, ctx)
  t.deepEqual(fns(r.get('a')), [f, g])
  t.is(r.get('b'), undefined)
  r.add('b', h)
  t.deepEqual(fns(r.get('a')), [f, g])
  t.deepEqual(fns(r.get('b')), [h])
  r.remove(null, null, ctx)
  t.deepEqual(fns(r.get('a')), [f])
  r.remove('a')
  t.is(r.get('a'), undefined)
  t.deepEqual(fns(r.get('b')), [h])
  r.remove(null, h)
  t.is(r.get('b'), undefined)
  r.add('c', f)
  r.remove()
  t.is(r.get('c'), undefined)
})

test('CallbackRegistry: removing while inline replaces the list, so an emit in progress keeps its own', (t) => {
  const r = new CallbackRegistry()
  const [f, g] = [() => {}, () => {}]
  r.add('a', f)
  r.add('a', g)
  const before = r.get('a')
  r.remove('a', f)
  t.deepEqual(fns(before), [f, g])
  t.deepEqual(fns(r.get('a')), [g])
  r.remove('other')
  t.deepEqual(fns(r.get('a')), [g])
})

test('Channels: the first channel inline, the table on a second one or on access', (t) => {
  const pusher = {}
  const a = new Channels()
  const one = a.add('one', pusher)
  t.is(a.add('one', pusher), one)
  t.is(a.find('one'), one)
  t.is(a.find('two'), undefined)
  t.deepEqual(a.all(), [one])
  const two = a.add('two', pusher)
  t.deepEqual(a.all(), [one, two])
  t.deepEqual(Object.keys(a.channels), ['one', 'two'])
  t.is(a.remove('one'), one)
  t.deepEqual(a.all(), [two])

  const b = new Channels()
  const only = b.add('7', pusher)
  t.is(b.find(7), only, 'found as a table finds a property key')
  t.is(b.channels['7'], only)
  t.is(Object.getPrototypeOf(b.channels), null)
  t.is(b.find('7'), only)
  t.is(b.remove('7'), only)
  t.deepEqual(b.all(), [])
  t.is(b.remove('7'), undefined)
})

test('pusher.user, its watchlist and pusher.global_emitter are the same objects on every access', (t) => {
  const pusher = new Pusher('key', opts)
  t.teardown(() => pusher.disconnect())
  t.is(pusher.user, pusher.user)
  t.is(pusher.user.pusher, pusher)
  t.is(pusher.user.watchlist, pusher.user.watchlist)
  t.is(pusher.user.signin_requested, false)
  t.is(pusher.user.user_data, null)
  const seen = []
  const f = (data) => seen.push(data)
  pusher.bind('e', f)
  t.is(pusher.global_emitter, pusher.global_emitter)
  pusher.global_emitter.emit('e', 1)
  pusher.unbind('e', f)
  pusher.global_emitter.emit('e', 2)
  t.deepEqual(seen, [1])
})

test('unbinding before anything was bound does nothing', (t) => {
  const pusher = new Pusher('key', opts)
  t.teardown(() => pusher.disconnect())
  pusher.unbind('e')
  pusher.unbind_global()
  pusher.unbind_all()
  pusher.connection.unbind('error')
  pusher.connection.unbind_global(() => {})
  t.pass()
})
