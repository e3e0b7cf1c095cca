'use strict'
// Process lifetime: a connected client keeps Node alive; after disconnect() nothing does.
const test = require('ava')
const path = require('path')
const { Worker } = require('worker_threads')
const { setup } = require('./helpers/wait')
const { runChild } = require('./helpers/child')

function within(promise, ms, what) {
  let timer
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() => clearTimeout(timer))
}

test('a connected client keeps the process alive, and after disconnect() it exits by itself', async (t) => {
  const { server } = await setup(t)
  const run = runChild('stay-connected.js', [server.key, String(server.port)])
  t.teardown(() => run.child.kill())
  await run.line('subscribed')
  // The child has nothing but its connection to wait on: the event below can only reach it
  // if the connection kept it running.
  server.trigger('life', 'last-call', 'now')
  await run.line('event')
  const { code } = await within(run.exited, 5000, 'the child did not exit after disconnect()')
  t.is(code, 0)
  await server.waitForConnections(0)
})

test('with the package loaded twice in one process (as jest does), the clients of both copies keep it alive until they disconnect', async (t) => {
  const { server } = await setup(t)
  const run = runChild('reloaded-modules.js', [server.key, String(server.port)])
  t.teardown(() => run.child.kill())
  await run.line('first subscribed')
  await run.line('second subscribed')
  server.trigger('first', 'last-call', 'now')
  await run.line('first event')
  // The first copy's client is gone: only the second's connection can keep the child running
  // for this event.
  server.trigger('second', 'last-call', 'now')
  await run.line('second event')
  const { code } = await within(run.exited, 5000, 'the child did not exit after both disconnected')
  t.is(code, 0)
  await server.waitForConnections(0)
})

test('a worker that disconnected terminates cleanly', async (t) => {
  const { server } = await setup(t)
  const worker = new Worker(path.join(__dirname, 'fixtures', 'worker-client.js'), { workerData: { key: server.key, port: server.port } })
  const messages = []
  const next = (text) => new Promise((resolve) => worker.on('message', (m) => { messages.push(m); if (m === text) resolve() }))
  await within(next('subscribed'), 5000, 'worker never subscribed')
  server.trigger('w', 'ev', 'hi')
  await within(next('event:hi'), 5000, 'worker never got the event')
  worker.postMessage('disconnect')
  const exit = await within(new Promise((resolve) => worker.on('exit', resolve)), 5000, 'worker did not exit by itself after disconnect()')
  t.is(exit, 0)
  await server.waitForConnections(0)
})

test('terminating a worker with a live connection stops its client', async (t) => {
  const { server } = await setup(t)
  const worker = new Worker(path.join(__dirname, 'fixtures', 'worker-client.js'), { workerData: { key: server.key, port: server.port } })
  await within(new Promise((resolve) => worker.on('message', (m) => m === 'subscribed' && resolve())), 5000, 'worker never subscribed')
  await within(worker.terminate(), 5000, 'terminate() did not finish')
  // The env cleanup hook shut the client down: the server sees the socket go.
  await server.waitForConnections(0)
  // Events for the dead worker's channel go nowhere and crash nothing.
  t.is(server.trigger('w', 'ev', 'late'), 0)
})
