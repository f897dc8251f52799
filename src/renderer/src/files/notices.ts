import { Emitter } from '../../../common/event'

export interface Notice {
  readonly id: number
  readonly kind: 'info' | 'error'
  readonly text: string
}

/** How long an information notice stays; errors stay until dismissed. */
const INFO_MS = 8000

/** One-line messages from window actions (a file that could not be dropped, a trace imported), shown under the title bar. */
export class Notices {
  private items: Notice[] = []
  private nextId = 1
  private readonly changes = new Emitter<void>()
  readonly onDidChange = this.changes.event

  get current(): readonly Notice[] {
    return this.items
  }

  show(kind: Notice['kind'], text: string): void {
    const notice = { id: this.nextId++, kind, text }
    // The latest few: a drop of twenty bad files must not bury the window.
    this.items = [...this.items, notice].slice(-5)
    this.changes.fire()
    if (kind === 'info') setTimeout(() => this.dismiss(notice.id), INFO_MS)
  }

  dismiss(id: number): void {
    const before = this.items.length
    this.items = this.items.filter((n) => n.id !== id)
    if (this.items.length !== before) this.changes.fire()
  }
}
