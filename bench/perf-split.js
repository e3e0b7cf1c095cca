'use strict'
// Splits a profile of bench/profile.js by thread and by the part of an event's path each
// sample was in, in µs per event. bench/PROFILE.md has the commands and the results.
//
//   perf script -F comm,pid,tid,ip,sym -i perf.data | node bench/perf-split.js <µs CPU per event>
//   … | DETAIL='batch encode' node bench/perf-split.js …   # and the leaf symbols of a part
//
// The client process is the one with a `pusher-io` thread; other processes (the event
// source) are left out. Each sample goes to the first part whose pattern matches a frame of
// its stack, leaf first (inlined frames, which perf prints after the function they are
// inlined into, are read before it). Stacks of the I/O thread need `--call-graph dwarf`
// (Rust is built without frame pointers); the JS thread's need `-g` and `--perf-basic-prof`.

const PARTS = {
  io: [
    ['crossing: threadsafe-function call (queue, uv_async_send)', /call_threadsafe_function|uv_async_send|ThreadsafeFunction.*::call\b/],
    ['batch: freeing the turn\'s events', /drop_in_place<pusher_client::event::Batch>|drop_in_place<alloc::vec::Vec<pusher_client::event::Event/],
    ['batch encode: checking text data is JSON', /IgnoredAny|json_check/],
    ['batch encode: escaping and copying', /batch_json|BatchSink as pusher_client::event::EventSink>::deliver/],
    ['Pusher frame parse: data string unescaped and copied', /from_raw|Data::from_raw/],
    ['Pusher frame parse: envelope', /pusher_frame::decode|^decode \(inlined\)|WireFrame/],
    ['state machine (on_event, actions, event names copied)', /Machine::handle|apply_actions|drain_actions/],
    ['WebSocket frame scan (headers, UTF-8 check)', /Codec::frames|ws_frame|FrameHeader|from_utf8/],
    ['copy of the read into the codec buffer', /Codec::received|release_idle_read_buffer/],
    ['socket read (recv syscall, loopback TCP)', /WebSocket::poll_read|__libc_recv|sys_recvfrom|try_read/],
    ['tokio: epoll, park, wake', /epoll_wait|park|Parker|unpark|futex/],
    ['tokio: scheduler, timers, other', /tokio::/],
  ],
  js: [
    ['crossing: batch text made a JS string (UTF-8 decode)', /napi_create_string_utf8|Utf8Decoder|NewFromUtf8/],
    ['JSON.parse of the batch', /JsonParse|JsonParser/],
    ['GC (main thread part)', /Heap::|Scavenge|MarkCompact|GCTracer|Heap_|MinorGC/],
    ['user callback (bench)', /JS:.*(profile|stream-client)\.js/],
    ['dispatch (pusher.js, channel, dispatcher)', /JS:.*(dispatcher|channel|pusher|callback-registry|delivery)\.js/],
    ['batch walk (forEachEvent)', /JS:.*batch\.js/],
    ['crossing: libuv wake, tsfn queue, napi call', /call_js_cb|uv__async|uv_async|napi_call_function|ThreadsafeFunction|napi_|Execution::Call|JSEntry/],
    ['event loop poll (epoll)', /epoll_wait|uv__io_poll|uv_run/],
  ],
}

/** Parses `perf script` text into samples {comm, pid, tid, frames}. */
function parse(text) {
  const samples = []
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '')
    if (lines.length === 0) continue
    const head = lines[0].trim().match(/^(.*?)\s+(\d+)\/(\d+)/)
    if (!head) continue
    const groups = []
    for (const line of lines.slice(1)) {
      const m = line.trim().match(/^([0-9a-f]+)\s+(.*)$/)
      if (!m) continue
      const [, ip, sym] = m
      const last = groups[groups.length - 1]
      if (last && last.ip === ip) last.names.push(sym)
      else groups.push({ ip, names: [sym] })
    }
    // perf prints a function, then what is inlined into it innermost first: read those first.
    const frames = groups.flatMap((g) => [...g.names.slice(1), g.names[0]])
    samples.push({ comm: head[1], pid: head[2], tid: head[3], frames })
  }
  return samples
}

function classify(frames, parts) {
  for (const frame of frames) {
    for (const [name, re] of parts) if (re.test(frame)) return name
  }
  return 'other'
}

function main() {
  const usPerEvent = Number(process.argv[2])
  const samples = parse(require('fs').readFileSync(0, 'utf8'))
  const io = samples.find((s) => s.comm === 'pusher-io')
  if (!io) throw new Error('no pusher-io thread in the profile')
  const mine = samples.filter((s) => s.pid === io.pid)
  const threadOf = (s) => (s.tid === s.pid ? 'js' : s.comm === 'pusher-io' ? 'io' : 'other')
  const us = (n) => (Number.isFinite(usPerEvent) ? `${((n / mine.length) * usPerEvent).toFixed(3)} µs` : '')
  const pct = (n, of) => `${((100 * n) / of).toFixed(1)} %`
  for (const thread of ['io', 'js', 'other']) {
    const ts = mine.filter((s) => threadOf(s) === thread)
    console.log(`\n${thread} thread: ${ts.length} samples, ${pct(ts.length, mine.length)} of the process, ${us(ts.length)}`)
    if (thread === 'other') {
      const byComm = count(ts.map((s) => s.comm))
      for (const [c, n] of byComm) console.log(`  ${c.padEnd(60)} ${pct(n, ts.length).padStart(7)} ${us(n)}`)
      continue
    }
    const byPart = count(ts.map((s) => classify(s.frames, PARTS[thread])))
    for (const [p, n] of byPart) {
      console.log(`  ${p.padEnd(60)} ${pct(n, ts.length).padStart(7)} ${us(n)}`)
      // DETAIL=<words of a part's name>: that part's leaf symbols too.
      if (process.env.DETAIL && p.includes(process.env.DETAIL)) {
        const leaves = count(ts.filter((s) => classify(s.frames, PARTS[thread]) === p).map((s) => s.frames[0] || '?'))
        for (const [sym, k] of leaves.slice(0, 12)) console.log(`      ${sym.slice(0, 84).padEnd(84)} ${pct(k, n).padStart(7)}`)
      }
    }
    console.log('  top leaf symbols:')
    for (const [sym, n] of count(ts.map((s) => s.frames[0] || '?')).slice(0, 15)) {
      console.log(`    ${sym.slice(0, 90).padEnd(90)} ${pct(n, ts.length).padStart(7)}`)
    }
  }
}

function count(xs) {
  const m = new Map()
  for (const x of xs) m.set(x, (m.get(x) || 0) + 1)
  return [...m.entries()].sort((a, b) => b[1] - a[1])
}

main()
