// src/common has neither Buffer nor atob (no Node or DOM types), and ids are tiny: a small codec is
// simpler than declaring a host API every process would have to provide.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DIGITS: ReadonlyMap<string, number> = new Map(
  [...ALPHABET]
    .map((char, index) => [char, index] as const)
    .concat([
      ['-', 62],
      ['_', 63]
    ])
)

/**
 * The bytes of a base64 string (standard or URL-safe alphabet, padded or not), or undefined if it
 * is not base64.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const body = text.replace(/={1,2}$/, '')
  // Padding, when present, must complete the last quartet; a lone trailing character is never valid.
  if (body.length !== text.length && text.length % 4 !== 0) return undefined
  if (body.length % 4 === 1) return undefined
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4))
  let buffer = 0
  let bits = 0
  let at = 0
  for (const char of body) {
    const digit = DIGITS.get(char)
    if (digit === undefined) return undefined
    buffer = ((buffer << 6) | digit) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes[at++] = (buffer >> bits) & 0xff
    }
  }
  return bytes
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}
