'use strict'
// Loads the native addon once, before the tests, outside jest's module registry.
//
// Loading any napi-rs addon creates napi-rs's internal `CustomGC` handle, which lives as long
// as the addon and never keeps Node alive. jest 29's --detectOpenHandles reports it anyway when
// the addon is first loaded from a test file (jestjs/jest#16378, fixed in jest 30.5). Loaded
// here first, the tests' `require('pusher-native')` reuses it, so --detectOpenHandles still
// reports what matters: a client left connected or a TestServer left running by a test.
module.exports = () => {
  require('pusher-native/testing')
}
