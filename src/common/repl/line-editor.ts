/**
 * The prompt's line editor, as pure state: keystrokes in (xterm's `onData` strings), edits and
 * actions out. It runs in the front end (the window, the terminal client), so typing never waits
 * for the runtime. The input may span several lines: Alt+Enter and Ctrl+J (and Shift+Enter, which
 * the window turns into Alt+Enter) insert a line break, and Enter does too when `continues` says
 * the input is not complete yet (an open bracket…), as in IPython.
 */
export type EditorAction =
  /**
   * The input changed: draw this text with the cursor at `position` (a snapshot, taken when it
   * happened). During a reverse search, `search` is what to show in front of it, and `line` is the match.
   */
  | { kind: 'redraw'; line: string; position: number; search?: SearchView }
  | { kind: 'submit'; line: string }
  /** Ctrl+C, with the input as it was (the editor clears all of it). */
  | { kind: 'interrupt'; line: string }
  /** Shift+Tab: switch to the next mode (JS → NL → BASH). */
  | { kind: 'next-mode' }
  /** Ctrl+D on an empty input: the user is done (otherwise Ctrl+D deletes forward, as in readline). */
  | { kind: 'eof' }
  /** Tab after a word: complete it (ask the runtime, then call `replace`). */
  | { kind: 'complete'; line: string; position: number }
  | { kind: 'none' }

/** A reverse search (Ctrl+R) as readline shows it: `(reverse-i-search)'query': match`. */
export interface SearchView {
  readonly query: string
  /** No entry matches the query (readline says `failed reverse-i-search`). */
  readonly failed: boolean
}

export interface LineEditorOptions {
  /** Earlier inputs, oldest first (a history file's contents); Up and Down walk through them. */
  history?: readonly string[]
  /** How many inputs the history keeps (default 1000); the oldest go first. */
  historySize?: number
  /** A submitted input entered the history: the place to persist it. */
  onDidAddHistory?: (line: string) => void
  /** True when Enter should insert a line break instead of submitting (the input leaves something open). */
  continues?: (input: string) => boolean
}

const ESC = '\x1b'
// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ESCAPE_SEQUENCE = /\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|\x1b[\r\n]/y

interface SearchState {
  query: string
  /** The matching history entry, or undefined before the first match. */
  match: number | undefined
  failed: boolean
  /** The input and cursor to restore on cancel. */
  readonly text: string
  readonly cursor: number
}

export class LineEditor {
  private text = ''
  private cursor = 0
  private readonly entries: string[]
  private readonly historySize: number
  /** Which history entry is shown: an index into `entries`, or `entries.length` for the input being typed. */
  private browsing: number
  /** The input being typed, kept while Up and Down show history entries. */
  private draft = ''
  private search: SearchState | undefined

  constructor(private readonly options: LineEditorOptions = {}) {
    this.historySize = Math.max(0, options.historySize ?? 1000)
    this.entries = (options.history ?? []).filter((line) => line.trim() !== '').slice(-this.historySize)
    this.browsing = this.entries.length
  }

  /** The history, oldest first: earlier sessions' inputs, then this session's submitted inputs. */
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

  /** The reverse search under way, if any. */
  get searching(): SearchView | undefined {
    return this.search && { query: this.search.query, failed: this.search.failed }
  }

  /**
   * Puts older inputs (a store's, loaded after the editor started) before this session's, oldest
   * first; an entry that is also among this session's keeps only its newer place.
   */
  addOlderHistory(older: readonly string[]): void {
    const mine = new Set(this.entries)
    const before = older.filter((line) => line.trim() !== '' && !mine.has(line))
    const atEnd = this.browsing === this.entries.length
    this.entries.unshift(...before)
    const dropped = Math.max(0, this.entries.length - this.historySize)
    this.entries.splice(0, dropped)
    this.browsing = atEnd ? this.entries.length : Math.max(0, Math.min(this.entries.length, this.browsing + before.length - dropped))
    // A search typed before the history arrived looks again, now in all of it.
    if (this.search) {
      this.search.match = undefined
      this.findMatch(this.entries.length - 1)
    }
  }

