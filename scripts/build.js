#!/usr/bin/env node
'use strict'
// `npm run build`: `napi build --platform --js binding.js --dts binding.d.ts` plus the arguments
// given (`--release` from package.json, `--target …`, `-x`, … from CI).
//
// On a Linux x64/arm64 glibc host, when no target or cross option is given, it adds
// `--target <arch>-unknown-linux-gnu --use-napi-cross`: napi's prebuilt gcc toolchain links
// against glibc 2.17, so the `.node` built (and tested) here is the one that ships and loads on
// old distributions. A host-toolchain build needs the build machine's glibc (2.34+ here).
//
//   PUSHER_NATIVE_HOST_BUILD=1 npm run build   # use the host toolchain instead
//
// The toolchain is fetched once from the npm registry (`npm pack
// @napi-rs/cross-toolchain-<host>-target-<arch>`) and unpacked under
// ~/.napi-rs/cross-toolchain/<version>/<triple>; package.json `overrides` pins
// `@napi-rs/cross-toolchain` to 1.0.0, the last version whose toolchain packages were published.
const { spawnSync } = require('node:child_process')
const { readFileSync } = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const given = process.argv.slice(2)
const args = ['build', '--platform', '--js', 'binding.js', '--dts', 'binding.d.ts', ...given]

const choosesTarget = given.some((a) =>
  ['--target', '-t', '-x', '--cross-compile', '--use-cross', '--use-napi-cross'].includes(a.split('=')[0]),
)
const hostBuild = ['1', 'true'].includes(String(process.env.PUSHER_NATIVE_HOST_BUILD).toLowerCase())

if (!choosesTarget && !hostBuild && process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch) && isGlibc()) {
  const triple = `${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-unknown-linux-gnu`
  args.push('--target', triple, '--use-napi-cross')
}

const cliPackage = require.resolve('@napi-rs/cli/package.json', { paths: [root] })
const cli = path.join(path.dirname(cliPackage), require(cliPackage).bin.napi)
console.error(`> napi ${args.join(' ')}`)
const started = Date.now()
const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' })
if (result.error) throw result.error
if (result.status === 0) console.error(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
process.exit(result.status ?? 1)

function isGlibc() {
  try {
    if (readFileSync('/usr/bin/ldd', 'utf8').includes('musl')) return false
  } catch {}
  if (!process.report || typeof process.report.getReport !== 'function') return false
  process.report.excludeNetwork = true
  const report = process.report.getReport()
  return Boolean(report && report.header && report.header.glibcVersionRuntime)
}
