import { stripAnsi } from './ansi'

export interface DrawOptions {
  /** The prompt of the lines after the first of a multi-line input (default: spaces as wide as `prompt`). */
  continuation?: string
  /** `line` as shown, with colours (SGR only, none spanning a line break); the same visible text. */
  painted?: string
}

/**
 * The prompt and the input being typed, at the bottom of a terminal, redrawn in place (the REPL
 * pane's xterm.js and the terminal client). The input may have several lines (each after the
 * first gets a continuation prompt), and each may be longer than the terminal is wide and wrap onto
 * several rows; the block remembers which row the cursor is on, so the next redraw (or output
 * written above the prompt) starts at the block's first row and clears all of it.
 * Characters are counted as one column each: wide characters may throw the count off.
 */
export class PromptBlock {
  /** Rows from the block's first row to the cursor's. */
  private cursorRow = 0

  /** How many rows of the block are above the cursor's: the block starts that many rows up. */
  get rowsAboveCursor(): number {
    return this.cursorRow
  }

  /** Moves to the first row of the block and clears from there down. */
  erase(): string {
    const up = this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : ''
    this.cursorRow = 0
    return `${up}\r\x1b[J`
  }

  /** The block drawn again: `prompt` and `line`, with the cursor at `position` of the line. */
  draw(prompt: string, line: string, position: number, columns: number, options: DrawOptions = {}): string {
    const width = Math.max(1, columns)
    const promptWidth = stripAnsi(prompt).length
    const continuation = options.continuation ?? ' '.repeat(promptWidth)
    const continuationWidth = stripAnsi(continuation).length
    const lines = line.split('\n')
    const painted = options.painted?.split('\n')
    const shown = painted?.length === lines.length ? painted : lines

    let text = this.erase()
    /** The first row of each line, counted from the block's first row. */
    let row = 0
    let cursorRow = 0
    let cursorColumn = 0
    let offset = 0 // of the current line in `line`
    for (let i = 0; i < lines.length; i++) {
      const lead = i === 0 ? promptWidth : continuationWidth
      const length = lines[i]!.length
      text += (i === 0 ? prompt : `\r\n${continuation}`) + shown[i]!
      if (position >= offset && position <= offset + length) {
        // The end of a line that fills its last row: on that row's last cell (the next row is the next line's).
        const at = Math.min(lead + position - offset, i < lines.length - 1 && length > 0 && (lead + length) % width === 0 ? lead + length - 1 : Infinity)
        cursorRow = row + Math.floor(at / width)
        cursorColumn = at % width
      }
      const end = lead + length
      // A line that ends exactly at the right margin leaves the cursor waiting to wrap: its rows end there.
      const rows = end > 0 && end % width === 0 ? end / width : Math.floor(end / width) + 1
      if (i === lines.length - 1) {
        // At the right margin the cursor waits to wrap: wrap now, so the arithmetic below holds.
        if (end > 0 && end % width === 0) text += '\r\n'
        row += Math.floor(end / width)
      } else row += rows
      offset += length + 1
    }
    if (row > cursorRow) text += `\x1b[${row - cursorRow}A`
    text += `\r${cursorColumn ? `\x1b[${cursorColumn}C` : ''}`
    this.cursorRow = cursorRow
    return text
  }
}

/** An input as the transcript shows it once submitted: the prompt, and the continuation prompt before each further line. */
export function withPrompts(prompt: string, continuation: string, input: string): string {
  return prompt + input.split('\n').join(`\r\n${continuation}`)
}
