'use strict'
// Starting node processes: each under `bash -c 'ulimit -n …; exec taskset -c <core> node …'`
// with an IPC channel, and killing them by pid when they overrun.

const { spawn, execFileSync } = require('child_process')
const os = require('os')

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return os.cpus().length >= 2
  } catch {
    return false
  }
}

const TASKSET = hasTaskset()
const live = new Set()

/** Pins every thread of this process to `core` (no-op without taskset). */
function pinSelf(core) {
  if (!TASKSET) return false
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' })
  return true
}

/**
 * Spawns `node [nodeArgs] script ...args` pinned to `core`, with `ulimit -n` raised as far as
 * allowed (BENCH_NOFILE in its environment says how far) and `env` added to this process's
 * environment. Returns the ChildProcess (IPC on).
 */
function spawnNode(script, args, { core, nofile, nodeArgs = [], env = {} }) {
  const pin = TASKSET && core != null ? `taskset -c ${core} ` : ''
  const cmd =
    `ulimit -n ${nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; export BENCH_NOFILE="$(ulimit -n)"; ` +
    `exec ${pin}"$0" "$@"`
  const child = spawn('bash', ['-c', cmd, process.execPath, ...nodeArgs, script, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/**
 * The fd limit a process started by spawnNode with `nofile` gets: `nofile` if the hard limit
 * allows it (or this user may raise the hard limit), else the hard limit.
 */
function effectiveNofile(nofile) {
  const out = execFileSync('bash', ['-c', `ulimit -n ${Number(nofile)} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ulimit -n`])
  return Number(String(out).trim())
}

/** SIGKILLs one child by its pid, if still running. */
function kill(child) {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL')
    } catch {}
  }
}

/** Kills every child still running (on the way out). */
function killAll() {
  for (const child of live) kill(child)
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', resolve))
}

module.exports = { TASKSET, pinSelf, spawnNode, effectiveNofile, kill, killAll, exited }
