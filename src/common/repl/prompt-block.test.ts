import { describe, expect, it } from 'vitest'
import { PromptBlock } from './prompt-block'

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
})
