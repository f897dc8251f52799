import type { Terminal } from '@xterm/xterm'
import type { CompletionItem, Completions } from '../../../common/inspect-contract'
import type { Disposable } from '../../../common/lifecycle'

/** How long typing must pause before the runtime is asked: one request per burst of keys, not per key. */
export const COMPLETION_DEBOUNCE_MS = 60
const MAX_SHOWN = 12

/** A name being typed, or a member after a dot: where a list of completions helps. */
const WORD_BEFORE_CURSOR = /(?:^|[^\w$.])[A-Za-z_$][\w$]*$|[\w$)\]]\.[\w$]*$/

export interface CompletionSource {
  complete(code: string, cursor: number): Promise<Completions>
}

/**
 * The completion list under (or over) the cursor while typing JS: asked of the runtime
 * asynchronously, after a short pause; an answer for an input that has changed since is dropped,
 * so typing never waits for it. A DOM list beside the terminal: it never takes the focus (xterm
 * keeps it, and the pane forwards the keys the list handles: Up, Down, Tab, Enter, Esc).
 */
export class CompletionPopup implements Disposable {
  private readonly element: HTMLDivElement
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Bumped on every change of the input: an answer for an older one is dropped. */
  private generation = 0
  /** What is listed; `selected` is -1 until Up or Down picks an item (Enter then still runs the input). */
  private shown: { completions: Completions; items: readonly CompletionItem[]; selected: number; generation: number } | undefined

  constructor(
    private readonly container: HTMLElement,
    private readonly terminal: Terminal,
    private readonly source: CompletionSource,
    /** Replaces [from, to) of the input with the accepted name. */
    private readonly accept: (from: number, to: number, text: string) => void
  ) {
    this.element = document.createElement('div')
    this.element.className = 'completion-popup'
    this.element.dataset['testid'] = 'completion-popup'
    this.element.setAttribute('role', 'listbox')
    this.element.hidden = true
    // A click picks an item without taking the focus from the terminal.
    this.element.addEventListener('mousedown', (event) => {
      event.preventDefault()
      const index = Number((event.target as HTMLElement).closest<HTMLElement>('[data-index]')?.dataset['index'])
      if (this.shown && Number.isInteger(index)) {
        this.shown.selected = index
        this.acceptSelected()
      }
    })
    container.appendChild(this.element)
  }

  get isOpen(): boolean {
    return this.shown !== undefined
  }

  /** The input changed (or the mode): ask again after a pause, or close when no name is being typed. */
  update(line: string, position: number, enabled: boolean): void {
    this.generation++
    clearTimeout(this.timer)
    if (!enabled || !WORD_BEFORE_CURSOR.test(line.slice(0, position))) {
      this.close()
      return
    }
    const generation = this.generation
    this.timer = setTimeout(() => {
      this.source.complete(line, position).then(
        (completions) => {
          if (generation === this.generation) this.show(completions, line)
        },
        () => undefined // no runtime: no list; Tab still works once it is back
      )
    }, COMPLETION_DEBOUNCE_MS)
  }

  /**
   * A key while the list is open: true when the list took it. Up and Down pick an item; Esc
   * closes. Tab accepts the picked item, or the first when none is picked (as in VS Code and
   * IPython: the list is what Tab completes to, never printed again). Enter accepts the picked
   * item; with none picked it runs the input (so typing fast and pressing Enter never picks a name).
   */
  handleKey(data: string): boolean {
    const shown = this.shown
    if (!shown) return false
    const count = shown.items.length
    // Typed on since the list came: its range is out of date, so Tab completes as without it until the new one comes.
    const current = shown.generation === this.generation
    switch (data) {
      case '\x1b[A':
      case '\x1bOA':
        this.select(shown.selected <= 0 ? count - 1 : shown.selected - 1)
        return true
      case '\x1b[B':
      case '\x1bOB':
        this.select((shown.selected + 1) % count)
        return true
      case '\t':
        if (!current) {
          this.close()
          return false
        }
        if (shown.selected < 0) shown.selected = 0
        this.acceptSelected()
        return true
      case '\r':
        if (shown.selected < 0) {
          this.close()
          return false
        }
        this.acceptSelected()
        return true
      case '\x1b':
        this.close()
        return true
      default:
        return false
    }
  }

  close(): void {
    this.generation++ // an answer on its way is for a list no longer wanted
    clearTimeout(this.timer)
    this.shown = undefined
    this.element.hidden = true
    this.element.replaceChildren()
  }

  dispose(): void {
    this.close()
    this.element.remove()
  }

  private show(completions: Completions, line: string): void {
    const typed = line.slice(completions.from, completions.to)
    const items = completions.items.slice(0, MAX_SHOWN)
    // Nothing to offer, or only what is already typed.
    if (items.length === 0 || (items.length === 1 && items[0]!.label === typed)) return this.close()
    this.shown = { completions, items, selected: -1, generation: this.generation }
    this.element.replaceChildren(
      ...items.map((item, index) => {
        const row = document.createElement('div')
        row.className = 'completion-item'
        row.dataset['testid'] = 'completion-item'
        row.dataset['index'] = String(index)
        row.setAttribute('role', 'option')
        const label = document.createElement('span')
        label.className = 'completion-label'
        label.textContent = item.label
        const kind = document.createElement('span')
        kind.className = `completion-kind completion-kind-${item.kind}`
        kind.textContent = item.detail ? `${item.kind} ${item.detail}` : item.kind
        row.append(label, kind)
        return row
      })
    )
    this.element.hidden = false
    this.place(typed.length)
  }

  private select(index: number): void {
    if (!this.shown) return
    this.shown.selected = index
    this.element.querySelectorAll<HTMLElement>('.completion-item').forEach((row, i) => row.setAttribute('aria-selected', String(i === index)))
    this.element.children[index]?.scrollIntoView({ block: 'nearest' })
  }

  private acceptSelected(): void {
    const shown = this.shown
    if (!shown) return
    this.close()
    this.accept(shown.completions.from, shown.completions.to, shown.items[shown.selected]!.label)
  }

  /** At the cursor's cell, under the word being typed; above the cursor when there is no room below (the prompt is usually at the bottom). */
  private place(typedLength: number): void {
    const screen = this.terminal.element?.querySelector<HTMLElement>('.xterm-screen')
    if (!screen) return
    const cellWidth = screen.clientWidth / this.terminal.cols
    const cellHeight = screen.clientHeight / this.terminal.rows
    const buffer = this.terminal.buffer.active
    const origin = this.container.getBoundingClientRect()
    const box = screen.getBoundingClientRect()
    const left = box.left - origin.left + Math.max(0, buffer.cursorX - typedLength) * cellWidth
    const below = box.top - origin.top + (buffer.cursorY + 1) * cellHeight
    const height = this.element.offsetHeight
    const top = below + height <= this.container.clientHeight ? below : Math.max(0, below - cellHeight - height)
    this.element.style.left = `${Math.min(left, Math.max(0, this.container.clientWidth - this.element.offsetWidth))}px`
    this.element.style.top = `${top}px`
  }
}
