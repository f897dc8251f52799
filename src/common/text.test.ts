import { describe, expect, it } from 'vitest'
import { clip } from './text'

describe('clip', () => {
  it('keeps short text and cuts long text, saying how much more there was', () => {
    expect(clip('short', 5)).toBe('short')
    expect(clip('a longer text', 8)).toBe('a longer… (5 more characters)')
  })
})
