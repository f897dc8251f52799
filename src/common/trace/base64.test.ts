import { describe, expect, it } from 'vitest'
import { decodeBase64, toHex } from './base64'

describe('base64', () => {
  it('decodes like Buffer, padded or not, standard or URL-safe', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 97 + length * 31) & 0xff))
      const standard = bytes.toString('base64')
      expect(toHex(decodeBase64(standard)!)).toBe(bytes.toString('hex'))
      expect(toHex(decodeBase64(standard.replace(/=+$/, ''))!)).toBe(bytes.toString('hex'))
      expect(toHex(decodeBase64(bytes.toString('base64url'))!)).toBe(bytes.toString('hex'))
    }
  })

  it('says undefined for text that is not base64', () => {
    for (const text of ['a', 'abcde', 'ab=c', 'ab==c', 'a===', 'ab c', 'ab!d', 'abc==', 'é']) expect(decodeBase64(text), text).toBeUndefined()
  })
})
