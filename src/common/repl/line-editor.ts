/**
 * The prompt's line editor, as pure state: keystrokes in (xterm's `onData` strings), edits and
 * actions out. It runs in the front end (the window, the terminal client), so typing never waits
 * for the runtime.
 */
export type EditorAction =
  /** The line changed: draw this text with the cursor at `position` (a snapshot, taken when it happened). */
  | { kind: 'redraw'; line: string; position: number }
  | { kind: 'submit'; line: string }
  /** Ctrl+C, with the line as it was (the editor clears it). */
  | { kind: 'interrupt'; line: string }
  /** Shift+Tab: switch to the next mode (JS → NL → BASH). */
  | { kind: 'next-mode' }
  /** Ctrl+D on an empty line: the user is done (on a non-empty line Ctrl+D deletes forward, as in readline). */
  | { kind: 'eof' }
  /** Tab after a word: complete it (ask the runtime, then call `replace`). */
  | { kind: 'complete'; line: string; position: number }
  | { kind: 'none' }

export interface LineEditorOptions {
  /** Earlier lines, oldest first (a history file's contents); Up and Down walk through them. */
  history?: readonly string[]
  /** How many lines the history keeps (default 1000); the oldest go first. */
  historySize?: number
  /** A submitted line entered the history: the place to persist it. */
  onDidAddHistory?: (line: string) => void
}

const ESC = '\x1b'

export class LineEditor {
  private text = ''
  private cursor = 0
  private readonly entries: string[]
  private readonly historySize: number
  /** Which history entry is shown: an index into `entries`, or `entries.length` for the line being typed. */
  private browsing: number
  /** The line being typed, kept while Up and Down show history entries. */
  private draft = ''

  constructor(private readonly options: LineEditorOptions = {}) {
    this.historySize = Math.max(0, options.historySize ?? 1000)
    this.entries = (options.history ?? []).filter((line) => line.trim() !== '').slice(-this.historySize)
    this.browsing = this.entries.length
  }

  /** The history, oldest first: earlier sessions' lines, then this session's submitted lines. */
  get history(): readonly string[] {
    return this.entries
  }

  get line(): string {
    return this.text
  }

  /** Cursor position as an index into `line`. */
  get position(): number {
    return this.cursor
  }

  /** Replaces [from, to) of the line (a completion), leaving the cursor after the new text. */
  replace(from: number, to: number, text: string): void {
    this.text = this.text.slice(0, from) + text + this.text.slice(to)
    this.cursor = from + text.length
  }

  /** Empties the line and leaves the history walk (back at the newest entry). */
  clear(): void {
    this.text = ''
    this.cursor = 0
    this.draft = ''
    this.browsing = this.entries.length
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
        this.remember(this.text)
        this.clear()
      } else if (ch === '\x03') {
        flush()
        actions.push({ kind: 'interrupt', line: this.text })
        this.clear()
      } else if (ch === '\x04') {
        if (this.text === '') {
          flush()
          actions.push({ kind: 'eof' })
        } else dirty = this.deleteForward() || dirty
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
      } else if (ch === '\t' && /[\w$.]$/.test(this.text.slice(0, this.cursor))) {
        // Tab after a word or a dot completes it; at the start of a line or after a space it indents.
        flush()
        actions.push({ kind: 'complete', line: this.text, position: this.cursor })
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
        return this.deleteForward()
      case '\x1b[A':
      case '\x1bOA':
        return this.recall(-1)
      case '\x1b[B':
      case '\x1bOB':
        return this.recall(1)
      default:
        return false // completion etc. arrive with their own issue
    }
  }

  private deleteForward(): boolean {
    if (this.cursor === this.text.length) return false
    this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1)
    return true
  }

  /**
   * Up (-1) or Down (+1) through the history. The line being typed is kept and comes back below
   * the newest entry; edits to a recalled entry last until the next Up or Down (the history itself
   * never changes, so what ran stays what is recalled).
   */
  private recall(step: -1 | 1): boolean {
    const next = this.browsing + step
    if (next < 0 || next > this.entries.length) return false
    if (this.browsing === this.entries.length) this.draft = this.text
    this.browsing = next
    this.text = next === this.entries.length ? this.draft : this.entries[next]!
    this.cursor = this.text.length
    return true
  }

  /** A submitted line joins the history, unless it is blank or repeats the newest entry. */
  private remember(line: string): void {
    if (line.trim() === '' || this.entries.at(-1) === line || this.historySize === 0) return
    this.entries.push(line)
    if (this.entries.length > this.historySize) this.entries.splice(0, this.entries.length - this.historySize)
    this.options.onDidAddHistory?.(line)
  }
}
