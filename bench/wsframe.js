'use strict'
// Unmasked server-to-client WebSocket text frames, pre-built so that sending is a memcpy.

/** One text frame (FIN, opcode 1) for `text`. */
function textFrame(text) {
  const payload = Buffer.from(text, 'utf8')
  const n = payload.length
  let header
  if (n < 126) {
    header = Buffer.from([0x81, n])
  } else if (n < 65536) {
    header = Buffer.alloc(4)
    header[0] = 0x81
    header[1] = 126
    header.writeUInt16BE(n, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = 0x81
    header[1] = 127
    header.writeBigUInt64BE(BigInt(n), 2)
  }
  return Buffer.concat([header, payload])
}

/**
 * A chunk of about `targetBytes` holding `texts` as frames, round-robin, a whole number of
 * rounds. `offsets[k]` is where frame k ends, so `chunk.subarray(0, offsets[k])` is k frames.
 */
function frameChunk(texts, targetBytes = 256 * 1024) {
  const frames = texts.map(textFrame)
  const round = frames.reduce((s, f) => s + f.length, 0)
  const rounds = Math.max(1, Math.floor(targetBytes / round))
  const parts = []
  const offsets = [0]
  let at = 0
  for (let r = 0; r < rounds; r++) {
    for (const f of frames) {
      parts.push(f)
      at += f.length
      offsets.push(at)
    }
  }
  return { chunk: Buffer.concat(parts), offsets, frames: rounds * frames.length }
}

module.exports = { textFrame, frameChunk }
