'use strict'
// The napi-rs binding (generated into ../binding.js by `napi build`).
module.exports = require('../binding.js')
