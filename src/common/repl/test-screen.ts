/**
 * For tests: the few terminal controls the REPL's output uses (text, wrapping at the right margin,
 * CR, LF as CR LF like xterm's convertEol, cursor up/forward, erase down; styles ignored), so a
 * test can read what a person would see.
 */
export class TestScreen {
  readonly rows: string[] = ['']
  private row = 0
  private column = 0

  constructor(private readonly columns = 80) {}

  write(data: string): void {
    // eslint-disable-next-line no-control-regex -- parsing escape sequences is the point
    for (const [, escape, count, command, char] of data.matchAll(/(\x1b\[(\d*)[;\d?]*([A-Za-z]))|([\s\S])/g)) {
      if (escape) this.control(command!, Number(count || 1))
      else if (char === '\r') this.column = 0
      else if (char === '\n') this.moveTo(this.row + 1, 0)
      else {
        if (this.column >= this.columns) this.moveTo(this.row + 1, 0)
        const line = this.rows[this.row]!.padEnd(this.column)
        this.rows[this.row] = line.slice(0, this.column) + char + line.slice(this.column + 1)
        this.column++
      }
    }
  }

  /** The screen's rows, trailing blank rows left out. */
  get text(): string[] {
    const rows = [...this.rows]
    while (rows.length && !rows[rows.length - 1]) rows.pop()
    return rows
  }

  private control(command: string, count: number): void {
    if (command === 'A') this.row = Math.max(0, this.row - count)
    else if (command === 'C') this.column += count
    else if (command === 'J') {
      this.rows[this.row] = this.rows[this.row]!.slice(0, this.column)
      this.rows.splice(this.row + 1)
    }
  }

  private moveTo(row: number, column: number): void {
    this.row = row
    this.column = column
    while (this.rows.length <= row) this.rows.push('')
  }
}
