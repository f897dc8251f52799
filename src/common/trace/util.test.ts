import { describe, expect, it } from 'vitest'
import { TraceFormatError } from './format-error'
import { jsonErrorOffset, parseJson } from './util'

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const valid = [
      '0',
      '-1.5e+3',
      '"a\\u00e9\\n"',
      'true',
      ' null ',
      '[]',
      '{}',
      '[1, [2, {"a": [null]}]]',
      '{"a": {"b": "c"}, "d": []}',
      '\n{\r\n\t"x" : 1 }\n'
    ]
    for (const text of valid) {
      expect(() => JSON.parse(text)).not.toThrow()
      expect(jsonErrorOffset(text), text).toBeUndefined()
    }
  })

  it.each([
    ['', 0],
    ['{', 1],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['{"a" 1}', 5],
    ['{"a": 1,}', 8],
    ['{a: 1}', 1],
    ['01', 1],
    ['"unterminated', 13],
    ['"bad \\x escape"', 5],
    ['"tab\there"', 4],
    ['[1] 2', 4],
    ['{"a": [}', 7],
    ['nul', 0],
    ['[-]', 1]
  ])('finds the error in %j at %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(jsonErrorOffset(text)).toBe(offset)
  })

  it('copes with any nesting depth', () => {
    expect(jsonErrorOffset('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined()
    expect(jsonErrorOffset('['.repeat(100_000))).toBe(100_000)
  })
})

describe('parseJson', () => {
  it('names the line and column of a syntax error in a pretty-printed document', () => {
    const text = '{\n  "resourceSpans": [\n    { "scopeSpans": [] }\n    { "scopeSpans": [] }\n  ]\n}'
    const error = (() => {
      try {
        parseJson(text)
      } catch (error) {
        return error
      }
    })()
    expect(error).toBeInstanceOf(TraceFormatError)
    expect((error as TraceFormatError).message).toMatch(/^line 4: invalid JSON at column 5 \(.+\)$/)
  })
})
