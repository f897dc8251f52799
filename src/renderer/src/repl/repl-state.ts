import { Emitter } from '../../../common/event'
import { nextMode } from '../../../common/repl/format'
import type { ReplMode } from '../../../common/runtime-contract'

/** What the REPL pane shares with the rest of the window: the current input mode, and text other panels insert. */
export class ReplState {
  private current: ReplMode = 'js'
  private readonly changes = new Emitter<ReplMode>()
  private readonly inserts = new Emitter<string>()
  readonly onDidChangeMode = this.changes.event
  /** Text to type at the prompt's cursor (a path clicked in the inspector, say). */
  readonly onInsert = this.inserts.event

  /** Types `text` at the prompt, as if the user had (it is not run). */
  insert(text: string): void {
    this.inserts.fire(text)
  }

  get mode(): ReplMode {
    return this.current
  }

  cycleMode(): ReplMode {
    this.current = nextMode(this.current)
    this.changes.fire(this.current)
    return this.current
  }
}
