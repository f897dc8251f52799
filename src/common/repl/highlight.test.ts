import { describe, expect, it } from 'vitest'
import { stripAnsi } from './ansi'
import { highlightJs } from './highlight'

describe('highlightJs', () => {
  it('colours keywords, types, strings and numbers, leaving names plain', () => {
    expect(highlightJs('let s: string = "x" + 1')).toBe('\x1b[35mlet\x1b[0m s: \x1b[36mstring\x1b[0m = \x1b[33m"x"\x1b[0m + \x1b[32m1\x1b[0m')
  })

  it('keeps the visible text, and closes colours at each line break so prompts can go between lines', () => {
    const source = 'const t = `one\ntwo` /* a\nb */'
    const painted = highlightJs(source)
    expect(stripAnsi(painted)).toBe(source)
    for (const line of painted.split('\n')) expect(line.endsWith('\x1b[0m') || !line.includes('\x1b[')).toBe(true)
    expect(painted.split('\n')[1]!.startsWith('\x1b[33mtwo`')).toBe(true)
  })

  it('paints a 10 kB input without changing its text', () => {
    const source = 'const value = { key: "text", n: 42 } // note\n'.repeat(230)
    expect(stripAnsi(highlightJs(source))).toBe(source)
  })
})