  /** What to draw now (the last redraw's content): for a front end that redraws on its own account. */
  view(): { line: string; position: number; search?: SearchView } {
    const { line, position, search } = this.redraw()
    return search ? { line, position, search } : { line, position }
  }

  /** Replaces [from, to) of the input (a completion), leaving the cursor after the new text. */
  replace(from: number, to: number, text: string): void {
    this.text = this.text.slice(0, from) + text + this.text.slice(to)
    this.cursor = from + text.length
  }

  /** Empties the input and leaves the history walk (back at the newest entry). */
  clear(): void {
    this.text = ''
    this.cursor = 0
    this.draft = ''
    this.browsing = this.entries.length
    this.search = undefined
  }

  /** Applies one chunk of terminal input; a paste may contain several inputs and yields several actions. */
  input(data: string): EditorAction[] {
    const actions: EditorAction[] = []
    let dirty = false
    const flush = (): void => {
      if (dirty) actions.push(this.redraw())
      dirty = false
    }
    for (let i = 0; i < data.length; i++) {
      const key = keyAt(data, i)
      i += key.length - 1
      if (key === '\n' && data[i - 1] === '\r') continue // CRLF from a paste
      if (this.search) {
        const handled = this.searchKey(key)
        if (handled !== undefined) {
          dirty = handled || dirty
          continue
        }
        dirty = true // the search ended, showing its match as the input; the key acts on it below
      }
      dirty = this.key(key, actions, flush) || dirty
    }
    flush()
    return actions.length ? actions : [{ kind: 'none' }]
  }

