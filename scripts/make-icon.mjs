// Draws the app icon (resources/icon-512.png, 512×512 RGBA): the dark rounded square, the teal
// "C" ring open to the right and the prompt chevron of resources/icon.png, at the size installers
// need (electron-builder derives .icns and .ico from it). Plain Node: zlib and a CRC, no network.
// Run: node scripts/make-icon.mjs
import { Buffer } from 'node:buffer'
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const SIZE = 512
const SAMPLES = 4 // per axis: anti-aliased edges

const BACKGROUND = [30, 30, 30]
const RING = [78, 201, 176]
const CHEVRON = [212, 212, 212]

/** Distance from point p to the segment a–b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

/** The colour at (x, y) in 0…1 coordinates, or undefined outside the rounded square. */
function shade(x, y) {
  const r = 0.11 // corner radius
  const cx = Math.min(Math.max(x, r), 1 - r)
  const cy = Math.min(Math.max(y, r), 1 - r)
  if (Math.hypot(x - cx, y - cy) > r) return undefined
  // The chevron: two strokes meeting at the right.
  const chevron = Math.min(segmentDistance(x, y, 0.39, 0.37, 0.5, 0.5), segmentDistance(x, y, 0.5, 0.5, 0.39, 0.63))
  if (chevron < 0.035) return CHEVRON
  // The ring, open on the right (±35° around 0°).
  const distance = Math.hypot(x - 0.47, y - 0.5)
  const angle = (Math.atan2(y - 0.5, x - 0.47) * 180) / Math.PI
  if (distance > 0.3 && distance < 0.355 && Math.abs(angle) > 35) return RING
  return BACKGROUND
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1))
for (let py = 0; py < SIZE; py++) {
  raw[py * (SIZE * 4 + 1)] = 0 // filter: none
  for (let px = 0; px < SIZE; px++) {
    const sum = [0, 0, 0, 0]
    for (let sy = 0; sy < SAMPLES; sy++)
      for (let sx = 0; sx < SAMPLES; sx++) {
        const colour = shade((px + (sx + 0.5) / SAMPLES) / SIZE, (py + (sy + 0.5) / SAMPLES) / SIZE)
        if (!colour) continue
        sum[0] += colour[0]
        sum[1] += colour[1]
        sum[2] += colour[2]
        sum[3] += 255
      }
    const n = SAMPLES * SAMPLES
    const covered = sum[3] / 255
    const offset = py * (SIZE * 4 + 1) + 1 + px * 4
    raw[offset] = covered ? Math.round(sum[0] / covered) : 0
    raw[offset + 1] = covered ? Math.round(sum[1] / covered) : 0
    raw[offset + 2] = covered ? Math.round(sum[2] / covered) : 0
    raw[offset + 3] = Math.round(sum[3] / n)
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buffer) {
  let c = 0xffffffff
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

const header = Buffer.alloc(13)
header.writeUInt32BE(SIZE, 0)
header.writeUInt32BE(SIZE, 4)
header[8] = 8 // bit depth
header[9] = 6 // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0))
])
const out = new URL('../resources/icon-512.png', import.meta.url)
writeFileSync(out, png)
process.stdout.write(`wrote ${out.pathname} (${png.length} bytes)\n`)
