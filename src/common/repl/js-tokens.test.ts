import { describe, expect, it } from 'vitest'
import { tokenize, type TokenKind } from './js-tokens'

const kinds = (source: string): Array<[TokenKind, string]> =>
  tokenize(source)
    .tokens.filter((t) => t.kind !== 'space')
    .map((t) => [t.kind, source.slice(t.start, t.end)])

describe('tokenize', () => {
  it('tells keywords, TypeScript types, strings, templates, numbers, comments, regexes and names apart', () => {
    expect(kinds('const n: number = 0x1f // hi')).toEqual([
      ['keyword', 'const'],
      ['identifier', 'n'],
      ['punctuation', ':'],
      ['type', 'number'],
      ['punctuation', '='],
      ['number', '0x1f'],
      ['comment', '// hi']
    ])
    expect(kinds('`a${x}b` + /x\\/[/]/g.source')).toEqual([
      ['template', '`a${'],
      ['identifier', 'x'],
      ['template', '}b`'],
      ['punctuation', '+'],
      ['regex', '/x\\/[/]/g'],
      ['punctuation', '.'],
      ['identifier', 'source']
    ])
    expect(kinds('a.type / 2')).toEqual([
      ['identifier', 'a'],
      ['punctuation', '.'],
      ['identifier', 'type'],
      ['punctuation', '/'],
      ['number', '2']
    ])
  })

  it('does work linear in the input, even for inputs that defeat naive scanners', () => {
    const inputs = (size: number) => ['('.repeat(size), '`${'.repeat(size / 3), '/'.repeat(size), "'\\".repeat(size / 2), 'a.b '.repeat(size / 4)]
    for (const [small, large] of inputs(2_000).map((input, i) => [input, inputs(20_000)[i]!] as const)) {
      const a = tokenize(small)
      const b = tokenize(large)
      // Ten times the input: ten times the steps (one per token), never a hundred.
      expect(a.steps).toBeLessThanOrEqual(small.length)
      expect(b.steps).toBeLessThanOrEqual(10 * a.steps + 10)
    }
  })
})