  /** One key outside a search; returns whether the input changed (actions are pushed after `flush`). */
  private key(key: string, actions: EditorAction[], flush: () => void): boolean {
    const act = (action: EditorAction): false => {
      flush()
      actions.push(action)
      return false
    }
    if (key.length > 1) {
      if (key === '\x1b[Z') return act({ kind: 'next-mode' })
      if (key === '\x1b\r' || key === '\x1b\n') return this.insert('\n') // Alt+Enter
      return this.escape(key)
    }
    switch (key) {
      case '\r': {
        if (this.options.continues?.(this.text)) return this.insert('\n')
        const line = this.text
        act({ kind: 'submit', line })
        this.remember(line)
        this.clear()
        return false
      }
      case '\n': // Ctrl+J
        return this.insert('\n')
      case '\x03': {
        const line = this.text
        this.clear()
        return act({ kind: 'interrupt', line })
      }
      case '\x04':
        return this.text === '' ? act({ kind: 'eof' }) : this.deleteForward()
      case '\x7f':
      case '\b':
        if (this.cursor === 0) return false
        this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor)
        this.cursor--
        return true
      case '\x01':
        this.cursor = this.lineStart()
        return true
      case '\x05':
        this.cursor = this.lineEnd()
        return true
      case '\x15': {
        const start = this.lineStart()
        this.text = this.text.slice(0, start) + this.text.slice(this.cursor)
        this.cursor = start
        return true
      }
      case '\x12':
        this.search = { query: '', match: undefined, failed: false, text: this.text, cursor: this.cursor }
        return true
      case '\t':
        // Tab after a word or a dot completes it; at the start of a line or after a space it indents.
        if (/[\w$.]$/.test(this.text.slice(0, this.cursor))) return act({ kind: 'complete', line: this.text, position: this.cursor })
        return this.insert('  ')
      default:
        return key >= ' ' && key !== ESC ? this.insert(key) : false
    }
  }

  private insert(text: string): true {
    this.text = this.text.slice(0, this.cursor) + text + this.text.slice(this.cursor)
    this.cursor += text.length
    return true
  }

  private redraw(): Extract<EditorAction, { kind: 'redraw' }> {
    const search = this.searching
    if (!search) return { kind: 'redraw', line: this.text, position: this.cursor }
    const state = this.search!
    if (state.match === undefined) return { kind: 'redraw', line: this.text, position: this.cursor, search }
    const match = this.entries[state.match]!
    const at = match.lastIndexOf(state.query)
    return { kind: 'redraw', line: match, position: at < 0 ? match.length : at, search }
  }

  /**
   * A key during a reverse search: true/false (handled; whether the view changed), or undefined:
   * the search ended with its match as the input, and the key acts on that (readline's rule).
   */
  private searchKey(key: string): boolean | undefined {
    const search = this.search!
    switch (key) {
      case '\x12': // older matches
        return this.findMatch(search.match === undefined ? this.entries.length - 1 : search.match - 1)
      case '\x7f':
      case '\b':
        search.query = search.query.slice(0, -1)
        search.match = undefined
        return this.findMatch(this.entries.length - 1) || true
      case '\x07': // Ctrl+G
      case ESC:
        this.text = search.text
        this.cursor = search.cursor
        this.search = undefined
        return true
      case '\r': // accept, not run (IPython)
        this.acceptSearch()
        return true
      default:
        if (key.length === 1 && key >= ' ' && key !== '\x7f') {
          search.query += key
          return this.findMatch(search.match ?? this.entries.length - 1) || true
        }
        this.acceptSearch()
        return undefined
    }
  }

  /** The newest entry at or before `from` containing the query; the match stays as it was when none does. */
  private findMatch(from: number): boolean {
    const search = this.search!
    for (let i = Math.min(from, this.entries.length - 1); i >= 0; i--) {
      if (this.entries[i]!.includes(search.query)) {
        search.match = i
        search.failed = false
        return true
      }
    }
    search.failed = true
    return true
  }

  private acceptSearch(): void {
    const search = this.search!
    this.search = undefined
    if (search.match === undefined) return
    this.draft = search.text
    this.browsing = search.match
    this.text = this.entries[search.match]!
    this.cursor = this.text.length
  }

  private lineStart(at = this.cursor): number {
    return at === 0 ? 0 : this.text.lastIndexOf('\n', at - 1) + 1
  }

  private lineEnd(at = this.cursor): number {
    const end = this.text.indexOf('\n', at)
    return end < 0 ? this.text.length : end
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
        this.cursor = this.lineStart()
        return true
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
        this.cursor = this.lineEnd()
        return true
      case '\x1b[3~':
        return this.deleteForward()
      case '\x1b[A':
      case '\x1bOA':
        return this.vertical(-1)
      case '\x1b[B':
      case '\x1bOB':
        return this.vertical(1)
      default:
        return false
    }
  }

  private deleteForward(): boolean {
    if (this.cursor === this.text.length) return false
    this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1)
    return true
  }

  /** Up or Down: to the line above or below in a multi-line input, and through the history from its first or last line. */
  private vertical(step: -1 | 1): boolean {
    const start = this.lineStart()
    const column = this.cursor - start
    if (step < 0) {
      if (start === 0) return this.recall(-1)
      const above = this.lineStart(start - 1)
      this.cursor = above + Math.min(column, start - 1 - above)
    } else {
      const end = this.lineEnd()
      if (end === this.text.length) return this.recall(1)
      this.cursor = end + 1 + Math.min(column, this.lineEnd(end + 1) - end - 1)
    }
    return true
  }

  /**
   * Up (-1) or Down (+1) through the history. The input being typed is kept and comes back below
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

  /** A submitted input joins the history, unless it is blank or repeats the newest entry. */
  private remember(line: string): void {
    if (line.trim() === '' || this.entries.at(-1) === line || this.historySize === 0) return
    this.entries.push(line)
    if (this.entries.length > this.historySize) this.entries.splice(0, this.entries.length - this.historySize)
    this.options.onDidAddHistory?.(line)
  }
}

/** The key at `data[i]`: one character, or a whole escape sequence (arrows, Shift+Tab, Alt+Enter). */
function keyAt(data: string, i: number): string {
  if (data[i] !== ESC) return data[i]!
  ESCAPE_SEQUENCE.lastIndex = i
  return ESCAPE_SEQUENCE.exec(data)?.[0] ?? ESC
}
