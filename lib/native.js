'use strict'
// The napi-rs binding (generated into ../binding.js by `napi build`), or an error that says
// why it could not be loaded and what to do.
let binding
try {
  binding = require('../binding.js')
} catch (error) {
  throw require('./load-error.js').describeLoadFailure(error)
}
module.exports = binding
