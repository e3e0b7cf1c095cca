'use strict'
// When the native binary cannot load, the error says what was detected and what to do.
const test = require('ava')
const path = require('path')
const { spawnSync } = require('child_process')

test('a missing binary gives a load error naming the platform, the packages and the way to build', (t) => {
  const run = spawnSync(process.execPath, ['-e', "require('pusher-native')"], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/pusher-native.node' },
    encoding: 'utf8',
  })
  t.not(run.status, 0)
  t.regex(run.stderr, new RegExp(`${process.platform}/${process.arch}`))
  t.regex(run.stderr, /pusher-native-(linux|darwin|win32)-/)
  t.regex(run.stderr, /npm run build/)
})
