/**
 * The prompt's line editor, as pure state: keystrokes in (xterm's `onData` strings), edits and
 * actions out. It lives in the renderer so typing never waits for the runtime.
 */
export type EditorAction =
  /** The line changed: draw this text with the cursor at `position` (a snapshot, taken when it happened). */
  { kind: 'redraw'; line: string; position: number } | { kind: 'submit'; line: string } | { kind: 'interrupt' } | { kind: 'none' }

const ESC = '\x1b'

export class LineEditor {
  private text = ''
  private cursor = 0

  get line(): string {
    return this.text
  }

  /** Cursor position as an index into `line`. */
  get position(): number {
    return this.cursor
  }

  clear(): void {
    this.text = ''
    this.cursor = 0
  }

  /** Applies one chunk of terminal input; a paste may contain several lines and yields several actions. */
  input(data: string): EditorAction[] {
    const actions: EditorAction[] = []
    let dirty = false
    const flush = (): void => {
      if (dirty) actions.push({ kind: 'redraw', line: this.text, position: this.cursor })
      dirty = false
    }
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!
      if (data.startsWith('\x1b[Z', i)) {
        flush()
        actions.push({ kind: 'next-mode' })
        i += 2
      } else if (ch === ESC) {
        // eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
        const sequence = /^\x1b\[(?:[0-9;]*)[A-Za-z~]|^\x1bO[A-Za-z]/.exec(data.slice(i))?.[0] ?? ESC
        dirty = this.escape(sequence) || dirty
        i += sequence.length - 1
      } else if (ch === '\r' || ch === '\n') {
        if (ch === '\n' && data[i - 1] === '\r') continue // CRLF from a paste
        flush()
        actions.push({ kind: 'submit', line: this.text })
        this.clear()
      } else if (ch === '\x03') {
        flush()
        actions.push({ kind: 'interrupt' })
        this.clear()
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.cursor > 0) {
          this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor)
          this.cursor--
          dirty = true
        }
      } else if (ch === '\x01') {
        this.cursor = 0
        dirty = true
      } else if (ch === '\x05') {
        this.cursor = this.text.length
        dirty = true
      } else if (ch === '\x15') {
        this.text = this.text.slice(this.cursor)
        this.cursor = 0
        dirty = true
      } else if (ch >= ' ' || ch === '\t') {
        const insert = ch === '\t' ? '  ' : ch
        this.text = this.text.slice(0, this.cursor) + insert + this.text.slice(this.cursor)
        this.cursor += insert.length
        dirty = true
      }
    }
    flush()
    return actions.length ? actions : [{ kind: 'none' }]
  }

  private escape(sequence: string): boolean {
    switch (sequence) {
      case '\x1b[D':
      case '\x1bOD':
        if (this.cursor === 0) return false
        this.cursor--
        return true
      case '\x1b[C':
      case '\x1bOC':
        if (this.cursor === this.text.length) return false
        this.cursor++
        return true
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
        this.cursor = 0
        return true
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
        this.cursor = this.text.length
        return true
      case '\x1b[3~':
        if (this.cursor === this.text.length) return false
        this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1)
        return true
      default:
        return false // history, completion etc. arrive with the REPL pane issue
    }
  }
}
