#!/usr/bin/env node
'use strict'
// `prepublishOnly` (runs before `npm publish` packs the root package):
//   1. `napi prepublish -t npm --no-gh-release` publishes each npm/<platform> package (its
//      binary put there by `napi artifacts`) and writes them into the root package.json's
//      `optionalDependencies`, pinned to this version;
//   2. removes ./pusher-native.*.node: `napi artifacts` also copies every binary to the root,
//      and `files` includes pusher-native.*.node (so `npm pack` of a local build carries its
//      binary, see scripts/pack-test.sh); the published root package must carry none, since
//      users get theirs from the optional dependency for their platform.
const { spawnSync } = require('node:child_process')
const { readdirSync, rmSync } = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const cliPackage = require.resolve('@napi-rs/cli/package.json', { paths: [root] })
const cli = path.join(path.dirname(cliPackage), require(cliPackage).bin.napi)
const args = ['prepublish', '-t', 'npm', '--no-gh-release', ...process.argv.slice(2)]
console.error(`> napi ${args.join(' ')}`)
const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' })
if (result.error) throw result.error
if (result.status !== 0) process.exit(result.status ?? 1)

for (const file of readdirSync(root)) {
  if (/^pusher-native\..+\.node$/.test(file)) {
    rmSync(path.join(root, file))
    console.error(`prepublish: removed ${file} from the root package (it ships in its npm/<platform> package)`)
  }
}
