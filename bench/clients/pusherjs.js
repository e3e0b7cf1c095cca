'use strict'
// pusher-js in this process (the ws transport, or xhr_streaming in the xhr scenario).
require('./harness')('pusher-js', require('./pusher-api')(require('pusher-js')))
