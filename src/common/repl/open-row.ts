import { stripAnsi } from './ansi'

/** An open row longer than this is left as it is: the next output starts a row of its own. */
const MAX_OPEN_ROW = 8 * 1024

/**
 * The last row of output above the prompt when it does not end with a line break (a streamed
 * answer): the prompt is drawn on the row under it, and the next output, written where the prompt
 * was, first goes back up and writes the open row again, so it continues on the same row. Used by
 * the REPL pane and the terminal client; the caller erases the prompt before and draws it after.
 */
export class OpenRow {
  /** The open row's text, styles included (empty: none is open). */
  private text = ''

  /**
   * What to write in place of `output` (the cursor at the start of the erased prompt's first row):
   * continues the open row, and ends with the cursor at the start of a row of its own (under a row
   * left open).
   */
  write(output: string, columns: number, rows = Infinity): string {
    if (!output) return ''
    let out = ''
    let continued = ''
    if (this.text) {
      const up = rowsOf(this.text, columns)
      // A line break first: the open row is already ended on screen. Too tall to go back to: leave it.
      if (output.startsWith('\n') || up >= rows) output = output.replace(/^\r?\n/, '')
      else {
        out = `\x1b[${up}A\r\x1b[J${this.text}`
        continued = this.text
      }
      this.text = ''
    }
    out += output
    const whole = continued + output
    const tail = whole.slice(whole.lastIndexOf('\n') + 1)
    if (tail.length <= MAX_OPEN_ROW) this.text = tail
    return tail ? `${out}\r\n` : out
  }

  /** The row was ended on screen by something else (an input's transcript): nothing is open any more. */
  end(): void {
    this.text = ''
  }
}

/** Rows `text` takes on a terminal `columns` wide (one column per character; styles take none). */
function rowsOf(text: string, columns: number): number {
  return Math.max(1, Math.ceil(stripAnsi(text).length / Math.max(1, columns)))
}
