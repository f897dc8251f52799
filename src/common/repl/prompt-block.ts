import { stripAnsi } from './ansi'

/**
 * The prompt and the line being typed, at the bottom of a terminal, redrawn in place (the REPL
 * pane's xterm.js and the terminal client). A line longer than the terminal is wide wraps onto
 * several rows; the block remembers which row the cursor is on, so the next redraw (or output
 * written above the prompt) starts at the block's first row and clears all of it.
 * Characters are counted as one column each: wide characters may throw the count off.
 */
export class PromptBlock {
  /** Rows from the block's first row to the cursor's. */
  private cursorRow = 0

  /** Moves to the first row of the block and clears from there down. */
  erase(): string {
    const up = this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : ''
    this.cursorRow = 0
    return `${up}\r\x1b[J`
  }

  /** The block drawn again: `prompt` and `line`, with the cursor at `position` of the line. */
  draw(prompt: string, line: string, position: number, columns: number): string {
    const width = Math.max(1, columns)
    const promptWidth = stripAnsi(prompt).length
    let text = this.erase() + prompt + line
    const end = promptWidth + line.length
    // At the right margin the cursor waits to wrap: wrap now, so the arithmetic below holds.
    if (end > 0 && end % width === 0) text += '\r\n'
    const endRow = Math.floor(end / width)
    const at = promptWidth + position
    const row = Math.floor(at / width)
    const column = at % width
    if (endRow > row) text += `\x1b[${endRow - row}A`
    text += `\r${column ? `\x1b[${column}C` : ''}`
    this.cursorRow = row
    return text
  }
}
