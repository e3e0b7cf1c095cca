'use strict'
// Whether an ELF shared object still has DWARF debug info (a debug build; release builds of
// this addon are stripped). Reads the section headers only. Undefined when not ELF64 LE.

const fs = require('fs')

function hasDebugInfo(file) {
  const fd = fs.openSync(file, 'r')
  try {
    const read = (pos, len) => {
      const b = Buffer.alloc(len)
      fs.readSync(fd, b, 0, len, pos)
      return b
    }
    const h = read(0, 64)
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return undefined
    const shoff = Number(h.readBigUInt64LE(0x28))
    const shentsize = h.readUInt16LE(0x3a)
    const shnum = h.readUInt16LE(0x3c)
    const shstrndx = h.readUInt16LE(0x3e)
    if (!shoff || !shnum) return false
    const headers = read(shoff, shentsize * shnum)
    const str = headers.subarray(shstrndx * shentsize)
    const names = read(Number(str.readBigUInt64LE(0x18)), Number(str.readBigUInt64LE(0x20)))
    for (let i = 0; i < shnum; i++) {
      const at = headers.readUInt32LE(i * shentsize)
      const name = names.toString('latin1', at, names.indexOf(0, at))
      if (name === '.debug_info') return true
    }
    return false
  } finally {
    fs.closeSync(fd)
  }
}

module.exports = { hasDebugInfo }
