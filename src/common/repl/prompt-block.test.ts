import { describe, expect, it } from 'vitest'
import { highlightJs } from './highlight'
import { PromptBlock, withPrompts } from './prompt-block'

/**
 * A tiny terminal: enough of VT100 (CR, LF, CUU/CUF, ED, autowrap) to see where text lands. It
 * checks what the user would see, not the escape codes.
 */
function screen(columns: number) {
  const rows: string[][] = [[]]
  let row = 0
  let column = 0
  const put = (ch: string) => {
    if (column === columns) {
      row++
      column = 0
    }
    rows[row] ??= []
    rows[row]![column++] = ch
  }
  return {
    write(text: string) {
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!
        if (ch === '\r') column = 0
        else if (ch === '\n') {
          row++
          rows[row] ??= []
        } else if (ch === '\x1b') {
          // eslint-disable-next-line no-control-regex -- escape sequences start with ESC
          const match = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i))!
          const n = Number(match[1] || 1)
          if (match[2] === 'A') row = Math.max(0, row - n)
          else if (match[2] === 'C') column += n
          else if (match[2] === 'J') {
            // Erase from the cursor to the end of the screen.
            rows.length = row + 1
            rows[row] = rows[row]!.slice(0, column)
          }
          i += match[0].length - 1
        } else put(ch)
      }
    },
    lines: () => rows.map((r) => Array.from(r, (c) => c ?? ' ').join('')),
    cursor: () => ({ row, column })
  }
}

describe('PromptBlock', () => {
  it('redraws a line that wraps in place, leaving no copies of it above', () => {
    const term = screen(10)
    const block = new PromptBlock()
    const line = 'const outfit = 1'
    for (let n = 1; n <= line.length; n++) term.write(block.draw('> ', line.slice(0, n), n, 10))
    expect(term.lines()).toEqual(['> const ou', 'tfit = 1'])
    expect(term.cursor()).toEqual({ row: 1, column: 8 })
  })

  it('puts the cursor inside a wrapped line, and clears the whole block for output written above', () => {
    const term = screen(10)
    const block = new PromptBlock()
    term.write(block.draw('> ', 'abcdefghijklmno', 3, 10))
    expect(term.cursor()).toEqual({ row: 0, column: 5 })
    term.write(`${block.erase()}output\r\n`)
    term.write(block.draw('> ', 'xy', 2, 10))
    expect(term.lines()).toEqual(['output', '> xy'])
  })

  it('wraps at once when the line ends at the right margin', () => {
    const term = screen(10)
    const block = new PromptBlock()
    term.write(block.draw('> ', '12345678', 8, 10))
    expect(term.cursor()).toEqual({ row: 1, column: 0 })
    term.write(block.draw('> ', '1234567', 7, 10))
    expect(term.lines()).toEqual(['> 1234567'])
  })

  it('draws a multi-line input with a continuation prompt before each further line, the cursor on its line', () => {
    const term = screen(20)
    const block = new PromptBlock()
    const input = 'function f() {\n  return 1\n}'
    term.write(block.draw('> ', input, input.indexOf('return'), 20, { continuation: '. ' }))
    expect(term.lines()).toEqual(['> function f() {', '.   return 1', '. }'])
    expect(term.cursor()).toEqual({ row: 1, column: 4 })
  })

  it('redraws a multi-line input whose lines wrap, in place, and clears all of it for output above', () => {
    const term = screen(10)
    const block = new PromptBlock()
    const input = 'abcdefghijkl\nxy\n12345678'
    for (let n = 1; n <= input.length; n++) term.write(block.draw('> ', input.slice(0, n), n, 10, { continuation: '. ' }))
    expect(term.lines()).toEqual(['> abcdefgh', 'ijkl', '. xy', '. 12345678', ''])
    expect(term.cursor()).toEqual({ row: 4, column: 0 })
    term.write(block.draw('> ', input, 3, 10, { continuation: '. ' })) // the cursor on the first row
    expect(term.cursor()).toEqual({ row: 0, column: 5 })
    term.write(`${block.erase()}output\r\n`)
    term.write(block.draw('> ', 'a\nb', 3, 10, { continuation: '. ' }))
    expect(term.lines()).toEqual(['output', '> a', '. b'])
  })

  it('keeps the cursor on a line that fills its last row, not on the next line', () => {
    const term = screen(10)
    const block = new PromptBlock()
    term.write(block.draw('> ', '12345678\nz', 8, 10, { continuation: '. ' }))
    expect(term.lines()).toEqual(['> 12345678', '. z'])
    expect(term.cursor()).toEqual({ row: 0, column: 9 })
  })

  it('draws colours without counting them as columns', () => {
    const term = screen(12)
    const block = new PromptBlock()
    const input = 'let a\n"b"'
    term.write(block.draw('> ', input, 2, 12, { continuation: '. ', painted: highlightJs(input) }))
    expect(term.lines()).toEqual(['> let a', '. "b"'])
    expect(term.cursor()).toEqual({ row: 0, column: 4 })
  })

  it('shows a submitted input with its prompts, every line', () => {
    expect(withPrompts('> ', '. ', 'a\nb')).toBe('> a\r\n. b')
  })
})
