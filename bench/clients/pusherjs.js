'use strict'
// pusher-js (its ws transport only) in this process.
require('./harness')('pusher-js', require('./pusher-api')(require('pusher-js')))
