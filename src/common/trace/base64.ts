// src/common has neither Buffer nor atob (no Node or DOM types): a small codec, by a table of
// character codes (the live feed's packed spans come base64-encoded, some kilobytes a batch).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** Each character code's digit (-1: not a base64 digit); both the standard and the URL-safe alphabet. */
const DIGITS = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i
DIGITS['-'.charCodeAt(0)] = 62
DIGITS['_'.charCodeAt(0)] = 63

/**
 * The bytes of a base64 string (standard or URL-safe alphabet, padded or not), or undefined if it
 * is not base64.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let length = text.length
  if (text.endsWith('==')) length -= 2
  else if (text.endsWith('=')) length -= 1
  // Padding, when present, must complete the last quartet; a lone trailing character is never valid.
  if (length !== text.length && text.length % 4 !== 0) return undefined
  if (length % 4 === 1) return undefined
  const bytes = new Uint8Array(Math.floor((length * 3) / 4))
  let buffer = 0
  let bits = 0
  let at = 0
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i)
    const digit = code < 128 ? DIGITS[code]! : -1
    if (digit < 0) return undefined
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
