'use strict'
// CPU time of the JS (main) thread alone, from /proc/self/task/<pid>/stat (Linux; null
// elsewhere). Event-loop utilization is wall time: when the client's threads share one core,
// time the JS thread waited for the core counts as busy. This counts only the time it ran,
// in clock ticks (10 ms each), so it is read over runs of a second or so.

const fs = require('fs')

const TICK_US = 10000

/** Microseconds of CPU the main thread has used, or null where /proc is missing. */
function mainThreadCpuUs() {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_US
  } catch {
    return null
  }
}

module.exports = { mainThreadCpuUs }
