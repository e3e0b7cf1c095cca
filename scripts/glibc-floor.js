#!/usr/bin/env node
'use strict'
// `npm run check:glibc [-- file.node …]`: prints the highest GLIBC_x.y symbol version each Linux
// glibc `.node` needs (from `objdump -T`) and exits 1 when one needs more than the floor.
//
// The floor is glibc 2.17 (CentOS 7, Amazon Linux 2, Debian 8), what napi's cross toolchain
// (`npm run build` on Linux glibc) links against. With no arguments it checks
// ./pusher-native.linux-*-gnu*.node. On other systems (macOS, Windows, musl) there is nothing to
// check and it exits 0. When objdump is missing it installs binutils with apt-get (as root).
//
// Env: GLIBC_FLOOR=2.17 (override the floor).
const { execFileSync, spawnSync } = require('node:child_process')
const { readdirSync, existsSync } = require('node:fs')
const path = require('node:path')

const FLOOR = process.env.GLIBC_FLOOR || '2.17'
const root = path.join(__dirname, '..')

let files = process.argv.slice(2)
if (files.length === 0) {
  files = readdirSync(root)
    .filter((f) => /^pusher-native\.linux-[a-z0-9]+-gnu[a-z0-9]*\.node$/.test(f))
    .map((f) => path.join(root, f))
  if (files.length === 0) {
    const why = process.platform === 'linux' ? 'no pusher-native.linux-*-gnu.node here (run `npm run build`)' : `nothing to check on ${process.platform}`
    console.log(`check:glibc: ${why}`)
    process.exit(process.platform === 'linux' && !isMusl() ? 1 : 0)
  }
}

ensureObjdump()

let failed = false
for (const file of files) {
  if (!existsSync(file)) {
    console.error(`check:glibc: ${file}: no such file`)
    failed = true
    continue
  }
  const dump = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const versions = [...new Set(dump.match(/GLIBC_[0-9]+(\.[0-9]+)*/g) || [])].map((v) => v.slice('GLIBC_'.length))
  versions.sort(compareVersions)
  const highest = versions[versions.length - 1]
  const name = path.relative(process.cwd(), file) || file
  if (!highest) {
    console.log(`check:glibc: ${name}: needs no versioned glibc symbol`)
    continue
  }
  const users = dump
    .split('\n')
    .filter((line) => line.includes(`GLIBC_${highest} `) || line.includes(`(GLIBC_${highest})`))
    .map((line) => line.trim().split(/\s+/).pop())
  const ok = compareVersions(highest, FLOOR) <= 0
  console.log(
    `check:glibc: ${name}: highest symbol version GLIBC_${highest} (floor ${FLOOR}) ${ok ? 'ok' : 'TOO NEW'}` +
      (ok ? '' : `\n  needed by: ${users.slice(0, 10).join(', ')}\n  build with \`npm run build\` (napi's glibc ${FLOOR} cross toolchain), not PUSHER_NATIVE_HOST_BUILD=1 or \`npm run build:debug\``),
  )
  if (!ok) failed = true
}
process.exit(failed ? 1 : 0)

function compareVersions(a, b) {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0)
    if (d) return d
  }
  return 0
}

function hasObjdump() {
  return spawnSync('objdump', ['--version'], { stdio: 'ignore' }).status === 0
}

function ensureObjdump() {
  if (hasObjdump()) return
  console.log('check:glibc: objdump is missing; installing binutils with apt-get')
  const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : []
  const run = (cmd) => {
    const full = [...sudo, ...cmd]
    const r = spawnSync(full[0], full.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    return r.status === 0
  }
  if (!(run(['apt-get', 'install', '-y', '--no-install-recommends', 'binutils']) || (run(['apt-get', 'update']) && run(['apt-get', 'install', '-y', '--no-install-recommends', 'binutils']))) || !hasObjdump()) {
    console.error('check:glibc: could not install objdump (binutils); install it and run again')
    process.exit(2)
  }
}

function isMusl() {
  try {
    return require('node:fs').readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return false
  }
}
