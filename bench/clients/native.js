'use strict'
// pusher-native in this process. The addon's build time goes with the result, so a run that
// straddles a rebuild is noticed.
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const addon = fs.readdirSync(root).find((f) => /^pusher-native\..*\.node$/.test(f))
const builtAt = addon && fs.statSync(path.join(root, addon)).mtime.toISOString()
require('./harness')('pusher-native', require('./pusher-api')(require('../..'), { takesCa: true }), { addonBuiltAt: builtAt })
